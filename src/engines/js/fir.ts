// js twin of assembly/dsp/fir.ts: decimating FIR on interleaved complex samples, taps reversed
// (not doubled), float64 accumulation. Same contract as fir_decimate.

export function firDecimate(
  x: Float32Array,
  xOff: number,
  nIn: number,
  taps: Float32Array,
  m: number,
  decim: number,
  newest0: number,
  out: Float32Array,
  outOff: number,
  maxOut: number,
): number {
  let k = 0;
  for (let newest = newest0; k < maxOut && newest < nIn; k++, newest += decim) {
    const start = newest - m + 1;
    let re = 0;
    let im = 0;
    if (start >= 0) {
      for (let q = 0; q < m; q++) {
        re += x[xOff + 2 * (start + q)]! * taps[q]!;
        im += x[xOff + 2 * (start + q) + 1]! * taps[q]!;
      }
    }
    out[outOff + 2 * k] = re;
    out[outOff + 2 * k + 1] = im;
  }
  return k;
}
