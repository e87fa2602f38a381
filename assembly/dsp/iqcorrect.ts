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
//              (1 - (1 - alpha)^BLOCK), 14-15 unused; 16-27 the block's sums of d = x - c (c: the
//              DC estimate rounded to f32, the block's centre) as f64 pairs, even samples then odd:
//              [dr, di] at 16 and 18, [dr^2, di^2] at 20 and 22, [dr di, di dr] at 24 and 26;
//              from byte 256 the f32 partial sums of the current run (below), 80 bytes.
//
// The sums are taken in f32 lanes over runs of RUN samples (aligned to the absolute index) and
// added into the f64 sums at the end of each run: half the f64 work, and over 256 samples f32 loses
// nothing an estimate over 2^17 samples can see. Samples go to four groups by their absolute
// index modulo 4, a lane each: four samples' real parts in one vector and their imaginary parts
// in another, so one multiply gives four cross products. Every group takes its samples in stream
// order whatever the chunking.

/** Samples per statistics block; the coefficients change only between blocks. */
const BLOCK: i32 = 1024;
const SUMS: usize = 128;
/** Samples per f32 run (a divisor of BLOCK, a multiple of 4). */
const RUN: i32 = 256;
/** The f32 partial sums, one lane per group: [dr], [di], [dr^2], [di^2], [dr di]. */
const PART: usize = 256;

export function iq_correct(x: usize, n: i32, state: usize): void {
  let i = 0;
  while (i < n) {
    const count = load<f64>(state, 40);
    const pend = <i32>(count % <f64>BLOCK);
    const take = min(n - i, BLOCK - pend);
    const p = x + (<usize>i << 3);
    // statistics before the samples are corrected in place (they are of the raw samples)
    accumulate(p, take, pend, state);
    applyCorrection(p, take, state);
    store<f64>(state, count + <f64>take, 40);
    if (pend + take == BLOCK) update(state);
    i += take;
  }
}

/** One sample's d (already centred) into its group's partial sums (group g = index mod 4). */
function add1(dr: f32, di: f32, g: i32, state: usize): void {
  const s = state + PART + (<usize>g << 2);
  store<f32>(s, load<f32>(s) + dr);
  store<f32>(s, load<f32>(s, 16) + di, 16);
  store<f32>(s, load<f32>(s, 32) + dr * dr, 32);
  store<f32>(s, load<f32>(s, 48) + di * di, 48);
  store<f32>(s, load<f32>(s, 64) + dr * di, 64);
}

/** Adds the run's partial sums into the block's f64 sums (groups 0 and 2 even, 1 and 3 odd) and clears them. */
function fold(state: usize): void {
  const q = state + SUMS, a = state + PART;
  for (let par: usize = 0; par < 2; par++) {
    const g = a + (par << 2), h = g + 8; // groups par and par + 2
    const e = q + (par << 4);
    store<f64>(e, load<f64>(e) + <f64>load<f32>(g) + <f64>load<f32>(h));
    store<f64>(e, load<f64>(e, 8) + <f64>load<f32>(g, 16) + <f64>load<f32>(h, 16), 8);
    store<f64>(e, load<f64>(e, 32) + <f64>load<f32>(g, 32) + <f64>load<f32>(h, 32), 32);
    store<f64>(e, load<f64>(e, 40) + <f64>load<f32>(g, 48) + <f64>load<f32>(h, 48), 40);
    const x = <f64>load<f32>(g, 64) + <f64>load<f32>(h, 64);
    store<f64>(e, load<f64>(e, 64) + x, 64);
    store<f64>(e, load<f64>(e, 72) + x, 72);
  }
  // cleared by stores (memory.fill is a call out of the compiled code)
  const z = f32x4.splat(0);
  v128.store(a, z);
  v128.store(a, z, 16);
  v128.store(a, z, 32);
  v128.store(a, z, 48);
  v128.store(a, z, 64);
}

/** Adds len samples at p, the first at index `at` of its block, to the block's sums. */
function accumulate(p: usize, len: i32, at: i32, state: usize): void {
  const cr = <f32>load<f64>(state), ci = <f32>load<f64>(state, 8);
  const vr = f32x4.splat(cr), vi = f32x4.splat(ci);
  const a = state + PART;
  let j = 0;
  while (j < len) {
    const idx = at + j;
    if ((idx & 3) != 0 || len - j < 4) {
      const s = p + (<usize>j << 3);
      add1(load<f32>(s) - cr, load<f32>(s, 4) - ci, idx & 3, state);
      j++;
    } else {
      // whole groups of 4 up to the run's end: the real and imaginary parts of the four groups' samples in lanes 0..3
      const end = j + min((len - j) & ~3, RUN - (idx & (RUN - 1)));
      let sr = v128.load(a), si = v128.load(a, 16), srr = v128.load(a, 32), sii = v128.load(a, 48), sri = v128.load(a, 64);
      for (; j < end; j += 4) {
        const s = p + (<usize>j << 3);
        const u = v128.load(s), v = v128.load(s, 16);
        const dr = f32x4.sub(v128.shuffle<f32>(u, v, 0, 2, 4, 6), vr);
        const di = f32x4.sub(v128.shuffle<f32>(u, v, 1, 3, 5, 7), vi);
        sr = f32x4.add(sr, dr);
        si = f32x4.add(si, di);
        srr = f32x4.add(srr, f32x4.mul(dr, dr));
        sii = f32x4.add(sii, f32x4.mul(di, di));
        sri = f32x4.add(sri, f32x4.mul(dr, di));
      }
      v128.store(a, sr);
      v128.store(a, si, 16);
      v128.store(a, srr, 32);
      v128.store(a, sii, 48);
      v128.store(a, sri, 64);
    }
    if (((at + j) & (RUN - 1)) == 0) fold(state);
  }
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
  // the sums are about c (the DC rounded to f32): mc the block's mean offset from c, m from the DC
  const dc0r = load<f64>(state), dc0i = load<f64>(state, 8);
  const cr = <f64><f32>dc0r, ci = <f64><f32>dc0i;
  const mcr = s1r / N, mci = s1i / N;
  const mr = mcr + (cr - dc0r), mi = mci + (ci - dc0i);
  const dcRe = dc0r + w * mr, dcIm = dc0i + w * mi;
  // the block's central moments about the new DC (t: the new DC less c)
  const tr = dcRe - cr, ti = dcIm - ci;
  const cII = s2r / N - 2.0 * tr * mcr + tr * tr;
  const cQQ = s2i / N - 2.0 * ti * mci + ti * ti;
  const cIQ = s2x / N - tr * mci - ti * mcr + tr * ti;
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
