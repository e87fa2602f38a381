// Low-pass FIR with decimation by an integer factor (polyphase: only the kept outputs are
// computed). Taps are designed in TypeScript (src/dsp/fir.ts) and stored reversed and doubled
// ([h0, h0, h1, h1, ...]) so that one f32x4 multiply-add covers two complex samples.

/**
 * Complex-by-real dot product of `m` complex samples at `x` (interleaved f32) with doubled taps at
 * `h2`; m must be even. Returns lanes [re, im, re, im] partial sums: add lanes 0+2 and 1+3.
 */
// @ts-ignore: decorator
@inline export function firDot(x: usize, h2: usize, m: i32): v128 {
  let acc0 = f32x4.splat(0);
  let acc1 = f32x4.splat(0);
  const bytes = <usize>m << 3;
  let o: usize = 0;
  // Two independent accumulators hide the add latency.
  for (; o + 32 <= bytes; o += 32) {
    acc0 = f32x4.add(acc0, f32x4.mul(v128.load(x + o), v128.load(h2 + o)));
    acc1 = f32x4.add(acc1, f32x4.mul(v128.load(x + o, 16), v128.load(h2 + o, 16)));
  }
  for (; o < bytes; o += 16) {
    acc0 = f32x4.add(acc0, f32x4.mul(v128.load(x + o), v128.load(h2 + o)));
  }
  return f32x4.add(acc0, acc1);
}

/**
 * Filters and decimates. `x` holds `nIn` complex samples (the first m-1 being history); output k
 * is the dot product of the m samples ending at local index newest0 + k*decim. Stops when the next
 * output would need a sample not yet in `x`, or after maxOut outputs. Returns the count written.
 */
export function fir_decimate(x: usize, nIn: i32, h2: usize, m: i32, decim: i32, newest0: i32, out: usize, maxOut: i32): i32 {
  let k = 0;
  let newest = newest0;
  while (k < maxOut && newest < nIn) {
    const start = newest - m + 1;
    const o = out + (<usize>k << 3);
    if (start < 0) {
      // Only before the very first input (no history yet): treat missing samples as zeros.
      store<f32>(o, 0);
      store<f32>(o, 0, 4);
    } else {
      const v = firDot(x + (<usize>start << 3), h2, m);
      store<f32>(o, f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 2));
      store<f32>(o, f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 3), 4);
    }
    k++;
    newest += decim;
  }
  return k;
}
