/**
 * LoRaTap in pcap: one LoRa frame per packet, so Wireshark dissects the LoRaWAN inside.
 *
 * pcap (libpcap 2.4, little-endian, microsecond timestamps) with link type 270 = LINKTYPE_LORATAP.
 * The LoRaTap header is version 0, 15 bytes, big-endian (github.com/eriknl/LoRaTap README):
 *
 *   0  lt_version (0)          1  lt_padding             2..3  lt_length (15)
 *   4..7  frequency, Hz        8  bandwidth in 125 kHz steps (1, 2, 4)    9  sf
 *   10 packet_rssi  11 max_rssi  12 current_rssi  (dBm = -139 + value)
 *   13 snr (two's complement, dB x 4)                                     14 sync_word
 *
 * Version 0 because Wireshark up to 4.0 (Debian 12) reads only it: its dissector
 * (epan/dissectors/packet-loratap.c) walks exactly these 15 bytes and hands the rest to the
 * "loratap.syncword" table, where the LoRaWAN dissector is registered for 0x34; a version-1
 * header would be read as payload there.
 */
import { checkBytesArg } from "../check.js";
import { ChirpError, badParameter } from "../errors.js";

/** LINKTYPE_LORATAP (tcpdump.org link-layer header types). */
export const LINKTYPE_LORATAP = 270;
/** Bytes of a version-0 LoRaTap header. */
export const LORATAP_V0_LENGTH = 15;

export interface LoraTapFields {
  /** Channel centre frequency, Hz (0..2^32-1; 0 when unknown). */
  frequencyHz: number;
  /** LoRa bandwidth in Hz; written in 125 kHz steps (125k -> 1, 250k -> 2, 500k -> 4), 0 when not a multiple. */
  bandwidth: number;
  sf: number;
  /** SNR in dB (written x 4, clamped to the int8 range: -32..31.75 dB). */
  snrDb: number;
  syncWord: number;
  /** Packet RSSI in dBm when known (an uncalibrated SDR does not know it: leave undefined, written as 0). */
  rssiDbm?: number;
}

const u8 = (v: number) => Math.max(0, Math.min(255, Math.round(v)));

/** The 15-byte version-0 LoRaTap header for one frame. */
export function loraTapHeader(f: LoraTapFields): Uint8Array {
  if (!f || typeof f !== "object")
    badParameter("fields", f, "an object { frequencyHz, bandwidth, sf, snrDb, syncWord }");
  const { frequencyHz, bandwidth, sf, snrDb, syncWord } = f;
  if (typeof frequencyHz !== "number" || !(frequencyHz >= 0 && frequencyHz < 2 ** 32))
    badParameter("frequencyHz", frequencyHz, "0 .. 4294967295 Hz");
  if (typeof bandwidth !== "number" || !(bandwidth > 0))
    badParameter("bandwidth", bandwidth, "a positive number of Hz");
  if (!Number.isInteger(sf) || sf < 5 || sf > 12) badParameter("sf", sf, "an integer 5..12");
  if (!Number.isInteger(syncWord) || syncWord < 0 || syncWord > 255)
    badParameter("syncWord", syncWord, "a byte 0..255");
  const h = new Uint8Array(LORATAP_V0_LENGTH);
  const dv = new DataView(h.buffer);
  h[0] = 0; // version 0
  dv.setUint16(2, LORATAP_V0_LENGTH, false);
  dv.setUint32(4, Math.round(frequencyHz), false);
  const steps = bandwidth / 125000;
  h[8] = Number.isInteger(steps) && steps <= 255 ? steps : 0;
  h[9] = sf;
  const rssi = f.rssiDbm !== undefined && Number.isFinite(f.rssiDbm) ? u8(f.rssiDbm + 139) : 0;
  h[10] = rssi;
  h[11] = rssi;
  h[12] = rssi;
  const snr = Number.isFinite(snrDb) ? Math.max(-128, Math.min(127, Math.round(snrDb * 4))) : 0;
  dv.setInt8(13, snr);
  h[14] = syncWord;
  return h;
}

/** The pcap global header (24 bytes): magic a1b2c3d4 little-endian, version 2.4, snaplen 65535. */
export function pcapGlobalHeader(linkType = LINKTYPE_LORATAP): Uint8Array {
  if (typeof linkType !== "number" || !Number.isInteger(linkType) || linkType < 0 || linkType > 0xffffffff)
    badParameter("linkType", linkType, "a pcap link type 0..2^32-1 (LoRaTap: 270)");
  const h = new Uint8Array(24);
  const dv = new DataView(h.buffer);
  dv.setUint32(0, 0xa1b2c3d4, true);
  dv.setUint16(4, 2, true);
  dv.setUint16(6, 4, true);
  // thiszone and sigfigs 0
  dv.setUint32(16, 65535, true);
  dv.setUint32(20, linkType, true);
  return h;
}

/** One pcap record: 16-byte record header (seconds, microseconds, captured and original length) and the data. */
export function pcapRecord(timeS: number, data: Uint8Array): Uint8Array {
  if (typeof timeS !== "number" || !Number.isFinite(timeS) || timeS < 0 || timeS >= 2 ** 32)
    badParameter("timeS", timeS, "seconds since 1970, 0 .. 2^32");
  checkBytesArg("data", data);
  if (data.length > 65535) badParameter("data", `${data.length} bytes`, "at most 65535 bytes (the snap length)");
  let sec = Math.floor(timeS);
  let usec = Math.round((timeS - sec) * 1e6);
  if (usec >= 1e6) {
    sec += 1;
    usec -= 1e6;
  }
  const out = new Uint8Array(16 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, sec, true);
  dv.setUint32(4, usec, true);
  dv.setUint32(8, data.length, true);
  dv.setUint32(12, data.length, true);
  out.set(data, 16);
  return out;
}

/** A LoRaTap packet: the version-0 header followed by the LoRa payload (the LoRaWAN PHYPayload). */
export function loraTapPacket(f: LoraTapFields, payload: Uint8Array): Uint8Array {
  const h = loraTapHeader(f);
  checkBytesArg("payload", payload);
  const out = new Uint8Array(h.length + payload.length);
  out.set(h);
  out.set(payload, h.length);
  return out;
}

export interface PcapPacket {
  timeS: number;
  data: Uint8Array;
}

/** Reads a little-endian microsecond pcap file (as written here): link type and packets. */
export function readPcap(bytes: Uint8Array): { linkType: number; packets: PcapPacket[] } {
  checkBytesArg("bytes", bytes);
  if (bytes.length < 24)
    throw new ChirpError("TOO_SHORT", `a pcap file has a 24-byte header; got ${bytes.length} bytes`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== 0xa1b2c3d4)
    throw new ChirpError("BAD_INPUT", "not a little-endian microsecond pcap file (magic a1b2c3d4)");
  const linkType = dv.getUint32(20, true);
  const packets: PcapPacket[] = [];
  let o = 24;
  while (o < bytes.length) {
    if (o + 16 > bytes.length) throw new ChirpError("TOO_SHORT", `pcap record header at byte ${o} is cut off`);
    const len = dv.getUint32(o + 8, true);
    if (o + 16 + len > bytes.length)
      throw new ChirpError("TOO_SHORT", `pcap record at byte ${o} claims ${len} bytes past the end`);
    packets.push({
      timeS: dv.getUint32(o, true) + dv.getUint32(o + 4, true) / 1e6,
      data: bytes.slice(o + 16, o + 16 + len),
    });
    o += 16 + len;
  }
  return { linkType, packets };
}

/** Parses a version-0 LoRaTap header and returns its fields and the payload after it. */
export function parseLoraTap(packet: Uint8Array): LoraTapFields & { version: number; payload: Uint8Array } {
  checkBytesArg("packet", packet);
  if (packet.length < 4)
    throw new ChirpError("TOO_SHORT", `a LoRaTap header has at least 4 bytes; got ${packet.length}`);
  const dv = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const length = dv.getUint16(2, false);
  if (length < LORATAP_V0_LENGTH || packet.length < length)
    throw new ChirpError("TOO_SHORT", `LoRaTap header length ${length} in a ${packet.length}-byte packet`);
  const rssi = packet[10]!;
  const out: LoraTapFields & { version: number; payload: Uint8Array } = {
    version: packet[0]!,
    frequencyHz: dv.getUint32(4, false),
    bandwidth: packet[8]! * 125000,
    sf: packet[9]!,
    snrDb: dv.getInt8(13) / 4,
    syncWord: packet[14]!,
    payload: packet.slice(length),
  };
  if (rssi !== 0) out.rssiDbm = rssi - 139;
  return out;
}
