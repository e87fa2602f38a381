// Modulator of the js engine: writes chirps with writeChirp (see chirp.ts).
import { writeChirp } from "./chirp.js";

export function modulateSymbolsJs(
  symbols: ArrayLike<number>,
  n: number,
  k: number,
  out: Float32Array,
  offset = 0,
): void {
  for (let j = 0; j < symbols.length; j++) writeChirp(out, offset + j * n * k, symbols[j]!, n, k, false);
}

export function downchirpsJs(n: number, k: number, samples: number, out: Float32Array, offset: number): void {
  for (let m = 0; m < samples; m += n * k) writeChirp(out, offset + m, 0, n, k, true, Math.min(n * k, samples - m));
}

/** Inverted IQ: the complex conjugate, in place (interleaved I/Q). */
export function conjugateJs(iq: Float32Array): void {
  for (let i = 1; i < iq.length; i += 2) iq[i] = -iq[i]!;
}
