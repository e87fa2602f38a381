// Payload CRC: CRC-16 poly 0x1021, init 0, no reflection, over all bytes but the last two, XORed
// with those two (gr-lora_sdr add_crc_impl.cc; RN2483: de ad be ef -> 0xEC80). Missing bytes
// count as zero (PL = 1 sends the byte itself, PL = 0 sends zero, like the reference).

export function payloadCrc(src: usize, len: i32): u32 {
  let crc: u32 = 0;
  for (let i = 0; i < len - 2; i++) {
    crc ^= <u32>load<u8>(src + <usize>i) << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  const last: u32 = len >= 1 ? load<u8>(src + <usize>(len - 1)) : 0;
  const before: u32 = len >= 2 ? load<u8>(src + <usize>(len - 2)) : 0;
  return crc ^ ((before << 8) | last);
}

export function crc_payload(src: usize, len: i32): u32 {
  return payloadCrc(src, len);
}
