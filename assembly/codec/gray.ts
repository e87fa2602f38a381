// Gray mapping and symbol offset (gr-lora_sdr gray_demap_impl.cc / gray_mapping_impl.cc):
// transmit g = binary-from-Gray of word v, s = (g + 1) mod N (full rate) or (4g + 1) mod N
// (reduced rate); receive v' = (s - 1) mod N (/4 rounded if reduced), v = v' ^ (v' >> 1).

export function wordToSymbol(v: u32, sf: i32, reduced: bool): u32 {
  const n: u32 = 1 << <u32>sf;
  let g = v;
  for (let s = v >> 1; s != 0; s >>= 1) g ^= s;
  return reduced ? (4 * g + 1) & (n - 1) : (g + 1) & (n - 1);
}

export function symbolToWord(s: u32, sf: i32, reduced: bool): u32 {
  const n: u32 = 1 << <u32>sf;
  let v = (s + n - 1) & (n - 1);
  if (reduced) v = ((v + 2) >> 2) & ((n >> 2) - 1);
  return v ^ (v >> 1);
}

export function gray_word_to_symbol(v: u32, sf: i32, reduced: i32): u32 {
  return wordToSymbol(v, sf, reduced != 0);
}
export function gray_symbol_to_word(s: u32, sf: i32, reduced: i32): u32 {
  return symbolToWord(s, sf, reduced != 0);
}
