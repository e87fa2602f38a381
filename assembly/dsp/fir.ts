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
 * fir_decimate for a linear-phase halfband filter decimating by 2 (taps reversed, m a multiple of
 * 4): the taps at odd positions are zeros of the sinc, except the centre one at m/2 - 1, and the
 * even taps are symmetric (h[2j] = h[m - 2 - 2j]), so only the first m/4 even taps (`even`, plain
 * f32) and the centre tap are stored. The window's samples are first split by parity into
 * `scratch`: a[i] = x(s + 2i) (the even taps' samples) and b[i] = x(s + 2i + 1), s the first
 * window's start. Output k is then centre b[k + m/4 - 1] + sum_j even[j] (a[k + j] + a[k + m/2 - 1 - j]):
 * outputs k and k+1 read one vector load per term, no shuffles, half the multiplies. A last output
 * without its partner is computed the same way (lanes 0-1 kept), so that the result does not depend
 * on how the stream was chunked. `h2` (the doubled taps of fir_decimate) serves the outputs whose
 * window starts before the history. `scratch` needs room for nIn + m + 2 samples; the split reads
 * up to 2 samples past `nIn`, so `x` needs that much room too.
 */
export function fir_halfband(x: usize, nIn: i32, h2: usize, even: usize, centre: f32, m: i32, newest0: i32, out: usize, maxOut: i32, scratch: usize): i32 {
  let k = 0;
  let newest = newest0;
  // the first outputs, whose window starts before the history (zeros)
  while (k < maxOut && newest < nIn && newest - m + 1 < 0) {
    k += fir_decimate(x, nIn, h2, m, 2, newest, out + (<usize>k << 3), 1);
    newest += 2;
  }
  if (k >= maxOut || newest >= nIn) return k;
  const count = min(maxOut - k, ((nIn - 1 - newest) >> 1) + 1);
  const half = m >> 1, quarter = m >> 2;
  // split: a[i] and b[i] from the pair of samples at s + 2i, for i < count + half (a pair's
  // partner output included)
  const len = count + half;
  const a = scratch, b = scratch + (<usize>len << 3);
  const src = x + (<usize>(newest - m + 1) << 3);
  // two pairs per step: one shuffle and one full store per array (an odd last pair by lanes)
  let t = 0;
  for (; t + 2 <= len; t += 2) {
    const u = v128.load(src + (<usize>t << 4)), v = v128.load(src + (<usize>t << 4), 16);
    v128.store(a + (<usize>t << 3), v128.shuffle<i64>(u, v, 0, 2));
    v128.store(b + (<usize>t << 3), v128.shuffle<i64>(u, v, 1, 3));
  }
  if (t < len) {
    const v = v128.load(src + (<usize>t << 4));
    v128.store64_lane(a + (<usize>t << 3), v, 0);
    v128.store64_lane(b + (<usize>t << 3), v, 1);
  }
  const c = f32x4.splat(centre);
  const o = out + (<usize>k << 3);
  const tEnd = even + (<usize>(quarter & ~1) << 2);
  let i = 0;
  // four outputs per pass (two vectors) share each tap's splat
  for (; i + 4 <= count; i += 4) {
    const p = a + (<usize>i << 3);
    const mirror = p + (<usize>(half - 1) << 3);
    const bc = b + (<usize>(i + quarter - 1) << 3);
    let acc0 = f32x4.mul(v128.load(bc), c), acc1 = f32x4.mul(v128.load(bc, 16), c);
    let acc2 = f32x4.splat(0), acc3 = f32x4.splat(0);
    // the pointers move by two taps per step, the loads take constant offsets from them
    let pp = p, mm = mirror - 8, tp = even;
    // the second vector's samples at taps j, j + 1 are the first's at j + 2, j + 3 (and the
    // mirrored ones the other way round): each step loads four vectors and carries four
    let f0 = v128.load(pp), f1 = v128.load(pp, 8); // first vector, forward, taps j and j + 1
    let r2 = v128.load(mm, 24), r3 = v128.load(mm, 16); // second vector, mirrored, taps j and j + 1
    for (; tp < tEnd; tp += 8) {
      const e0 = v128.load32_splat(tp), e1 = v128.load32_splat(tp, 4);
      const g0 = v128.load(pp, 16), g1 = v128.load(pp, 24); // second vector, forward
      const m0 = v128.load(mm, 8), m1 = v128.load(mm); // first vector, mirrored
      acc0 = f32x4.add(acc0, f32x4.mul(f32x4.add(f0, m0), e0));
      acc1 = f32x4.add(acc1, f32x4.mul(f32x4.add(g0, r2), e0));
      acc2 = f32x4.add(acc2, f32x4.mul(f32x4.add(f1, m1), e1));
      acc3 = f32x4.add(acc3, f32x4.mul(f32x4.add(g1, r3), e1));
      f0 = g0;
      f1 = g1;
      r2 = m0;
      r3 = m1;
      pp += 16;
      mm -= 16;
    }
    if (quarter & 1) {
      const e0 = v128.load32_splat(tp);
      acc0 = f32x4.add(acc0, f32x4.mul(f32x4.add(v128.load(pp), v128.load(mm, 8)), e0));
      acc1 = f32x4.add(acc1, f32x4.mul(f32x4.add(v128.load(pp, 16), v128.load(mm, 24)), e0));
    }
    const d = o + (<usize>i << 3);
    v128.store(d, f32x4.add(acc0, acc2));
    v128.store(d, f32x4.add(acc1, acc3), 16);
  }
  // the last outputs, two per vector, in the same order of operations per output
  for (; i < count; i += 2) {
    const p = a + (<usize>i << 3);
    const mirror = p + (<usize>(half - 1) << 3);
    let acc0 = f32x4.mul(v128.load(b + (<usize>(i + quarter - 1) << 3)), c);
    let acc2 = f32x4.splat(0);
    let j = 0;
    for (; j + 2 <= quarter; j += 2) {
      const q = <usize>j << 3;
      acc0 = f32x4.add(acc0, f32x4.mul(f32x4.add(v128.load(p + q), v128.load(mirror - q)), v128.load32_splat(even + (<usize>j << 2))));
      acc2 = f32x4.add(acc2, f32x4.mul(f32x4.add(v128.load(p + q, 8), v128.load(mirror - q - 8)), v128.load32_splat(even + (<usize>j << 2), 4)));
    }
    if (j < quarter) {
      const q = <usize>j << 3;
      acc0 = f32x4.add(acc0, f32x4.mul(f32x4.add(v128.load(p + q), v128.load(mirror - q)), v128.load32_splat(even + (<usize>j << 2))));
    }
    const v = f32x4.add(acc0, acc2);
    const d = o + (<usize>i << 3);
    if (i + 2 <= count) v128.store(d, v);
    else store<i64>(d, i64x2.extract_lane(v, 0));
  }
  return k + count;
}
