// Diagonal interleaver (gr-lora_sdr interleaver_impl.cc; LoRaPHY diag_interleave): a block of
// ppm codewords of cwLen = 4 + CR bits becomes cwLen words of ppm bits, where bit j (MSB first)
// of word i is bit i (MSB first) of codeword (i - j - 1) mod ppm.

export function interleave(
  codewords: ArrayLike<number>,
  ppm: number,
  cwLen: number,
  words: Uint16Array | number[] = new Uint16Array(cwLen),
): Uint16Array | number[] {
  for (let i = 0; i < cwLen; i++) {
    let w = 0;
    for (let j = 0; j < ppm; j++) {
      const cw = codewords[(((i - j - 1) % ppm) + ppm) % ppm]!;
      w |= ((cw >> (cwLen - 1 - i)) & 1) << (ppm - 1 - j);
    }
    words[i] = w;
  }
  return words;
}

export function deinterleave(
  words: ArrayLike<number>,
  ppm: number,
  cwLen: number,
  codewords: Uint16Array | number[] = new Uint16Array(ppm),
): Uint16Array | number[] {
  for (let c = 0; c < ppm; c++) codewords[c] = 0;
  for (let i = 0; i < cwLen; i++) {
    for (let j = 0; j < ppm; j++) {
      const b = (words[i]! >> (ppm - 1 - j)) & 1;
      const c = (((i - j - 1) % ppm) + ppm) % ppm;
      codewords[c] = codewords[c]! | (b << (cwLen - 1 - i));
    }
  }
  return codewords;
}

/**
 * Soft deinterleaving: word bit LLRs (llr[(sym0 + i) * stride + j], j = 0 the MSB) to codeword
 * bit LLRs (out[c * cwLen + k], k = 0 the MSB).
 */
export function deinterleaveSoft(
  llr: ArrayLike<number>,
  sym0: number,
  stride: number,
  ppm: number,
  cwLen: number,
  out: Float32Array,
): Float32Array {
  for (let i = 0; i < cwLen; i++) {
    for (let j = 0; j < ppm; j++) {
      const c = (((i - j - 1) % ppm) + ppm) % ppm;
      out[c * cwLen + i] = llr[(sym0 + i) * stride + j]!;
    }
  }
  return out;
}
