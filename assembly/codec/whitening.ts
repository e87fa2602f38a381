// Whitening of the payload bytes: XOR with an 8-bit LFSR sequence seeded 0xFF,
// next = (r << 1 | b7^b5^b4^b3) & 0xFF (gr-lora_sdr whitening / tables.h; LoRaPHY whiten).

const SEQ = memory.data(256);
let ready = false;

function init(): void {
  let r: u32 = 0xff;
  for (let i = 0; i < 255; i++) {
    store<u8>(SEQ + <usize>i, <u8>r);
    const b = ((r >> 7) ^ (r >> 5) ^ (r >> 4) ^ (r >> 3)) & 1;
    r = ((r << 1) | b) & 0xff;
  }
  ready = true;
}

/** Whitening byte i (0..254). */
@inline export function whiteningByte(i: i32): u8 {
  if (!ready) init();
  return load<u8>(SEQ + <usize>i);
}

/** XORs len bytes at src with the sequence into dst (may be the same); whitening = de-whitening. */
export function whiten(src: usize, dst: usize, len: i32): void {
  if (!ready) init();
  for (let i = 0; i < len; i++) store<u8>(dst + <usize>i, load<u8>(src + <usize>i) ^ load<u8>(SEQ + <usize>i));
}

export function whitening_apply(ptr: usize, len: i32): void {
  whiten(ptr, ptr, len);
}
