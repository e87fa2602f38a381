// FFT of the Wasm engine (assembly/dsp/fft.ts): the data is copied into a buffer allocated once in
// Wasm memory. Kernels inside Wasm call fftForward directly and skip the copies.
import { phyWasm } from "../../wasm/phy.js";
import { checkFftData, checkFftSize, type Fft } from "../fftTypes.js";

interface FftKernels {
  fft_forward(ptr: number, n: number): void;
  fft_inverse(ptr: number, n: number): void;
}
const k = phyWasm as unknown as FftKernels & typeof phyWasm;

export interface WasmFft extends Fft {
  /** The work buffer in Wasm memory (2n f32), for callers that fill it in place. */
  readonly ptr: number;
  /** Frees the work buffer; the object must not be used afterwards. */
  dispose(): void;
}

export function createFft(n: number): WasmFft {
  checkFftSize(n);
  const ptr = phyWasm.alloc(8 * n);
  k.fft_forward(ptr, n); // makes the size's tables now, so later calls never grow memory
  const run = (data: Float32Array, f: (p: number, n: number) => void): void => {
    checkFftData(data, n);
    new Float32Array(phyWasm.memory.buffer, ptr, 2 * n).set(data);
    f(ptr, n);
    data.set(new Float32Array(phyWasm.memory.buffer, ptr, 2 * n));
  };
  return {
    n,
    ptr,
    forward: (data) => run(data, k.fft_forward),
    inverse: (data) => run(data, k.fft_inverse),
    dispose: () => phyWasm.free(ptr),
  };
}
