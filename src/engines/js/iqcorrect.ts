// js twin of assembly/dsp/iqcorrect.ts: the same blocks, the same f64 sums in the same order and
// the same f32 correction, on a typed array (bit for bit the Wasm output); the state is the same
// 28 f64 values (see there).

/** Samples per statistics block; the coefficients change only between blocks. */
export const IQ_BLOCK = 1024;
const f = Math.fround;

export function iqCorrect(x: Float32Array, off: number, n: number, st: Float64Array): void {
  for (let i = 0; i < n; ) {
    const count = st[5]!;
    const pend = count % IQ_BLOCK;
    const take = Math.min(n - i, IQ_BLOCK - pend);
    const at = off + 2 * i;
    // statistics before the samples are corrected in place (they are of the raw samples)
    accumulate(x, at, take, pend % 2 === 1, st);
    applyCorrection(x, at, take, st);
    st[5] = count + take;
    if (pend + take === IQ_BLOCK) update(st);
    i += take;
  }
}

/** Adds one sample's d = x - dc to its parity's sums (p = 0 even, 2 odd). */
function add1(x: Float32Array, k: number, st: Float64Array, p: number): void {
  const dr = x[k]! - st[0]!,
    di = x[k + 1]! - st[1]!;
  st[16 + p] = st[16 + p]! + dr;
  st[17 + p] = st[17 + p]! + di;
  st[20 + p] = st[20 + p]! + dr * dr;
  st[21 + p] = st[21 + p]! + di * di;
  st[24 + p] = st[24 + p]! + dr * di;
}

/** Adds len samples at x[at..] to the block's sums, even and odd samples of the stream apart. */
function accumulate(x: Float32Array, at: number, len: number, oddFirst: boolean, st: Float64Array): void {
  const dcRe = st[0]!,
    dcIm = st[1]!;
  let j = 0;
  if (oddFirst && len > 0) {
    add1(x, at, st, 2);
    j = 1;
  }
  let a1er = st[16]!,
    a1ei = st[17]!,
    a1or = st[18]!,
    a1oi = st[19]!,
    a2er = st[20]!,
    a2ei = st[21]!,
    a2or = st[22]!,
    a2oi = st[23]!,
    axe = st[24]!,
    axo = st[26]!;
  for (; j + 2 <= len; j += 2) {
    const k = at + 2 * j;
    const er = x[k]! - dcRe,
      ei = x[k + 1]! - dcIm,
      or = x[k + 2]! - dcRe,
      oi = x[k + 3]! - dcIm;
    a1er += er;
    a1ei += ei;
    a1or += or;
    a1oi += oi;
    a2er += er * er;
    a2ei += ei * ei;
    a2or += or * or;
    a2oi += oi * oi;
    axe += er * ei;
    axo += or * oi;
  }
  st[16] = a1er;
  st[17] = a1ei;
  st[18] = a1or;
  st[19] = a1oi;
  st[20] = a2er;
  st[21] = a2ei;
  st[22] = a2or;
  st[23] = a2oi;
  st[24] = axe;
  st[26] = axo;
  if (j < len) add1(x, at + 2 * j, st, 0);
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
  const mr = s1r / N,
    mi = s1i / N;
  const er = w * mr,
    ei = w * mi;
  const dcRe = st[0]! + er,
    dcIm = st[1]! + ei;
  const cII = s2r / N - 2 * er * mr + er * er;
  const cQQ = s2i / N - 2 * ei * mi + ei * ei;
  const cIQ = s2x / N - er * mi - ei * mr + er * ei;
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
