// The narrowband-line canceller's two kernels (src/rx/notch.ts decides when they run; the js twin
// src/engines/js/notch.ts does the same f64 arithmetic in the same order, bit for bit).
//
// notch_spectrum: the power spectrum of one Hann-windowed window of the front end's output, folded
//   into the per-bin mean and minimum over the windows of a detection period.
// notch_cancel: the adaptive tone canceller, in place. Per line a reference phasor c = e^{j w t}
//   and a complex amplitude a tracked by LMS: y = x - sum a c, then a += mu y conj(c). With a
//   sinusoidal reference this is a notch at w whose width grows with mu (Widrow et al., "Adaptive
//   noise cancelling: principles and applications", Proc. IEEE 63(12), 1975, section VIII).
//
// Line state (f64, LINE_STRIDE per line): 0 cRe, 1 cIm, 2 rotRe, 3 rotIm (e^{j w}), 4 aRe, 5 aIm, 6 mu.
import { fftForward } from "./fft";

const LINE_STRIDE: usize = 64;

/**
 * buf = x w (n complex f32), FFT, then per bin p = |X|^2 added to sum and min-ed into mn (first:
 * both set to p). buf is scratch of n complex f32.
 */
export function notch_spectrum(x: usize, n: i32, window: usize, buf: usize, sum: usize, mn: usize, first: i32): void {
  for (let i = 0; i < n; i++) {
    const w = load<f32>(window + (<usize>i << 2));
    const p = x + (<usize>i << 3);
    const q = buf + (<usize>i << 3);
    store<f32>(q, load<f32>(p) * w);
    store<f32>(q, load<f32>(p, 4) * w, 4);
  }
  fftForward(buf, n);
  for (let k = 0; k < n; k++) {
    const q = buf + (<usize>k << 3);
    const re = load<f32>(q), im = load<f32>(q, 4);
    const v = re * re + im * im;
    const s = sum + (<usize>k << 2), m = mn + (<usize>k << 2);
    if (first) {
      store<f32>(s, v);
      store<f32>(m, v);
    } else {
      store<f32>(s, load<f32>(s) + v);
      store<f32>(m, min(load<f32>(m), v));
    }
  }
}

/** Cancels `lines` tracked tones from n complex f32 samples at x, in place. */
export function notch_cancel(x: usize, n: i32, state: usize, lines: i32): void {
  if (lines == 1) {
    cancelOne(x, n, state);
    return;
  }
  for (let i = 0; i < n; i++) {
    const p = x + (<usize>i << 3);
    let yr = <f64>load<f32>(p), yi = <f64>load<f32>(p, 4);
    for (let l = 0; l < lines; l++) {
      const s = state + <usize>l * LINE_STRIDE;
      const cr = load<f64>(s), ci = load<f64>(s, 8), ar = load<f64>(s, 32), ai = load<f64>(s, 40);
      yr -= ar * cr - ai * ci;
      yi -= ar * ci + ai * cr;
    }
    for (let l = 0; l < lines; l++) {
      const s = state + <usize>l * LINE_STRIDE;
      const cr = load<f64>(s), ci = load<f64>(s, 8), wr = load<f64>(s, 16), wi = load<f64>(s, 24);
      const mu = load<f64>(s, 48);
      store<f64>(s, load<f64>(s, 32) + mu * (yr * cr + yi * ci), 32);
      store<f64>(s, load<f64>(s, 40) + mu * (yi * cr - yr * ci), 40);
      store<f64>(s, cr * wr - ci * wi);
      store<f64>(s, cr * wi + ci * wr, 8);
    }
    store<f32>(p, <f32>yr);
    store<f32>(p, <f32>yi, 4);
  }
}

/** notch_cancel for one line, the state in locals (the same operations in the same order). */
function cancelOne(x: usize, n: i32, s: usize): void {
  let cr = load<f64>(s), ci = load<f64>(s, 8), ar = load<f64>(s, 32), ai = load<f64>(s, 40);
  const wr = load<f64>(s, 16), wi = load<f64>(s, 24), mu = load<f64>(s, 48);
  for (let i = 0; i < n; i++) {
    const p = x + (<usize>i << 3);
    let yr = <f64>load<f32>(p), yi = <f64>load<f32>(p, 4);
    yr -= ar * cr - ai * ci;
    yi -= ar * ci + ai * cr;
    ar = ar + mu * (yr * cr + yi * ci);
    ai = ai + mu * (yi * cr - yr * ci);
    const c2 = cr * wr - ci * wi;
    ci = cr * wi + ci * wr;
    cr = c2;
    store<f32>(p, <f32>yr);
    store<f32>(p, <f32>yi, 4);
  }
  store<f64>(s, cr);
  store<f64>(s, ci, 8);
  store<f64>(s, ar, 32);
  store<f64>(s, ai, 40);
}

@inline function swapF32(a: usize, i: i32, j: i32): void {
  const p = a + (<usize>i << 2), q = a + (<usize>j << 2);
  const t = load<f32>(p);
  store<f32>(p, load<f32>(q));
  store<f32>(q, t);
}

@inline function f32At(a: usize, i: i32): f32 {
  return load<f32>(a + (<usize>i << 2));
}

/** The median of n f32 at a (reordered): src/rx/notch.ts's median and select, step for step. */
function medianF32(a: usize, n: i32): f64 {
  if (n == 0) return 0;
  const k = n >> 1;
  let lo = 0, hi = n - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    if (f32At(a, mid) < f32At(a, lo)) swapF32(a, mid, lo);
    if (f32At(a, hi) < f32At(a, lo)) swapF32(a, hi, lo);
    if (f32At(a, hi) < f32At(a, mid)) swapF32(a, hi, mid);
    const pivot = f32At(a, mid);
    let i = lo, j = hi;
    while (i <= j) {
      while (f32At(a, i) < pivot) i++;
      while (f32At(a, j) > pivot) j--;
      if (i <= j) {
        swapF32(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  if (n & 1) return <f64>f32At(a, k);
  let low = f32At(a, 0);
  for (let i = 1; i < k; i++) if (f32At(a, i) > low) low = f32At(a, i);
  return 0.5 * (<f64>low + <f64>f32At(a, k));
}

/**
 * Whether a detection period with no line engaged found nothing (src/rx/notch.ts, decide): 1 when
 * the median over the central half of the band of the n bins' mean powers (sum / periodK) is not
 * positive, or when no bin passes the tests for a new line (minimum mn above faExp / periodK times
 * that median, within 7/16 of the band, a local maximum, narrow times above the bins 3 away); 0
 * when one does (decide then looks at the bins itself). scratch: n / 2 f32.
 */
export function notch_quiet(sum: usize, mn: usize, n: i32, periodK: i32, faExp: f64, narrow: f64, scratch: usize): i32 {
  let c = 0;
  const k = <f64>periodK;
  for (let b = 0; b < n / 4; b++) {
    store<f32>(scratch + (<usize>c << 2), <f32>(<f64>load<f32>(sum + (<usize>b << 2)) / k));
    c++;
  }
  for (let b = (3 * n) / 4 + 1; b < n; b++) {
    store<f32>(scratch + (<usize>c << 2), <f32>(<f64>load<f32>(sum + (<usize>b << 2)) / k));
    c++;
  }
  const med = medianF32(scratch, c);
  if (!(med > 0)) return 1;
  const floor = (faExp / k) * med;
  const edge = <f64>(n * 7) / 16;
  for (let b = 0; b < n; b++) {
    const p = <f64>f32At(mn, b);
    if (!(p > floor)) continue;
    const s = b >= n / 2 ? b - n : b;
    if (<f64>abs(s) >= edge) continue;
    if (p < <f64>f32At(mn, (b - 1 + n) % n) || p <= <f64>f32At(mn, (b + 1) % n)) continue;
    if (!(p > narrow * max<f64>(<f64>f32At(mn, (b - 3 + n) % n), <f64>f32At(mn, (b + 3) % n)))) continue;
    return 0;
  }
  return 1;
}
