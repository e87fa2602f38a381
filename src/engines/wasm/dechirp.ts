// Aligned-symbol demodulation of the Wasm engine (assembly/dsp/dechirp.ts): the samples are
// copied once into a reused work buffer; the kernel dechirps, FFTs and picks bins in place.
import { phyWasm } from "../../wasm/phy.js";
import { workArea } from "./scratch.js";

interface DechirpKernels {
  dechirp_symbols(iq: number, count: number, n: number, k: number, out: number): number;
}
const w = phyWasm as unknown as DechirpKernels & typeof phyWasm;

export function dechirpWasm(iq: Float32Array, count: number, n: number, k: number): { bins: Uint16Array; bad: number } {
  const used = 2 * count * n * k; // whole symbols only
  const iqPtr = workArea("dechirp.iq", 4 * used);
  const outPtr = workArea("dechirp.bins", 2 * count);
  new Float32Array(phyWasm.memory.buffer, iqPtr, used).set(iq.subarray(0, used));
  const bad = w.dechirp_symbols(iqPtr, count, n, k, outPtr);
  return { bins: new Uint16Array(phyWasm.memory.buffer, outPtr, count).slice(), bad };
}
