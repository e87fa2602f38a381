// Work areas in Wasm memory: one small block for the stage wrappers (allocated once, 1 KiB) and
// named grow-only buffers for the sample wrappers; and the typed access to the codec's stage kernels.
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

const areas = new Map<string, { ptr: number; bytes: number }>();
/**
 * Pointer to the work buffer `name`, at least `bytes` long (16-byte aligned). It is reused from
 * call to call and only re-made when a larger one is needed: Wasm memory never shrinks, so keeping
 * it costs nothing that freeing would give back. Views on it are valid until the next alloc.
 */
export function workArea(name: string, bytes: number): number {
  const a = areas.get(name);
  if (a && a.bytes >= bytes) return a.ptr;
  if (a) phyWasm.free(a.ptr);
  const size = Math.ceil(Math.max(bytes, 256) / 65536) * 65536;
  const ptr = phyWasm.alloc(size);
  areas.set(name, { ptr, bytes: size });
  return ptr;
}
