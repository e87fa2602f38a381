// Frame synchronisation, from a detection to a frame whose carrier, timing, sync word and SNR are
// known: find the downchirp pair; split carrier from timing; refine both coherently; check the sync
// word; measure signal and noise on the preamble.
//
// The upchirp tone sits at timing + carrier, the downchirp tone at carrier - timing (in bins): half
// their sum and half their difference separate carrier (within +-BW/4) and timing.
import { frameSymbolCount, type Framing } from "../phy/params.js";
import { PROBE_SYMBOLS } from "./options.js";
import { demodArgs, MARGIN, MEASURE_BIN, MEASURE_SPECTRUM, NONE, type SymbolResult } from "./kernel.js";
import { readSymbolResult, SYMBOL_RESULT_FIELDS, writeSymbolResult } from "../wasm/generated/rx-abi.js";
import { at, DEBUG, has, hasWindow, wrap, WAIT, type FrameRecord, type Phase, type Stage } from "./context.js";
import type { Detection } from "./detect.js";
import { newTracker, resetTracker } from "./track.js";

/**
 * Largest SNR reported, dB. The preamble's noise estimate bottoms out at the arithmetic's floor on
 * clean (simulated or loopback) recordings, giving meaningless readings above 100 dB; no radio
 * channel comes near 60 dB in the LoRa bandwidth, so a reading above it says only "noiseless".
 */
export const SNR_MAX_DB = 60;
/**
 * Smallest SNR reported, dB: the reading when the preamble's signal estimate is at or below the noise
 * (e.g. a frame cut off in its header), instead of a meaningless -300 dB or NaN. LoRa's own floor is
 * about -20 dB (SF12), so a reading of -40 says only "no measurable signal".
 */
export const SNR_MIN_DB = -40;
/** Sync word test: power in the two expected bins over the mean bin power (noise alone: 2 on average). */
const SYNC_THRESHOLD = 5;
/**
 * Preamble coherence test, the first one fine sync makes: |sum over consecutive preamble windows of
 * z_j conj(z_j-1) / sqrt(mean_j mean_j-1)| / sqrt(products), z the bin-0 value and mean the
 * window's mean bin power. A preamble repeats one chirp, so the products share one phase (the
 * carrier's advance per symbol) and add up: near the SF7 sensitivity (-10 dB) the reading is about
 * 20, rarely under 8. Noise reads Rayleigh with mean square 1 (P(> 3) = e^-9); the false
 * detections on the gateway capture and those of the SF8..12 listeners on an SF7 recording read
 * under 5.
 */
const PREAMBLE_COHERENCE = 3;

/**
 * A record for a new detection, in the sync phase (its scan starts at the aligned window); `reuse`
 * is a finished record whose storage (symbols, frame store) it takes over.
 */
export function newRecord(d: Detection, s: Stage, reuse?: FrameRecord): FrameRecord {
  const { cfg } = s;
  const scan = reuse?.scan ?? { pos: 0, count: 0, best: 0, bestPos: 0, q: 0 };
  scan.pos = scan.bestPos = d.aligned;
  scan.count = scan.best = scan.q = 0;
  return {
    phase: "sync",
    det: d.aligned,
    upFrac: d.upFrac,
    nested: false,
    scan,
    tDown: 0,
    cfo: 0,
    syncWord: 0,
    framing: null,
    params: cfg.params,
    probing: false,
    signal: 0,
    noise: 1,
    snrDb: 0,
    next: 0,
    index: 0,
    total: 0,
    tracker: reuse ? resetTracker(reuse.tracker, cfg.n) : newTracker(cfg.n),
    header: null,
    strong: 0,
    symbols: reuse?.symbols ?? new Uint16Array(cfg.maxSymbols),
    store: reuse?.store ?? s.kernel.frameStore(cfg.maxSymbols),
    args: reuse?.args ?? demodArgs(0, 0),
  };
}

/**
 * One window of the downchirp-pair scan; once the whole span where the pair can be is scanned, the
 * carrier/timing split and fine sync. Returns "sync" (scanning), "header" (synchronised),
 * "failed" (not a frame) or WAIT.
 */
export function syncStep(f: FrameRecord, s: Stage): Phase | typeof WAIT {
  const { m } = s.cfg;
  const sc = f.scan;
  if (!has(s, sc.pos, 3 * m + 2 * MARGIN)) return WAIT;
  // the two downchirps: the window pair whose summed down-dechirped spectrum peaks highest
  // (a preamble or sync window pair spreads, the true pair concentrates in one bin); each step
  // dechirps one new window, the pair's other one is still in its slot from the step before
  foldedSlot(s, sc.pos + m, foldedSlot(s, sc.pos, -1));
  s.kernel.pairPeak();
  const res = s.kernel.result;
  const score = res.peak / Math.max(res.mean, 1e-30);
  if (score > sc.best) {
    sc.best = score;
    sc.bestPos = sc.pos;
    sc.q = res.bin + res.frac;
  }
  // scan the whole span where the downchirps can be (detection may come early in the preamble)
  if (++sc.count <= s.cfg.params.preambleLength + 4) {
    sc.pos += m;
    return "sync";
  }
  if (!(sc.best > s.cfg.downThreshold)) {
    if (DEBUG) console.log(`no downchirps`);
    return "failed";
  }
  sc.pos = sc.bestPos;
  const { tDown, cfo } = splitCarrierTiming(f, s);
  if (DEBUG)
    console.log(
      `sync pair at ${sc.bestPos} score ${sc.best.toFixed(1)} tDown ${tDown.toFixed(1)} cfo ${cfo.toFixed(2)}`,
    );
  // near sensitivity the pair score can favour a neighbour pair: the sync word settles it (no
  // preamble at the timing found rules out the neighbours too: they share its preamble windows)
  let v: ReturnType<typeof fineSync> = "rejected";
  memo.used = 0;
  memo.on = true;
  for (let i = 0; i < 3 && v === "rejected"; i++) v = fineSync(f, s, tDown + NEIGHBOURS[i]! * m, cfo);
  memo.on = false;
  if (v === "synchronised") return "header";
  if (DEBUG) console.log(`fine sync failed`);
  return "failed";
}

/** The pair found, then its neighbours (in windows). */
const NEIGHBOURS = [0, -1, 1];
/** The carrier hypotheses of fine sync (bins from the coarse estimate), the likeliest first. */
const HYPOTHESES = [0, -1, 1, -2, 2];

/**
 * The demod arguments of the sync stage's calls: one object, every field a sync call varies set
 * before each call (the others keep demodArgs' defaults: no LLRs, no frame store).
 */
const syncArgs = demodArgs(0, 0);

/**
 * The results of fine sync's demods during one syncStep's fine syncs (memo.on), without keep or
 * prev: a neighbour pair's preamble windows are, but one, those of the pair before it (a window
 * apart), at the same positions and carrier; the buffer does not change meanwhile. A kernel call
 * is deterministic, so a result found here is the one the call would give.
 */
const MEMO_SIZE = 32;
const memo = {
  on: false,
  used: 0,
  pos: new Float64Array(MEMO_SIZE),
  cfo: new Float64Array(MEMO_SIZE),
  /** down, atBin and measure in one number. */
  kind: new Float64Array(MEMO_SIZE),
  results: new Float64Array(MEMO_SIZE * SYMBOL_RESULT_FIELDS.length),
};

/**
 * Coherent demod of the window at absolute position pos (see DemodArgs; no phase slope: sync reads
 * none); returns the kernel's result.
 */
function demodAt(
  s: Stage,
  pos: number,
  cfoBins: number,
  down: boolean,
  atBin: number,
  keep: number = NONE,
  prev: number = NONE,
  measure: number = MEASURE_SPECTRUM,
): SymbolResult {
  const kind = ((atBin + 1) * 4 + measure) * 2 + (down ? 1 : 0);
  const kept = keep !== NONE || prev !== NONE;
  if (!memo.on || kept) return demodSync(s, pos, cfoBins, down, atBin, measure, keep, prev);
  let i = 0;
  while (i < memo.used && !(memo.pos[i] === pos && memo.cfo[i] === cfoBins && memo.kind[i] === kind)) i++;
  if (i === memo.used) {
    const r = demodSync(s, pos, cfoBins, down, atBin, measure, keep, prev);
    if (i === MEMO_SIZE) return r;
    memo.used++;
    memo.pos[i] = pos;
    memo.cfo[i] = cfoBins;
    memo.kind[i] = kind;
    writeSymbolResult(s.kernel.result, memo.results, i * SYMBOL_RESULT_FIELDS.length);
  }
  // a result found, or the one just kept, read back (the same numbers): one path for both, so
  // that the first hit, which comes late, deoptimises nothing
  readSymbolResult(memo.results, i * SYMBOL_RESULT_FIELDS.length, s.kernel.result);
  return s.kernel.result;
}

/** The kernel's demod with sync's arguments. */
function demodSync(
  s: Stage,
  pos: number,
  cfoBins: number,
  down: boolean,
  atBin: number,
  measure: number,
  keep: number,
  prev: number,
): SymbolResult {
  const a = syncArgs;
  a.pos = at(s, pos);
  a.cfoBins = cfoBins;
  a.down = down;
  a.atBin = atBin;
  a.measure = measure;
  a.keep = keep;
  a.prev = prev;
  s.kernel.demod(a);
  return s.kernel.result;
}

/**
 * The kernel's folded slot holding the down-dechirped folded power of the window at absolute
 * position pos, made in the slot other than `keep` if none holds it (another frame's scan, a
 * reset, may have used the slots since).
 */
function foldedSlot(s: Stage, pos: number, keep: number): number {
  const j = s.folded.indexOf(pos);
  if (j >= 0) return j;
  const slot = keep === 0 ? 1 : 0;
  s.kernel.foldedWindow(at(s, pos), true, slot);
  s.folded[slot] = pos;
  return slot;
}

/** The coarse split: up tone at upFrac (= d + cfo), down tone at q (= cfo - d), both mod n. */
function splitCarrierTiming(f: FrameRecord, s: Stage): { tDown: number; cfo: number } {
  const { n, r, m } = s.cfg;
  const cfo = wrap((f.upFrac + f.scan.q) / 2, n / 2);
  const d = wrap(f.upFrac - cfo, n);
  const tDown = f.scan.bestPos - r * d;
  // near +-BW/4 the split is ambiguous by half a symbol: cfo -+ n/2 with timing +-n/2 gives the
  // same tones; the hypothesis whose downchirps line up wins
  if (Math.abs(cfo) > 0.18 * n) {
    const sg = Math.sign(cfo);
    const alt = tDown - (r * sg * n) / 2;
    if (has(s, Math.floor(Math.min(tDown, alt)) - MARGIN - m, 4 * m)) {
      const altCfo = cfo - (sg * n) / 2;
      if (pairPower(s, alt, altCfo, 0) > pairPower(s, tDown, cfo, 0)) return { tDown: alt, cfo: altCfo };
    }
  }
  return { tDown, cfo };
}

/** Coherent power in bin 0 of the two downchirps at t (carrier c + k bins, timing moved r k). */
function pairPower(s: Stage, t: number, c: number, k: number): number {
  const { r, m } = s.cfg;
  let p = 0;
  for (let j = 0; j < 2; j++) p += demodAt(s, t + r * k + j * m, c + k, true, 0, NONE, NONE, MEASURE_BIN).peak;
  return p;
}

/**
 * Coherent refinement around the first downchirp at tDown0; sets up the frame. "no preamble": the
 * preamble coherence test failed (no frame at this timing or its neighbours); "rejected": not a
 * frame with its downchirps here (lost preamble, sync word).
 */
function fineSync(f: FrameRecord, s: Stage, tDown0: number, cfo0: number): "synchronised" | "rejected" | "no preamble" {
  const { n, r, m, params, syncWord } = s.cfg;
  const res = s.kernel.result;
  let tDown = tDown0,
    cfo = cfo0;
  // the preamble symbols we can still see (at most 6)
  let lp = 0;
  while (lp < Math.min(params.preambleLength, 6) && hasWindow(s, tDown - (3 + lp) * m)) lp++;
  if (lp < 2 || !hasWindow(s, tDown, 2)) return "rejected";
  // carrier fraction: the phase of bin 0 advances 2 pi cfo per symbol; on the same values the
  // preamble coherence test (each product over its two windows' own noise, so that a strong
  // neighbour's leakage into a few of the windows does not pass for a preamble). Their peaks tell
  // the timing first: the coarse split may leave the preamble tone a bin or two off 0, taken out
  // as timing (the carrier hypotheses below settle how it divides between timing and carrier) and
  // the windows demodulated again there.
  let accRe = 0,
    accIm = 0,
    cohRe = 0,
    cohIm = 0,
    fracUp = 0,
    peak = 0,
    mean = 0;
  for (let pass = 0; pass < 2; pass++) {
    accRe = accIm = cohRe = cohIm = fracUp = peak = mean = 0;
    let prevRe = 0,
      prevIm = 0,
      prevMean = 0;
    // the peaks of the last (at most 3) windows, for their median
    let b0 = 0,
      b1 = 0,
      b2 = 0;
    for (let j = lp; j >= 1; j--) {
      demodAt(s, tDown - (2 + j) * m, cfo, false, 0);
      if (j <= 3) {
        b2 = b1;
        b1 = b0;
        b0 = wrap(res.bin, n);
      }
      const zr = res.re,
        zi = res.im;
      if (j < lp) {
        const pr = zr * prevRe + zi * prevIm,
          pi = zi * prevRe - zr * prevIm;
        accRe += pr;
        accIm += pi;
        const w = 1 / Math.sqrt(Math.max(res.mean * prevMean, 1e-60));
        cohRe += pr * w;
        cohIm += pi * w;
      }
      prevRe = zr;
      prevIm = zi;
      prevMean = res.mean;
      fracUp += res.frac;
      peak += res.peak;
      mean += res.mean;
    }
    // the upper median (lp >= 2: two or three peaks)
    const mid = lp >= 3 ? Math.max(Math.min(b0, b1), Math.min(Math.max(b0, b1), b2)) : Math.max(b0, b1);
    if (pass > 0 || mid === 0 || Math.abs(mid) > 3) break;
    tDown -= r * mid;
  }
  fracUp /= lp;
  peak /= lp;
  mean /= lp;
  const coherence = Math.hypot(cohRe, cohIm) / Math.sqrt(lp - 1);
  if (!(coherence >= PREAMBLE_COHERENCE)) {
    if (DEBUG) console.log(`no preamble: coherence ${coherence.toFixed(1)}`);
    return "no preamble";
  }
  const cfoFrac = Math.atan2(accIm, accRe) / (2 * Math.PI);
  const dCfo = wrap(cfoFrac - cfo, 1);
  cfo += dCfo;
  // the coarse estimate may be a bin off: the hypothesis that puts the downchirps in bin 0 wins
  // (one more carrier bin moves the timing one chip the other way: up tone fixed, down moves 2)
  let bestK = 0,
    bestP = -1;
  for (let i = 0; i < HYPOTHESES.length; i++) {
    const kk = HYPOTHESES[i]!;
    const p = pairPower(s, tDown, cfo, kk);
    if (p > bestP * 1.0001) {
      bestP = p;
      bestK = kk;
    }
  }
  if (DEBUG)
    console.log(
      `fine: lp ${lp} cfo0 ${cfo0.toFixed(3)} cfoPhase ${cfo.toFixed(3)} hypothesis ${bestK} fracUp ${fracUp.toFixed(3)}`,
    );
  if (bestK !== 0) {
    cfo += bestK;
    tDown += r * bestK;
  }
  // residual timing: up tone = d + cfo error, down tone = cfo error - d
  let fracDown = 0;
  for (let j = 0; j < 2; j++) fracDown += demodAt(s, tDown + j * m, cfo, true, 0).frac;
  fracDown /= 2;
  const rUp = fracUp - dCfo;
  const dRes = (lp * rUp - 2 * fracDown) / (lp + 2);
  tDown -= r * dRes;
  const sw = readSyncWord(s, tDown, cfo, syncWord);
  if (!sw) return "rejected";
  // signal and noise from the preamble, now that carrier and timing are final. The noise for the
  // SNR from the difference of consecutive preamble spectra: the same chirp twice, so the signal
  // and its deterministic distortions (the BW/2 interpolator at r = 2, a recording's own
  // resampling) cancel; the far bins alone if there is one window
  peak = 0;
  mean = 0;
  let far = 0,
    diff = 0;
  for (let j = 1; j <= lp; j++) {
    demodAt(s, tDown - (2 + j) * m, cfo, false, 0, j & 1, j >= 2 ? (j - 1) & 1 : NONE);
    peak += res.peak;
    mean += res.mean;
    far += res.far;
    diff += res.diff;
  }
  peak /= lp;
  mean /= lp;
  far /= lp;
  if (lp >= 2) far = diff / (2 * (lp - 1));
  f.tDown = tDown;
  f.cfo = cfo;
  f.syncWord = sw.word;
  f.signal = Math.max(peak - mean, 1e-30);
  f.noise = Math.max(mean, 1e-30);
  const snr = 10 * Math.log10((peak - far) / (Math.max(far, 1e-30) * n));
  f.snrDb = Number.isFinite(snr)
    ? Math.max(SNR_MIN_DB, Math.min(SNR_MAX_DB, snr))
    : peak > far
      ? SNR_MAX_DB
      : SNR_MIN_DB;
  startBody(f, s, sw.framing);
  return "synchronised";
}

/**
 * Where the frame's symbols start, and how many to demodulate before the header is read. With
 * both framings possible at SF5/SF6 the probe comes first (framing null): PROBE_SYMBOLS symbols
 * from the end of the downchirps, read once to tell the layouts apart; then startBody again with
 * the framing found, from the same downchirps.
 */
export function startBody(f: FrameRecord, s: Stage, framing: Framing | null): void {
  const { cfg } = s;
  f.probing = framing === null && cfg.probeFraming;
  if (f.probing) {
    f.framing = null;
    f.params = cfg.framingParams.sx127x; // no extra symbols: the probe starts right after the downchirps
  } else {
    // known (sync word, probe), or the only one accepted; with both at SF >= 7 the same on air: null
    f.framing = framing ?? (cfg.framings.length === 1 ? cfg.framings[0]! : null);
    f.params = cfg.framingParams[f.framing ?? cfg.framings[0]!];
  }
  const p = f.params;
  f.next = f.tDown + (2.25 + p.extraSymbols) * cfg.m;
  f.index = 0;
  f.strong = 0;
  f.total = f.probing
    ? cfg.implicit
      ? 10
      : PROBE_SYMBOLS
    : cfg.implicit
      ? frameSymbolCount(cfg.implicit, p)
      : cfg.sf < 7 && !p.headerFullRate
        ? 16
        : 8;
  resetTracker(f.tracker, cfg.n);
}

/**
 * The sync word of the frame whose first downchirp is at tDown, or null when it is not the one
 * wanted. With a byte to match, the energy in its two expected bins decides (a hard decision per
 * symbol would lose frames near sensitivity); where the framings map the byte to different bins
 * (a nibble >= 8 at SF >= 8) each is tried and the one that matches names the framing. With
 * 'any', the peaks are read (the nibble is the same in both mappings).
 */
function readSyncWord(
  s: Stage,
  tDown: number,
  cfo: number,
  want: number | "any",
): { word: number; framing: Framing | null } | null {
  const { m, syncExpect } = s.cfg;
  const res = s.kernel.result;
  if (want !== "any") {
    // where the mappings differ they share the first symbol's bin, so the one whose bins hold the
    // most energy names the framing (a threshold alone would pass either on the first symbol)
    let best = -1,
      bestFraming: Framing | null = null;
    for (const e of syncExpect) {
      let p = 0,
        q = 0;
      for (let j = 2; j >= 1; j--) {
        demodAt(s, tDown - j * m, cfo, false, e.bins[2 - j]!);
        p += res.peak;
        q += res.mean;
        if (DEBUG) console.log(`sync word symbol ${2 - j} bin ${res.bin}`);
      }
      if (DEBUG) console.log(`sync word ${(p / q).toFixed(1)} (${e.framing})`);
      const score = p / Math.max(q, 1e-30);
      if (score > best) {
        best = score;
        bestFraming = e.framing;
      }
    }
    if (best > SYNC_THRESHOLD) return { word: want, framing: syncExpect.length > 1 ? bestFraming : null };
    s.stats.syncWordRejects++;
    return null;
  }
  const hi = demodAt(s, tDown - 2 * m, cfo, false, NONE).bin;
  const lo = demodAt(s, tDown - m, cfo, false, NONE).bin;
  return { word: ((Math.round(hi / 8) & 15) << 4) | (Math.round(lo / 8) & 15), framing: null };
}
