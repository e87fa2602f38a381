// Gray mapping and the symbol offset (gr-lora_sdr gray_demap_impl.cc / gray_mapping_impl.cc;
// LoRaPHY): transmit g = inverse Gray of the word v, s = (g + 1) mod N at full rate and
// (4g + 1) mod N in reduced-rate blocks; receive v' = (s - 1) mod N (/4 rounded when reduced),
// v = v' ^ (v' >> 1).

/** Gray decoding (binary from Gray): g = v ^ v>>1 ^ v>>2 ^ ... */
export function grayDecode(v: number): number {
  let g = v;
  for (let s = v >> 1; s; s >>= 1) g ^= s;
  return g;
}

export function grayEncode(g: number): number {
  return g ^ (g >> 1);
}

/** Symbol value (FFT bin) of an interleaver word. */
export function wordToSymbol(v: number, sf: number, reducedRate: boolean): number {
  const n = 1 << sf;
  const g = grayDecode(v);
  return reducedRate ? (4 * g + 1) % n : (g + 1) % n;
}

/** Interleaver word of a received symbol value (the receive mapping bin -> word). */
export function symbolToWord(s: number, sf: number, reducedRate: boolean): number {
  const n = 1 << sf;
  let v = (((s - 1) % n) + n) % n;
  if (reducedRate) v = ((v + 2) >> 2) & ((n >> 2) - 1);
  return grayEncode(v);
}
