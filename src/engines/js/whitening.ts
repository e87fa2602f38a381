// Whitening of the payload bytes (not header, not CRC): XOR with an 8-bit LFSR sequence seeded 0xFF,
// next = (r << 1 | b7^b5^b4^b3) & 0xFF (gr-lora_sdr whitening_impl / tables.h; LoRaPHY whiten).
import { badParameter } from "../../errors.js";

export const WHITENING: Uint8Array = (() => {
  const w = new Uint8Array(255);
  let r = 0xff;
  for (let i = 0; i < w.length; i++) {
    w[i] = r;
    const b = ((r >> 7) ^ (r >> 5) ^ (r >> 4) ^ (r >> 3)) & 1;
    r = ((r << 1) | b) & 0xff;
  }
  return w;
})();

/** Whitens (or de-whitens: XOR is its own inverse) `data` into `out` (may be the same array). */
export function whiten(data: ArrayLike<number>, out: Uint8Array = new Uint8Array(data.length)): Uint8Array {
  if (data.length > 255) badParameter("payload length", data.length, "0..255 bytes");
  for (let i = 0; i < data.length; i++) out[i] = (data[i]! ^ WHITENING[i]!) & 0xff;
  return out;
}
