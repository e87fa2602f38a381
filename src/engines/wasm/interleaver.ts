// Diagonal interleaver of the Wasm engine (assembly/codec/interleaver.ts); same interface as the js one.
import { scratch, stages } from "./scratch.js";
import { phyWasm } from "../../wasm/phy.js";

export function interleave(codewords: ArrayLike<number>, ppm: number, cwLen: number): Uint16Array {
  const p = scratch();
  const v = new Uint16Array(phyWasm.memory.buffer, p, ppm);
  for (let i = 0; i < ppm; i++) v[i] = codewords[i]!;
  stages.interleaver_interleave(p, ppm, cwLen, p + 64);
  return new Uint16Array(phyWasm.memory.buffer, p + 64, cwLen).slice();
}

export function deinterleave(words: ArrayLike<number>, ppm: number, cwLen: number): Uint16Array {
  const p = scratch();
  const v = new Uint16Array(phyWasm.memory.buffer, p, cwLen);
  for (let i = 0; i < cwLen; i++) v[i] = words[i]!;
  stages.interleaver_deinterleave(p, ppm, cwLen, p + 64);
  return new Uint16Array(phyWasm.memory.buffer, p + 64, ppm).slice();
}
