// Gray mapping of the Wasm engine (assembly/codec/gray.ts); same interface as the js one.
import { stages } from "./scratch.js";

export function wordToSymbol(v: number, sf: number, reducedRate: boolean): number {
  return stages.gray_word_to_symbol(v, sf, reducedRate ? 1 : 0);
}

export function symbolToWord(s: number, sf: number, reducedRate: boolean): number {
  return stages.gray_symbol_to_word(s, sf, reducedRate ? 1 : 0);
}
