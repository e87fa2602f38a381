// js twin of assembly/dsp/iqcorrect.ts: the same blocks, the same f32 partial sums in the same
// groups and order, the same f64 sums and the same f32 correction, on a typed array (bit for bit
// the Wasm output); the state is the same f64 values (see there), the partial sums here as f64
// values at PART (the Wasm keeps them as f32 from byte 256).

/** Samples per statistics block; the coefficients change only between blocks. */
export const IQ_BLOCK = 1024;
/** Samples per f32 run of the statistics. */
const RUN = 256;
/** Index of the partial sums: set A (groups 0, 1) then B (2, 3), each [d] x4, [d^2] x4, [dr di] x4 lanes. */
const PART = 32;
const f = Math.fround;

export function iqCorrect(x: Float32Array, off: number, n: number, st: Float64Array): void {
  for (let i = 0; i < n; ) {
    const count = st[5]!;
    const pend = count % IQ_BLOCK;
    const take = Math.min(n - i, IQ_BLOCK - pend);
    const at = off + 2 * i;
    // statistics before the samples are corrected in place (they are of the raw samples)
    accumulate(x, at, take, pend, st);
    applyCorrection(x, at, take, st);
    st[5] = count + take;
    if (pend + take === IQ_BLOCK) update(st);
    i += take;
  }
}

/** One centred sample into its group's partial sums (g = index mod 4). */
function add1(dr: number, di: number, g: number, st: Float64Array): void {
  const s = PART + (g >> 1) * 12 + (g & 1) * 2;
  st[s] = f(st[s]! + dr);
  st[s + 1] = f(st[s + 1]! + di);
  st[s + 4] = f(st[s + 4]! + f(dr * dr));
  st[s + 5] = f(st[s + 5]! + f(di * di));
  st[s + 8] = f(st[s + 8]! + f(dr * di));
}

/** The run's partial sums into the block's f64 sums (groups 0 and 2 even, 1 and 3 odd), cleared. */
function fold(st: Float64Array): void {
  for (let par = 0; par < 2; par++) {
    const a = PART + 2 * par,
      b = a + 12,
      e = 16 + 2 * par;
    st[e] = st[e]! + st[a]! + st[b]!;
    st[e + 1] = st[e + 1]! + st[a + 1]! + st[b + 1]!;
    st[e + 4] = st[e + 4]! + st[a + 4]! + st[b + 4]!;
    st[e + 5] = st[e + 5]! + st[a + 5]! + st[b + 5]!;
    const xy = st[a + 8]! + st[b + 8]!;
    st[e + 8] = st[e + 8]! + xy;
    st[e + 9] = st[e + 9]! + xy;
  }
  st.fill(0, PART, PART + 24);
}

/** Adds len samples at x[at..], the first at index `idx0` of its block, to the block's sums. */
function accumulate(x: Float32Array, at: number, len: number, idx0: number, st: Float64Array): void {
  const cr = f(st[0]!),
    ci = f(st[1]!);
  let j = 0;
  while (j < len) {
    const idx = idx0 + j;
    if ((idx & 3) !== 0 || len - j < 4) {
      const k = at + 2 * j;
      add1(f(x[k]! - cr), f(x[k + 1]! - ci), idx & 3, st);
      j++;
    } else {
      const end = j + Math.min((len - j) & ~3, RUN - (idx & (RUN - 1)));
      // groups 0..3: sums of dr, di, dr^2, di^2, dr di
      let r0 = st[PART]!,
        i0 = st[PART + 1]!,
        rr0 = st[PART + 4]!,
        ii0 = st[PART + 5]!,
        x0 = st[PART + 8]!,
        r1 = st[PART + 2]!,
        i1 = st[PART + 3]!,
        rr1 = st[PART + 6]!,
        ii1 = st[PART + 7]!,
        x1 = st[PART + 10]!,
        r2 = st[PART + 12]!,
        i2 = st[PART + 13]!,
        rr2 = st[PART + 16]!,
        ii2 = st[PART + 17]!,
        x2 = st[PART + 20]!,
        r3 = st[PART + 14]!,
        i3 = st[PART + 15]!,
        rr3 = st[PART + 18]!,
        ii3 = st[PART + 19]!,
        x3 = st[PART + 22]!;
      for (; j < end; j += 4) {
        const k = at + 2 * j;
        const ar = f(x[k]! - cr),
          ai = f(x[k + 1]! - ci),
          br = f(x[k + 2]! - cr),
          bi = f(x[k + 3]! - ci),
          cr2 = f(x[k + 4]! - cr),
          ci2 = f(x[k + 5]! - ci),
          dr = f(x[k + 6]! - cr),
          di = f(x[k + 7]! - ci);
        r0 = f(r0 + ar);
        i0 = f(i0 + ai);
        rr0 = f(rr0 + f(ar * ar));
        ii0 = f(ii0 + f(ai * ai));
        x0 = f(x0 + f(ar * ai));
        r1 = f(r1 + br);
        i1 = f(i1 + bi);
        rr1 = f(rr1 + f(br * br));
        ii1 = f(ii1 + f(bi * bi));
        x1 = f(x1 + f(br * bi));
        r2 = f(r2 + cr2);
        i2 = f(i2 + ci2);
        rr2 = f(rr2 + f(cr2 * cr2));
        ii2 = f(ii2 + f(ci2 * ci2));
        x2 = f(x2 + f(cr2 * ci2));
        r3 = f(r3 + dr);
        i3 = f(i3 + di);
        rr3 = f(rr3 + f(dr * dr));
        ii3 = f(ii3 + f(di * di));
        x3 = f(x3 + f(dr * di));
      }
      st[PART] = r0;
      st[PART + 1] = i0;
      st[PART + 4] = rr0;
      st[PART + 5] = ii0;
      st[PART + 8] = x0;
      st[PART + 2] = r1;
      st[PART + 3] = i1;
      st[PART + 6] = rr1;
      st[PART + 7] = ii1;
      st[PART + 10] = x1;
      st[PART + 12] = r2;
      st[PART + 13] = i2;
      st[PART + 16] = rr2;
      st[PART + 17] = ii2;
      st[PART + 20] = x2;
      st[PART + 14] = r3;
      st[PART + 15] = i3;
      st[PART + 18] = rr3;
      st[PART + 19] = ii3;
      st[PART + 22] = x3;
    }
    if (((idx0 + j) & (RUN - 1)) === 0) fold(st);
  }
}

/** Folds the block's sums into the running estimates and refreshes the coefficients. */
function update(st: Float64Array): void {
  const N = IQ_BLOCK;
  const s1r = st[16]! + st[18]!,
    s1i = st[17]! + st[19]!,
    s2r = st[20]! + st[22]!,
    s2i = st[21]! + st[23]!,
    s2x = st[24]! + st[26]!;
  st.fill(0, 16, 28);
  const count = st[5]!;
  const alpha = st[8]!,
    warm = st[9]!,
    settled = 1 / alpha;
  const w = count <= settled ? N / count : st[13]!;
  // the sums are about c (the DC rounded to f32): mc the block's mean offset from c, m from the DC
  const cr = f(st[0]!),
    ci = f(st[1]!);
  const mcr = s1r / N,
    mci = s1i / N;
  const mr = mcr + (cr - st[0]!),
    mi = mci + (ci - st[1]!);
  const dcRe = st[0]! + w * mr,
    dcIm = st[1]! + w * mi;
  // the block's central moments about the new DC (t: the new DC less c)
  const tr = dcRe - cr,
    ti = dcIm - ci;
  const cII = s2r / N - 2 * tr * mcr + tr * tr;
  const cQQ = s2i / N - 2 * ti * mci + ti * ti;
  const cIQ = s2x / N - tr * mci - ti * mcr + tr * ti;
  const sII = st[2]! + w * (cII - st[2]!);
  const sQQ = st[3]! + w * (cQQ - st[3]!);
  const sIQ = st[4]! + w * (cIQ - st[4]!);
  st[0] = dcRe;
  st[1] = dcIm;
  st[2] = sII;
  st[3] = sQQ;
  st[4] = sIQ;
  if (count < warm || !(sII > 1e-30) || !(sQQ > 1e-30)) return;
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
  st[6] = 1 / (g * c);
  st[7] = s / c;
  st[12] = Math.max(0, 1 - (v * (sII + sQQ)) / Math.max(dcRe * dcRe + dcIm * dcIm, 1e-300));
}

/** y = x - kDc dc; Q = yQ cQ + yI cI, in f32 with the coefficients rounded to f32 once. */
function applyCorrection(x: Float32Array, at: number, n: number, st: Float64Array): void {
  const offR = f(st[12]! * st[0]!),
    offI = f(st[12]! * st[1]!),
    cQ = f(st[6]!),
    cI = f(st[7]!);
  if (offR === 0 && offI === 0 && cQ === 1 && cI === 0) return;
  for (let j = at; j < at + 2 * n; j += 2) {
    const yr = f(x[j]! - offR),
      yi = f(x[j + 1]! - offI);
    x[j] = yr;
    x[j + 1] = f(yi * cQ) + f(yr * cI);
  }
}
