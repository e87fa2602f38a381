// js twin of assembly/dsp/iqcorrect.ts: the same running estimates and correction, on a typed
// array; state is the same 13 f64 values (see there).

const UPDATE = 1024;

export function iqCorrect(x: Float32Array, off: number, n: number, st: Float64Array): void {
  let dcRe = st[0]!,
    dcIm = st[1]!,
    sII = st[2]!,
    sQQ = st[3]!,
    sIQ = st[4]!,
    count = st[5]!,
    cQ = st[6]!,
    cI = st[7]!;
  const alpha = st[8]!,
    warm = st[9]!,
    settled = 1 / alpha;
  let kDc = st[12]!;
  for (let i = 0; i < n; i++) {
    const a = count < settled ? 1 / (count + 1) : alpha;
    const b = 1 - a;
    const xr = x[off + 2 * i]!,
      xi = x[off + 2 * i + 1]!;
    dcRe = b * dcRe + a * xr;
    dcIm = b * dcIm + a * xi;
    const ir = xr - dcRe,
      qr = xi - dcIm;
    sII = b * sII + a * (ir * ir);
    sQQ = b * sQQ + a * (qr * qr);
    sIQ = b * sIQ + a * (ir * qr);
    const yr = Math.fround(xr - kDc * dcRe),
      yi = xi - kDc * dcIm;
    x[off + 2 * i] = yr;
    x[off + 2 * i + 1] = yi * cQ + (xr - kDc * dcRe) * cI;
    count += 1;
    if (count >= warm && count % UPDATE === 0 && sII > 1e-30 && sQQ > 1e-30) {
      let g = Math.min(2, Math.max(0.5, Math.sqrt(sQQ / sII)));
      let s = Math.min(0.5, Math.max(-0.5, -sIQ / Math.sqrt(sII * sQQ)));
      st[10] = g;
      st[11] = Math.asin(s);
      const neff = count < settled ? count : 2 / alpha - 1;
      const v = 9 / neff;
      const dg = g - 1;
      g = 1 + dg * Math.max(0, 1 - v / Math.max(dg * dg, 1e-300));
      s = s * Math.max(0, 1 - v / Math.max(s * s, 1e-300));
      const c = Math.sqrt(1 - s * s);
      cQ = 1 / (g * c);
      cI = s / c;
      kDc = Math.max(0, 1 - (v * (sII + sQQ)) / Math.max(dcRe * dcRe + dcIm * dcIm, 1e-300));
    }
  }
  st[0] = dcRe;
  st[1] = dcIm;
  st[2] = sII;
  st[3] = sQQ;
  st[4] = sIQ;
  st[5] = count;
  st[6] = cQ;
  st[7] = cI;
  st[12] = kDc;
}
