// js twin of assembly/dsp/resample.ts: polyphase bank with linear interpolation between the two
// neighbouring phases; output n at input time t0 + n*ratio. Same contract as resample_block.

export function resampleBlock(
  x: Float32Array,
  xOff: number,
  nIn: number,
  base: number,
  table: Float32Array,
  m: number,
  phases: number,
  ratio: number,
  t0: number,
  nOut0: number,
  out: Float32Array,
  outOff: number,
  maxOut: number,
): number {
  let k = 0;
  for (; k < maxOut; k++) {
    const t = t0 + (nOut0 + k) * ratio;
    const ti = Math.floor(t);
    const newest = ti - base;
    if (newest >= nIn) break;
    const pos = (t - ti) * phases;
    const p = Math.min(Math.floor(pos), phases - 1);
    const a = pos - p;
    const start = newest - m + 1;
    let re = 0;
    let im = 0;
    if (start >= 0) {
      for (let q = 0; q < m; q++) {
        const c = (1 - a) * table[p * m + q]! + a * table[(p + 1) * m + q]!;
        re += x[xOff + 2 * (start + q)]! * c;
        im += x[xOff + 2 * (start + q) + 1]! * c;
      }
    }
    out[outOff + 2 * k] = re;
    out[outOff + 2 * k + 1] = im;
  }
  return k;
}
