// Aligned-symbol demodulation of the Wasm engine (assembly/dsp/dechirp.ts).
import { phyWasm } from "../../wasm/phy.js";

interface DechirpKernels {
  dechirp_symbols(iq: number, count: number, n: number, k: number, out: number): number;
}
const w = phyWasm as unknown as DechirpKernels & typeof phyWasm;

export function dechirpWasm(iq: Float32Array, count: number, n: number, k: number): { bins: Uint16Array; bad: number } {
  const iqPtr = phyWasm.alloc(4 * iq.length + 16);
  const outPtr = phyWasm.alloc(2 * count + 16);
  try {
    new Float32Array(phyWasm.memory.buffer, iqPtr, iq.length).set(iq);
    const bad = w.dechirp_symbols(iqPtr, count, n, k, outPtr);
    return { bins: new Uint16Array(phyWasm.memory.buffer, outPtr, count).slice(), bad };
  } finally {
    phyWasm.free(outPtr);
    phyWasm.free(iqPtr);
  }
}
