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
  /** n complex f32: demod's interpolated window before the dechirp (the sub-block sums), and whether it was demodulated as a downchirp. */
  window: usize;
  down: i32;
  /** m + 2 HALF complex f32: demod's rotated input span (in spanSlot order). */
  span: usize;
  /** (m + 2 HALF) / 2 x 2 v128: the span's rotation phasors for carrier offset phasorsOf (NaN: none yet; see rotateInto). */
  phasors: usize;
  phasorsOf: f64;
  /** Candan's correction of binFraction, tan(pi / n) / (pi / n). */
  candan: f64;
  /** n f64: power spectrum of the last call. */
  pow: usize;
  /** (PHASES + 1) * TAPS f32 interpolator taps, filled by the caller. */
  bank: usize;
  /** 2 n i32: bin -> interleaver word, full rate then reduced rate (filled by the caller). */
  words: usize;
  result: SymbolResult;
  /** 32 f64: the sub-block sums (phaseSlope, coherence). */
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
  /** 2 n complex f32: the upchirp at 1 sample per chip twice over (index i + k read without a wrap). */
  up1x: usize;
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
    (FOLDED_SLOTS * n) << 3, m <= BIN_TABLE_MAX_M ? (PHASES * (m + 2 * HALF)) << 3 : 0, PHASES, (2 * n) << 3, (m + 2 * HALF) << 4,
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
  c.buf = at[1]; c.work = at[2]; c.work1 = at[3]; c.window = at[4]; c.span = at[5]; c.pow = at[6];
  c.bank = at[7]; c.words = at[8]; c.result = changetype<SymbolResult>(at[9]);
  c.best = at[10]; c.spectra = at[11]; c.folded = at[12];
  c.binTable = m <= BIN_TABLE_MAX_M ? at[13] : 0; c.binMade = at[14];
  c.up1x = at[15];
  c.phasors = at[16];
  c.phasorsOf = NaN;
  c.candan = Math.tan(Math.PI / <f64>n) / (Math.PI / <f64>n);
  memory.copy(c.up1x, up1, <usize>n << 3);
  memory.copy(c.up1x + (<usize>n << 3), up1, <usize>n << 3);
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
    v128.store(w + o, chirpTimes(v128.load(src + o), v128.load(up + o), sign));
  }
  fftForward(w, m);
}

/** [re0, im0, re1, im1] (f32) -> [re0^2 + im0^2, re1^2 + im1^2] (f64): the scalar f64 products and sum. */
@inline function power2(x: v128): v128 {
  const re = f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 0, 2, 1, 3));
  const im = f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 1, 3, 0, 2));
  return f64x2.add(f64x2.mul(re, re), f64x2.mul(im, im));
}

/**
 * acc plus, over bins from .. to - 1 of spectra a and b (complex f32), |a - g b|^2 in f64 (g =
 * [gr, gi]), one bin per vector: g b = gr [br, bi] + gi [-bi, br].
 */
function diffSpan(a: usize, b: usize, from: i32, to: i32, g: v128, acc: v128): v128 {
  const gr = v128.shuffle<f64>(g, g, 0, 0), gi = f64x2.mul(v128.shuffle<f64>(g, g, 1, 1), f64x2(-1, 1));
  for (let k = from; k < to; k++) {
    const o = <usize>k << 3;
    const av = f64x2.promote_low_f32x4(v128.load64_zero(a + o)), bv = f64x2.promote_low_f32x4(v128.load64_zero(b + o));
    const e = f64x2.sub(av, f64x2.add(f64x2.mul(gr, bv), f64x2.mul(gi, v128.shuffle<f64>(bv, bv, 1, 0))));
    acc = f64x2.add(acc, f64x2.mul(e, e));
  }
  return acc;
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
  for (let k = 0; k < c.n; k += 2) v128.store(dst + (<usize>k << 3), foldedPair(c, k));
}

/** The folded power of bins k, k + 1 of work: |a|^2 (+ |b|^2 at r = 2) in f64 as one at a time. */
// @ts-ignore: decorator
@inline function foldedPair(c: RxContext, k: i32): v128 {
  const w = c.work;
  const p = power2(v128.load(w + (<usize>k << 3)));
  return c.r == 2 ? f64x2.add(p, power2(v128.load(w + (<usize>(k + c.n) << 3)))) : p;
}

/**
 * The first largest of the n f64 at p (n a multiple of 4), its bin and value into the result's bin
 * and peak; returns their total. The sum and maximum run four lanes at a time (two vectors: four
 * dependency chains), then the first pair holding the maximum is found by comparing whole vectors:
 * the scalar loop's bin (NaN never the largest; -1 and bin 0 when nothing is larger).
 */
function peakTotal(res: SymbolResult, p: usize, n: i32): f64 {
  let t0 = f64x2.splat(0), t1 = f64x2.splat(0), m0 = f64x2.splat(-1), m1 = f64x2.splat(-1);
  for (let k = 0; k < n; k += 4) {
    const o = <usize>k << 3;
    const q0 = v128.load(p + o), q1 = v128.load(p + o, 16);
    t0 = f64x2.add(t0, q0);
    t1 = f64x2.add(t1, q1);
    m0 = f64x2.pmax(m0, q0);
    m1 = f64x2.pmax(m1, q1);
  }
  const t = f64x2.add(t0, t1), mm = f64x2.pmax(m0, m1);
  const bv = max(f64x2.extract_lane(mm, 0), f64x2.extract_lane(mm, 1)), bvv = f64x2.splat(bv);
  let k = 0;
  while (k < n && !v128.any_true(f64x2.eq(v128.load(p + (<usize>k << 3)), bvv))) k += 2;
  res.bin = k >= n ? 0 : load<f64>(p + (<usize>k << 3)) == bv ? <f64>k : <f64>(k + 1);
  res.peak = bv;
  return f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
}

/** Peak of an f64 spectrum with a parabolic fractional estimate; into the result. */
function peakOf(c: RxContext, p: usize): void {
  const n = c.n, res = c.result;
  const total = peakTotal(res, p, n);
  const best = <i32>res.bin, bv = res.peak;
  const a = load<f64>(p + (<usize>((best + n - 1) % n) << 3)), b = load<f64>(p + (<usize>((best + 1) % n) << 3));
  const den = a - 2 * bv + b;
  let frac: f64 = 0;
  if (den < 0) frac = Math.max(-0.5, Math.min(0.5, (0.5 * (a - b)) / den));
  res.frac = frac;
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
  const rb = s.ring, sum = s.sum;
  const slot = rb + (<usize>(s.slot * n) << 2);
  // two bins per step: the folded power, as f32 into the ring's slot, then the sum rebuilt from
  // the ring (no drift from adding and subtracting) in the scalar order (0 + w0 = w0: the powers
  // are not negative)
  for (let k = 0; k < n; k += 2) {
    const o = <usize>k << 2;
    v128.store64_lane(slot + o, f32x4.demote_f64x2_zero(foldedPair(c, k)), 0);
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

/** Where span sample j sits: in order at r = 1; at r = 2 the even samples first, then the odd (see interpolate). */
@inline function spanSlot(j: i32, len: i32, r: i32): i32 {
  return r == 2 ? (j >> 1) + (j & 1) * (len >> 1) : j;
}

/**
 * Writes demod's span: len complex f32 from src (len a multiple of 8) rotated by -f bins per m
 * samples, phase 0 at index at0 (sample i times p_i = e^{i s (i - at0)}, s = -2 pi f / m), into
 * the span at spanSlot: copy, rotation and the r = 2 split in one pass. The phasors depend on f
 * only (m, len and at0 are the context's), and a frame's symbols share theirs: they are kept
 * (c.phasors, for c.phasorsOf) and reused while f is the same, the same values either way.
 */
function rotateInto(c: RxContext, src: usize, len: i32, f: f64, at0: i32): void {
  const dst = c.span, q = c.phasors, r = c.r, half = <usize>(len >> 1) << 3;
  if (f == c.phasorsOf) {
    for (let i = 0; i < len; i += 8) {
      const x = src + (<usize>i << 3), p = q + (<usize>i << 4);
      spanStore(dst, i, half, r, rotatedBy(v128.load(x), p), rotatedBy(v128.load(x, 16), p + 32),
        rotatedBy(v128.load(x, 32), p + 64), rotatedBy(v128.load(x, 48), p + 96));
    }
    return;
  }
  // the phasor of every 8th sample in f64 (recursive, renormalised); the 8 samples after it get it
  // times e^{i s j}, j = 0..7 (a table made here), two per vector in f32
  const step = (-2.0 * Math.PI * f) / <f64>c.m;
  const cr = Math.cos(step), ci = Math.sin(step);
  // e^{i s j} as [re_j, re_j, re_j+1, re_j+1] and the same for im
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
  let pr = Math.cos(-step * <f64>at0), pi = Math.sin(-step * <f64>at0);
  for (let i = 0; i < len; i += 8) {
    const ar = f32x4.splat(<f32>pr), ai = f32x4.splat(<f32>pi);
    const x = src + (<usize>i << 3), p = q + (<usize>i << 4);
    spanStore(dst, i, half, r, rotated(v128.load(x), ar, ai, r0, i0, p), rotated(v128.load(x, 16), ar, ai, r1, i1, p + 32),
      rotated(v128.load(x, 32), ar, ai, r2, i2, p + 64), rotated(v128.load(x, 48), ar, ai, r3, i3, p + 96));
    const u = pr * sr - pi * si;
    pi = pr * si + pi * sr;
    pr = u;
    if ((i & 255) == 248) { const g = 1.0 / Math.sqrt(pr * pr + pi * pi); pr *= g; pi *= g; }
  }
  c.phasorsOf = f;
}

/**
 * Two samples v times the anchor a times the table entries (tr, ti) of their offsets: their
 * phasors q = a t, kept at p as [qr, qr, ..] and [-qi, qi, ..] (rotatedBy's form).
 */
// @ts-ignore: decorator
@inline function rotated(v: v128, ar: v128, ai: v128, tr: v128, ti: v128, p: usize): v128 {
  const qr = f32x4.sub(f32x4.mul(ar, tr), f32x4.mul(ai, ti));
  const qi = f32x4.mul(f32x4.add(f32x4.mul(ar, ti), f32x4.mul(ai, tr)), f32x4(-1, 1, -1, 1));
  v128.store(p, qr);
  v128.store(p, qi, 16);
  return f32x4.add(f32x4.mul(v, qr), f32x4.mul(v128.shuffle<f32>(v, v, 1, 0, 3, 2), qi));
}

/** Two samples v times their phasors kept at p: v q = v [qr, qr] + [vi, vr] [-qi, qi]. */
// @ts-ignore: decorator
@inline function rotatedBy(v: v128, p: usize): v128 {
  return f32x4.add(f32x4.mul(v, v128.load(p)), f32x4.mul(v128.shuffle<f32>(v, v, 1, 0, 3, 2), v128.load(p, 16)));
}

/** Span samples i .. i + 7 (four vectors y) at their spanSlot: at r = 2 the even ones at dst, the odd ones half on. */
// @ts-ignore: decorator
@inline function spanStore(dst: usize, i: i32, half: usize, r: i32, y0: v128, y1: v128, y2: v128, y3: v128): void {
  if (r == 2) {
    const e = dst + (<usize>i << 2);
    v128.store(e, v128.shuffle<f32>(y0, y1, 0, 1, 4, 5));
    v128.store(e, v128.shuffle<f32>(y2, y3, 0, 1, 4, 5), 16);
    v128.store(e + half, v128.shuffle<f32>(y0, y1, 2, 3, 6, 7));
    v128.store(e + half, v128.shuffle<f32>(y2, y3, 2, 3, 6, 7), 16);
  } else {
    const e = dst + (<usize>i << 3);
    v128.store(e, y0);
    v128.store(e, y1, 16);
    v128.store(e, y2, 32);
    v128.store(e, y3, 48);
  }
}

/**
 * The interpolator and the dechirp: n outputs at 1 sample per chip, output k = sum over taps t of
 * the bank's phase ph at t times span sample r k + t; into window, and dechirped (x u, u conjugated
 * for an upchirp) into work1. Taps 2s and 2s + 1 read span samples r k + 2s and r k + 2s + 1: at
 * r = 2 even sample k + s and odd sample k + s, two streams in the span (spanSlot), at r = 1
 * samples k + 2s and k + 2s + 1 of one. So outputs k, k+1 of one tap are one plain load from
 * either stream. Six outputs in flight per tap pair (each stream its own three sums: six hide the
 * add latency); eight spill the Wasm engine's registers and run slower (measured).
 */
function interpolate(c: RxContext, ph: i32, down: bool): void {
  const n = c.n, w1 = c.work1, win = c.window, up = c.up1;
  const h = c.bank + (<usize>(ph * TAPS) << 2), end = h + (<usize>TAPS << 2);
  const ev = c.span;
  const od = c.r == 2 ? ev + (<usize>(c.m + 2 * HALF) << 2) : ev + 8;
  const step: usize = c.r == 2 ? 8 : 16;
  const sign = down ? f32x4(-1, 1, -1, 1) : f32x4(1, -1, 1, -1);
  let k = 0;
  for (; k + 6 <= n; k += 6) {
    const o = <usize>k << 3;
    let e = ev + o, d = od + o;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0);
    let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0);
    for (let q = h; q < end; q += 8) {
      const he = v128.load32_splat(q), ho = v128.load32_splat(q, 4);
      a0 = f32x4.add(a0, f32x4.mul(v128.load(e), he));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(e, 16), he));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(e, 32), he));
      b0 = f32x4.add(b0, f32x4.mul(v128.load(d), ho));
      b1 = f32x4.add(b1, f32x4.mul(v128.load(d, 16), ho));
      b2 = f32x4.add(b2, f32x4.mul(v128.load(d, 32), ho));
      e += step;
      d += step;
    }
    dechirped(f32x4.add(a0, b0), up + o, sign, win + o, w1 + o);
    dechirped(f32x4.add(a1, b1), up + o + 16, sign, win + o + 16, w1 + o + 16);
    dechirped(f32x4.add(a2, b2), up + o + 32, sign, win + o + 32, w1 + o + 32);
  }
  // n is a power of two: 2 or 4 outputs left, two at a time
  for (; k < n; k += 2) {
    const o = <usize>k << 3;
    let e = ev + o, d = od + o;
    let a0 = f32x4.splat(0), b0 = f32x4.splat(0);
    for (let q = h; q < end; q += 8) {
      a0 = f32x4.add(a0, f32x4.mul(v128.load(e), v128.load32_splat(q)));
      b0 = f32x4.add(b0, f32x4.mul(v128.load(d), v128.load32_splat(q, 4)));
      e += step;
      d += step;
    }
    dechirped(f32x4.add(a0, b0), up + o, sign, win + o, w1 + o);
  }
}

/** Two samples x times two of the chirp u: x u = x ur + [-xi, xr] ui (sign (1, -1): u conjugated, an upchirp dechirped). */
// @ts-ignore: decorator
@inline function chirpTimes(x: v128, u: v128, sign: v128): v128 {
  const ur = v128.shuffle<f32>(u, u, 0, 0, 2, 2), ui = v128.shuffle<f32>(u, u, 1, 1, 3, 3);
  return f32x4.add(f32x4.mul(x, ur), f32x4.mul(f32x4.mul(v128.shuffle<f32>(x, x, 1, 0, 3, 2), ui), sign));
}

/** Stores two samples x at wx and x times the chirp at u into wy (chirpTimes). */
// @ts-ignore: decorator
@inline function dechirped(x: v128, u: usize, sign: v128, wx: usize, wy: usize): void {
  v128.store(wx, x);
  v128.store(wy, chirpTimes(x, v128.load(u), sign));
}

/**
 * The 8 sub-block sums at bin k of the last demod's window dechirped, S_j = sum over block j of
 * d_i e^{-2 pi i k i / n}, into q (8 x re, im f64), up to one unit factor common to all 8. The
 * upchirp c_i (phase i^2 / 2n - i / 2 cycles, period n) has c_{i+k} = c_i c_k e^{2 pi i i k / n},
 * so with d_i = x_i conj(c_i), d_i e^{-2 pi i k i / n} = x_i conj(c_{i+k}) c_k (a downchirp, d_i =
 * x_i c_i: x_i c_{i-k} / c_{-k}): the window times the chirp table from k (or -k) on, two per
 * vector in f32 as the dechirp, no phasor.
 */
export function subBlockSums(c: RxContext, k: i32, q: usize): void {
  const n = c.n, x = c.window, b = n >> 3, down = c.down != 0;
  const u = c.up1x + (<usize>(down ? n - k : k) << 3);
  const sign = down ? f32x4(-1, 1, -1, 1) : f32x4(1, -1, 1, -1);
  for (let j = 0; j < 8; j++) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
    for (let i = j * b; i < (j + 1) * b; i += 4) {
      const o = <usize>i << 3;
      a0 = f32x4.add(a0, chirpTimes(v128.load(x + o), v128.load(u + o), sign));
      a1 = f32x4.add(a1, chirpTimes(v128.load(x + o, 16), v128.load(u + o, 16), sign));
    }
    const a = f32x4.add(a0, a1);
    store<f64>(q + (<usize>(2 * j) << 3), <f64>f32x4.extract_lane(a, 0) + <f64>f32x4.extract_lane(a, 2));
    store<f64>(q + (<usize>(2 * j + 1) << 3), <f64>f32x4.extract_lane(a, 1) + <f64>f32x4.extract_lane(a, 3));
  }
}

/** Tone offset from bin k by sub-block phases, skipping the chirp's wrap (see the js twin). */
function phaseSlope(c: RxContext, k: i32): f64 {
  const n = c.n, q = c.best;
  const b = n >> 3;
  subBlockSums(c, k, q);
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

/** The series of I0(x) below 2 (the js twin's logI0 takes its logarithm). */
// @ts-ignore: decorator
@inline function i0Series(x: f64): f64 {
  const q = (x * x) / 4;
  return 1 + q + (q * q) / 4 + (q * q * q) / 36;
}

/**
 * log I0(x1) - log I0(x0), log I0 as the js twin's logI0 (the series s below 2, x + 1 / 8x -
 * log(2 pi x) / 2 above), with one logarithm (of the ratio of the terms inside them) and one or two
 * divisions: both above 2, (x1 - x0) (1 - 1 / (8 x0 x1)) + log(x0 / x1) / 2.
 */
// @ts-ignore: decorator
@inline function logI0Diff(x1: f64, x0: f64): f64 {
  if (x1 >= 2 && x0 >= 2) return (x1 - x0) * (1 - 1 / (8 * x0 * x1)) + 0.5 * Math.log(x0 / x1);
  // the terms inside the logarithms' halves: s^2 below 2, 1 / (2 pi x) above, as num / den
  let lin: f64 = 0, num: f64 = 1, den: f64 = 1;
  if (x1 < 2) {
    const s = i0Series(x1);
    num = s * s;
  } else {
    lin = x1 + 0.125 / x1;
    den = 2 * Math.PI * x1;
  }
  if (x0 < 2) {
    const s = i0Series(x0);
    den *= s * s;
  } else {
    lin -= x0 + 0.125 / x0;
    num *= 2 * Math.PI * x0;
  }
  return lin + 0.5 * Math.log(num / den);
}

/**
 * Max-log LLRs of the symbol in pow from the noncoherent likelihood log I0(2 A |Z| / N0) of each
 * bin into sf f32 at llr (reduced rate: sf - 2 bits, the rest 0). The likelihood
 * grows with the power, so each bit's maximum over the bins is taken on the power and log I0 is
 * evaluated on those 2 x bits maxima only. The powers are first put in word order (q[v]: the
 * largest power of the bins whose word is v, in the power calls' work area), then halved once per
 * bit (below): 2^bits maxima in all, no per-bin branches.
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
  // bit j of the word, MSB first: the words with it 0 are the first half of q, with it 1 the
  // second; the two halves' maxima, lane by lane, are then the words of the bits after it (the
  // same maxima as over the bins: max is exact, in any order)
  // one of each bit's two maxima is the largest power: its x is taken once
  const scale = 2.0 * amplitude / noise;
  let half = nv >> 1, top: f64 = -1, xTop: f64 = 0;
  for (let j = 0; j < bits; j++, half >>= 1) {
    let p0: f64, p1: f64;
    if (half == 1) {
      p0 = load<f64>(q);
      p1 = load<f64>(q, 8);
    } else {
      const hi = q + (<usize>half << 3);
      let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
      for (let o: usize = 0; o < (<usize>half << 3); o += 16) {
        const lo = v128.load(q + o), up = v128.load(hi + o);
        a0 = f64x2.pmax(a0, lo);
        a1 = f64x2.pmax(a1, up);
        v128.store(q + o, f64x2.pmax(lo, up));
      }
      p0 = max(f64x2.extract_lane(a0, 0), f64x2.extract_lane(a0, 1));
      p1 = max(f64x2.extract_lane(a1, 0), f64x2.extract_lane(a1, 1));
    }
    if (top < 0) {
      top = max(p0, p1);
      xTop = scale * Math.sqrt(top);
    }
    const x1 = p1 == top ? xTop : scale * Math.sqrt(p1), x0 = p0 == top ? xTop : scale * Math.sqrt(p0);
    store<f32>(llr + (<usize>j << 2), <f32>logI0Diff(x1, x0));
  }
  for (let j = bits; j < sf; j++) store<f32>(llr + (<usize>j << 2), 0);
}

/**
 * MEASURE_BIN's table for bank phase ph: G[j] = sum over k, t with r k + t = j of up1[k] h[t], so
 * that bin 0 of the interpolated window dechirped with the downchirp, sum_k up1[k] sum_t h[t]
 * x[r k + t], is sum_j x[j] G[j] (the same sum, reordered). Each G[j] is summed in f64 and
 * stored in the span's order (spanSlot).
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
    const o = <usize>spanSlot(j, len, r) << 3;
    store<f32>(g + o, <f32>gr);
    store<f32>(g + o, <f32>gi, 4);
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

/** The tone's offset from bin k0 of the last demod's spectrum (work1), in [-1, 1]: Jacobsen's estimator with Candan's bias correction (IEEE SPL 2011). */
export function binFraction(c: RxContext, k0: i32): f64 {
  const n = c.n, w1 = c.work1;
  const km = (k0 + n - 1) & (n - 1), kp = (k0 + 1) & (n - 1);
  const zr0 = <f64>load<f32>(w1 + (<usize>k0 << 3)), zi0 = <f64>load<f32>(w1 + (<usize>k0 << 3), 4);
  const zrm = <f64>load<f32>(w1 + (<usize>km << 3)), zim = <f64>load<f32>(w1 + (<usize>km << 3), 4);
  const zrp = <f64>load<f32>(w1 + (<usize>kp << 3)), zip = <f64>load<f32>(w1 + (<usize>kp << 3), 4);
  const nr = zrm - zrp, ni = zim - zip;
  const dr = 2 * zr0 - zrm - zrp, di = 2 * zi0 - zim - zip;
  const dd = dr * dr + di * di;
  const frac: f64 = dd > 0 ? (nr * dr + ni * di) / dd : 0;
  return Math.max(-1.0, Math.min(1.0, frac * c.candan));
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
  rotateInto(c, c.buf + (<usize>first << 3), len, cfoBins, i0 - first);
  if (measure == MEASURE_BIN && c.binTable != 0 && down != 0 && atBin == 0) {
    binDot(c.span, binTable(c, ph), len, c.result);
    return;
  }
  c.down = down;
  interpolate(c, ph, down != 0);
  fftForward(w1, n);
  if (measure == MEASURE_BIN) {
    const o = <usize>atBin << 3;
    binResult(c.result, atBin, <f64>load<f32>(w1 + o), <f64>load<f32>(w1 + o, 4));
    return;
  }
  // the powers in f64, two bins per vector (the scalar products), their first largest and total
  const pow = c.pow, res = c.result;
  for (let k = 0; k < n; k += 2) {
    const o = <usize>k << 3;
    v128.store(pow + o, power2(v128.load(w1 + o)));
  }
  const total = peakTotal(res, pow, n);
  const best = <i32>res.bin;
  const k0 = atBin >= 0 ? atBin : best;
  const km = (k0 + n - 1) % n, kp = (k0 + 1) % n;
  const zr0 = <f64>load<f32>(w1 + (<usize>k0 << 3)), zi0 = <f64>load<f32>(w1 + (<usize>k0 << 3), 4);
  const pk0 = load<f64>(pow + (<usize>k0 << 3));
  res.frac = binFraction(c, k0);
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
    const g = f64x2(gr, gi);
    let dv = diffSpan(w1, pv, a0, min(n, a1), g, f64x2.splat(0));
    if (a1 > n) dv = diffSpan(w1, pv, 0, a1 - n, g, dv);
    const diff = f64x2.extract_lane(dv, 0) + f64x2.extract_lane(dv, 1);
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
