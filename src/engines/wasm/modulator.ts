// Modulator of the Wasm engine (assembly/dsp/modulator.ts). The frame's symbols go from the
// encoder to the modulator inside Wasm memory (no round trip through JS), the samples are
// written once into a reused work buffer and copied once into the caller's array.
import type { ResolvedParams } from "../../phy/params.js";
import { phyWasm } from "../../wasm/phy.js";
import { encodeFrameInto } from "./frame.js";
import { workArea } from "./scratch.js";

interface ModKernels {
  modulator_symbols(syms: number, count: number, n: number, k: number, out: number): void;
  modulator_frame(
    syms: number,
    count: number,
    preamble: number,
    sync0: number,
    sync1: number,
    extra: number,
    n: number,
    k: number,
    out: number,
  ): void;
  iq_conjugate(iq: number, samples: number): void;
}
const w = phyWasm as unknown as ModKernels & typeof phyWasm;

/** Chirps of the given symbol values (already checked), n * k samples each, into out. */
export function modulateSymbolsWasm(
  symbols: ArrayLike<number>,
  n: number,
  k: number,
  invertIq: boolean,
  out: Float32Array,
): void {
  const samples = symbols.length * n * k;
  const symPtr = workArea("modulator.symbols", 2 * symbols.length);
  const outPtr = workArea("modulator.iq", 8 * samples);
  new Uint16Array(phyWasm.memory.buffer, symPtr, symbols.length).set(symbols);
  w.modulator_symbols(symPtr, symbols.length, n, k, outPtr);
  if (invertIq) w.iq_conjugate(outPtr, samples);
  out.set(new Float32Array(phyWasm.memory.buffer, outPtr, 2 * samples));
}

/** The whole frame (see frameLayout), encoded and modulated in Wasm, into out (2 * totalSamples floats). */
export function modulateFrameWasm(
  payload: Uint8Array,
  r: ResolvedParams,
  k: number,
  sync: [number, number],
  out: Float32Array,
): void {
  const outPtr = workArea("modulator.iq", 4 * out.length);
  const { ptr, count } = encodeFrameInto(payload, r);
  w.modulator_frame(ptr, count, r.preambleLength, sync[0], sync[1], r.extraSymbols, r.n, k, outPtr);
  if (r.invertIq) w.iq_conjugate(outPtr, out.length / 2);
  out.set(new Float32Array(phyWasm.memory.buffer, outPtr, out.length));
}
