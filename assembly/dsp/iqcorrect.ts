// DC removal and blind IQ imbalance correction of a direct-conversion receiver's samples, in place.
// The model and the estimator are described in src/dsp/iqcorrect.ts; src/engines/js/iqcorrect.ts is
// the js twin (the same f64 statistics in the same order and the same f32 correction, so the two
// agree bit for bit).
//
// The stream is cut into blocks of BLOCK samples aligned to the absolute index. Every block is
// corrected with the coefficients of the blocks before it (an affine map, constant over the block:
// vectorised), and its statistics then update the running estimates once. The block's sums are
// kept in the state between calls, the even and the odd samples (of the absolute index) in
// separate accumulators that each take their samples in stream order, so the sums, and therefore
// the output, do not depend on how the input is cut into chunks.
//
// state (f64): 0 dcRe, 1 dcIm, 2 E[I^2], 3 E[Q^2], 4 E[IQ] (central), 5 samples seen, 6 cQ, 7 cI,
//              8 alpha (forgetting factor), 9 warm-up samples, 10 gain estimate, 11 phase estimate (rad),
//              12 share of the DC estimate subtracted, 13 weight of one block once settled
//              (1 - (1 - alpha)^BLOCK), 14-15 unused; 16-27 the block's sums of d = x - dc as
//              f64 pairs, even samples then odd: [dr, di] at 16 and 18, [dr^2, di^2] at 20 and 22,
//              [dr di, di dr] at 24 and 26

/** Samples per statistics block; the coefficients change only between blocks. */
const BLOCK: i32 = 1024;
const SUMS: usize = 128;

export function iq_correct(x: usize, n: i32, state: usize): void {
  let i = 0;
  while (i < n) {
    const count = load<f64>(state, 40);
    const pend = <i32>(count % <f64>BLOCK);
    const take = min(n - i, BLOCK - pend);
    const p = x + (<usize>i << 3);
    // statistics before the samples are corrected in place (they are of the raw samples)
    accumulate(p, take, (pend & 1) != 0, state);
    applyCorrection(p, take, state);
    store<f64>(state, count + <f64>take, 40);
    if (pend + take == BLOCK) update(state);
    i += take;
  }
}

/** One sample's d = x - dc into the sums at s (its parity's [d], [d^2], [dr di]). */
// @ts-ignore: decorator
@inline function add1(v: v128, dc: v128, s: usize): void {
  const d = f64x2.sub(f64x2.promote_low_f32x4(v), dc);
  v128.store(s, f64x2.add(v128.load(s), d));
  v128.store(s, f64x2.add(v128.load(s, 32), f64x2.mul(d, d)), 32);
  v128.store(s, f64x2.add(v128.load(s, 64), f64x2.mul(d, v128.shuffle<f64>(d, d, 1, 0))), 64);
}

/** Adds len samples at p to the block's sums; the first is an odd sample of the stream when oddFirst. */
function accumulate(p: usize, len: i32, oddFirst: bool, state: usize): void {
  const dc = f64x2(load<f64>(state), load<f64>(state, 8));
  const se = state + SUMS, so = se + 16;
  let j = 0;
  if (oddFirst && len > 0) {
    add1(v128.load64_zero(p), dc, so);
    j = 1;
  }
  let a1e = v128.load(se), a1o = v128.load(so);
  let a2e = v128.load(se, 32), a2o = v128.load(so, 32);
  let axe = v128.load(se, 64), axo = v128.load(so, 64);
  for (; j + 2 <= len; j += 2) {
    const v = v128.load(p + (<usize>j << 3));
    const de = f64x2.sub(f64x2.promote_low_f32x4(v), dc);
    const dd = f64x2.sub(f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)), dc);
    a1e = f64x2.add(a1e, de);
    a1o = f64x2.add(a1o, dd);
    a2e = f64x2.add(a2e, f64x2.mul(de, de));
    a2o = f64x2.add(a2o, f64x2.mul(dd, dd));
    axe = f64x2.add(axe, f64x2.mul(de, v128.shuffle<f64>(de, de, 1, 0)));
    axo = f64x2.add(axo, f64x2.mul(dd, v128.shuffle<f64>(dd, dd, 1, 0)));
  }
  v128.store(se, a1e);
  v128.store(so, a1o);
  v128.store(se, a2e, 32);
  v128.store(so, a2o, 32);
  v128.store(se, axe, 64);
  v128.store(so, axo, 64);
  if (j < len) add1(v128.load64_zero(p + (<usize>j << 3)), dc, se);
}

/** Folds the block's sums into the running estimates and refreshes the coefficients. */
function update(state: usize): void {
  const N = <f64>BLOCK;
  // the block's sums: even samples plus odd samples
  const q = state + SUMS;
  const s1r = load<f64>(q) + load<f64>(q, 16), s1i = load<f64>(q, 8) + load<f64>(q, 24);
  const s2r = load<f64>(q, 32) + load<f64>(q, 48), s2i = load<f64>(q, 40) + load<f64>(q, 56);
  const s2x = load<f64>(q, 64) + load<f64>(q, 80);
  memory.fill(q, 0, 96);
  const count = load<f64>(state, 40); // including this block
  const alpha = load<f64>(state, 64), warm = load<f64>(state, 72);
  const settled = 1.0 / alpha;
  // cumulative mean over the first 1/alpha samples, exponential after (a whole number of blocks)
  const w = count <= settled ? N / count : load<f64>(state, 104);
  // the DC moves by w times the block's mean offset; the block's central moments about the new DC
  const mr = s1r / N, mi = s1i / N;
  const er = w * mr, ei = w * mi;
  const dcRe = load<f64>(state) + er, dcIm = load<f64>(state, 8) + ei;
  const cII = s2r / N - 2.0 * er * mr + er * er;
  const cQQ = s2i / N - 2.0 * ei * mi + ei * ei;
  const cIQ = s2x / N - er * mi - ei * mr + er * ei;
  let sII = load<f64>(state, 16), sQQ = load<f64>(state, 24), sIQ = load<f64>(state, 32);
  sII += w * (cII - sII);
  sQQ += w * (cQQ - sQQ);
  sIQ += w * (cIQ - sIQ);
  store<f64>(state, dcRe);
  store<f64>(state, dcIm, 8);
  store<f64>(state, sII, 16);
  store<f64>(state, sQQ, 24);
  store<f64>(state, sIQ, 32);
  if (count < warm || !(sII > 1e-30) || !(sQQ > 1e-30)) return;
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
  store<f64>(state, 1.0 / (g * c), 48);
  store<f64>(state, s / c, 56);
  const d2 = dcRe * dcRe + dcIm * dcIm;
  store<f64>(state, Math.max(0.0, 1.0 - (v * (sII + sQQ)) / Math.max(d2, 1e-300)), 96);
}

/** y = x - kDc dc; Q = yQ cQ + yI cI, in f32 with the coefficients rounded to f32 once. */
function applyCorrection(p: usize, n: i32, state: usize): void {
  const kDc = load<f64>(state, 96);
  const offR = <f32>(kDc * load<f64>(state)), offI = <f32>(kDc * load<f64>(state, 8));
  const cQ = <f32>load<f64>(state, 48), cI = <f32>load<f64>(state, 56);
  if (offR == 0 && offI == 0 && cQ == 1 && cI == 0) return; // identity (warm-up, clean signal)
  const off = f32x4(offR, offI, offR, offI);
  const mq = f32x4(1, cQ, 1, cQ);
  const mi = f32x4(0, cI, 0, cI);
  let j = 0;
  for (; j + 2 <= n; j += 2) {
    const a = p + (<usize>j << 3);
    const d = f32x4.sub(v128.load(a), off);
    v128.store(a, f32x4.add(f32x4.mul(d, mq), f32x4.mul(v128.shuffle<f32>(d, d, 0, 0, 2, 2), mi)));
  }
  if (j < n) {
    const a = p + (<usize>j << 3);
    const yr = load<f32>(a) - offR;
    const yi = load<f32>(a, 4) - offI;
    store<f32>(a, yr);
    store<f32>(a, yi * cQ + yr * cI, 4);
  }
}
