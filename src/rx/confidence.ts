// How sure the receiver is that a frame is a transmission and not noise: the chance p that noise
// alone yields a frame that passes the same checks (header checksum, CRC) with symbols at least as
// strong and codewords at least as consistent, as a score in [0, 1]: confidence = -log2(p) / 32,
// clamped (a good 16-bit CRC alone is 0.5; 1 is 32 bits of evidence or more).
//
// Under noise every quantity below has a known distribution. A symbol window of white noise holds
// n independent exponential bin powers, so its strongest bin over the mean of the others exceeds
// a ratio t with a probability computed exactly below (the mean is a Gamma(n - 3) variable); its
// argmax is uniform and independent of that value, so the hard decisions are uniform words and
// each codeword is a valid Hamming codeword with probability 16 / 2^(4 + cr). The two tests are
// independent and are merged with Fisher's rule for two p-values.
import { deinterleave } from "../engines/js/interleaver.js";
import { HARD_TABLES } from "../engines/js/hamming.js";
import { symbolToWord } from "../phy/decoder.js";
import type { ResolvedParams } from "../phy/params.js";

/** Probability that a noise-only symbol counts as strong (its peak over mean above the ratio). */
const STRONG_NOISE = 0.01;
/** Confidence per bit of evidence: 32 bits (p = 2^-32) or more is confidence 1. */
const EVIDENCE_BITS = 32;
/** A good 16-bit CRC: noise passes it with probability 2^-16. */
const CRC_PASS = 2 ** -16;
/**
 * An explicit header: a random header block passes the checksum and coding-rate test with
 * probability 1/512, and the hard reading is tested after the soft one on at most 1 % of garbage
 * (src/rx/frame.ts, decideHeader; measured in docs/benchmarks.md, "False accepts").
 */
const HEADER_PASS = 1.01 / 512;
/** The default minConfidence: at least the evidence of a good CRC (so every CRC-ok frame is kept). */
export const DEFAULT_MIN_CONFIDENCE = 0.5;

/**
 * The strong-symbol test at n bins: peak / mean above `ratio` has probability `p` (STRONG_NOISE)
 * on noise. With X the peak bin's and M the mean of the n - 3 others' exponential powers,
 * P(X > t M) = (1 + t / (n - 3))^-(n - 3) per bin; the max of n bins: 1 - (1 - that)^n.
 */
export function strongSymbolTest(n: number): { ratio: number; p: number } {
  const k = n - 3;
  const pOf = (t: number) => 1 - (1 - (1 + t / k) ** -k) ** n;
  let lo = 0,
    hi = 100;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (pOf(mid) > STRONG_NOISE) lo = mid;
    else hi = mid;
  }
  return { ratio: hi, p: pOf(hi) };
}

/** ln of the binomial pmf P(X = i), X ~ Binomial(count, p). */
function logPmf(count: number, i: number, p: number): number {
  let c = 0;
  for (let j = 1; j <= i; j++) c += Math.log((count - i + j) / j);
  return c + i * Math.log(p) + (count - i) * Math.log1p(-p);
}

/** P(X >= k), X ~ Binomial(count, p). */
export function binomialTail(count: number, k: number, p: number): number {
  if (k <= 0) return 1;
  if (k > count) return 0;
  let sum = 0;
  // the terms fall off fast above the mean: summing from k up is exact and quick
  let log = logPmf(count, k, p);
  const step = Math.log(p) - Math.log1p(-p);
  for (let i = k; i <= count; i++) {
    const term = Math.exp(log);
    sum += term;
    if (i > count * p && term < sum * 1e-17) break;
    log += Math.log((count - i) / (i + 1)) + step;
  }
  return Math.min(1, sum);
}

/**
 * Codewords of the frame's hard decisions (symbols, at coding rate cr after the first block) that
 * are valid Hamming codewords as received: in the first block (CR 4/8) and in the blocks after it.
 * Only whole blocks count (a truncated frame's complete ones).
 */
export function validCodewords(
  symbols: ArrayLike<number>,
  params: ResolvedParams,
  cr: number,
): { first: number; firstValid: number; rest: number; restValid: number } {
  const { sf } = params;
  const out = { first: 0, firstValid: 0, rest: 0, restValid: 0 };
  const words: number[] = [];
  const cws: number[] = [];
  for (let sym = 0; ; ) {
    const first = sym === 0;
    const c = first ? 4 : cr;
    const len = 4 + c;
    if (sym + len > symbols.length) break;
    const reduced = first ? !params.headerFullRate : params.ldroOn;
    const ppm = reduced ? sf - 2 : sf;
    words.length = 0;
    for (let i = 0; i < len; i++) words.push(symbolToWord(symbols[sym + i]!, sf, reduced));
    deinterleave(words, ppm, len, cws);
    let valid = 0;
    for (let j = 0; j < ppm; j++) if (HARD_TABLES[c - 1]![cws[j]!]! >> 4 === 0) valid++;
    if (first) {
      out.first += ppm;
      out.firstValid += valid;
    } else {
      out.rest += ppm;
      out.restValid += valid;
    }
    sym += len;
  }
  return out;
}

/** P(A + B >= k) for independent A ~ Binomial(na, pa), B ~ Binomial(nb, pb) (na small). */
function sumTail(na: number, pa: number, nb: number, pb: number, k: number): number {
  let sum = 0;
  for (let a = 0; a <= na; a++) sum += Math.exp(logPmf(na, a, pa)) * binomialTail(nb, k - a, pb);
  return Math.min(1, sum);
}

export interface ConfidenceEvidence {
  /** Symbols demodulated, and how many of them were strong (strongSymbolTest). */
  symbols: number;
  strong: number;
  /** The probability of a strong symbol on noise (strongSymbolTest(n).p). */
  strongP: number;
  /** validCodewords of the hard decisions, and the payload's coding rate. */
  codewords: { first: number; firstValid: number; rest: number; restValid: number };
  cr: number;
  /** An explicit header whose checksum passed. */
  headerChecked: boolean;
  /** The payload CRC passed. */
  crcOk: boolean;
}

/** The chance p that noise gives this evidence, and the confidence -log2(p) / 32 in [0, 1]. */
export function frameConfidence(e: ConfidenceEvidence): { p: number; confidence: number } {
  const pStrong = binomialTail(e.symbols, e.strong, e.strongP);
  const w = e.codewords;
  const pCode = sumTail(w.first, 1 / 16, w.rest, 2 ** -e.cr, w.firstValid + w.restValid);
  // Fisher for two p-values: P(U1 U2 <= x) = x (1 - ln x)
  const x = Math.max(pStrong * pCode, Number.MIN_VALUE);
  let log = Math.log(x) + Math.log(1 - Math.log(x));
  if (e.headerChecked) log += Math.log(HEADER_PASS);
  if (e.crcOk) log += Math.log(CRC_PASS);
  const p = Math.exp(Math.min(0, log));
  const bits = -Math.min(0, log) / Math.LN2;
  return { p, confidence: Math.min(1, bits / EVIDENCE_BITS) };
}
