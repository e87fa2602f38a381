// Plausibility of a LoRaWAN frame before the demo shows a payload as one (no imports: tested in Node).

/**
 * Whether a payload can be a LoRaWAN PHYPayload at all: MHDR major 0 (R1) with its RFU bits clear,
 * and a length its message type allows (join request 23 bytes, join accept 17 or 33, rejoin 14 or
 * 19, data frames 12 or more with room for their FOpts). Proprietary frames (MType 7) carry
 * nothing to check and are not shown as LoRaWAN. LoRaWAN 1.0.4 / 1.1 specifications, section 4.
 */
export function looksLikeLorawan(p: Uint8Array): boolean {
  if (p.length < 12) return false;
  const mhdr = p[0]!;
  if ((mhdr & 0x03) !== 0 || ((mhdr >> 2) & 0x07) !== 0) return false;
  const mtype = mhdr >> 5;
  if (mtype === 0) return p.length === 23;
  if (mtype === 1) return p.length === 17 || p.length === 33;
  if (mtype === 6) return p.length === 14 || p.length === 19;
  if (mtype === 7) return false;
  const fOptsLen = p[5]! & 0x0f;
  return p.length >= 12 + fOptsLen;
}
