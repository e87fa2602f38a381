// Numerically controlled oscillator: multiplies a stream by exp(j*2*pi*c*m), m the absolute sample
// index, c = cycles per sample. The phasor of sample m = b + k (b a multiple of NCO_BLOCK, aligned
// to the absolute index, not to the call) is seed(b) * table[k]: the seed from cos/sin in f64 once
// per block, the table (exp(j*2*pi*c*k), k < NCO_BLOCK, made once by the caller in f64 and rounded
// to f32) shared by every block. So the output does not depend on how the stream was cut into
// calls, no rounding builds up over a long recording (each phasor is two f32 roundings from the
// exact one), and the work is two complex f32 multiplies per sample, two samples per vector.
// The js twin (src/engines/js/nco.ts) does the same f32 operations in the same order.

const NCO_BLOCK: i64 = 1024;

/**
 * Mixes `n` interleaved complex f32 samples at `x` in place; `index0` is x[0]'s absolute index;
 * `table` holds NCO_BLOCK complex f32 exp(j*2*pi*c*k).
 */
export function nco_mix(x: usize, n: i32, table: usize, cyclesPerSample: f64, index0: f64): void {
  let m = <i64>index0;
  let i = 0;
  const sign = f32x4(-1, 1, -1, 1);
  while (i < n) {
    const k0 = <i32>(m % NCO_BLOCK);
    const cyc = <f64>(m - <i64>k0) * cyclesPerSample;
    const ph = 2.0 * Math.PI * (cyc - Math.floor(cyc));
    const sr = <f32>Math.cos(ph), si = <f32>Math.sin(ph);
    const count = min(n - i, <i32>NCO_BLOCK - k0);
    const vr = f32x4.splat(sr);
    const vi = f32x4.mul(f32x4.splat(si), sign);
    const p = x + (<usize>i << 3);
    const t = table + (<usize>k0 << 3);
    let q = 0;
    for (; q + 2 <= count; q += 2) {
      const o = <usize>q << 3;
      const tv = v128.load(t + o);
      // phasor = seed * table[k]: [sr tr - si ti, sr ti + si tr]
      const ph2 = f32x4.add(f32x4.mul(vr, tv), f32x4.mul(vi, v128.shuffle<f32>(tv, tv, 1, 0, 3, 2)));
      const xv = v128.load(p + o);
      // y = x * phasor: [xr pr - xi pi, xi pr + xr pi]
      const pr = v128.shuffle<f32>(ph2, ph2, 0, 0, 2, 2);
      const pi = f32x4.mul(v128.shuffle<f32>(ph2, ph2, 1, 1, 3, 3), sign);
      v128.store(p + o, f32x4.add(f32x4.mul(xv, pr), f32x4.mul(v128.shuffle<f32>(xv, xv, 1, 0, 3, 2), pi)));
    }
    if (q < count) {
      const o = <usize>q << 3;
      const tr = load<f32>(t + o), ti = load<f32>(t + o, 4);
      const pr = sr * tr - si * ti, pi = sr * ti + si * tr;
      const xr = load<f32>(p + o), xi = load<f32>(p + o, 4);
      store<f32>(p + o, xr * pr - xi * pi);
      store<f32>(p + o, xi * pr + xr * pi, 4);
    }
    i += count;
    m += <i64>count;
  }
}
