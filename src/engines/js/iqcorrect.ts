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

/**
 * Adds len samples at x[at..], the first at index `idx0` of its block, to the block's sums: one
 * at a time into its group (the index modulo 4, a Wasm lane), the run's sums folded at its end.
 */
function accumulate(x: Float32Array, at: number, len: number, idx0: number, st: Float64Array): void {
  const cr = f(st[0]!),
    ci = f(st[1]!);
  for (let j = 0; j < len; j++) {
    const k = at + 2 * j;
    add1(f(x[k]! - cr), f(x[k + 1]! - ci), (idx0 + j) & 3, st);
    if (((idx0 + j + 1) & (RUN - 1)) === 0) fold(st);
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
