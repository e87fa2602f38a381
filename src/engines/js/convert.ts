// js twin of assembly/dsp/convert.ts: raw sample formats -> interleaved float32 (same scales).

/** cs16 -> f32 (value / 32767, as src/io). `src` holds 2*n int16 values from srcOff; writes dst from dstOff. */
export function convertCs16(
  src: Int16Array,
  srcOff: number,
  dst: Float32Array,
  dstOff: number,
  nComplex: number,
): void {
  for (let i = 0; i < 2 * nComplex; i++) dst[dstOff + i] = src[srcOff + i]! / 32767;
}

/** cu8 -> f32 ((value - 127.5) / 127.5), the RTL-SDR convention. */
export function convertCu8(src: Uint8Array, srcOff: number, dst: Float32Array, dstOff: number, nComplex: number): void {
  for (let i = 0; i < 2 * nComplex; i++) dst[dstOff + i] = (src[srcOff + i]! - 127.5) / 127.5;
}

/** cs8 -> f32 (value / 127). */
export function convertCs8(src: Int8Array, srcOff: number, dst: Float32Array, dstOff: number, nComplex: number): void {
  for (let i = 0; i < 2 * nComplex; i++) dst[dstOff + i] = src[srcOff + i]! / 127;
}

/** Index (in floats, from off) of the first NaN/Inf among n floats, or -1. */
export function checkFinite(x: Float32Array, off: number, nFloats: number): number {
  for (let i = 0; i < nFloats; i++) if (!Number.isFinite(x[off + i]!)) return i;
  return -1;
}
