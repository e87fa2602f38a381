// Class B beacons (LoRaWAN 1.1 section 15.2; TS001-1.0.4 Class B) and the ping-slot offset
// (1.1 section 15.2 / 1.0.4 Class B "ping slot randomization").
// Beacon = RFU | Time (u32 LE, GPS seconds) | CRC | GwSpecific (InfoDesc, Lat, Lng) [| RFU] | CRC;
// CRC-16/XMODEM (poly 0x1021, init 0, not reflected) sent little-endian, as LoRaMac-node's
// BeaconCrc(). The RFU sizes depend on the region's beacon spreading factor: 2/0 bytes in
// EU868 (17-byte beacon), 3/1 in US915 (19 bytes).
import { ChirpError } from "../errors.js";
import { checkInt } from "../errors.js";
import { checkBytesArg, checkNumber } from "../check.js";
import { aesEncryptBlock } from "../crypto/aes.js";
import { checkBytes, checkObject, readU16, readU32, uintOf, writeU16, writeU24, writeU32 } from "./bytes.js";

export function crc16Xmodem(b: Uint8Array, start = 0, end?: number): number {
  checkBytesArg("bytes", b);
  if (end === undefined) end = b.length;
  checkInt("end", end, 0, b.length);
  checkInt("start", start, 0, end);
  let crc = 0;
  for (let i = start; i < end; i++) {
    crc ^= b[i]! << 8;
    for (let k = 0; k < 8; k++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

export interface BeaconLayout {
  /** RFU bytes before Time. */
  rfu1Bytes: number;
  /** RFU bytes after GwSpecific. */
  rfu2Bytes: number;
}

export const BEACON_LAYOUTS = {
  eu868: { rfu1Bytes: 2, rfu2Bytes: 0 },
  us915: { rfu1Bytes: 3, rfu2Bytes: 1 },
} as const satisfies Record<string, BeaconLayout>;

export interface Beacon {
  rfu1: Uint8Array;
  /** GPS time in seconds (the u32 on air). */
  time: number;
  crc1: number;
  crc1Ok: boolean;
  infoDesc: number;
  /** Raw signed 24-bit latitude and longitude. */
  latRaw: number;
  lngRaw: number;
  /** Degrees: lat = raw * 90 / 2^23, lng = raw * 180 / 2^23. */
  latitude: number;
  longitude: number;
  rfu2: Uint8Array;
  crc2: number;
  crc2Ok: boolean;
}

function layoutFor(n: number, l?: BeaconLayout): BeaconLayout {
  if (l) return l;
  if (n === 17) return BEACON_LAYOUTS.eu868;
  if (n === 19) return BEACON_LAYOUTS.us915;
  throw new ChirpError("BAD_FRAME", `a beacon of ${n} bytes needs an explicit layout`, {
    parameter: "layout",
    allowed: "17 (EU868) or 19 (US915) bytes, or a layout",
  });
}

function checkLayout(l: BeaconLayout): void {
  checkObject("layout", l);
  checkInt("layout.rfu1Bytes", l.rfu1Bytes, 0, 16);
  checkInt("layout.rfu2Bytes", l.rfu2Bytes, 0, 16);
}

const s24 = (v: number) => (v >= 0x800000 ? v - 0x1000000 : v);

/** Parses a beacon and checks both CRCs (reported, not thrown: a CRC failure is data). */
export function parseBeacon(bytes: Uint8Array, layout?: BeaconLayout): Beacon {
  checkBytes("bytes", bytes);
  if (layout !== undefined) checkLayout(layout);
  const l = layoutFor(bytes.length, layout);
  const need = l.rfu1Bytes + 6 + 7 + l.rfu2Bytes + 2;
  if (bytes.length < need)
    throw new ChirpError("TOO_SHORT", `a beacon with this layout needs ${need} bytes, got ${bytes.length}`);
  const t = l.rfu1Bytes;
  const g = t + 6;
  const c2 = g + 7 + l.rfu2Bytes;
  const latRaw = s24(bytes[g + 1]! | (bytes[g + 2]! << 8) | (bytes[g + 3]! << 16));
  const lngRaw = s24(bytes[g + 4]! | (bytes[g + 5]! << 8) | (bytes[g + 6]! << 16));
  const crc1 = readU16(bytes, t + 4);
  const crc2 = readU16(bytes, c2);
  return {
    rfu1: bytes.slice(0, t),
    time: readU32(bytes, t),
    crc1,
    crc1Ok: crc16Xmodem(bytes, 0, t + 4) === crc1,
    infoDesc: bytes[g]!,
    latRaw,
    lngRaw,
    latitude: (latRaw * 90) / 2 ** 23,
    longitude: (lngRaw * 180) / 2 ** 23,
    rfu2: bytes.slice(g + 7, c2),
    crc2,
    crc2Ok: crc16Xmodem(bytes, g, c2) === crc2,
  };
}

export interface BeaconSpec {
  time: number;
  infoDesc?: number;
  /** Raw 24-bit values, or degrees via latitude/longitude. */
  latRaw?: number;
  lngRaw?: number;
  latitude?: number;
  longitude?: number;
}

/** Builds a beacon with both CRCs (RFU bytes zero). */
export function buildBeacon(spec: BeaconSpec, layout: BeaconLayout = BEACON_LAYOUTS.eu868): Uint8Array {
  checkObject("spec", spec);
  checkLayout(layout);
  const t = layout.rfu1Bytes;
  const g = t + 6;
  const c2 = g + 7 + layout.rfu2Bytes;
  const b = new Uint8Array(c2 + 2);
  writeU32(b, t, uintOf(spec.time, 4, "time"));
  writeU16(b, t + 4, crc16Xmodem(b, 0, t + 4));
  b[g] = checkInt("infoDesc", spec.infoDesc ?? 0, 0, 255);
  if (spec.latitude !== undefined) checkNumber("latitude", spec.latitude, -90, 90, "degrees from -90 to 90");
  if (spec.longitude !== undefined) checkNumber("longitude", spec.longitude, -180, 180, "degrees from -180 to 180");
  const lat = spec.latRaw ?? Math.min(0x7fffff, Math.round(((spec.latitude ?? 0) * 2 ** 23) / 90));
  const lng = spec.lngRaw ?? Math.min(0x7fffff, Math.round(((spec.longitude ?? 0) * 2 ** 23) / 180));
  writeU24(b, g + 1, checkInt("latRaw", lat, -0x800000, 0x7fffff) & 0xffffff);
  writeU24(b, g + 4, checkInt("lngRaw", lng, -0x800000, 0x7fffff) & 0xffffff);
  writeU16(b, c2, crc16Xmodem(b, g, c2));
  return b;
}

/**
 * Class B ping-slot offset: Rand = aes128_encrypt(16 x 0x00, BeaconTime (u32 LE) | DevAddr (LE) |
 * pad16), offset = (Rand[0] + 256 * Rand[1]) mod pingPeriod; pingPeriod = 2^12 / pingNb, a power
 * of two from 32 to 4096.
 */
export function computePingOffset(beaconTime: number, devAddr: number | string, pingPeriod: number): number {
  checkInt("pingPeriod", pingPeriod, 32, 4096);
  if ((pingPeriod & (pingPeriod - 1)) !== 0)
    throw new ChirpError("BAD_PARAMETER", `pingPeriod ${pingPeriod} is not a power of two`, {
      parameter: "pingPeriod",
      allowed: "32, 64, ..., 4096",
    });
  const blk = new Uint8Array(16);
  writeU32(blk, 0, uintOf(beaconTime, 4, "beaconTime"));
  writeU32(blk, 4, uintOf(devAddr, 4, "devAddr"));
  const r = aesEncryptBlock(new Uint8Array(16), blk);
  return (r[0]! + 256 * r[1]!) % pingPeriod;
}
