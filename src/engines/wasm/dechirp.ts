// Aligned-symbol demodulation of the Wasm engine (assembly/dsp/dechirp.ts).
import { phyWasm } from "../../wasm/phy.js";

interface DechirpKernels {
  dechirp_symbols(iq: number, count: number, n: number, k: number, out: number): void;
}
const w = phyWasm as unknown as DechirpKernels & typeof phyWasm;

export function dechirpWasm(iq: Float32Array, count: number, n: number, k: number): Uint16Array {
  const iqPtr = phyWasm.alloc(4 * iq.length + 16);
  const outPtr = phyWasm.alloc(2 * count + 16);
  try {
    new Float32Array(phyWasm.memory.buffer, iqPtr, iq.length).set(iq);
    w.dechirp_symbols(iqPtr, count, n, k, outPtr);
    return new Uint16Array(phyWasm.memory.buffer, outPtr, count).slice();
  } finally {
    phyWasm.free(outPtr);
    phyWasm.free(iqPtr);
  }
}
