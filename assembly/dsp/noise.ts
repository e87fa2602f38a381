// White complex Gaussian noise for the channel simulator (src/sim/rng.ts holds the same
// generator in TypeScript): xoshiro128** (Blackman & Vigna 2018) and Marsaglia's polar method.
// The generator state (4 x u32) lives at `state` and is updated, so TypeScript can continue the
// same stream; both implementations draw identical integers and accept/reject the same pairs.

// @ts-ignore: decorator
@inline function rotl(x: u32, k: u32): u32 {
  return (x << k) | (x >>> (32 - k));
}

/** x[i] += sigma * (u, v) * sqrt(-2 ln s / s) for n complex samples at x (interleaved f32). */
export function noise_add(x: usize, n: i32, sigma: f64, state: usize): void {
  let s0 = load<u32>(state);
  let s1 = load<u32>(state, 4);
  let s2 = load<u32>(state, 8);
  let s3 = load<u32>(state, 12);
  const inv: f64 = 1.0 / 2147483648.0;
  for (let i = 0; i < n; i++) {
    let u: f64 = 0;
    let v: f64 = 0;
    let s: f64 = 0;
    do {
      let r = rotl(s1 * 5, 7) * 9;
      let t = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
      u = <f64><i32>r * inv;
      r = rotl(s1 * 5, 7) * 9;
      t = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
      v = <f64><i32>r * inv;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const f = sigma * Math.sqrt((-2.0 * Math.log(s)) / s);
    const p = x + (<usize>i << 3);
    store<f32>(p, <f32>(<f64>load<f32>(p) + u * f));
    store<f32>(p, <f32>(<f64>load<f32>(p, 4) + v * f), 4);
  }
  store<u32>(state, s0);
  store<u32>(state, s1, 4);
  store<u32>(state, s2, 8);
  store<u32>(state, s3, 12);
}
