// The receiver's per-symbol kernels (twin of src/engines/js/rx-symbol.ts, which documents the
// method): one call per symbol window of the sample buffer, addressed by index; every buffer is
// made once in rxsym_create, nothing is allocated per call, and nothing is remembered between
// calls except what the caller names: the search accumulator it owns, and the spectrum slots it
// asks demod to keep and compare against.
import { fftForward } from "../dsp/fft";
import { upchirpTable } from "../dsp/chirp";
import { HALF, TAPS, PHASES, SEARCH_WINDOWS, SPECTRUM_SLOTS, LLR_REDUCED, SymbolResult } from "./abi";

/** A kernel context: the sample buffer, tables and work areas for one (sf, r). */
@unmanaged
class RxContext {
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
  /** sf f32: demod's LLRs. */
  llr: usize;
  /** 2 x 16 f64: per-bit maxima (LLRs), and the phase slope's sub-block sums. */
  best: usize;
  /** SPECTRUM_SLOTS x n complex f32 (demod keep / prev). */
  spectra: usize;
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

/** Creates a kernel context for 2^sf chips, r samples per chip, a buffer of `capacity` samples. */
export function rxsym_create(sf: i32, r: i32, capacity: i32): usize {
  const n = 1 << sf, m = n * r;
  const c = changetype<RxContext>(block(offsetof<RxContext>()));
  c.n = n; c.r = r; c.m = m; c.sf = sf; c.capacity = capacity;
  c.buf = block(capacity << 3);
  c.upM = upchirpTable(n, r);
  c.up1 = upchirpTable(n, 1);
  c.work = block(m << 3);
  c.work1 = block(n << 3);
  c.dech = block(n << 3);
  c.span = block((m + 2 * HALF) << 3);
  c.pow = block(n << 3);
  c.bank = block(((PHASES + 1) * TAPS) << 2);
  c.words = block((2 * n) << 2);
  c.result = changetype<SymbolResult>(block(offsetof<SymbolResult>()));
  c.llr = block(16 << 2);
  c.best = block(32 << 3);
  c.spectra = block((SPECTRUM_SLOTS * n) << 3);
  fftForward(c.work, m); // make the FFT tables now, so later calls never grow memory
  if (r != 1) fftForward(c.work1, n);
  return changetype<usize>(c);
}

export function rxsym_free(p: usize): void {
  const c = changetype<RxContext>(p);
  heap.free(c.buf); heap.free(c.work); heap.free(c.work1); heap.free(c.dech); heap.free(c.span);
  heap.free(c.pow); heap.free(c.bank); heap.free(c.words); heap.free(changetype<usize>(c.result));
  heap.free(c.llr); heap.free(c.best); heap.free(c.spectra); heap.free(p);
}

export function rxsym_buffer(c: usize): usize { return changetype<RxContext>(c).buf; }
export function rxsym_bank(c: usize): usize { return changetype<RxContext>(c).bank; }
export function rxsym_words(c: usize): usize { return changetype<RxContext>(c).words; }
export function rxsym_result(c: usize): usize { return changetype<usize>(changetype<RxContext>(c).result); }
export function rxsym_llr(c: usize): usize { return changetype<RxContext>(c).llr; }

export function rxsym_move(p: usize, dst: i32, src: i32, count: i32): void {
  const b = changetype<RxContext>(p).buf;
  memory.copy(b + (<usize>dst << 3), b + (<usize>src << 3), <usize>count << 3);
}

/** Dechirps the window at buffer index start (r samples per chip) into work, FFT of size m. */
function dechirpWindow(c: RxContext, start: i32, down: bool): void {
  const m = c.m;
  const src = c.buf + (<usize>start << 3), up = c.upM, w = c.work;
  for (let i = 0; i < m; i++) {
    const o = <usize>i << 3;
    const xr = load<f32>(src + o), xi = load<f32>(src + o, 4);
    const ur = load<f32>(up + o), ui = down ? load<f32>(up + o, 4) : -load<f32>(up + o, 4);
    store<f32>(w + o, xr * ur - xi * ui);
    store<f32>(w + o, xr * ui + xi * ur, 4);
  }
  fftForward(w, m);
}

/** Folded power (both tones of an oversampled window) into pow (f64), or added to it. */
function fold(c: RxContext, add: bool): void {
  const n = c.n, r = c.r, w = c.work, pow = c.pow;
  for (let k = 0; k < n; k++) {
    const o = <usize>k << 3;
    let p = <f64>load<f32>(w + o) * <f64>load<f32>(w + o) + <f64>load<f32>(w + o, 4) * <f64>load<f32>(w + o, 4);
    if (r == 2) {
      const o2 = <usize>(k + n) << 3;
      p += <f64>load<f32>(w + o2) * <f64>load<f32>(w + o2) + <f64>load<f32>(w + o2, 4) * <f64>load<f32>(w + o2, 4);
    }
    store<f64>(pow + o, add ? load<f64>(pow + o) + p : p);
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
}

/** A search accumulator for this context's n (owned by the caller: free with rxsym_search_free). */
export function rxsym_search_create(p: usize): usize {
  const n = changetype<RxContext>(p).n;
  const s = changetype<SearchState>(block(offsetof<SearchState>()));
  s.ring = block((SEARCH_WINDOWS * n) << 2);
  s.sum = block(n << 3);
  return changetype<usize>(s);
}

export function rxsym_search_free(q: usize): void {
  const s = changetype<SearchState>(q);
  heap.free(s.ring); heap.free(s.sum); heap.free(q);
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
  fold(c, false);
  const rb = s.ring, pow = c.pow, sum = s.sum;
  const slot = rb + (<usize>(s.slot * n) << 2);
  for (let k = 0; k < n; k++) store<f32>(slot + (<usize>k << 2), <f32>load<f64>(pow + (<usize>k << 3)));
  // the sum is rebuilt from the ring (no drift from adding and subtracting)
  for (let k = 0; k < n; k++) {
    let t: f64 = 0;
    for (let j = 0; j < SEARCH_WINDOWS; j++) t += <f64>load<f32>(rb + (<usize>(j * n + k) << 2));
    store<f64>(sum + (<usize>k << 3), t);
  }
  s.slot = (s.slot + 1) % SEARCH_WINDOWS;
  if (s.fill < SEARCH_WINDOWS) s.fill++;
  peakOf(c, sum);
  return s.fill;
}

/** Summed folded power of the two windows at start and start + m; result: the peak of the sum. */
export function rxsym_folded_pair(p: usize, start: i32, down: i32): void {
  const c = changetype<RxContext>(p);
  dechirpWindow(c, start, down != 0);
  fold(c, false);
  dechirpWindow(c, start + c.m, down != 0);
  fold(c, true);
  peakOf(c, c.pow);
}

/** Rotates len complex f32 at x by -f bins per w samples, phase 0 at index at0 (recursive phasor). */
function rotate(x: usize, len: i32, f: f64, w: i32, at0: i32): void {
  const step = (-2.0 * Math.PI * f) / <f64>w;
  const cr = Math.cos(step), ci = Math.sin(step);
  let pr = Math.cos(-step * <f64>at0), pi = Math.sin(-step * <f64>at0);
  for (let i = 0; i < len; i++) {
    const o = <usize>i << 3;
    const re = <f64>load<f32>(x + o), im = <f64>load<f32>(x + o, 4);
    store<f32>(x + o, <f32>(re * pr - im * pi));
    store<f32>(x + o, <f32>(re * pi + im * pr), 4);
    const t = pr * cr - pi * ci;
    pi = pr * ci + pi * cr;
    pr = t;
    if ((i & 255) == 255) { const g = 1.0 / Math.sqrt(pr * pr + pi * pi); pr *= g; pi *= g; }
  }
}

/**
 * The interpolator: n outputs at 1 sample per chip into work1, output k from span samples r k ..
 * r k + TAPS - 1 against the bank's phase ph (two complex samples per step against duplicated taps).
 */
function interpolate(c: RxContext, ph: i32): void {
  const n = c.n, r = c.r, span = c.span, w1 = c.work1;
  const h = c.bank + (<usize>(ph * TAPS) << 2);
  for (let k = 0; k < n; k++) {
    const o = span + (<usize>(r * k) << 3);
    let v = f32x4.splat(0);
    for (let t = 0; t < TAPS; t += 2) {
      const x = v128.load(o + (<usize>t << 3));
      const hh = f32x4(load<f32>(h + (<usize>t << 2)), load<f32>(h + (<usize>t << 2)), load<f32>(h + (<usize>(t + 1) << 2)), load<f32>(h + (<usize>(t + 1) << 2)));
      v = f32x4.add(v, f32x4.mul(x, hh));
    }
    store<f32>(w1 + (<usize>k << 3), f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 2));
    store<f32>(w1 + (<usize>k << 3), f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 3), 4);
  }
}

/** Tone offset from bin k by sub-block phases, skipping the chirp's wrap (see the js twin). */
function phaseSlope(c: RxContext, k: i32): f64 {
  const n = c.n, dech = c.dech, q = c.best;
  const b = n >> 3;
  const w = (-2.0 * Math.PI * <f64>k) / <f64>n;
  const cr = Math.cos(w), ci = Math.sin(w);
  let pr: f64 = 1, pi: f64 = 0;
  for (let j = 0; j < 8; j++) {
    let re: f64 = 0, im: f64 = 0;
    for (let i = j * b; i < (j + 1) * b; i++) {
      const o = <usize>i << 3;
      const xr = <f64>load<f32>(dech + o), xi = <f64>load<f32>(dech + o, 4);
      re += xr * pr - xi * pi;
      im += xr * pi + xi * pr;
      const t = pr * cr - pi * ci;
      pi = pr * ci + pi * cr;
      pr = t;
    }
    store<f64>(q + (<usize>(2 * j) << 3), re);
    store<f64>(q + (<usize>(2 * j + 1) << 3), im);
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

@inline function logI0(x: f64): f64 {
  if (x < 2) { const q = (x * x) / 4; return Math.log(1 + q + (q * q) / 4 + (q * q * q) / 36); }
  return x - 0.5 * Math.log(2 * Math.PI * x) + 1 / (8 * x);
}

/**
 * Max-log LLRs of the symbol in pow from the noncoherent likelihood log I0(2 A |Z| / N0) of each
 * bin into the context's sf LLR slots (reduced rate: sf - 2 bits, the rest 0).
 */
function llrs(c: RxContext, mode: i32, amplitude: f64, noise: f64): void {
  const n = c.n, sf = c.sf, pow = c.pow;
  const words = c.words + (mode == LLR_REDUCED ? (<usize>n << 2) : 0);
  const bits = mode == LLR_REDUCED ? sf - 2 : sf;
  const best1 = c.best, best0 = best1 + 128;
  for (let j = 0; j < sf; j++) { store<f64>(best1 + (<usize>j << 3), -Infinity); store<f64>(best0 + (<usize>j << 3), -Infinity); }
  const scale = 2.0 * amplitude / noise;
  for (let k = 0; k < n; k++) {
    const f = logI0(scale * Math.sqrt(load<f64>(pow + (<usize>k << 3))));
    const v = load<i32>(words + (<usize>k << 2));
    for (let j = 0; j < bits; j++) {
      const slot = (((v >> (bits - 1 - j)) & 1) != 0 ? best1 : best0) + (<usize>j << 3);
      if (f > load<f64>(slot)) store<f64>(slot, f);
    }
  }
  const llr = c.llr;
  for (let j = 0; j < sf; j++) {
    store<f32>(llr + (<usize>j << 2), j < bits ? <f32>(load<f64>(best1 + (<usize>j << 3)) - load<f64>(best0 + (<usize>j << 3))) : 0);
  }
}

/**
 * Coherent demodulation of the symbol at buffer position pos (fractional): carrier rotation by
 * -cfoBins, interpolation to 1 sample per chip at that timing, dechirp (down: a downchirp), FFT,
 * peak (or the bin atBin >= 0), phase slope; with llrMode LLR_FULL / LLR_REDUCED, sf LLRs scaled
 * by the frame's amplitude and noise; keep >= 0 stores the spectrum in that slot, prev >= 0
 * compares with the spectrum in that slot (result diff).
 */
export function rxsym_demod(p: usize, pos: f64, down: i32, cfoBins: f64, atBin: i32, llrMode: i32, amplitude: f64, noise: f64, keep: i32, prev: i32): void {
  const c = changetype<RxContext>(p);
  const n = c.n, m = c.m;
  const w1 = c.work1;
  let i0 = <i32>Math.floor(pos);
  let ph = <i32>Math.round((pos - <f64>i0) * <f64>PHASES);
  if (ph == PHASES) { ph = 0; i0++; }
  const first = i0 - HALF + 1, len = m + 2 * HALF;
  memory.copy(c.span, c.buf + (<usize>first << 3), <usize>len << 3);
  rotate(c.span, len, cfoBins, m, i0 - first);
  interpolate(c, ph);
  // dechirp at 1 sample per chip, keep a copy for the phase slope, FFT
  const up1 = c.up1;
  for (let k = 0; k < n; k++) {
    const o = <usize>k << 3;
    const xr = load<f32>(w1 + o), xi = load<f32>(w1 + o, 4);
    const ur = load<f32>(up1 + o), ui = down != 0 ? load<f32>(up1 + o, 4) : -load<f32>(up1 + o, 4);
    store<f32>(w1 + o, xr * ur - xi * ui);
    store<f32>(w1 + o, xr * ui + xi * ur, 4);
  }
  memory.copy(c.dech, w1, <usize>n << 3);
  fftForward(w1, n);
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
  const zrm = <f64>load<f32>(w1 + (<usize>km << 3)), zim = <f64>load<f32>(w1 + (<usize>km << 3), 4);
  const zrp = <f64>load<f32>(w1 + (<usize>kp << 3)), zip = <f64>load<f32>(w1 + (<usize>kp << 3), 4);
  // Jacobsen's estimator with Candan's bias correction (IEEE SPL 2011)
  const nr = zrm - zrp, ni = zim - zip;
  const dr = 2 * zr0 - zrm - zrp, di = 2 * zi0 - zim - zip;
  const dd = dr * dr + di * di;
  let frac: f64 = dd > 0 ? (nr * dr + ni * di) / dd : 0;
  frac *= Math.tan(Math.PI / <f64>n) / (Math.PI / <f64>n);
  const pk0 = load<f64>(pow + (<usize>k0 << 3));
  const res = c.result;
  res.bin = <f64>best;
  res.frac = Math.max(-1.0, Math.min(1.0, frac));
  res.peak = pk0;
  res.mean = (total - pk0 - load<f64>(pow + (<usize>km << 3)) - load<f64>(pow + (<usize>kp << 3))) / <f64>(n - 3);
  // noise from the bins at least n/4 from the bin measured (n >= 32: there are always n/2 + 1)
  let far: f64 = 0;
  let nFar: i32 = 0;
  for (let k = 0; k < n; k++) {
    const d = abs(k - k0);
    if (4 * min(d, n - d) >= n) { far += load<f64>(pow + (<usize>k << 3)); nFar++; }
  }
  res.far = far / <f64>nFar;
  res.diff = 0;
  if (prev >= 0) {
    // unit turn from the previous spectrum to this one at the bin, then the far bins' difference
    const pv = c.spectra + (<usize>(prev * n) << 3);
    const o0 = <usize>k0 << 3;
    const qr0 = <f64>load<f32>(pv + o0), qi0 = <f64>load<f32>(pv + o0, 4);
    let gr = zr0 * qr0 + zi0 * qi0, gi = zi0 * qr0 - zr0 * qi0;
    const gm = Math.sqrt(gr * gr + gi * gi);
    if (gm > 0) { gr /= gm; gi /= gm; } else { gr = 1; gi = 0; }
    let diff: f64 = 0;
    for (let k = 0; k < n; k++) {
      const d = abs(k - k0);
      if (4 * min(d, n - d) >= n) {
        const o = <usize>k << 3;
        const ar = <f64>load<f32>(w1 + o), ai = <f64>load<f32>(w1 + o, 4);
        const br = <f64>load<f32>(pv + o), bi = <f64>load<f32>(pv + o, 4);
        const er = ar - (gr * br - gi * bi), ei = ai - (gr * bi + gi * br);
        diff += er * er + ei * ei;
      }
    }
    res.diff = diff / <f64>nFar;
  }
  if (keep >= 0) memory.copy(c.spectra + (<usize>(keep * n) << 3), w1, <usize>n << 3);
  res.re = zr0;
  res.im = zi0;
  res.slope = phaseSlope(c, k0);
  if (llrMode > 0) llrs(c, llrMode, amplitude, noise);
}
