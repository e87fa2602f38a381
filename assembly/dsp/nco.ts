// Numerically controlled oscillator: multiplies a stream by exp(j*2*pi*c*m), m the absolute sample
// index, c = cycles per sample. The rotator is re-seeded with cos/sin every NCO_BLOCK absolute
// samples (aligned to the absolute index, not to the call), so the output does not depend on how
// the stream was cut into calls, and rounding drift cannot build up over a long recording.

const NCO_BLOCK: i64 = 1024;

/** Mixes `n` interleaved complex f32 samples at `x` in place; `index0` is x[0]'s absolute index. */
export function nco_mix(x: usize, n: i32, cyclesPerSample: f64, index0: f64): void {
  if (n <= 0) return;
  const stepRe = Math.cos(2.0 * Math.PI * cyclesPerSample);
  const stepIm = Math.sin(2.0 * Math.PI * cyclesPerSample);
  let m = <i64>index0;
  let re: f64 = 0;
  let im: f64 = 0;
  // Seed at the aligned block start, then advance to m exactly as a whole-block pass would.
  const b0 = m - (m % NCO_BLOCK);
  {
    const cyc = <f64>b0 * cyclesPerSample;
    const ph = 2.0 * Math.PI * (cyc - Math.floor(cyc));
    re = Math.cos(ph);
    im = Math.sin(ph);
    for (let k = b0; k < m; k++) {
      const t = re * stepRe - im * stepIm;
      im = re * stepIm + im * stepRe;
      re = t;
    }
  }
  let i = 0;
  while (i < n) {
    if (m % NCO_BLOCK == 0) {
      const cyc = <f64>m * cyclesPerSample;
      const ph = 2.0 * Math.PI * (cyc - Math.floor(cyc));
      re = Math.cos(ph);
      im = Math.sin(ph);
    }
    // Up to the next aligned re-seed, without a per-sample modulo.
    const end = min<i64>(<i64>n, <i64>i + (NCO_BLOCK - (m % NCO_BLOCK)));
    const count = <i32>end - i;
    for (let q = 0; q < count; q++) {
      const p = x + (<usize>(i + q) << 3);
      const xr = <f64>load<f32>(p);
      const xi = <f64>load<f32>(p, 4);
      store<f32>(p, <f32>(xr * re - xi * im));
      store<f32>(p, <f32>(xr * im + xi * re), 4);
      const t = re * stepRe - im * stepIm;
      im = re * stepIm + im * stepRe;
      re = t;
    }
    i += count;
    m += <i64>count;
  }
}
