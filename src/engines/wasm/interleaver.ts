// Diagonal interleaver of the Wasm engine (assembly/codec/interleaver.ts); same interface as the js one.
import { scratch, stages } from "./scratch.js";
import { phyWasm } from "../../wasm/phy.js";

export function interleave(codewords: ArrayLike<number>, ppm: number, cwLen: number): Uint16Array {
  const p = scratch();
  new Uint16Array(phyWasm.memory.buffer, p, ppm).set(Array.from({ length: ppm }, (_, i) => codewords[i]!));
  stages.interleaver_interleave(p, ppm, cwLen, p + 64);
  return new Uint16Array(phyWasm.memory.buffer, p + 64, cwLen).slice();
}

export function deinterleave(words: ArrayLike<number>, ppm: number, cwLen: number): Uint16Array {
  const p = scratch();
  new Uint16Array(phyWasm.memory.buffer, p, cwLen).set(Array.from({ length: cwLen }, (_, i) => words[i]!));
  stages.interleaver_deinterleave(p, ppm, cwLen, p + 64);
  return new Uint16Array(phyWasm.memory.buffer, p + 64, ppm).slice();
}
