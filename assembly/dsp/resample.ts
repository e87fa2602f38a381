// Arbitrary-ratio resampler: a polyphase bank of `phases`+1 sub-filters of m taps each, sampled
// from one windowed-sinc prototype at fractional delays p/phases; an output at fractional input
// time t = t0 + n*ratio uses the two neighbouring phases and interpolates linearly between their
// outputs (the "polyphase filter bank with interpolation" of fred harris, Multirate Signal
// Processing, ch. 7). Any ratio > 0 works; the taps decide the band (anti-alias or interpolation).
import { firDot } from "./fir";

/**
 * Produces up to maxOut outputs, n = nOut0, nOut0+1, ..., each at input time t = t0 + n*ratio
 * (absolute input sample units, integer part = newest sample used). `x` holds nIn complex samples
 * whose first has absolute index `base`. Table layout: phase p at h2 + p*m*8 bytes (reversed,
 * doubled taps). Stops at the first output whose newest sample is not in `x`. Returns the count.
 */
export function resample_block(
  x: usize, nIn: i32, base: f64, h2: usize, m: i32, phases: i32,
  ratio: f64, t0: f64, nOut0: f64, out: usize, maxOut: i32,
): i32 {
  const phaseBytes = <usize>m << 3;
  const fp = <f64>phases;
  let k = 0;
  while (k < maxOut) {
    const t = t0 + (nOut0 + <f64>k) * ratio;
    const ti = Math.floor(t);
    const newest = <i32>(ti - base);
    if (newest >= nIn) break;
    const pos = (t - ti) * fp;
    let p = <i32>pos;
    if (p >= phases) p = phases - 1;
    const a = <f32>(pos - <f64>p);
    const start = newest - m + 1;
    const o = out + (<usize>k << 3);
    if (start < 0) {
      store<f32>(o, 0);
      store<f32>(o, 0, 4);
    } else {
      const xs = x + (<usize>start << 3);
      const hp = h2 + <usize>p * phaseBytes;
      const v0 = firDot(xs, hp, m);
      const v1 = firDot(xs, hp + phaseBytes, m);
      const v = f32x4.add(v0, f32x4.mul(f32x4.sub(v1, v0), f32x4.splat(a)));
      store<f32>(o, f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 2));
      store<f32>(o, f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 3), 4);
    }
    k++;
  }
  return k;
}
