// Explicit header: length high nibble, length low nibble, (CR << 1) | hasCrc, checksum c4, c3..c0
// (checksum matrix: gr-lora_sdr header_impl.cc; LoRaPHY calc_header_checksum).

@inline function bit(x: u32, b: u32): u32 {
  return (x >> b) & 1;
}

export function headerChecksum(h0: u32, h1: u32, h2: u32): u32 {
  const c4 = bit(h0, 3) ^ bit(h0, 2) ^ bit(h0, 1) ^ bit(h0, 0);
  const c3 = bit(h0, 3) ^ bit(h1, 3) ^ bit(h1, 2) ^ bit(h1, 1) ^ bit(h2, 0);
  const c2 = bit(h0, 2) ^ bit(h1, 3) ^ bit(h1, 0) ^ bit(h2, 3) ^ bit(h2, 1);
  const c1 = bit(h0, 1) ^ bit(h1, 2) ^ bit(h1, 0) ^ bit(h2, 2) ^ bit(h2, 1) ^ bit(h2, 0);
  const c0 = bit(h0, 0) ^ bit(h1, 1) ^ bit(h2, 3) ^ bit(h2, 2) ^ bit(h2, 1) ^ bit(h2, 0);
  return (c4 << 4) | (c3 << 3) | (c2 << 2) | (c1 << 1) | c0;
}

/** Writes the 5 header nibbles (one per byte) at dst. */
export function writeHeader(dst: usize, payloadLength: u32, cr: u32, hasCrc: u32): void {
  const h0 = (payloadLength >> 4) & 15, h1 = payloadLength & 15, h2 = (cr << 1) | hasCrc;
  const c = headerChecksum(h0, h1, h2);
  store<u8>(dst, <u8>h0);
  store<u8>(dst, <u8>h1, 1);
  store<u8>(dst, <u8>h2, 2);
  store<u8>(dst, <u8>(c >> 4), 3);
  store<u8>(dst, <u8>(c & 15), 4);
}

/** Whether 5 nibbles at src form a valid header (checksum, CR 1..4). */
export function headerValid(src: usize): bool {
  const h0 = <u32>load<u8>(src), h1 = <u32>load<u8>(src, 1), h2 = <u32>load<u8>(src, 2);
  const c = (<u32>load<u8>(src, 3) << 4) | <u32>load<u8>(src, 4);
  const cr = h2 >> 1;
  return c == headerChecksum(h0, h1, h2) && cr >= 1 && cr <= 4;
}

export function header_checksum(h0: u32, h1: u32, h2: u32): u32 {
  return headerChecksum(h0, h1, h2);
}
