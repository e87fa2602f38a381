/**
 * The narrowband-interference notch: finds persistent spectral lines in a channel's front-end
 * output (CW spurs, an RTL-SDR's own harmonics, a carrier in the ISM band) and cancels them.
 *
 * Detection, on the samples as they come out of the front end (not dechirped: a chirp sweeps the
 * band and stays on no bin, while a dechirped preamble would itself be a line). Windows of N
 * samples (bins of about bandwidth/128), Hann-windowed, power spectrum per window; over a period
 * of K windows each bin keeps its mean and its minimum. A line is a bin whose minimum over the K
 * windows is above T times the median (over the central half of the band) of the means, a local
 * maximum, and NARROW times above the bins 3 away on both sides. The minimum is what makes it
 * persistent: a LoRa chirp, whatever its SF, is in a given bin for at most a window or two of a
 * period, so it cannot hold a bin's minimum up; a Hann-windowed chirp that repeats (a preamble)
 * makes a broad bump, not a narrow peak. For noise alone a bin's per-window power is exponential,
 * so its minimum over K independent windows exceeds T times the mean with probability
 * exp(-K T): T = FA_EXP / K keeps that at exp(-40) per bin and period (about one false line in
 * 10^10 years of a 250 kS/s stream).
 * The first period after a reset is ACQ_K consecutive windows (a line present from the start is
 * cancelled after 4 windows, 4 ms at 125 kHz); then one window in STRIDE is analysed, K per period.
 *
 * Cancellation: per line an LMS tone canceller (assembly/dsp/notch.ts): a reference e^{j w t}
 * and a complex amplitude a tracked with step mu; with a sinusoidal reference this is a notch at w
 * of half-width about mu rad/sample (Widrow et al., "Adaptive noise cancelling: principles and
 * applications", Proc. IEEE 63(12), 1975, section VIII). mu is set for HALF_WIDTH_HZ: the chirp
 * loses about pi HALF_WIDTH_HZ / bandwidth of its energy (0.5 %, 0.02 dB). The frequency starts at
 * the detection's estimate (parabolic interpolation of the log spectrum around the peak bin:
 * Smith, "Spectral Audio Signal Processing", 2011, "Quadratic interpolation of spectral peaks")
 * and is then tracked: a frequency error d makes a rotate by d per sample, so at the end of each
 * window w moves by a quarter of a's rotation over the window. A line not seen in HOLD periods in a row
 * is dropped.
 *
 * With no line engaged the samples are not touched (the receiver's output is exactly what it is
 * without the notch); the work is then one FFT per STRIDE windows. Windows are aligned to the
 * absolute sample index and lines change only at window boundaries, so the output does not depend
 * on how the stream is cut into chunks.
 */
import { ChirpError, badParameter } from "../errors.js";
import { createFft } from "../engines/js/fft.js";
import { LINE_STRIDE, notchCancel, notchSpectrum } from "../engines/js/notch.js";
import type { Fft } from "../engines/fftTypes.js";
import { phyWasm } from "../wasm/phy.js";

const mod = phyWasm;

/** Lines cancelled at once. */
export const MAX_LINES = 4;
/** Half-width of each notch, Hz. */
export const HALF_WIDTH_HZ = 200;
/** -ln of the probability that noise alone makes a bin a line in one period. */
const FA_EXP = 40;
/** Windows of the first period (consecutive), of the later ones, and one window analysed in STRIDE after the first period. */
const ACQ_K = 4;
const K = 16;
const STRIDE = 4;
/** How many times a line's minimum must exceed those of the bins 3 away on either side (a line is narrow). */
const NARROW = 8;
/** An engaged line is still there while a bin within 2 of it has its minimum above KEEP x the median. */
const KEEP = 1.5;
/** Periods in a row without the line before it is dropped. */
const HOLD = 32;

export interface NotchLine {
  /** Frequency of the line relative to the channel's centre, Hz (as tracked). */
  frequencyHz: number;
  /** Amplitude of the line as tracked, in sample units. */
  amplitude: number;
}

export interface Notch {
  /** Cancels the lines engaged from n = iq.length / 2 complex samples in place (and looks for lines); returns iq. */
  process(iq: Float32Array): Float32Array;
  /** The lines cancelled now. */
  lines(): NotchLine[];
  /** Lines engaged since create or reset (a line dropped and found again counts twice). */
  readonly engaged: number;
  reset(): void;
  dispose(): void;
}

interface Line {
  /** rad/sample */
  w: number;
  /** Amplitude at the end of the last window, for the frequency tracker. */
  prevRe: number;
  prevIm: number;
  misses: number;
}

const registry = new FinalizationRegistry<number>((ptr) => mod.free(ptr));

/**
 * A notch for a stream at `sampleRate` (the front end's output) carrying a LoRa channel of
 * `bandwidth` Hz.
 */
export function createNotch(opts: { sampleRate: number; bandwidth: number; engine: "wasm" | "js" }): Notch {
  const { sampleRate, bandwidth, engine } = opts;
  if (typeof sampleRate !== "number" || !(sampleRate > 0) || !Number.isFinite(sampleRate))
    badParameter("sampleRate", sampleRate, "a positive number of samples per second");
  if (typeof bandwidth !== "number" || !(bandwidth > 0) || !(bandwidth <= sampleRate * 1.001))
    badParameter("bandwidth", bandwidth, `a positive number of Hz up to sampleRate (${sampleRate})`);
  if (engine !== "wasm" && engine !== "js") badParameter("engine", engine, "'wasm' or 'js'");
  return new LineNotch(sampleRate, bandwidth, engine);
}

/** The js engine's buffers. */
interface JsBuffers {
  win: Float32Array;
  buf: Float32Array;
  sum: Float32Array;
  mn: Float32Array;
  st: Float64Array;
  fft: Fft;
}

/** Views of the Wasm block (a class: V8 types its declared fields loosely, so a later notch's views do not deoptimise process). */
class WasmViews {
  win: Float32Array;
  sum: Float32Array;
  mn: Float32Array;
  st: Float64Array;
  stage: Float32Array;
  constructor(win: Float32Array, sum: Float32Array, mn: Float32Array, st: Float64Array, stage: Float32Array) {
    this.win = win;
    this.sum = sum;
    this.mn = mn;
    this.st = st;
    this.stage = stage;
  }
}

/**
 * The notch's state, its steps as methods (one function each for every notch: V8's optimised code
 * for them serves every receiver in the process).
 */
class LineNotch implements Notch {
  private readonly sampleRate: number;
  /** Window length, samples. */
  private readonly N: number;
  /** The LMS step. */
  private readonly mu: number;
  private readonly hann: Float32Array;
  private ptr = 0;
  private readonly js: JsBuffers | null = null;
  // byte offsets in the Wasm block
  private readonly P_WIN: number;
  private readonly P_BUF: number;
  private readonly P_HANN: number;
  private readonly P_SUM: number;
  private readonly P_MN: number;
  private readonly P_STAGE: number;
  private readonly P_MED: number;
  private readonly P_ST: number;
  // views of the Wasm block, made again only when the memory has grown (a detached view has length 0)
  private views: WasmViews | null = null;
  /** Samples processed (absolute index of the next one). */
  private pos = 0;
  /** Windows of the current period analysed. */
  private analysed = 0;
  private periodK = ACQ_K;
  private acquiring = true;
  private lineList: Line[] = [];
  private engagedCount = 0;
  private disposed = false;
  /** Median scratch. */
  private readonly scratch: Float32Array;

  constructor(sampleRate: number, bandwidth: number, engine: "wasm" | "js") {
    this.sampleRate = sampleRate;
    const N = 2 ** Math.min(12, Math.max(6, Math.round(Math.log2((128 * sampleRate) / bandwidth))));
    this.N = N;
    this.mu = (2 * Math.PI * HALF_WIDTH_HZ) / sampleRate;
    const hann = new Float32Array(N);
    for (let i = 0; i < N; i++) hann[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / N);
    this.hann = hann;
    this.scratch = new Float32Array(N);
    // Buffers: the window being collected (2N f32), FFT scratch (2N), the Hann window (N), per-bin
    // sum and minimum (N each), line state (MAX_LINES x LINE_STRIDE f64), a staging area of N
    // complex samples for input that is not in Wasm memory, and notch_quiet's median scratch (N).
    // Wasm: one block, allocated here only (an allocation in process could grow the memory under
    // the caller's view).
    const floats = 2 * N + 2 * N + N + N + N + 2 * N + N;
    const bytes = floats * 4 + MAX_LINES * LINE_STRIDE * 8;
    this.P_WIN = 0;
    this.P_BUF = 2 * N * 4;
    this.P_HANN = 4 * N * 4;
    this.P_SUM = 5 * N * 4;
    this.P_MN = 6 * N * 4;
    this.P_STAGE = 7 * N * 4;
    this.P_MED = 9 * N * 4;
    this.P_ST = floats * 4;
    if (engine === "wasm") {
      this.ptr = mod.alloc(bytes);
      new Float32Array(mod.memory.buffer, this.ptr + this.P_HANN, N).set(hann);
    } else {
      this.js = {
        win: new Float32Array(2 * N),
        buf: new Float32Array(2 * N),
        sum: new Float32Array(N),
        mn: new Float32Array(N),
        st: new Float64Array(MAX_LINES * LINE_STRIDE),
        fft: createFft(N),
      };
    }
    if (this.ptr) registry.register(this, this.ptr, this);
    this.reset();
  }

  private f32(off: number, len: number): Float32Array {
    return new Float32Array(mod.memory.buffer, this.ptr + off, len);
  }

  private wasmViews(): WasmViews {
    let v = this.views;
    if (v === null || v.win.length === 0) {
      const N = this.N;
      v = new WasmViews(
        this.f32(this.P_WIN, 2 * N),
        this.f32(this.P_SUM, N),
        this.f32(this.P_MN, N),
        new Float64Array(mod.memory.buffer, this.ptr + this.P_ST, MAX_LINES * LINE_STRIDE),
        this.f32(this.P_STAGE, 2 * N),
      );
      this.views = v;
    }
    return v;
  }

  private winView(): Float32Array {
    return this.js?.win ?? this.wasmViews().win;
  }
  private sumView(): Float32Array {
    return this.js?.sum ?? this.wasmViews().sum;
  }
  private mnView(): Float32Array {
    return this.js?.mn ?? this.wasmViews().mn;
  }
  private stView(): Float64Array {
    return this.js?.st ?? this.wasmViews().st;
  }

  private analyses(windowIndex: number): boolean {
    return this.acquiring || windowIndex % STRIDE === 0;
  }

  get engaged(): number {
    return this.engagedCount;
  }

  reset(): void {
    this.pos = 0;
    this.analysed = 0;
    this.periodK = ACQ_K;
    this.acquiring = true;
    this.lineList = [];
    this.engagedCount = 0;
    this.stView().fill(0);
  }

  /** Bin k as a signed frequency index (-N/2 .. N/2 - 1). */
  private signed(k: number): number {
    const N = this.N;
    return k >= N / 2 ? k - N : k;
  }

  private bin(w: number): number {
    const N = this.N;
    return ((Math.round((w * N) / (2 * Math.PI)) % N) + N) % N;
  }

  private writeLine(i: number, l: Line, re: number, im: number, cRe: number, cIm: number): void {
    const st = this.stView();
    const s = i * LINE_STRIDE;
    st[s] = cRe;
    st[s + 1] = cIm;
    st[s + 2] = Math.cos(l.w);
    st[s + 3] = Math.sin(l.w);
    st[s + 4] = re;
    st[s + 5] = im;
    st[s + 6] = this.mu;
  }

  /** The decision at the end of a period, from the per-bin sums and minima. */
  private decide(): void {
    const { N, scratch, periodK } = this;
    // with no line engaged, most periods find none, and then nothing below changes: the Wasm
    // engine tells so from the bins where they are (notch_quiet, quietPeriod's twin)
    if (this.lineList.length === 0) {
      const js = this.js;
      const quiet = js
        ? quietPeriod(js.sum, js.mn, N, periodK, scratch)
        : mod.notch_quiet(
            this.ptr + this.P_SUM,
            this.ptr + this.P_MN,
            N,
            periodK,
            FA_EXP,
            NARROW,
            this.ptr + this.P_MED,
          ) === 1;
      if (quiet) return;
    }
    const sum = this.sumView(),
      mn = this.mnView();
    const med = bandMedian(sum, N, periodK, scratch);
    if (!(med > 0)) return; // digital silence: nothing to compare a line with
    const at = (k: number): number => mn[(k + N) % N]!;
    // engaged lines: still there?
    const kept: number[] = [];
    for (const l of this.lineList) {
      const b = this.bin(l.w);
      let seen = false;
      for (let d = -2; d <= 2; d++) seen ||= at(b + d) > KEEP * med;
      l.misses = seen ? 0 : l.misses + 1;
      kept.push(b);
    }
    // new lines: narrow, persistent peaks, strongest first
    const found: { k: number; p: number }[] = [];
    const floor = (FA_EXP / periodK) * med;
    for (let k = 0; k < N; k++) {
      if (!newLineAt(mn, N, k, floor)) continue;
      if (kept.some((b) => Math.abs(((this.signed(k) - this.signed(b) + N / 2 + N) % N) - N / 2) <= 3)) continue;
      found.push({ k, p: mn[k]! });
    }
    const lines = this.lineList;
    const survivors = lines.flatMap((l, i) => (l.misses < HOLD ? [i] : []));
    if (survivors.length !== lines.length) {
      // the survivors' state moves down to slots 0.. in order
      const st = this.stView();
      const old = st.slice();
      st.fill(0);
      survivors.forEach((i, j) => st.set(old.subarray(i * LINE_STRIDE, (i + 1) * LINE_STRIDE), j * LINE_STRIDE));
      this.lineList = survivors.map((i) => lines[i]!);
    }
    found.sort((a, b) => b.p - a.p);
    for (const { k } of found) {
      if (this.lineList.length >= MAX_LINES) break;
      // parabolic interpolation of the log mean power around the peak
      const lm = Math.log(Math.max(sum[(k - 1 + N) % N]!, 1e-30)),
        l0 = Math.log(Math.max(sum[k]!, 1e-30)),
        lp = Math.log(Math.max(sum[(k + 1) % N]!, 1e-30));
      const den = lm - 2 * l0 + lp;
      const delta = den < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (lm - lp)) / den)) : 0;
      const w = (2 * Math.PI * (this.signed(k) + delta)) / N;
      // the amplitude starts at the line's projection over the window just analysed (as a phasor
      // at the next sample, where the reference starts at 1): the canceller starts settled
      const win = this.winView();
      let re = 0,
        im = 0;
      for (let t = 0; t < N; t++) {
        const c = Math.cos(w * (N - t)),
          s = Math.sin(w * (N - t));
        re += win[2 * t]! * c - win[2 * t + 1]! * s;
        im += win[2 * t]! * s + win[2 * t + 1]! * c;
      }
      const l: Line = { w, prevRe: re / N, prevIm: im / N, misses: 0 };
      this.writeLine(this.lineList.length, l, re / N, im / N, 1, 0);
      this.lineList.push(l);
      this.engagedCount++;
    }
  }

  /** At every window's end: each line's frequency moves by a quarter of its amplitude's rotation over the window. */
  private track(): void {
    const { N, mu } = this;
    const st = this.stView();
    this.lineList.forEach((l, i) => {
      const s = i * LINE_STRIDE;
      const re = st[s + 4]!,
        im = st[s + 5]!;
      if (l.prevRe !== 0 || l.prevIm !== 0) {
        const d = Math.atan2(im * l.prevRe - re * l.prevIm, re * l.prevRe + im * l.prevIm) / N;
        l.w += 0.25 * Math.max(-mu, Math.min(mu, d));
      }
      l.prevRe = re;
      l.prevIm = im;
      // the reference back on the unit circle (its recursion drifts by rounding), the new step
      const cr = st[s]!,
        ci = st[s + 1]!;
      const g = 1 / Math.hypot(cr, ci);
      this.writeLine(i, l, re, im, cr * g, ci * g);
    });
  }

  private windowEnd(windowIndex: number): void {
    if (this.analyses(windowIndex)) {
      const { js, ptr, N } = this;
      if (js) notchSpectrum(js.win, 0, N, this.hann, js.buf, js.fft, js.sum, js.mn, this.analysed === 0);
      else
        mod.notch_spectrum(
          ptr + this.P_WIN,
          N,
          ptr + this.P_HANN,
          ptr + this.P_BUF,
          ptr + this.P_SUM,
          ptr + this.P_MN,
          this.analysed === 0 ? 1 : 0,
        );
      if (++this.analysed === this.periodK) {
        this.decide();
        this.analysed = 0;
        this.periodK = K;
        this.acquiring = false;
      }
    }
    if (this.lineList.length > 0) this.track();
  }

  private cancel(iq: Float32Array, at: number, n: number): void {
    const { js, ptr } = this;
    const count = this.lineList.length;
    if (js) {
      notchCancel(iq, at, n, js.st, count);
      return;
    }
    if (iq.buffer === mod.memory.buffer) {
      mod.notch_cancel(iq.byteOffset + at * 8, n, ptr + this.P_ST, count);
      return;
    }
    // the staging area's kept view (notch_cancel allocates nothing: it stays valid across the call)
    const stage = this.wasmViews().stage;
    stage.set(iq.subarray(2 * at, 2 * (at + n)));
    mod.notch_cancel(ptr + this.P_STAGE, n, ptr + this.P_ST, count);
    iq.set(n === this.N ? stage : stage.subarray(0, 2 * n), 2 * at);
  }

  process(iq: Float32Array): Float32Array {
    if (this.disposed) throw new ChirpError("DISPOSED", "this notch has been disposed");
    const N = this.N;
    const n = iq.length >> 1;
    for (let i = 0; i < n; ) {
      const inWin = this.pos % N;
      const windowIndex = (this.pos - inWin) / N;
      if (this.lineList.length === 0 && !this.analyses(windowIndex)) {
        // no line to cancel and a window not analysed: nothing to do up to the next analysed one
        const skip = Math.min(n - i, Math.ceil(windowIndex / STRIDE) * STRIDE * N - this.pos);
        this.pos += skip;
        i += skip;
        continue;
      }
      const take = Math.min(n - i, N - inWin);
      // a native copy: a JavaScript loop runs interpreted for most of a short process
      if (this.analyses(windowIndex)) this.winView().set(iq.subarray(2 * i, 2 * (i + take)), 2 * inWin);
      if (this.lineList.length > 0) this.cancel(iq, i, take);
      this.pos += take;
      i += take;
      if (inWin + take === N) this.windowEnd(windowIndex);
    }
    return iq;
  }

  lines(): NotchLine[] {
    const st = this.stView();
    return this.lineList.map((l, i) => ({
      frequencyHz: (l.w * this.sampleRate) / (2 * Math.PI),
      amplitude: Math.hypot(st[i * LINE_STRIDE + 4]!, st[i * LINE_STRIDE + 5]!),
    }));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.ptr) {
      registry.unregister(this);
      mod.free(this.ptr);
      this.ptr = 0;
    }
  }
}

/**
 * Whether a period with no line engaged finds none (decide's tests, in its arithmetic): the median
 * of the central half's mean powers (sum / periodK) is not positive, or no bin's minimum mn is a
 * new line (above FA_EXP / periodK times that median, within 7/16 of the band, a local maximum,
 * NARROW times above the bins 3 away). scratch: at least N / 2 values (reordered). The Wasm
 * engine's twin is notch_quiet (assembly/dsp/notch.ts).
 */
export function quietPeriod(
  sum: Float32Array,
  mn: Float32Array,
  N: number,
  periodK: number,
  scratch: Float32Array,
): boolean {
  const med = bandMedian(sum, N, periodK, scratch);
  if (!(med > 0)) return true;
  const floor = (FA_EXP / periodK) * med;
  for (let k = 0; k < N; k++) if (newLineAt(mn, N, k, floor)) return false;
  return true;
}

/** The median over the central half of the band (|signed bin| < N/4) of the bins' mean powers. */
function bandMedian(sum: Float32Array, N: number, periodK: number, scratch: Float32Array): number {
  let c = 0;
  for (let k = 0; k < N / 4; k++) scratch[c++] = sum[k]! / periodK;
  for (let k = (3 * N) / 4 + 1; k < N; k++) scratch[c++] = sum[k]! / periodK;
  return median(scratch, c);
}

/**
 * Whether bin k's minimum is a new line: above floor (the test most bins fail first), inside the
 * channel filter's edges (7/16 of the band), a local maximum, NARROW times above the bins 3 away.
 */
function newLineAt(mn: Float32Array, N: number, k: number, floor: number): boolean {
  const p = mn[k]!;
  if (!(p > floor)) return false;
  if (Math.abs(k >= N / 2 ? k - N : k) >= (N * 7) / 16) return false;
  if (p < mn[(k - 1 + N) % N]! || p <= mn[(k + 1) % N]!) return false;
  return p > NARROW * Math.max(mn[(k - 3 + N) % N]!, mn[(k + 3) % N]!);
}

/** Median of the first n values of a (reorders them). */
function median(a: Float32Array, n: number): number {
  if (n === 0) return 0;
  const k = n >> 1;
  select(a, n, k);
  if (n % 2) return a[k]!;
  // the lower middle is the largest of those placed before a[k]
  let lo = a[0]!;
  for (let i = 1; i < k; i++) if (a[i]! > lo) lo = a[i]!;
  return 0.5 * (lo + a[k]!);
}

/**
 * Reorders a[0, n) so that a[k] is the value a sort would put there, none before it larger and none
 * after it smaller (Hoare's selection, median-of-three pivot): the median without sorting.
 */
function select(a: Float32Array, n: number, k: number): void {
  let lo = 0,
    hi = n - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // median of three into a[mid], then the partition around its value
    if (a[mid]! < a[lo]!) swap(a, mid, lo);
    if (a[hi]! < a[lo]!) swap(a, hi, lo);
    if (a[hi]! < a[mid]!) swap(a, hi, mid);
    const pivot = a[mid]!;
    let i = lo,
      j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) swap(a, i++, j--);
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

function swap(a: Float32Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}
