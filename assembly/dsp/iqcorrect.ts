// DC removal and blind IQ imbalance correction of a direct-conversion receiver's samples, in place.
// The model and the estimator are described in src/dsp/iqcorrect.ts; src/engines/js/iqcorrect.ts is
// the js twin (the same arithmetic in f64, so the two agree to f32 rounding).
//
// state (f64): 0 dcRe, 1 dcIm, 2 E[I^2], 3 E[Q^2], 4 E[IQ], 5 samples seen, 6 cQ, 7 cI,
//              8 alpha (forgetting factor), 9 warm-up samples, 10 gain estimate, 11 phase estimate (rad),
//              12 share of the DC estimate subtracted

/** Coefficients are re-estimated every UPDATE absolute samples (not per call: the output must not depend on the chunking). */
const UPDATE: f64 = 1024;

export function iq_correct(x: usize, n: i32, state: usize): void {
  let dcRe = load<f64>(state), dcIm = load<f64>(state, 8);
  let sII = load<f64>(state, 16), sQQ = load<f64>(state, 24), sIQ = load<f64>(state, 32);
  let count = load<f64>(state, 40);
  let cQ = load<f64>(state, 48), cI = load<f64>(state, 56);
  const alpha = load<f64>(state, 64), warm = load<f64>(state, 72);
  let kDc = load<f64>(state, 96);
  const settled = 1.0 / alpha;
  let i = 0;
  while (i < n) {
    // The samples up to the next multiple of UPDATE, then the coefficient update: one f64
    // remainder per run instead of one per sample (it is a library call in Wasm).
    const end = min(n, i + <i32>(UPDATE - count % UPDATE));
    for (; i < end; i++) {
      const p = x + (<usize>i << 3);
      // running mean: cumulative until 1/alpha samples, exponential after
      // (m += a (x - m) written m = b m + a x, b = 1 - a: one multiply and one add on the
      // sample-to-sample dependency instead of three operations)
      const a = count < settled ? 1.0 / (count + 1.0) : alpha;
      const b = 1.0 - a;
      const xr = <f64>load<f32>(p), xi = <f64>load<f32>(p, 4);
      dcRe = b * dcRe + a * xr;
      dcIm = b * dcIm + a * xi;
      const ir = xr - dcRe, qr = xi - dcIm;
      sII = b * sII + a * (ir * ir);
      sQQ = b * sQQ + a * (qr * qr);
      sIQ = b * sIQ + a * (ir * qr);
      const yr = xr - kDc * dcRe, yi = xi - kDc * dcIm;
      store<f32>(p, <f32>yr);
      store<f32>(p, <f32>(yi * cQ + yr * cI), 4);
      count += 1.0;
    }
    if (count >= warm && count % UPDATE == 0.0 && sII > 1e-30 && sQQ > 1e-30) {
      // E[I'^2] = P, E[Q'^2] = g^2 P, E[I'Q'] = -g sin(phi) P for a proper (circular) signal
      let g = Math.sqrt(sQQ / sII);
      let s = -sIQ / Math.sqrt(sII * sQQ);
      g = Math.min(2.0, Math.max(0.5, g));
      s = Math.min(0.5, Math.max(-0.5, s));
      store<f64>(state, g, 80);
      store<f64>(state, Math.asin(s), 88);
      // shrink each estimate by its significance (1 - (3 sigma)^2 / estimate^2, at least 0): what
      // the running means cannot tell from zero is not applied, so a clean signal passes unchanged
      const neff = count < settled ? count : 2.0 / alpha - 1.0;
      const v = 9.0 / neff;
      const dg = g - 1.0;
      g = 1.0 + dg * Math.max(0.0, 1.0 - v / Math.max(dg * dg, 1e-300));
      s = s * Math.max(0.0, 1.0 - v / Math.max(s * s, 1e-300));
      const c = Math.sqrt(1.0 - s * s);
      cQ = 1.0 / (g * c);
      cI = s / c;
      const d2 = dcRe * dcRe + dcIm * dcIm;
      kDc = Math.max(0.0, 1.0 - (v * (sII + sQQ)) / Math.max(d2, 1e-300));
    }
  }
  store<f64>(state, dcRe); store<f64>(state, dcIm, 8);
  store<f64>(state, sII, 16); store<f64>(state, sQQ, 24); store<f64>(state, sIQ, 32);
  store<f64>(state, count, 40); store<f64>(state, cQ, 48); store<f64>(state, cI, 56);
  store<f64>(state, kDc, 96);
}
