// FFT of the js engine: fft.js (radix-4, MIT), loaded with top-level await so that the published
// package, which has no runtime dependencies, still loads when fft.js is absent; only the js
// engine's FFT then fails, with ENGINE_UNAVAILABLE.
import { ChirpError } from "../../errors.js";
import { checkFftSize, type Fft } from "../fftTypes.js";

interface FftJs {
  transform(out: ArrayLike<number> & { [i: number]: number }, data: ArrayLike<number>): void;
  inverseTransform(out: ArrayLike<number> & { [i: number]: number }, data: ArrayLike<number>): void;
}
type FftJsCtor = new (n: number) => FftJs;

let FFTJS: FftJsCtor | null = null;
let loadError: unknown = null;
try {
  const mod = (await import("fft.js")) as unknown as { default: FftJsCtor };
  FFTJS = mod.default;
} catch (e) {
  loadError = e;
}

export function createFft(n: number): Fft {
  checkFftSize(n);
  if (!FFTJS) {
    throw new ChirpError(
      "ENGINE_UNAVAILABLE",
      "the js engine's FFT needs the optional dependency fft.js (npm install fft.js)",
      { parameter: "engine", allowed: "'wasm'", cause: loadError },
    );
  }
  if (n < 4) return createTinyFft(n);
  const f = new FFTJS(n);
  const out = new Float64Array(2 * n);
  return {
    n,
    forward(data: Float32Array): void {
      f.transform(out, data);
      data.set(out);
    },
    inverse(data: Float32Array): void {
      f.inverseTransform(out, data);
      data.set(out);
    },
  };
}

// fft.js needs n >= 4; n = 2 is one butterfly.
function createTinyFft(n: number): Fft {
  const bfly = (d: Float32Array, scale: number): void => {
    const ar = d[0]!,
      ai = d[1]!,
      br = d[2]!,
      bi = d[3]!;
    d[0] = (ar + br) * scale;
    d[1] = (ai + bi) * scale;
    d[2] = (ar - br) * scale;
    d[3] = (ai - bi) * scale;
  };
  return { n, forward: (d) => bfly(d, 1), inverse: (d) => bfly(d, 0.5) };
}
