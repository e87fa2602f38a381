// Explicit header: 5 nibbles = length high, length low, (CR << 1) | hasCrc, checksum c4, c3..c0.
// Checksum matrix from gr-lora_sdr header_impl.cc / LoRaPHY calc_header_checksum.
import type { HeaderFields } from "../../phy/params.js";

function bit(x: number, b: number): number {
  return (x >> b) & 1;
}

/** The 5-bit header checksum of the first three header nibbles. */
export function headerChecksum(h0: number, h1: number, h2: number): number {
  const c4 = bit(h0, 3) ^ bit(h0, 2) ^ bit(h0, 1) ^ bit(h0, 0);
  const c3 = bit(h0, 3) ^ bit(h1, 3) ^ bit(h1, 2) ^ bit(h1, 1) ^ bit(h2, 0);
  const c2 = bit(h0, 2) ^ bit(h1, 3) ^ bit(h1, 0) ^ bit(h2, 3) ^ bit(h2, 1);
  const c1 = bit(h0, 1) ^ bit(h1, 2) ^ bit(h1, 0) ^ bit(h2, 2) ^ bit(h2, 1) ^ bit(h2, 0);
  const c0 = bit(h0, 0) ^ bit(h1, 1) ^ bit(h2, 3) ^ bit(h2, 2) ^ bit(h2, 1) ^ bit(h2, 0);
  return (c4 << 4) | (c3 << 3) | (c2 << 2) | (c1 << 1) | c0;
}

/** The 5 header nibbles for a payload length, coding rate and CRC flag. */
export function encodeHeader(h: HeaderFields): number[] {
  const h0 = (h.payloadLength >> 4) & 15;
  const h1 = h.payloadLength & 15;
  const h2 = (h.cr << 1) | (h.crc ? 1 : 0);
  const c = headerChecksum(h0, h1, h2);
  return [h0, h1, h2, c >> 4, c & 15];
}

/** Parses 5 header nibbles; ok is false on a checksum mismatch or a coding rate outside 1..4. */
export function decodeHeaderNibbles(n: ArrayLike<number>): HeaderFields & { ok: boolean } {
  const h0 = n[0]! & 15,
    h1 = n[1]! & 15,
    h2 = n[2]! & 15;
  const c = ((n[3]! & 1) << 4) | (n[4]! & 15);
  const cr = h2 >> 1;
  const ok = c === headerChecksum(h0, h1, h2) && cr >= 1 && cr <= 4 && (n[3]! & 14) === 0;
  return { ok, payloadLength: (h0 << 4) | h1, cr, crc: (h2 & 1) === 1 };
}
