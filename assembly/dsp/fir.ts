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

/**
 * fir_decimate for a halfband filter decimating by 2 (taps reversed, m a multiple of 4): the taps
 * at odd positions are zeros of the sinc, except the centre one at m/2 - 1, so only the m/2 even
 * taps (`even`, plain f32) and the centre tap are applied. Two outputs per vector: outputs k and
 * k+1 read the same taps at inputs two apart, [x(s+q), x(s+q+2)], gathered by one shuffle from
 * the loads of x(s+q) and x(s+q+2), which the next tap reuses. A last output without its partner
 * is computed the same way (lanes 0-1 kept; the loads read up to 2 samples past `nIn`, so `x` needs
 * that much room), so that the result does not depend on how the stream was chunked. `h2` (the
 * doubled taps of fir_decimate) serves the outputs whose window starts before the history.
 */
export function fir_halfband(x: usize, nIn: i32, h2: usize, even: usize, centre: f32, m: i32, newest0: i32, out: usize, maxOut: i32): i32 {
  let k = 0;
  let newest = newest0;
  // the first outputs, whose window starts before the history (zeros)
  while (k < maxOut && newest < nIn && newest - m + 1 < 0) {
    k += fir_decimate(x, nIn, h2, m, 2, newest, out + (<usize>k << 3), 1);
    newest += 2;
  }
  while (k < maxOut && newest < nIn) {
    const v = halfbandPair(x + (<usize>(newest - m + 1) << 3), even, centre, m);
    const o = out + (<usize>k << 3);
    if (k + 2 <= maxOut && newest + 2 < nIn) {
      v128.store(o, v);
      k += 2;
      newest += 4;
    } else {
      store<i64>(o, i64x2.extract_lane(v, 0));
      k++;
      newest += 2;
    }
  }
  return k;
}

/** Outputs at window starts s and s+2 (lanes 0-1 and 2-3). */
// @ts-ignore: decorator
@inline function halfbandPair(s: usize, even: usize, centre: f32, m: i32): v128 {
  const half = m >> 1;
  const c = <usize>(half - 1) << 3;
  let acc0 = f32x4.mul(v128.shuffle<f32>(v128.load(s + c - 8), v128.load(s + c + 8), 2, 3, 6, 7), f32x4.splat(centre));
  let acc1 = f32x4.splat(0);
  let l = v128.load(s);
  let p = s;
  for (let j = 0; j < half; j += 2) {
    const l1 = v128.load(p, 16);
    const l2 = v128.load(p, 32);
    acc0 = f32x4.add(acc0, f32x4.mul(v128.shuffle<f32>(l, l1, 0, 1, 4, 5), v128.load32_splat(even + (<usize>j << 2))));
    acc1 = f32x4.add(acc1, f32x4.mul(v128.shuffle<f32>(l1, l2, 0, 1, 4, 5), v128.load32_splat(even + (<usize>(j + 1) << 2))));
    l = l2;
    p += 32;
  }
  return f32x4.add(acc0, acc1);
}
