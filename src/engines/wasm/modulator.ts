// Modulator of the Wasm engine (assembly/dsp/modulator.ts): symbols and output live in one Wasm
// buffer per call; the result is copied out once.
import { phyWasm } from "../../wasm/phy.js";

interface ModKernels {
  modulator_symbols(syms: number, count: number, n: number, k: number, out: number): void;
  modulator_downchirps(n: number, k: number, samples: number, out: number): void;
}
const w = phyWasm as unknown as ModKernels & typeof phyWasm;

/** A frame plan: symbol runs and downchirp runs in order (sample counts per run). */
export type Segment = { kind: "symbols"; symbols: ArrayLike<number> } | { kind: "down"; samples: number };

export function modulateWasm(segments: Segment[], n: number, k: number, totalSamples: number): Float32Array {
  let maxSyms = 0;
  for (const s of segments) if (s.kind === "symbols") maxSyms = Math.max(maxSyms, s.symbols.length);
  const symPtr = phyWasm.alloc(2 * maxSyms + 16);
  const outPtr = phyWasm.alloc(8 * totalSamples + 16);
  try {
    let at = 0;
    for (const s of segments) {
      if (s.kind === "symbols") {
        new Uint16Array(phyWasm.memory.buffer, symPtr, s.symbols.length).set(s.symbols);
        w.modulator_symbols(symPtr, s.symbols.length, n, k, outPtr + 8 * at);
        at += s.symbols.length * n * k;
      } else {
        w.modulator_downchirps(n, k, s.samples, outPtr + 8 * at);
        at += s.samples;
      }
    }
    return new Float32Array(phyWasm.memory.buffer, outPtr, 2 * totalSamples).slice();
  } finally {
    phyWasm.free(outPtr);
    phyWasm.free(symPtr);
  }
}
