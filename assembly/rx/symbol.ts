// The receiver's per-symbol kernels (twin of src/engines/js/rx-symbol.ts, which documents the
// method): one call per symbol window of the sample buffer, addressed by index; every buffer is
// made once in rxsym_create, nothing is allocated per call, and nothing is remembered between
// calls except what the caller names: the search accumulator it owns, and the spectrum slots it
// asks demod to keep and compare against.
import { fftForward } from "../dsp/fft";
import { upchirpTable } from "../dsp/chirp";
import {
  HALF, TAPS, PHASES, SEARCH_WINDOWS, SPECTRUM_SLOTS, FOLDED_SLOTS, LLR_REDUCED, MEASURE_SYMBOL, MEASURE_BIN,
  BIN_TABLE_MAX_M, SymbolResult,
} from "./abi";
import { FrameStore } from "./frame";

/** A kernel context: the sample buffer, tables and work areas for one (sf, r). */
@unmanaged
export class RxContext {
  n: i32;
  r: i32;
  /** Window length n * r. */
  m: i32;
  sf: i32;
  capacity: i32;
  /** Sample buffer, capacity complex f32. */
  buf: usize;
  /** Base upchirp at r and at 1 sample per chip, complex f32. */
  upM: usize;
  up1: usize;
  /** m complex f32: the dechirped window of the power calls. */
  work: usize;
  /** n complex f32: demod's window at 1 sample per chip, then its spectrum. */
  work1: usize;
  /** n complex f32: demod's dechirped window (for the phase slope). */
  dech: usize;
  /** m + 2 HALF complex f32: demod's rotated input span. */
  span: usize;
  /** n f64: power spectrum of the last call. */
  pow: usize;
  /** (PHASES + 1) * TAPS f32 interpolator taps, filled by the caller. */
  bank: usize;
  /** 2 n i32: bin -> interleaver word, full rate then reduced rate (filled by the caller). */
  words: usize;
  result: SymbolResult;
  /** 2 x 16 f64: per-bit maxima (LLRs), and the phase slope's sub-block sums. */
  best: usize;
  /** SPECTRUM_SLOTS x n complex f32 (demod keep / prev). */
  spectra: usize;
  /** FOLDED_SLOTS x n f64 folded power (foldedWindow / pairPeak). */
  folded: usize;
  /**
   * MEASURE_BIN's table (m <= BIN_TABLE_MAX_M, else 0): per interpolator phase, m + 2 HALF complex
   * f32 (see binTable), made on the phase's first use (the bank is written once, before any demod).
   */
  binTable: usize;
  /** PHASES bytes: whether binTable's phase is made. */
  binMade: usize;
}

/** The preamble search's accumulator: the last SEARCH_WINDOWS folded spectra and their sum. */
@unmanaged
class SearchState {
  /** SEARCH_WINDOWS x n f32 folded power. */
  ring: usize;
  /** n f64: the sum of the ring. */
  sum: usize;
  /** Next ring slot, and windows held. */
  slot: i32;
  fill: i32;
}

function block(bytes: i32): usize {
  const p = heap.alloc(<usize>bytes);
  memory.fill(p, 0, <usize>bytes);
  return p;
}

/** Bytes rounded up to whole 16-byte lines (every area of a context starts on one). */
@inline function lines(bytes: i32): usize { return <usize>((bytes + 15) & ~15); }

/**
 * Creates a kernel context for 2^sf chips, r samples per chip, a buffer of `capacity` samples: one
 * heap block holding the context and all its areas, so that creating either succeeds whole or
 * fails (memory full) before anything was allocated.
 */
export function rxsym_create(sf: i32, r: i32, capacity: i32): usize {
  const n = 1 << sf, m = n * r;
  // the shared tables first (cached per size): a failure there leaves nothing behind either
  const upM = upchirpTable(n, r), up1 = upchirpTable(n, 1);
  const sizes: i32[] = [
    offsetof<RxContext>(), capacity << 3, m << 3, n << 3, n << 3, (m + 2 * HALF) << 3, n << 3,
    ((PHASES + 1) * TAPS) << 2, (2 * n) << 2, offsetof<SymbolResult>(), 32 << 3, (SPECTRUM_SLOTS * n) << 3,
    (FOLDED_SLOTS * n) << 3, m <= BIN_TABLE_MAX_M ? (PHASES * (m + 2 * HALF)) << 3 : 0, PHASES,
  ];
  let total: usize = 0;
  for (let i = 0; i < sizes.length; i++) total += lines(sizes[i]);
  const base = heap.alloc(total);
  memory.fill(base, 0, total);
  const at = new StaticArray<usize>(sizes.length);
  let p = base;
  for (let i = 0; i < sizes.length; i++) { at[i] = p; p += lines(sizes[i]); }
  const c = changetype<RxContext>(at[0]);
  c.n = n; c.r = r; c.m = m; c.sf = sf; c.capacity = capacity;
  c.upM = upM; c.up1 = up1;
  c.buf = at[1]; c.work = at[2]; c.work1 = at[3]; c.dech = at[4]; c.span = at[5]; c.pow = at[6];
  c.bank = at[7]; c.words = at[8]; c.result = changetype<SymbolResult>(at[9]);
  c.best = at[10]; c.spectra = at[11]; c.folded = at[12];
  c.binTable = m <= BIN_TABLE_MAX_M ? at[13] : 0; c.binMade = at[14];
  fftForward(c.work, m); // make the FFT tables now, so later calls never grow memory
  if (r != 1) fftForward(c.work1, n);
  return base;
}

export function rxsym_free(p: usize): void {
  heap.free(p);
}

export function rxsym_buffer(c: usize): usize { return changetype<RxContext>(c).buf; }
export function rxsym_bank(c: usize): usize { return changetype<RxContext>(c).bank; }
export function rxsym_words(c: usize): usize { return changetype<RxContext>(c).words; }
export function rxsym_result(c: usize): usize { return changetype<usize>(changetype<RxContext>(c).result); }

export function rxsym_move(p: usize, dst: i32, src: i32, count: i32): void {
  const b = changetype<RxContext>(p).buf;
  memory.copy(b + (<usize>dst << 3), b + (<usize>src << 3), <usize>count << 3);
}

/** Dechirps the window at buffer index start (r samples per chip) into work, FFT of size m. */
function dechirpWindow(c: RxContext, start: i32, down: bool): void {
  const m = c.m;
  const src = c.buf + (<usize>start << 3), up = c.upM, w = c.work;
  // two per vector: x u = x ur + [-xi, xr] ui (u conjugated for an upchirp); the same products
  // and sums as one at a time
  const sign = down ? f32x4(-1, 1, -1, 1) : f32x4(1, -1, 1, -1);
  for (let i = 0; i < m; i += 2) {
    const o = <usize>i << 3;
    const x = v128.load(src + o), u = v128.load(up + o);
    const ur = v128.shuffle<f32>(u, u, 0, 0, 2, 2), ui = v128.shuffle<f32>(u, u, 1, 1, 3, 3);
    v128.store(w + o, f32x4.add(f32x4.mul(x, ur), f32x4.mul(f32x4.mul(v128.shuffle<f32>(x, x, 1, 0, 3, 2), ui), sign)));
  }
  fftForward(w, m);
}

/** [re0, im0, re1, im1] (f32) -> [re0^2 + im0^2, re1^2 + im1^2] (f64): the scalar f64 products and sum. */
@inline function power2(x: v128): v128 {
  const re = f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 0, 2, 1, 3));
  const im = f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 1, 3, 0, 2));
  return f64x2.add(f64x2.mul(re, re), f64x2.mul(im, im));
}

/** Sum of the f64 at p, indices from .. to - 1, two per vector. */
function sumSpan(p: usize, from: i32, to: i32): f64 {
  let s: f64 = 0, k = from;
  if (k < to && (k & 1) != 0) { s += load<f64>(p + (<usize>k << 3)); k++; }
  let v = f64x2.splat(0);
  for (; k + 2 <= to; k += 2) v = f64x2.add(v, v128.load(p + (<usize>k << 3)));
  if (k < to) s += load<f64>(p + (<usize>k << 3));
  return s + (f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1));
}

/** Folded power (both tones of an oversampled window) of work into dst (n f64). */
function fold(c: RxContext, dst: usize): void {
  const n = c.n, r = c.r, w = c.work;
  // two bins per vector, each |a|^2 (+ |b|^2 at r = 2) in f64 as one at a time
  for (let k = 0; k < n; k += 2) {
    const o = <usize>k << 3;
    let p = power2(v128.load(w + o));
    if (r == 2) p = f64x2.add(p, power2(v128.load(w + (<usize>(k + n) << 3))));
    v128.store(dst + o, p);
  }
}

/** Peak of an f64 spectrum with a parabolic fractional estimate; into the result. */
function peakOf(c: RxContext, p: usize): void {
  const n = c.n;
  let best = 0, bv: f64 = -1, total: f64 = 0;
  for (let k = 0; k < n; k++) {
    const v = load<f64>(p + (<usize>k << 3));
    total += v;
    if (v > bv) { bv = v; best = k; }
  }
  const a = load<f64>(p + (<usize>((best + n - 1) % n) << 3)), b = load<f64>(p + (<usize>((best + 1) % n) << 3));
  const den = a - 2 * bv + b;
  let frac: f64 = 0;
  if (den < 0) frac = Math.max(-0.5, Math.min(0.5, (0.5 * (a - b)) / den));
  const res = c.result;
  res.bin = <f64>best;
  res.frac = frac;
  res.peak = bv;
  res.mean = (total - bv) / <f64>(n - 1);
  res.band = a + bv + b;
  res.steady = 0;
}

/** A search accumulator for this context's n (owned by the caller: free with rxsym_search_free). */
export function rxsym_search_create(p: usize): usize {
  const n = changetype<RxContext>(p).n;
  const head = lines(offsetof<SearchState>()), ring = lines((SEARCH_WINDOWS * n) << 2);
  const q = block(<i32>(head + ring) + (n << 3)); // one block, as the context
  const s = changetype<SearchState>(q);
  s.ring = q + head;
  s.sum = q + head + ring;
  return q;
}

export function rxsym_search_free(q: usize): void {
  heap.free(q);
}

export function rxsym_search_reset(p: usize, q: usize): void {
  const s = changetype<SearchState>(q);
  memory.fill(s.ring, 0, <usize>(SEARCH_WINDOWS * changetype<RxContext>(p).n) << 2);
  s.slot = 0; s.fill = 0;
}

/**
 * Adds the upchirp-dechirped folded power of the window at `start` to the accumulator; result:
 * the peak of the last SEARCH_WINDOWS windows' sum. Returns the windows in the sum.
 */
export function rxsym_search(p: usize, q: usize, start: i32): i32 {
  const c = changetype<RxContext>(p), s = changetype<SearchState>(q);
  const n = c.n;
  dechirpWindow(c, start, false);
  const rb = s.ring, pow = c.pow, sum = s.sum;
  fold(c, pow);
  const slot = rb + (<usize>(s.slot * n) << 2);
  for (let k = 0; k < n; k += 4) {
    const a = f32x4.demote_f64x2_zero(v128.load(pow + (<usize>k << 3)));
    const b = f32x4.demote_f64x2_zero(v128.load(pow + (<usize>(k + 2) << 3)));
    v128.store(slot + (<usize>k << 2), v128.shuffle<f32>(a, b, 0, 1, 4, 5));
  }
  // the sum is rebuilt from the ring (no drift from adding and subtracting), two bins per vector
  // in the scalar order (0 + w0 = w0: the powers are not negative)
  for (let k = 0; k < n; k += 2) {
    const o = <usize>k << 2;
    let t = f64x2.promote_low_f32x4(v128.load64_zero(rb + o));
    for (let j = 1; j < SEARCH_WINDOWS; j++)
      t = f64x2.add(t, f64x2.promote_low_f32x4(v128.load64_zero(rb + (<usize>(j * n) << 2) + o)));
    v128.store(sum + (<usize>k << 3), t);
  }
  s.slot = (s.slot + 1) % SEARCH_WINDOWS;
  if (s.fill < SEARCH_WINDOWS) s.fill++;
  peakOf(c, sum);
  // the band around the peak in each window: the least of them over their mean
  const k = <i32>c.result.bin, km = (k + n - 1) % n, kp = (k + 1) % n;
  let least: f64 = Infinity, all: f64 = 0;
  for (let j = 0; j < SEARCH_WINDOWS; j++) {
    const w = rb + (<usize>(j * n) << 2);
    const b = <f64>load<f32>(w + (<usize>km << 2)) + <f64>load<f32>(w + (<usize>k << 2)) + <f64>load<f32>(w + (<usize>kp << 2));
    least = Math.min(least, b);
    all += b;
  }
  c.result.steady = all > 0 ? (<f64>SEARCH_WINDOWS * least) / all : 0;
  return s.fill;
}

/** Folded power of the window at start (down: dechirped with the downchirp) into folded slot `slot`. */
export function rxsym_folded_window(p: usize, start: i32, down: i32, slot: i32): void {
  const c = changetype<RxContext>(p);
  dechirpWindow(c, start, down != 0);
  fold(c, c.folded + (<usize>(slot * c.n) << 3));
}

/** Result: the peak of the two folded slots' sum (a window pair's summed folded power). */
export function rxsym_pair_peak(p: usize): void {
  const c = changetype<RxContext>(p);
  const n = c.n, a = c.folded, b = c.folded + (<usize>n << 3), pow = c.pow;
  for (let k = 0; k < n; k += 2) {
    const o = <usize>k << 3;
    v128.store(pow + o, f64x2.add(v128.load(a + o), v128.load(b + o)));
  }
  peakOf(c, pow);
}

/**
 * Rotates len complex f32 at x (len a multiple of 8) by -f bins per w samples, phase 0 at index
 * at0: sample i times p_i = e^{i s (i - at0)}, s = -2 pi f / w. The phasor of every 8th sample is
 * kept in f64 (recursive, renormalised); the 8 samples after it get it times e^{i s j}, j = 0..7
 * (a table made per call), two per vector in f32.
 */
function rotate(x: usize, len: i32, f: f64, w: i32, at0: i32): void {
  const step = (-2.0 * Math.PI * f) / <f64>w;
  const cr = Math.cos(step), ci = Math.sin(step);
  // e^{i s j}, j = 0..7, as [re_j, re_j, re_j+1, re_j+1] and the same for im
  let tr: f64 = 1, ti: f64 = 0;
  const t = memory.data(8 * 16);
  for (let j = 0; j < 8; j += 2) {
    const tr1 = tr * cr - ti * ci, ti1 = tr * ci + ti * cr;
    v128.store(t + (<usize>j << 4), f32x4(<f32>tr, <f32>tr, <f32>tr1, <f32>tr1));
    v128.store(t + (<usize>j << 4), f32x4(<f32>ti, <f32>ti, <f32>ti1, <f32>ti1), 16);
    tr = tr1 * cr - ti1 * ci;
    ti = tr1 * ci + ti1 * cr;
  }
  // after the loop (tr, ti) = e^{i 8 s}: the anchor's step
  const sr = tr, si = ti;
  const r0 = v128.load(t), i0 = v128.load(t, 16), r1 = v128.load(t, 32), i1 = v128.load(t, 48);
  const r2 = v128.load(t, 64), i2 = v128.load(t, 80), r3 = v128.load(t, 96), i3 = v128.load(t, 112);
  const sign = f32x4(-1, 1, -1, 1);
  let pr = Math.cos(-step * <f64>at0), pi = Math.sin(-step * <f64>at0);
  for (let i = 0; i < len; i += 8) {
    const ar = f32x4.splat(<f32>pr), ai = f32x4.splat(<f32>pi);
    const p = x + (<usize>i << 3);
    v128.store(p, rotated(v128.load(p), ar, ai, r0, i0, sign));
    v128.store(p, rotated(v128.load(p, 16), ar, ai, r1, i1, sign), 16);
    v128.store(p, rotated(v128.load(p, 32), ar, ai, r2, i2, sign), 32);
    v128.store(p, rotated(v128.load(p, 48), ar, ai, r3, i3, sign), 48);
    const u = pr * sr - pi * si;
    pi = pr * si + pi * sr;
    pr = u;
    if ((i & 255) == 248) { const g = 1.0 / Math.sqrt(pr * pr + pi * pi); pr *= g; pi *= g; }
  }
}

/** Two samples v times the anchor a times the table entries (tr, ti) of their offsets. */
// @ts-ignore: decorator
@inline function rotated(v: v128, ar: v128, ai: v128, tr: v128, ti: v128, sign: v128): v128 {
  const qr = f32x4.sub(f32x4.mul(ar, tr), f32x4.mul(ai, ti));
  const qi = f32x4.add(f32x4.mul(ar, ti), f32x4.mul(ai, tr));
  return f32x4.add(f32x4.mul(v, qr), f32x4.mul(f32x4.mul(v128.shuffle<f32>(v, v, 1, 0, 3, 2), qi), sign));
}

/**
 * The interpolator: n outputs at 1 sample per chip into work1, output k from span samples r k ..
 * r k + TAPS - 1 against the bank's phase ph. Two outputs per vector, each tap splatted: outputs
 * k and k+1 read tap t at span samples r k + t and r (k+1) + t, which at r = 1 are one load and
 * at r = 2 one shuffle of the loads at r k + t and r k + t + 2 (the next tap's pair reuses both).
 * Four accumulators hide the add latency; no horizontal sums.
 */
function interpolate(c: RxContext, ph: i32): void {
  const n = c.n, span = c.span, w1 = c.work1;
  const h = c.bank + (<usize>(ph * TAPS) << 2);
  if (c.r == 1) {
    for (let k = 0; k < n; k += 2) {
      const o = span + (<usize>k << 3);
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      for (let t = 0; t < TAPS; t += 4) {
        const x = o + (<usize>t << 3), q = h + (<usize>t << 2);
        a0 = f32x4.add(a0, f32x4.mul(v128.load(x), v128.load32_splat(q)));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(x, 8), v128.load32_splat(q, 4)));
        a2 = f32x4.add(a2, f32x4.mul(v128.load(x, 16), v128.load32_splat(q, 8)));
        a3 = f32x4.add(a3, f32x4.mul(v128.load(x, 24), v128.load32_splat(q, 12)));
      }
      v128.store(w1 + (<usize>k << 3), f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
    }
    return;
  }
  for (let k = 0; k < n; k += 2) {
    const o = span + (<usize>(2 * k) << 3);
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let l0 = v128.load(o);
    for (let t = 0; t < TAPS; t += 4) {
      const x = o + (<usize>t << 3), q = h + (<usize>t << 2);
      const l2 = v128.load(x, 16), l4 = v128.load(x, 32);
      a0 = f32x4.add(a0, f32x4.mul(v128.shuffle<f32>(l0, l2, 0, 1, 4, 5), v128.load32_splat(q)));
      a1 = f32x4.add(a1, f32x4.mul(v128.shuffle<f32>(l0, l2, 2, 3, 6, 7), v128.load32_splat(q, 4)));
      a2 = f32x4.add(a2, f32x4.mul(v128.shuffle<f32>(l2, l4, 0, 1, 4, 5), v128.load32_splat(q, 8)));
      a3 = f32x4.add(a3, f32x4.mul(v128.shuffle<f32>(l2, l4, 2, 3, 6, 7), v128.load32_splat(q, 12)));
      l0 = l4;
    }
    v128.store(w1 + (<usize>k << 3), f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
  }
}

/**
 * Tone offset from bin k by sub-block phases, skipping the chirp's wrap (see the js twin). The
 * eight sub-block sums of dech times e^{i w t} (w = -2 pi k / n) run four samples per step in f32:
 * the phasor of every 4th sample in f64 (recursive, renormalised), times e^{i w j}, j = 0..3.
 */
function phaseSlope(c: RxContext, k: i32): f64 {
  const n = c.n, dech = c.dech, q = c.best;
  const b = n >> 3;
  const w = (-2.0 * Math.PI * <f64>k) / <f64>n;
  const cr = Math.cos(w), ci = Math.sin(w);
  const c2r = cr * cr - ci * ci, c2i = 2.0 * cr * ci, c3r = c2r * cr - c2i * ci, c3i = c2r * ci + c2i * cr;
  const sr = c2r * c2r - c2i * c2i, si = 2.0 * c2r * c2i; // e^{4 i w}
  const r0 = f32x4(1, 1, <f32>cr, <f32>cr), i0 = f32x4(0, 0, <f32>ci, <f32>ci);
  const r1 = f32x4(<f32>c2r, <f32>c2r, <f32>c3r, <f32>c3r), i1 = f32x4(<f32>c2i, <f32>c2i, <f32>c3i, <f32>c3i);
  const sign = f32x4(-1, 1, -1, 1);
  let pr: f64 = 1, pi: f64 = 0;
  let g = 0;
  for (let j = 0; j < 8; j++) {
    let acc = f32x4.splat(0);
    for (let i = j * b; i < (j + 1) * b; i += 4) {
      const ar = f32x4.splat(<f32>pr), ai = f32x4.splat(<f32>pi);
      const p = dech + (<usize>i << 3);
      acc = f32x4.add(acc, f32x4.add(rotated(v128.load(p), ar, ai, r0, i0, sign), rotated(v128.load(p, 16), ar, ai, r1, i1, sign)));
      const u = pr * sr - pi * si;
      pi = pr * si + pi * sr;
      pr = u;
      if ((++g & 63) == 0) { const h = 1.0 / Math.sqrt(pr * pr + pi * pi); pr *= h; pi *= h; }
    }
    store<f64>(q + (<usize>(2 * j) << 3), <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 2));
    store<f64>(q + (<usize>(2 * j + 1) << 3), <f64>f32x4.extract_lane(acc, 1) + <f64>f32x4.extract_lane(acc, 3));
  }
  const wrapAt = (n - k) % n;
  let ar: f64 = 0, ai: f64 = 0;
  for (let j = 0; j < 7; j++) {
    if (wrapAt > 0 && wrapAt >= j * b - 2 && wrapAt <= (j + 2) * b + 2) continue;
    const r0 = load<f64>(q + (<usize>(2 * j) << 3)), i0 = load<f64>(q + (<usize>(2 * j + 1) << 3));
    const r1 = load<f64>(q + (<usize>(2 * j + 2) << 3)), i1 = load<f64>(q + (<usize>(2 * j + 3) << 3));
    ar += r1 * r0 + i1 * i0;
    ai += i1 * r0 - r1 * i0;
  }
  return (Math.atan2(ai, ar) * 8.0) / (2.0 * Math.PI);
}

/** logI0's terms outside the logarithm: log I0(x) = logI0Lin + log(logI0Arg) / 2 (see logI0Diff). */
let logI0Lin: f64 = 0, logI0Arg: f64 = 1;

/** log I0(x) as the series below 2, the asymptotic form above (the js twin's logI0), split for logI0Diff. */
@inline function logI0Parts(x: f64): void {
  if (x < 2) {
    const q = (x * x) / 4, s = 1 + q + (q * q) / 4 + (q * q * q) / 36;
    logI0Lin = 0;
    logI0Arg = s * s;
  } else {
    logI0Lin = x + 1 / (8 * x);
    logI0Arg = 1 / (2 * Math.PI * x);
  }
}

/** log I0(x1) - log I0(x0) with one logarithm (of the ratio of the two arguments) instead of two. */
@inline function logI0Diff(x1: f64, x0: f64): f64 {
  logI0Parts(x0);
  const l0 = logI0Lin, a0 = logI0Arg;
  logI0Parts(x1);
  return (logI0Lin - l0) + 0.5 * Math.log(logI0Arg / a0);
}

/**
 * Max-log LLRs of the symbol in pow from the noncoherent likelihood log I0(2 A |Z| / N0) of each
 * bin into sf f32 at llr (reduced rate: sf - 2 bits, the rest 0). The likelihood
 * grows with the power, so each bit's maximum over the bins is taken on the power and log I0 is
 * evaluated on those 2 x bits maxima only. The powers are first put in word order (q[v]: the
 * largest power of the bins whose word is v, in the power calls' work area), where the words with
 * bit b = 0 and = 1 are alternate runs of 2^b: two vector maxima per bit, no per-bin branches.
 */
function llrs(c: RxContext, mode: i32, amplitude: f64, noise: f64, llr: usize): void {
  const n = c.n, sf = c.sf, pow = c.pow;
  const reduced = mode == LLR_REDUCED;
  const words = c.words + (reduced ? (<usize>n << 2) : 0);
  const bits = reduced ? sf - 2 : sf;
  const nv = 1 << bits;
  const q = c.work;
  if (reduced) {
    memory.fill(q, 0, <usize>nv << 3);
    for (let k = 0; k < n; k++) {
      const s = q + (<usize>load<i32>(words + (<usize>k << 2)) << 3);
      store<f64>(s, max(load<f64>(s), load<f64>(pow + (<usize>k << 3))));
    }
  } else {
    for (let k = 0; k < n; k++) store<f64>(q + (<usize>load<i32>(words + (<usize>k << 2)) << 3), load<f64>(pow + (<usize>k << 3)));
  }
  const scale = 2.0 * amplitude / noise;
  const end = q + (<usize>nv << 3);
  for (let j = 0; j < sf; j++) {
    if (j >= bits) { store<f32>(llr + (<usize>j << 2), 0); continue; }
    const b = bits - 1 - j; // bit j of the word, MSB first
    let p0: f64, p1: f64;
    if (b == 0) {
      // even words (bit 0 = 0) in lane 0, odd in lane 1
      let a = f64x2.splat(0);
      for (let p = q; p < end; p += 16) a = f64x2.pmax(a, v128.load(p));
      p0 = f64x2.extract_lane(a, 0);
      p1 = f64x2.extract_lane(a, 1);
    } else {
      const run = <usize>8 << b;
      let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
      for (let p = q; p < end; p += 2 * run) {
        for (let o: usize = 0; o < run; o += 16) {
          a0 = f64x2.pmax(a0, v128.load(p + o));
          a1 = f64x2.pmax(a1, v128.load(p + run + o));
        }
      }
      p0 = max(f64x2.extract_lane(a0, 0), f64x2.extract_lane(a0, 1));
      p1 = max(f64x2.extract_lane(a1, 0), f64x2.extract_lane(a1, 1));
    }
    store<f32>(llr + (<usize>j << 2), <f32>logI0Diff(scale * Math.sqrt(p1), scale * Math.sqrt(p0)));
  }
}

/**
 * MEASURE_BIN's table for bank phase ph: G[j] = sum over k, t with r k + t = j of up1[k] h[t], so
 * that bin 0 of the interpolated window dechirped with the downchirp, sum_k up1[k] sum_t h[t]
 * x[r k + t], is sum_j x[j] G[j] (the same sum, reordered). Each G[j] is summed in f64.
 */
function binTable(c: RxContext, ph: i32): usize {
  const n = c.n, r = c.r, len = c.m + 2 * HALF;
  const g = c.binTable + (<usize>(ph * len) << 3);
  if (load<u8>(c.binMade + <usize>ph) != 0) return g;
  const h = c.bank + (<usize>(ph * TAPS) << 2), up = c.up1;
  for (let j = 0; j < len; j++) {
    // the k with 0 <= j - r k < TAPS
    const kLo = j - TAPS + 1 > 0 ? (j - TAPS + r) / r : 0, kHi = min(n - 1, j / r);
    let gr: f64 = 0, gi: f64 = 0;
    for (let k = kLo; k <= kHi; k++) {
      const hv = <f64>load<f32>(h + (<usize>(j - r * k) << 2));
      gr += hv * <f64>load<f32>(up + (<usize>k << 3));
      gi += hv * <f64>load<f32>(up + (<usize>k << 3), 4);
    }
    store<f32>(g + (<usize>j << 3), <f32>gr);
    store<f32>(g + (<usize>j << 3), <f32>gi, 4);
  }
  store<u8>(c.binMade + <usize>ph, 1);
  return g;
}

/**
 * Result of MEASURE_BIN: sum_j x[j] g[j] over len complex f32 (len a multiple of 4), two per
 * vector: x g lane by lane gives xr gr and xi gi (re = their difference), x times g with its pairs
 * swapped gives xr gi and xi gr (im = their sum); two accumulators each, summed in f64 at the end.
 */
function binDot(x: usize, g: usize, len: i32, res: SymbolResult): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), b0 = f32x4.splat(0), b1 = f32x4.splat(0);
  for (let j = 0; j < len; j += 4) {
    const o = <usize>j << 3;
    const v0 = v128.load(x + o), v1 = v128.load(x + o, 16);
    const w0 = v128.load(g + o), w1 = v128.load(g + o, 16);
    a0 = f32x4.add(a0, f32x4.mul(v0, w0));
    a1 = f32x4.add(a1, f32x4.mul(v1, w1));
    b0 = f32x4.add(b0, f32x4.mul(v0, v128.shuffle<f32>(w0, w0, 1, 0, 3, 2)));
    b1 = f32x4.add(b1, f32x4.mul(v1, v128.shuffle<f32>(w1, w1, 1, 0, 3, 2)));
  }
  const a = f32x4.add(a0, a1), b = f32x4.add(b0, b1);
  const re = (<f64>f32x4.extract_lane(a, 0) - <f64>f32x4.extract_lane(a, 1)) + (<f64>f32x4.extract_lane(a, 2) - <f64>f32x4.extract_lane(a, 3));
  const im = (<f64>f32x4.extract_lane(b, 0) + <f64>f32x4.extract_lane(b, 1)) + (<f64>f32x4.extract_lane(b, 2) + <f64>f32x4.extract_lane(b, 3));
  binResult(res, 0, re, im);
}

/** MEASURE_BIN's result: the value at bin k, its power; the other fields 0. */
function binResult(res: SymbolResult, k: i32, re: f64, im: f64): void {
  res.bin = <f64>k;
  res.frac = 0;
  res.peak = re * re + im * im;
  res.mean = 0;
  res.re = re;
  res.im = im;
  res.slope = 0;
  res.far = 0;
  res.diff = 0;
  res.band = 0;
  res.steady = 0;
}

/** The tone's offset from bin k0 of the n-bin spectrum at w1 (complex f32), in [-1, 1]: Jacobsen's estimator with Candan's bias correction (IEEE SPL 2011). */
export function binFraction(w1: usize, k0: i32, n: i32): f64 {
  const km = (k0 + n - 1) & (n - 1), kp = (k0 + 1) & (n - 1);
  const zr0 = <f64>load<f32>(w1 + (<usize>k0 << 3)), zi0 = <f64>load<f32>(w1 + (<usize>k0 << 3), 4);
  const zrm = <f64>load<f32>(w1 + (<usize>km << 3)), zim = <f64>load<f32>(w1 + (<usize>km << 3), 4);
  const zrp = <f64>load<f32>(w1 + (<usize>kp << 3)), zip = <f64>load<f32>(w1 + (<usize>kp << 3), 4);
  const nr = zrm - zrp, ni = zim - zip;
  const dr = 2 * zr0 - zrm - zrp, di = 2 * zi0 - zim - zip;
  const dd = dr * dr + di * di;
  const frac: f64 = dd > 0 ? (nr * dr + ni * di) / dd : 0;
  return Math.max(-1.0, Math.min(1.0, frac * (Math.tan(Math.PI / <f64>n) / (Math.PI / <f64>n))));
}

/**
 * Coherent demodulation of the symbol at buffer position pos (fractional): carrier rotation by
 * -cfoBins, interpolation to 1 sample per chip at that timing, dechirp (down: a downchirp), FFT,
 * peak (or the bin atBin >= 0), phase slope (measure: see MEASURE_SYMBOL, MEASURE_SPECTRUM,
 * MEASURE_BIN); keep >= 0 stores the spectrum in that slot, prev >= 0
 * compares with the spectrum in that slot (result diff). With a frame store (frame != 0) the hard
 * decision goes to its symbol `index` and, with llrMode LLR_FULL / LLR_REDUCED, sf LLRs scaled by
 * the frame's amplitude and noise to that symbol's LLR slots: they stay in Wasm for the codec.
 */
export function rxsym_demod(p: usize, pos: f64, down: i32, cfoBins: f64, atBin: i32, measure: i32, llrMode: i32, amplitude: f64, noise: f64, keep: i32, prev: i32, frame: usize, index: i32): void {
  const c = changetype<RxContext>(p);
  const n = c.n, m = c.m;
  const w1 = c.work1;
  let i0 = <i32>Math.floor(pos);
  let ph = <i32>Math.round((pos - <f64>i0) * <f64>PHASES);
  if (ph == PHASES) { ph = 0; i0++; }
  const first = i0 - HALF + 1, len = m + 2 * HALF;
  memory.copy(c.span, c.buf + (<usize>first << 3), <usize>len << 3);
  rotate(c.span, len, cfoBins, m, i0 - first);
  if (measure == MEASURE_BIN && c.binTable != 0 && down != 0 && atBin == 0) {
    binDot(c.span, binTable(c, ph), len, c.result);
    return;
  }
  interpolate(c, ph);
  // dechirp at 1 sample per chip (two per vector: x u = x ur + [-xi, xr] ui, u conjugated for an
  // upchirp), keep a copy for the phase slope, FFT
  const up1 = c.up1, dech = c.dech;
  const sign = down != 0 ? f32x4(-1, 1, -1, 1) : f32x4(1, -1, 1, -1);
  for (let k = 0; k < n; k += 2) {
    const o = <usize>k << 3;
    const x = v128.load(w1 + o), u = v128.load(up1 + o);
    const ur = v128.shuffle<f32>(u, u, 0, 0, 2, 2), ui = v128.shuffle<f32>(u, u, 1, 1, 3, 3);
    const y = f32x4.add(f32x4.mul(x, ur), f32x4.mul(f32x4.mul(v128.shuffle<f32>(x, x, 1, 0, 3, 2), ui), sign));
    v128.store(w1 + o, y);
    v128.store(dech + o, y);
  }
  fftForward(w1, n);
  if (measure == MEASURE_BIN) {
    const o = <usize>atBin << 3;
    binResult(c.result, atBin, <f64>load<f32>(w1 + o), <f64>load<f32>(w1 + o, 4));
    return;
  }
  const pow = c.pow;
  let best = 0, bv: f64 = -1, total: f64 = 0;
  for (let k = 0; k < n; k++) {
    const o = <usize>k << 3;
    const a = <f64>load<f32>(w1 + o), b = <f64>load<f32>(w1 + o, 4);
    const q = a * a + b * b;
    store<f64>(pow + o, q);
    total += q;
    if (q > bv) { bv = q; best = k; }
  }
  const k0 = atBin >= 0 ? atBin : best;
  const km = (k0 + n - 1) % n, kp = (k0 + 1) % n;
  const zr0 = <f64>load<f32>(w1 + (<usize>k0 << 3)), zi0 = <f64>load<f32>(w1 + (<usize>k0 << 3), 4);
  const pk0 = load<f64>(pow + (<usize>k0 << 3));
  const res = c.result;
  res.bin = <f64>best;
  res.frac = binFraction(w1, k0, n);
  res.peak = pk0;
  res.mean = (total - pk0 - load<f64>(pow + (<usize>km << 3)) - load<f64>(pow + (<usize>kp << 3))) / <f64>(n - 3);
  res.band = load<f64>(pow + (<usize>km << 3)) + pk0 + load<f64>(pow + (<usize>kp << 3));
  // noise from the bins at least n/4 from the bin measured (n >= 32: there are always n/2 + 1)
  // (circular distance >= n/4: the bins k0 + n/4 .. k0 + 3n/4, n/2 + 1 of them)
  const farFrom = n >> 2, farTo = (3 * n) >> 2, nFar = farTo - farFrom + 1;
  const a0 = (k0 + farFrom) & (n - 1), a1 = a0 + nFar;
  const far = sumSpan(pow, a0, min(n, a1)) + (a1 > n ? sumSpan(pow, 0, a1 - n) : 0);
  res.far = far / <f64>nFar;
  res.diff = 0;
  res.steady = 0;
  if (prev >= 0) {
    // unit turn from the previous spectrum to this one at the bin, then the far bins' difference
    const pv = c.spectra + (<usize>(prev * n) << 3);
    const o0 = <usize>k0 << 3;
    const qr0 = <f64>load<f32>(pv + o0), qi0 = <f64>load<f32>(pv + o0, 4);
    let gr = zr0 * qr0 + zi0 * qi0, gi = zi0 * qr0 - zr0 * qi0;
    const gm = Math.sqrt(gr * gr + gi * gi);
    if (gm > 0) { gr /= gm; gi /= gm; } else { gr = 1; gi = 0; }
    let diff: f64 = 0;
    for (let i = farFrom; i <= farTo; i++) {
      const o = <usize>((k0 + i) & (n - 1)) << 3;
      const ar = <f64>load<f32>(w1 + o), ai = <f64>load<f32>(w1 + o, 4);
      const br = <f64>load<f32>(pv + o), bi = <f64>load<f32>(pv + o, 4);
      const er = ar - (gr * br - gi * bi), ei = ai - (gr * bi + gi * br);
      diff += er * er + ei * ei;
    }
    res.diff = diff / <f64>nFar;
  }
  if (keep >= 0) memory.copy(c.spectra + (<usize>(keep * n) << 3), w1, <usize>n << 3);
  res.re = zr0;
  res.im = zi0;
  res.slope = measure == MEASURE_SYMBOL ? phaseSlope(c, k0) : 0;
  if (frame != 0) {
    const f = changetype<FrameStore>(frame);
    if (index >= 0 && index < f.capacity) {
      store<u16>(f.symbols + (<usize>index << 1), <u16>best);
      if (llrMode > 0) llrs(c, llrMode, amplitude, noise, f.llr + (<usize>(index * c.sf) << 2));
    }
  }
}
