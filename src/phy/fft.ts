// createFft(n, engine): the Wasm FFT (default) or fft.js behind the same interface.
import { checkEngine, type Engine } from "./params.js";
import { createFft as createFftJs } from "../engines/js/fft.js";
import { createFft as createFftWasm } from "../engines/wasm/fft.js";
import type { Fft } from "../engines/fftTypes.js";
export type { Fft } from "../engines/fftTypes.js";

export function createFft(n: number, engine?: Engine): Fft {
  return checkEngine(engine) === "js" ? createFftJs(n) : createFftWasm(n);
}
