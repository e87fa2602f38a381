// js twin of assembly/dsp/notch.ts (the same line state; notchCancel does the same f64 operations
// in the same order, so its output is the Wasm kernel's bit for bit).
import type { Fft } from "../fftTypes.js";

/** f64 values per line in the state (see assembly/dsp/notch.ts). */
export const LINE_STRIDE = 8;
const f = Math.fround;

/** One Hann-windowed window's power spectrum folded into sum and mn (first: both set). */
export function notchSpectrum(
  x: Float32Array,
  off: number,
  n: number,
  window: Float32Array,
  buf: Float32Array,
  fft: Fft,
  sum: Float32Array,
  mn: Float32Array,
  first: boolean,
): void {
  for (let i = 0; i < n; i++) {
    const w = window[i]!;
    buf[2 * i] = f(x[off + 2 * i]! * w);
    buf[2 * i + 1] = f(x[off + 2 * i + 1]! * w);
  }
  fft.forward(buf);
  for (let k = 0; k < n; k++) {
    const re = buf[2 * k]!,
      im = buf[2 * k + 1]!;
    const v = f(f(re * re) + f(im * im));
    if (first) {
      sum[k] = v;
      mn[k] = v;
    } else {
      sum[k] = f(sum[k]! + v);
      if (v < mn[k]!) mn[k] = v;
    }
  }
}

/** Cancels `lines` tracked tones from n complex samples of x from complex index off, in place. */
export function notchCancel(x: Float32Array, off: number, n: number, st: Float64Array, lines: number): void {
  for (let i = 0; i < n; i++) {
    const p = 2 * (off + i);
    let yr = x[p]!,
      yi = x[p + 1]!;
    for (let l = 0; l < lines; l++) {
      const s = l * LINE_STRIDE;
      const cr = st[s]!,
        ci = st[s + 1]!,
        ar = st[s + 4]!,
        ai = st[s + 5]!;
      yr -= ar * cr - ai * ci;
      yi -= ar * ci + ai * cr;
    }
    for (let l = 0; l < lines; l++) {
      const s = l * LINE_STRIDE;
      const cr = st[s]!,
        ci = st[s + 1]!,
        wr = st[s + 2]!,
        wi = st[s + 3]!,
        mu = st[s + 6]!;
      st[s + 4] = st[s + 4]! + mu * (yr * cr + yi * ci);
      st[s + 5] = st[s + 5]! + mu * (yi * cr - yr * ci);
      st[s] = cr * wr - ci * wi;
      st[s + 1] = cr * wi + ci * wr;
    }
    x[p] = yr;
    x[p + 1] = yi;
  }
}
