// LoRa Hamming codes (gr-lora_sdr hamming_enc_impl.cc): data bits d0 (LSB)..d3; CR 4/5 appends
// their parity; CR 4/6..4/8 append p0 = d0^d1^d2, p1 = d1^d2^d3, p2 = d0^d1^d3, p3 = d0^d2^d3;
// the codeword is written MSB first as d0 d1 d2 d3 p0 p1 p2 p3, cut to 4 + CR bits.
// Hard decoding by table: the unique nearest codeword within one bit at 4/7 and 4/8 (corrected),
// else the error is only detected and the received data bits pass through.

export const CW_OK: u8 = 0;
export const CW_CORRECTED: u8 = 1;
export const CW_DETECTED: u8 = 2;

const ENC = memory.data(64); // [cr - 1][nibble]
const DEC = memory.data(32 + 64 + 128 + 256); // per cr at decOffset(cr): nibble | status << 4
let ready = false;

@inline function decOffset(cr: i32): usize {
  return <usize>((16 << cr) - 32); // 0, 32, 96, 224 for cr 1..4 (sizes 32, 64, 128, 256)
}

function encodeRaw(nibble: u32, cr: i32): u32 {
  const d0 = nibble & 1, d1 = (nibble >> 1) & 1, d2 = (nibble >> 2) & 1, d3 = (nibble >> 3) & 1;
  const data = (d0 << 3) | (d1 << 2) | (d2 << 1) | d3;
  if (cr == 1) return (data << 1) | (d0 ^ d1 ^ d2 ^ d3);
  const p = ((d0 ^ d1 ^ d2) << 3) | ((d1 ^ d2 ^ d3) << 2) | ((d0 ^ d1 ^ d3) << 1) | (d0 ^ d2 ^ d3);
  return (data << <u32>cr) | (p >> <u32>(4 - cr));
}

function init(): void {
  for (let cr = 1; cr <= 4; cr++) {
    for (let n: u32 = 0; n < 16; n++) store<u8>(ENC + <usize>((cr - 1) * 16) + n, <u8>encodeRaw(n, cr));
    const len = 4 + cr;
    for (let r: u32 = 0; r < (1 << len); r++) {
      let best: u32 = 0, bestDist: i32 = 99, ties = 0;
      for (let n: u32 = 0; n < 16; n++) {
        const d = <i32>popcnt(encodeRaw(n, cr) ^ r);
        if (d < bestDist) { bestDist = d; best = n; ties = 1; } else if (d == bestDist) ties++;
      }
      const top = r >> <u32>cr;
      const raw = ((top >> 3) & 1) | (((top >> 2) & 1) << 1) | (((top >> 1) & 1) << 2) | ((top & 1) << 3);
      let v: u32;
      if (bestDist == 0) v = best;
      else if (bestDist == 1 && ties == 1 && cr >= 3) v = best | (<u32>CW_CORRECTED << 4);
      else v = raw | (<u32>CW_DETECTED << 4);
      store<u8>(DEC + decOffset(cr) + r, <u8>v);
    }
  }
  ready = true;
}

@inline export function hammingEncode(nibble: u32, cr: i32): u32 {
  if (!ready) init();
  return <u32>load<u8>(ENC + <usize>((cr - 1) * 16) + (nibble & 15));
}

/** nibble | status << 4 for a received codeword. */
@inline export function hammingDecode(word: u32, cr: i32): u32 {
  if (!ready) init();
  return <u32>load<u8>(DEC + decOffset(cr) + (word & ((1 << (4 + cr)) - 1)));
}

/** Soft decision: the nibble whose codeword correlates best with the 4 + cr LLRs at llr (f32). */
export function hammingDecodeSoft(llr: usize, cr: i32): u32 {
  if (!ready) init();
  const len = 4 + cr;
  let best: u32 = 0;
  // scores summed in f64, as the js engine does: the two pick the same nibble on every input
  let bestScore: f64 = -Infinity;
  for (let n: u32 = 0; n < 16; n++) {
    const cw = <u32>load<u8>(ENC + <usize>((cr - 1) * 16) + n);
    let score: f64 = 0;
    for (let k = 0; k < len; k++) {
      const l = <f64>load<f32>(llr + (<usize>k << 2));
      score += (cw >> <u32>(len - 1 - k)) & 1 ? l : -l;
    }
    if (score > bestScore) { bestScore = score; best = n; }
  }
  return best;
}

export function hamming_encode(nibble: u32, cr: i32): u32 {
  return hammingEncode(nibble, cr);
}
export function hamming_decode(word: u32, cr: i32): u32 {
  return hammingDecode(word, cr);
}
