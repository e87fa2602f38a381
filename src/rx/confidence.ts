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
import { deinterleave, interleave } from "../engines/js/interleaver.js";
import { HARD_TABLES, hammingEncode } from "../engines/js/hamming.js";
import { encodeHeader } from "../engines/js/header.js";
import { payloadCrc } from "../engines/js/crc.js";
import { WHITENING } from "../engines/js/whitening.js";
import { symbolToWord } from "../phy/decoder.js";
import type { ResolvedParams } from "../phy/params.js";
import type { CodewordCounts } from "./kernel.js";

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
/** The default minConfidence: the evidence of a good CRC (every CRC-ok frame is kept unless crcBlindCap lowers it). */
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
export function validCodewords(symbols: ArrayLike<number>, params: ResolvedParams, cr: number): CodewordCounts {
  const { sf } = params;
  const out: CodewordCounts = { first: 0, firstValid: 0, rest: 0, restValid: 0 };
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
  codewords: CodewordCounts;
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

/** A block of the interleaver that a CRC-blind pair reaches: where it is and what its symbols say. */
interface BlindBlock {
  index: number;
  /** First symbol, first codeword of the nibble stream, codewords, coding rate. */
  sym0: number;
  c0: number;
  m: number;
  c: number;
  /** Per symbol: the word bits where the decoded payload's word differs from the hard decision, and their cost. */
  mask: Int32Array;
  cost: Float64Array;
}
const newBlock = (): BlindBlock => ({
  index: -1,
  sym0: 0,
  c0: 0,
  m: 0,
  c: 0,
  mask: new Int32Array(8),
  cost: new Float64Array(8),
});
/** crcBlindRisk's state for its call (module scratch: nothing is allocated per frame). */
const blind = {
  blocks: [newBlock(), newBlock(), newBlock(), newBlock()],
  used: 0,
  symbols: null as ArrayLike<number> | null,
  llr: null as ArrayLike<number> | null,
  payload: null as Uint8Array | null,
  head: null as number[] | null,
  params: null as ResolvedParams | null,
  sf: 0,
  cr: 0,
  hdr: 0,
  first: 0,
  ppm: 0,
  crc: 0,
  codewords: [] as number[],
  words: [] as number[],
  flipA: new Int32Array(8),
  flipB: new Int32Array(8),
};

/** Nibble t of the frame's stream: header, whitened payload (low nibble first), CRC (low first), zeros. */
function blindNibble(t: number): number {
  const { hdr, payload, crc } = blind;
  if (t < hdr) return blind.head![t]!;
  const u = t - hdr,
    pl = payload!.length;
  if (u < 2 * pl) {
    const w = (payload![u >> 1]! ^ WHITENING[u >> 1]!) & 0xff;
    return u & 1 ? w >> 4 : w & 15;
  }
  return u - 2 * pl < 4 ? (crc >> (4 * (u - 2 * pl))) & 15 : 0;
}

/** The cost of symbol i of block b with the word bits `mask` changed (mask bit m - 1 - j is LLR j). */
function symbolCost(b: BlindBlock, i: number, mask: number): number {
  const llr = blind.llr!;
  let most = 0;
  const row = (b.sym0 + i) * blind.sf;
  for (let j = 0; j < b.m; j++)
    if ((mask >> (b.m - 1 - j)) & 1) {
      const v = Math.abs(llr[row + j]!);
      if (v > most) most = v;
    }
  return most;
}

/** The block holding stream nibble t, its masks and costs as decoded (made once per call). */
function blindBlock(t: number): BlindBlock {
  const { first, ppm, cr, sf, params } = blind;
  const index = t < first ? 0 : 1 + Math.floor((t - first) / ppm);
  for (let k = 0; k < blind.used; k++) if (blind.blocks[k]!.index === index) return blind.blocks[k]!;
  const b = blind.blocks[blind.used++]!;
  const head = index === 0;
  b.index = index;
  b.c = head ? 4 : cr;
  b.m = head ? first : ppm;
  b.sym0 = head ? 0 : 8 + (index - 1) * (4 + cr);
  b.c0 = head ? 0 : first + (index - 1) * ppm;
  const reduced = head ? !params!.headerFullRate : params!.ldroOn;
  const len = 4 + b.c;
  const { codewords, words } = blind;
  codewords.length = b.m;
  for (let j = 0; j < b.m; j++) codewords[j] = hammingEncode(blindNibble(b.c0 + j), b.c);
  interleave(codewords, b.m, len, words);
  for (let i = 0; i < len; i++) {
    b.mask[i] = words[i]! ^ symbolToWord(blind.symbols![b.sym0 + i]!, sf, reduced);
    b.cost[i] = symbolCost(b, i, b.mask[i]!);
  }
  return b;
}

/** Block b's symbols all read as decoded, with no LLR under 32. */
function blindClear(b: BlindBlock): boolean {
  const llr = blind.llr!;
  for (let i = 0; i < 4 + b.c; i++) {
    if (b.mask[i] !== 0) return false;
    const row = (b.sym0 + i) * blind.sf;
    for (let j = 0; j < b.m; j++) if (Math.abs(llr[row + j]!) < 32) return false;
  }
  return true;
}

/** Into flips: the word bits of block b that changing codeword t's bits `e` changes. */
function spread(b: BlindBlock, t: number, e: number, flips: Int32Array): void {
  const len = 4 + b.c,
    c = t - b.c0;
  for (let i = 0; i < len; i++) {
    // the word bit of codeword c in symbol i: (i - c - 1) mod m (LORA-FACTS.md, interleaver)
    let j = i - c - 1;
    while (j < 0) j += b.m;
    while (j >= b.m) j -= b.m;
    flips[i] = ((e >> (len - 1 - i)) & 1) << (b.m - 1 - j);
  }
}

/** crcBlindRisk's state for a frame (blind), its blocks not made yet. */
function blindStart(
  symbols: ArrayLike<number>,
  llr: ArrayLike<number>,
  payload: Uint8Array,
  params: ResolvedParams,
  cr: number,
): void {
  const { sf } = params;
  blind.symbols = symbols;
  blind.llr = llr;
  blind.payload = payload;
  blind.params = params;
  blind.sf = sf;
  blind.cr = cr;
  blind.hdr = params.explicitHeader ? 5 : 0;
  blind.first = params.headerFullRate ? sf : sf - 2;
  blind.ppm = params.ldroOn ? sf - 2 : sf;
  blind.crc = payloadCrc(payload);
  blind.head = params.explicitHeader ? encodeHeader({ payloadLength: payload.length, cr, crc: true }) : null;
  blind.used = 0;
}

/** Runs `step` on the frame's state (blindStart), which is let go after it. */
function onFrame<T>(
  symbols: ArrayLike<number>,
  llr: ArrayLike<number>,
  payload: Uint8Array,
  params: ResolvedParams,
  cr: number,
  step: () => T,
): T {
  blindStart(symbols, llr, payload, params, cr);
  try {
    return step();
  } finally {
    blind.symbols = blind.llr = blind.payload = null;
  }
}

/**
 * Every symbol of the blocks a CRC-blind pair reaches as decoded and no LLR under 32: each
 * alternative then changes two symbols or more (the codes' distance is 2 or more, one bit per
 * symbol), so its odds are under e^-64.
 */
function blindAllClear(): boolean {
  const { hdr } = blind;
  const pl = blind.payload!.length;
  let clear = true;
  for (let k = 0; k < 4 && clear; k++) {
    const byte = k < 2 ? pl - 1 : pl - 2;
    if (byte < 0) continue;
    clear = blindClear(blindBlock(hdr + 2 * byte + (k & 1))) && blindClear(blindBlock(hdr + 2 * pl + k));
  }
  return clear;
}

/**
 * The test crcBlindRisk starts with: true when its risk is 0 because every block a CRC-blind pair
 * reaches reads as decoded with no LLR under 32 (or the payload is empty). The frame stores run it
 * where the symbols are (the Wasm engine's in Wasm: assembly/rx/frame.ts, rxframe_blind_clear).
 */
export function crcBlindClear(
  symbols: ArrayLike<number>,
  llr: ArrayLike<number>,
  payload: Uint8Array,
  params: ResolvedParams,
  cr: number,
): boolean {
  return payload.length === 0 || onFrame(symbols, llr, payload, params, cr, blindAllClear);
}

/**
 * Where the CRC is blind: the chance that a frame whose CRC passed carries another payload with the
 * same verdict. LoRa's CRC is XORed with the last two payload bytes (LORA-FACTS.md, "Payload CRC";
 * gr-lora_sdr crc_verif), so changing a nibble of those bytes and the CRC nibble of the same weight
 * by the same value d passes it: byte PL-1's nibbles pair with CRC nibbles 0 and 1, byte PL-2's with
 * 2 and 3, and the two of a pair sit in one interleaver block or two adjacent ones, where one
 * misread symbol reaches both. Each alternative (4 pairs x 15 values of d) is weighed against the
 * decoded payload by a symbol metric: a symbol is one FFT bin, so a candidate whose codewords
 * change symbol i's hard word in the bits D costs max over D of |LLR| (the max-log cost of the best
 * bin with all of D changed is at least that, and equals it when one bin is the runner-up for all of
 * them, as when another frame's tone took the symbol), summed over symbols. With o_k the summed
 * odds of pair k's alternatives, P(wrong) = 1 - prod_k 1 / (1 + o_k). symbols and llr: the frame's
 * hard decisions and LLRs (sf per symbol; the first sf - 2 in reduced-rate blocks) from symbol 0;
 * cr: the payload's coding rate.
 */
export function crcBlindRisk(
  symbols: ArrayLike<number>,
  llr: ArrayLike<number>,
  payload: Uint8Array,
  params: ResolvedParams,
  cr: number,
): number {
  // one start for both steps: the blocks the clear test made are the ones weighed
  return payload.length === 0 ? 0 : onFrame(symbols, llr, payload, params, cr, blindRisk);
}

const blindRisk = (): number => (blindAllClear() ? 0 : blindWeigh());

/**
 * crcBlindRisk's weighing of the alternatives, for a frame that crcBlindClear did not clear (the
 * frame report runs that test in its frame store first, so it is not run twice).
 */
export function crcBlindWeigh(
  symbols: ArrayLike<number>,
  llr: ArrayLike<number>,
  payload: Uint8Array,
  params: ResolvedParams,
  cr: number,
): number {
  return payload.length === 0 ? 0 : onFrame(symbols, llr, payload, params, cr, blindWeigh);
}

/** The weighing of crcBlindWeigh on the frame blindStart set up. */
function blindWeigh(): number {
  const { hdr, flipA, flipB } = blind;
  const pl = blind.payload!.length;
  let logRight = 0;
  for (let k = 0; k < 4; k++) {
    const byte = k < 2 ? pl - 1 : pl - 2;
    if (byte < 0) continue;
    const ta = hdr + 2 * byte + (k & 1),
      tb = hdr + 2 * pl + k;
    const a = blindBlock(ta),
      b = blindBlock(tb);
    const na = blindNibble(ta),
      nb = blindNibble(tb);
    let odds = 0;
    for (let d = 1; d < 16; d++) {
      spread(a, ta, hammingEncode(na ^ d, a.c) ^ hammingEncode(na, a.c), flipA);
      spread(b, tb, hammingEncode(nb ^ d, b.c) ^ hammingEncode(nb, b.c), flipB);
      let delta = 0;
      for (let i = 0; i < 4 + a.c; i++) {
        const flips = a === b ? flipA[i]! ^ flipB[i]! : flipA[i]!;
        if (flips) delta += symbolCost(a, i, a.mask[i]! ^ flips) - a.cost[i]!;
      }
      if (a !== b)
        for (let i = 0; i < 4 + b.c; i++) if (flipB[i]) delta += symbolCost(b, i, b.mask[i]! ^ flipB[i]!) - b.cost[i]!;
      if (delta < 60) odds += Math.exp(-delta);
    }
    logRight -= Math.log1p(odds);
  }
  return -Math.expm1(logRight);
}

/**
 * The cap that crcBlindRisk puts on a frame's confidence: -log2(P(wrong)) / 2, so a frame more
 * likely wrong than right (P > 1/2) reads below 0.5, and one at P <= 1/4 keeps its confidence.
 */
export function crcBlindCap(risk: number): number {
  return risk > 0 ? Math.min(1, -Math.log2(risk) / 2) : 1;
}
