// Hamming codes of LoRa (gr-lora_sdr hamming_enc_impl.cc; LoRaPHY hamming_encode): data bits
// d0 (LSB)..d3; CR 4/5 appends the parity of all four; CR 4/6..4/8 append p0 = d0^d1^d2,
// p1 = d1^d2^d3, p2 = d0^d1^d3, p3 = d0^d2^d3. The codeword is written MSB first as
// d0 d1 d2 d3 p0 p1 p2 p3, cut to 4 + CR bits.

/** Codeword (4 + cr bits, first bit in the MSB) of a nibble. */
export function hammingEncode(nibble: number, cr: number): number {
  const d0 = nibble & 1,
    d1 = (nibble >> 1) & 1,
    d2 = (nibble >> 2) & 1,
    d3 = (nibble >> 3) & 1;
  const data = (d0 << 3) | (d1 << 2) | (d2 << 1) | d3;
  if (cr === 1) return (data << 1) | (d0 ^ d1 ^ d2 ^ d3);
  const p = ((d0 ^ d1 ^ d2) << 3) | ((d1 ^ d2 ^ d3) << 2) | ((d0 ^ d1 ^ d3) << 1) | (d0 ^ d2 ^ d3);
  return (data << cr) | (p >> (4 - cr));
}

/** Result codes of hard decoding one codeword. */
export const CW_OK = 0,
  CW_CORRECTED = 1,
  CW_DETECTED = 2;

/**
 * Hard-decision tables per coding rate, for every received word: nibble | status << 4. The
 * nearest codeword wins when it is unique and within the code's correcting radius (one bit at
 * 4/7 and 4/8, none at 4/5 and 4/6); otherwise the error is only detected and the data bits are
 * passed through as received.
 */
export const HARD_TABLES: Uint8Array[] = [1, 2, 3, 4].map((cr) => {
  const len = 4 + cr;
  const t = new Uint8Array(1 << len);
  for (let r = 0; r < 1 << len; r++) {
    let best = -1,
      bestDist = 99,
      ties = 0;
    for (let n = 0; n < 16; n++) {
      const d = popcount(hammingEncode(n, cr) ^ r);
      if (d < bestDist) {
        bestDist = d;
        best = n;
        ties = 1;
      } else if (d === bestDist) ties++;
    }
    const raw = dataBits(r, cr);
    if (bestDist === 0) t[r] = best | (CW_OK << 4);
    else if (bestDist === 1 && ties === 1 && cr >= 3) t[r] = best | (CW_CORRECTED << 4);
    else t[r] = raw | (CW_DETECTED << 4);
  }
  return t;
});

function popcount(x: number): number {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}

/** The data nibble of a received word, uncorrected. */
export function dataBits(word: number, cr: number): number {
  const top = word >> cr; // d0 d1 d2 d3, d0 in the MSB
  return ((top >> 3) & 1) | (((top >> 2) & 1) << 1) | (((top >> 1) & 1) << 2) | ((top & 1) << 3);
}

/** Hard decision: nibble and status (CW_OK, CW_CORRECTED, CW_DETECTED). */
export function hammingDecode(word: number, cr: number): { nibble: number; status: number } {
  const v = HARD_TABLES[cr - 1]![word]!;
  return { nibble: v & 15, status: v >> 4 };
}

/**
 * Soft decision: the nibble whose codeword correlates best with the bit LLRs (llr[off + k] for
 * codeword bit k, MSB first; LLR > 0 means 1). Returns the nibble.
 */
export function hammingDecodeSoft(llr: ArrayLike<number>, off: number, cr: number): number {
  const len = 4 + cr;
  let best = 0,
    bestScore = -Infinity;
  for (let n = 0; n < 16; n++) {
    const cw = hammingEncode(n, cr);
    let score = 0;
    for (let k = 0; k < len; k++) score += (cw >> (len - 1 - k)) & 1 ? llr[off + k]! : -llr[off + k]!;
    if (score > bestScore) {
      bestScore = score;
      best = n;
    }
  }
  return best;
}
