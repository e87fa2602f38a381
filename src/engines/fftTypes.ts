// The FFT interface both engines implement (interleaved complex float32, in place).
import { badParameter } from "../errors.js";

export interface Fft {
  /** Size in complex points (a power of two, 2..65536). */
  readonly n: number;
  /** In-place forward FFT, X[k] = sum x[t] e^{-2 pi i k t / n}; data holds 2n floats (re, im). */
  forward(data: Float32Array): void;
  /** In-place inverse FFT, scaled by 1/n. */
  inverse(data: Float32Array): void;
}

export function checkFftSize(n: number): number {
  if (!Number.isInteger(n) || n < 2 || n > 65536 || (n & (n - 1)) !== 0)
    badParameter("n", n, "a power of two from 2 to 65536");
  return n;
}

export function checkFftData(data: Float32Array, n: number): void {
  if (!(data instanceof Float32Array) || data.length !== 2 * n)
    badParameter("data", data?.length, `a Float32Array of ${2 * n} values (n interleaved complex)`);
}
