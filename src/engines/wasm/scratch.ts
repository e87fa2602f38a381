// One small work area in Wasm memory for the stage wrappers (allocated once, 1 KiB), and the
// typed access to the codec's stage kernels.
import { phyWasm } from "../../wasm/phy.js";

export interface StageKernels {
  whitening_apply(p: number, n: number): void;
  crc_payload(p: number, n: number): number;
  header_checksum(a: number, b: number, c: number): number;
  hamming_encode(n: number, cr: number): number;
  hamming_decode(w: number, cr: number): number;
  interleaver_interleave(cws: number, ppm: number, len: number, words: number): void;
  interleaver_deinterleave(words: number, ppm: number, len: number, cws: number): void;
  gray_word_to_symbol(v: number, sf: number, reduced: number): number;
  gray_symbol_to_word(s: number, sf: number, reduced: number): number;
}
export const stages = phyWasm as unknown as StageKernels & typeof phyWasm;

let area = 0;
/** Pointer to a 1 KiB work area (made on first use). */
export function scratch(): number {
  if (!area) area = phyWasm.alloc(1024);
  return area;
}
