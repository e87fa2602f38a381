// The receiver's per-symbol kernel (twin of src/engines/js/rx-symbol.ts, which documents the
// method): one call per symbol window of the sample buffer, addressed by index; every buffer is
// made once in rxsym_create, nothing is allocated per call.
import { fftForward } from "../dsp/fft";
import { upchirpTable } from "../dsp/chirp";

// Interpolator geometry (must match src/engines/js/rx-symbol.ts: HALF, TAPS, PHASES).
const HALF: i32 = 32;
const TAPS: i32 = 64;
const PHASES: i32 = 64;

// Context layout: i32/usize fields at fixed offsets.
const C_N = 0, C_R = 4, C_M = 8, C_SF = 12, C_CAP = 16, C_RING = 20, C_RINGPOS = 24, C_RINGFILL = 28;
const C_BUF = 32, C_UPM = 36, C_UP1 = 40, C_WORK = 44, C_WORK1 = 48, C_DECH = 52, C_SPAN = 56;
const C_POW = 60, C_RINGBUF = 64, C_SUM = 68, C_ACC = 72, C_BANK = 76, C_WORDS = 80, C_RES = 84;
const C_LLR = 88, C_BEST = 92, C_AMP = 96 /* f64 */, C_NOISE = 104 /* f64 */;
const C_PREV = 112; // previous demod spectrum, f32 complex (R_DIFF)
const C_SIZE = 128;

// Result slots (f64), as RES in src/rx/kernel.ts.
const R_BIN = 0, R_FRAC = 1, R_PEAK = 2, R_MEAN = 3, R_RE = 4, R_IM = 5, R_SLOPE = 6, R_FAR = 7, R_DIFF = 8;

@inline function gi(c: usize, o: i32): i32 { return load<i32>(c + <usize>o); }
@inline function gp(c: usize, o: i32): usize { return <usize>load<u32>(c + <usize>o); }
@inline function setRes(c: usize, slot: i32, v: f64): void { store<f64>(gp(c, C_RES) + (<usize>slot << 3), v); }

function block(bytes: i32): usize {
  const p = heap.alloc(<usize>bytes);
  memory.fill(p, 0, <usize>bytes);
  return p;
}

/** Creates a kernel context for 2^sf chips, r samples per chip, a buffer of `capacity` samples. */
export function rxsym_create(sf: i32, r: i32, capacity: i32, ring: i32): usize {
  const n = 1 << sf, m = n * r;
  const c = block(C_SIZE);
  store<i32>(c + C_N, n); store<i32>(c + C_R, r); store<i32>(c + C_M, m); store<i32>(c + C_SF, sf);
  store<i32>(c + C_CAP, capacity); store<i32>(c + C_RING, ring);
  store<u32>(c + C_BUF, <u32>block(capacity << 3));
  store<u32>(c + C_UPM, <u32>upchirpTable(n, r));
  store<u32>(c + C_UP1, <u32>upchirpTable(n, 1));
  store<u32>(c + C_WORK, <u32>block(m << 3));
  store<u32>(c + C_WORK1, <u32>block(n << 3));
  store<u32>(c + C_DECH, <u32>block(n << 3));
  store<u32>(c + C_SPAN, <u32>block((m + 2 * HALF) << 3));
  store<u32>(c + C_POW, <u32>block(n << 3)); // f64
  store<u32>(c + C_RINGBUF, <u32>block((ring * n) << 2)); // f32
  store<u32>(c + C_SUM, <u32>block(n << 3)); // f64
  store<u32>(c + C_ACC, <u32>block(n << 3)); // f64
  store<u32>(c + C_BANK, <u32>block(((PHASES + 1) * TAPS) << 2)); // f32, filled by the caller
  store<u32>(c + C_WORDS, <u32>block((2 * n) << 2)); // i32 full-rate then reduced-rate words
  store<u32>(c + C_RES, <u32>block(128));
  store<u32>(c + C_PREV, <u32>block(n << 3));
  store<u32>(c + C_LLR, <u32>block(16 << 2));
  store<u32>(c + C_BEST, <u32>block(32 << 3));
  store<f64>(c + C_AMP, 1.0); store<f64>(c + C_NOISE, 1.0);
  fftForward(gp(c, C_WORK), m); // make the FFT tables now, so later calls never grow memory
  if (r != 1) fftForward(gp(c, C_WORK1), n);
  return c;
}

export function rxsym_free(c: usize): void {
  heap.free(gp(c, C_BUF)); heap.free(gp(c, C_WORK)); heap.free(gp(c, C_WORK1)); heap.free(gp(c, C_DECH));
  heap.free(gp(c, C_SPAN)); heap.free(gp(c, C_POW)); heap.free(gp(c, C_RINGBUF)); heap.free(gp(c, C_SUM));
  heap.free(gp(c, C_ACC)); heap.free(gp(c, C_BANK)); heap.free(gp(c, C_WORDS)); heap.free(gp(c, C_RES));
  heap.free(gp(c, C_LLR)); heap.free(gp(c, C_BEST)); heap.free(gp(c, C_PREV)); heap.free(c);
}

export function rxsym_buffer(c: usize): usize { return gp(c, C_BUF); }
export function rxsym_bank(c: usize): usize { return gp(c, C_BANK); }
export function rxsym_words(c: usize): usize { return gp(c, C_WORDS); }
export function rxsym_result(c: usize): usize { return gp(c, C_RES); }
export function rxsym_llr(c: usize): usize { return gp(c, C_LLR); }

export function rxsym_move(c: usize, dst: i32, src: i32, count: i32): void {
  const b = gp(c, C_BUF);
  memory.copy(b + (<usize>dst << 3), b + (<usize>src << 3), <usize>count << 3);
}

export function rxsym_set_llr_scale(c: usize, amp: f64, noise: f64): void {
  store<f64>(c + C_AMP, amp); store<f64>(c + C_NOISE, noise);
}

/** Dechirps the window at buffer index start (r samples per chip) into work, FFT of size m. */
function dechirpWindow(c: usize, start: i32, down: bool): void {
  const m = gi(c, C_M);
  const src = gp(c, C_BUF) + (<usize>start << 3), up = gp(c, C_UPM), w = gp(c, C_WORK);
  for (let i = 0; i < m; i++) {
    const o = <usize>i << 3;
    const xr = load<f32>(src + o), xi = load<f32>(src + o, 4);
    const ur = load<f32>(up + o), ui = down ? load<f32>(up + o, 4) : -load<f32>(up + o, 4);
    store<f32>(w + o, xr * ur - xi * ui);
    store<f32>(w + o, xr * ui + xi * ur, 4);
  }
  fftForward(w, m);
}

/** Folded power (both tones of an oversampled window) into pow (f64). */
function fold(c: usize): void {
  const n = gi(c, C_N), r = gi(c, C_R), w = gp(c, C_WORK), pow = gp(c, C_POW);
  for (let k = 0; k < n; k++) {
    const o = <usize>k << 3;
    let p = <f64>load<f32>(w + o) * <f64>load<f32>(w + o) + <f64>load<f32>(w + o, 4) * <f64>load<f32>(w + o, 4);
    if (r == 2) {
      const o2 = <usize>(k + n) << 3;
      p += <f64>load<f32>(w + o2) * <f64>load<f32>(w + o2) + <f64>load<f32>(w + o2, 4) * <f64>load<f32>(w + o2, 4);
    }
    store<f64>(pow + o, p);
  }
}

/** Peak of an f64 spectrum with a parabolic fractional estimate; into the result. */
function peakOf(c: usize, p: usize): void {
  const n = gi(c, C_N);
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
  setRes(c, R_BIN, <f64>best);
  setRes(c, R_FRAC, frac);
  setRes(c, R_PEAK, bv);
  setRes(c, R_MEAN, n > 1 ? (total - bv) / <f64>(n - 1) : 0);
}

export function rxsym_search_reset(c: usize): void {
  const n = gi(c, C_N), ring = gi(c, C_RING);
  memory.fill(gp(c, C_RINGBUF), 0, <usize>(ring * n) << 2);
  store<i32>(c + C_RINGPOS, 0); store<i32>(c + C_RINGFILL, 0);
}

/** Adds the window's folded power to the ring of the last `ring` windows; result: peak of their sum. */
export function rxsym_search_step(c: usize, start: i32): i32 {
  const n = gi(c, C_N), ring = gi(c, C_RING);
  dechirpWindow(c, start, false);
  fold(c);
  const rb = gp(c, C_RINGBUF), pow = gp(c, C_POW), sum = gp(c, C_SUM);
  const slot = rb + (<usize>(gi(c, C_RINGPOS) * n) << 2);
  for (let k = 0; k < n; k++) store<f32>(slot + (<usize>k << 2), <f32>load<f64>(pow + (<usize>k << 3)));
  // the sum is rebuilt from the ring (no drift from adding and subtracting)
  for (let k = 0; k < n; k++) {
    let s: f64 = 0;
    for (let j = 0; j < ring; j++) s += <f64>load<f32>(rb + (<usize>(j * n + k) << 2));
    store<f64>(sum + (<usize>k << 3), s);
  }
  store<i32>(c + C_RINGPOS, (gi(c, C_RINGPOS) + 1) % ring);
  let fill = gi(c, C_RINGFILL);
  if (fill < ring) { fill++; store<i32>(c + C_RINGFILL, fill); }
  peakOf(c, sum);
  return fill;
}

/** Folded power of one window; accMode 0: its peak, 1: start the accumulator, 2: add to it. */
export function rxsym_folded(c: usize, start: i32, down: i32, accMode: i32): void {
  const n = gi(c, C_N);
  dechirpWindow(c, start, down != 0);
  fold(c);
  const pow = gp(c, C_POW), acc = gp(c, C_ACC);
  if (accMode == 0) { peakOf(c, pow); return; }
  if (accMode == 1) memory.copy(acc, pow, <usize>n << 3);
  else for (let k = 0; k < n; k++) { const o = <usize>k << 3; store<f64>(acc + o, load<f64>(acc + o) + load<f64>(pow + o)); }
  peakOf(c, acc);
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

/** Tone offset from bin k by sub-block phases, skipping the chirp's wrap (see the js twin). */
function phaseSlope(c: usize, k: i32): f64 {
  const n = gi(c, C_N), dech = gp(c, C_DECH), q = gp(c, C_BEST);
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
 * Coherent demodulation of the symbol at buffer position pos (fractional): carrier rotation,
 * interpolation to 1 sample per chip at that timing (r = 2), dechirp, FFT, peak, phase slope and,
 * with llrMode 1 (full rate) or 2 (reduced rate), sf LLRs into the context's LLR slots.
 */
export function rxsym_demod(c: usize, pos: f64, down: i32, freqBins: f64, atBin: i32, llrMode: i32): void {
  const n = gi(c, C_N), r = gi(c, C_R), m = gi(c, C_M), sf = gi(c, C_SF);
  const buf = gp(c, C_BUF), span = gp(c, C_SPAN), w1 = gp(c, C_WORK1), dech = gp(c, C_DECH);
  let i0 = <i32>Math.floor(pos);
  let ph = <i32>Math.round((pos - <f64>i0) * <f64>PHASES);
  if (ph == PHASES) { ph = 0; i0++; }
  const first = i0 - HALF + 1, len = m + 2 * HALF;
  memory.copy(span, buf + (<usize>first << 3), <usize>len << 3);
  rotate(span, len, freqBins, m, i0 - first);
  const h = gp(c, C_BANK) + (<usize>(ph * TAPS) << 2);
  for (let k = 0; k < n; k++) {
    const o = span + (<usize>(r * k) << 3);
    let vr = f32x4.splat(0), vi = f32x4.splat(0);
    // two complex samples (re0 im0 re1 im1) per step against duplicated taps
    for (let t = 0; t < TAPS; t += 2) {
      const x = v128.load(o + (<usize>t << 3));
      const hh = f32x4(load<f32>(h + (<usize>t << 2)), load<f32>(h + (<usize>t << 2)), load<f32>(h + (<usize>(t + 1) << 2)), load<f32>(h + (<usize>(t + 1) << 2)));
      vr = f32x4.add(vr, f32x4.mul(x, hh));
    }
    void vi;
    const re = f32x4.extract_lane(vr, 0) + f32x4.extract_lane(vr, 2);
    const im = f32x4.extract_lane(vr, 1) + f32x4.extract_lane(vr, 3);
    store<f32>(w1 + (<usize>k << 3), re);
    store<f32>(w1 + (<usize>k << 3), im, 4);
  }
  // dechirp at 1 sample per chip, keep a copy for the phase slope, FFT
  const up1 = gp(c, C_UP1);
  for (let k = 0; k < n; k++) {
    const o = <usize>k << 3;
    const xr = load<f32>(w1 + o), xi = load<f32>(w1 + o, 4);
    const ur = load<f32>(up1 + o), ui = down != 0 ? load<f32>(up1 + o, 4) : -load<f32>(up1 + o, 4);
    store<f32>(w1 + o, xr * ur - xi * ui);
    store<f32>(w1 + o, xr * ui + xi * ur, 4);
  }
  memory.copy(dech, w1, <usize>n << 3);
  fftForward(w1, n);
  const pow = gp(c, C_POW);
  let best = 0, bv: f64 = -1, total: f64 = 0;
  for (let k = 0; k < n; k++) {
    const o = <usize>k << 3;
    const a = <f64>load<f32>(w1 + o), b = <f64>load<f32>(w1 + o, 4);
    const p = a * a + b * b;
    store<f64>(pow + o, p);
    total += p;
    if (p > bv) { bv = p; best = k; }
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
  setRes(c, R_BIN, <f64>best);
  setRes(c, R_FRAC, Math.max(-1.0, Math.min(1.0, frac)));
  setRes(c, R_PEAK, pk0);
  setRes(c, R_MEAN, (total - pk0 - load<f64>(pow + (<usize>km << 3)) - load<f64>(pow + (<usize>kp << 3))) / <f64>max(1, n - 3));
  // noise for SNR from the bins at least n/4 from the peak (the interpolator's leakage stays near it)
  let far: f64 = 0;
  let nFar: i32 = 0;
  for (let k = 0; k < n; k++) {
    const d = abs(k - k0);
    const dc = min(d, n - d);
    if (4 * dc >= n) { far += load<f64>(pow + (<usize>k << 3)); nFar++; }
  }
  setRes(c, R_FAR, nFar > 0 ? far / <f64>nFar : (total - pk0) / <f64>max(1, n - 1));
  // unit turn from the previous spectrum to this one at the peak, then the far bins' difference
  const prev = gp(c, C_PREV);
  const o0 = <usize>k0 << 3;
  const qr0 = <f64>load<f32>(prev + o0), qi0 = <f64>load<f32>(prev + o0, 4);
  let gr = zr0 * qr0 + zi0 * qi0, gi = zi0 * qr0 - zr0 * qi0;
  const gm = Math.sqrt(gr * gr + gi * gi);
  if (gm > 0) { gr /= gm; gi /= gm; } else { gr = 1; gi = 0; }
  let diff: f64 = 0;
  for (let k = 0; k < n; k++) {
    const d = abs(k - k0);
    const dc = min(d, n - d);
    if (4 * dc >= n) {
      const o = <usize>k << 3;
      const ar = <f64>load<f32>(w1 + o), ai = <f64>load<f32>(w1 + o, 4);
      const br = <f64>load<f32>(prev + o), bi = <f64>load<f32>(prev + o, 4);
      const er = ar - (gr * br - gi * bi), ei = ai - (gr * bi + gi * br);
      diff += er * er + ei * ei;
    }
  }
  setRes(c, R_DIFF, nFar > 0 ? diff / <f64>nFar : 2 * (total - pk0) / <f64>max(1, n - 1));
  memory.copy(prev, w1, <usize>n << 3);
  setRes(c, R_RE, zr0);
  setRes(c, R_IM, zi0);
  setRes(c, R_SLOPE, phaseSlope(c, k0));
  if (llrMode > 0) {
    // max-log LLRs from the noncoherent likelihood log I0(2 A |Z| / N0) of each bin
    const words = gp(c, C_WORDS) + (llrMode == 2 ? (<usize>n << 2) : 0);
    const bits = llrMode == 2 ? sf - 2 : sf;
    const best1 = gp(c, C_BEST), best0 = best1 + 128;
    for (let j = 0; j < sf; j++) { store<f64>(best1 + (<usize>j << 3), -Infinity); store<f64>(best0 + (<usize>j << 3), -Infinity); }
    const scale = 2.0 * load<f64>(c + C_AMP) / load<f64>(c + C_NOISE);
    for (let k = 0; k < n; k++) {
      const f = logI0(scale * Math.sqrt(load<f64>(pow + (<usize>k << 3))));
      const v = load<i32>(words + (<usize>k << 2));
      for (let j = 0; j < bits; j++) {
        const slot = (((v >> (bits - 1 - j)) & 1) != 0 ? best1 : best0) + (<usize>j << 3);
        if (f > load<f64>(slot)) store<f64>(slot, f);
      }
    }
    const llr = gp(c, C_LLR);
    for (let j = 0; j < sf; j++) {
      store<f32>(llr + (<usize>j << 2), j < bits ? <f32>(load<f64>(best1 + (<usize>j << 3)) - load<f64>(best0 + (<usize>j << 3))) : 0);
    }
  }
}
