// Hamming stage of the Wasm engine (assembly/codec/hamming.ts); same interface as the js one.
import { stages } from "./scratch.js";

export function hammingEncode(nibble: number, cr: number): number {
  return stages.hamming_encode(nibble, cr);
}

export function hammingDecode(word: number, cr: number): { nibble: number; status: number } {
  const v = stages.hamming_decode(word, cr);
  return { nibble: v & 15, status: v >> 4 };
}
