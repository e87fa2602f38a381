// Diagonal interleaver (gr-lora_sdr interleaver_impl.cc): ppm codewords of cwLen bits -> cwLen
// words of ppm bits; bit j (MSB first) of word i = bit i (MSB first) of codeword (i - j - 1) mod ppm.

@inline function row(i: i32, j: i32, ppm: i32): i32 {
  return (((i - j - 1) % ppm) + ppm) % ppm;
}

/** u16 codewords at cws -> u16 words at words. */
export function interleave(cws: usize, ppm: i32, cwLen: i32, words: usize): void {
  for (let i = 0; i < cwLen; i++) {
    let w: u32 = 0;
    for (let j = 0; j < ppm; j++) {
      const cw = <u32>load<u16>(cws + (<usize>row(i, j, ppm) << 1));
      w |= ((cw >> <u32>(cwLen - 1 - i)) & 1) << <u32>(ppm - 1 - j);
    }
    store<u16>(words + (<usize>i << 1), <u16>w);
  }
}

/** u16 words -> u16 codewords (inverse of interleave). */
export function deinterleave(words: usize, ppm: i32, cwLen: i32, cws: usize): void {
  for (let c = 0; c < ppm; c++) store<u16>(cws + (<usize>c << 1), 0);
  for (let i = 0; i < cwLen; i++) {
    const w = <u32>load<u16>(words + (<usize>i << 1));
    for (let j = 0; j < ppm; j++) {
      const p = cws + (<usize>row(i, j, ppm) << 1);
      store<u16>(p, <u16>(<u32>load<u16>(p) | (((w >> <u32>(ppm - 1 - j)) & 1) << <u32>(cwLen - 1 - i))));
    }
  }
}

/** f32 word-bit LLRs (symbol i at llr + i*stride*4, bit j MSB first) -> codeword-bit LLRs at out[c*cwLen + i]. */
export function deinterleaveSoft(llr: usize, stride: i32, ppm: i32, cwLen: i32, out: usize): void {
  for (let i = 0; i < cwLen; i++) {
    for (let j = 0; j < ppm; j++) {
      store<f32>(out + (<usize>(row(i, j, ppm) * cwLen + i) << 2), load<f32>(llr + (<usize>(i * stride + j) << 2)));
    }
  }
}

export function interleaver_interleave(cws: usize, ppm: i32, cwLen: i32, words: usize): void {
  interleave(cws, ppm, cwLen, words);
}
export function interleaver_deinterleave(words: usize, ppm: i32, cwLen: i32, cws: usize): void {
  deinterleave(words, ppm, cwLen, cws);
}
