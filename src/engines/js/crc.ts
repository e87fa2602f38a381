// LoRa payload CRC: CRC-16/XMODEM (poly 0x1021, init 0, no reflection, no final XOR) over all
// payload bytes but the last two, XORed with those two bytes (gr-lora_sdr add_crc_impl.cc;
// checked on an RN2483: de ad be ef -> 0xEC80). Missing bytes count as zero, so PL = 1 sends the
// byte itself and PL = 0 sends zero, as the reference transmitter does.
export function crc16(data: ArrayLike<number>, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    crc ^= (data[i]! & 0xff) << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The 16-bit payload CRC as LoRa sends it (low byte first, low nibble first). */
export function payloadCrc(payload: ArrayLike<number>): number {
  const n = payload.length;
  let crc = crc16(payload, 0, Math.max(n - 2, 0));
  const last = n >= 1 ? payload[n - 1]! & 0xff : 0;
  const before = n >= 2 ? payload[n - 2]! & 0xff : 0;
  crc ^= (before << 8) | last;
  return crc;
}
