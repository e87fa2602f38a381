// Aligned-symbol demodulation of the js engine: every k-th sample times the base downchirp,
// fft.js, strongest bin.
import { createFft } from "./fft.js";
import { writeChirp } from "./chirp.js";

/** Bins of count aligned symbols, and the first symbol whose spectrum is not finite (-1: none). */
export function dechirpJs(iq: Float32Array, count: number, n: number, k: number): { bins: Uint16Array; bad: number } {
  const fft = createFft(n);
  const down = new Float32Array(2 * n);
  writeChirp(down, 0, 0, n, 1, true);
  const buf = new Float32Array(2 * n);
  const out = new Uint16Array(count);
  let bad = -1;
  for (let j = 0; j < count; j++) {
    for (let c = 0; c < n; c++) {
      const i = 2 * (j * n * k + c * k);
      const xr = iq[i]!,
        xi = iq[i + 1]!,
        dr = down[2 * c]!,
        di = down[2 * c + 1]!;
      buf[2 * c] = xr * dr - xi * di;
      buf[2 * c + 1] = xr * di + xi * dr;
    }
    fft.forward(buf);
    let best = 0,
      bestP = -1;
    for (let c = 0; c < n; c++) {
      const p = buf[2 * c]! ** 2 + buf[2 * c + 1]! ** 2;
      if (!(p <= 3.4028234663852886e38) && bad < 0) bad = j; // NaN or Inf (as the f32 Wasm kernel sees it)
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    out[j] = best;
  }
  return { bins: out, bad };
}
