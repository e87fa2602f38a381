/**
 * Spectrogram (short-time Fourier transform) of complex baseband samples, and a colormap to turn it
 * into RGBA pixels. Used by the browser demo's waterfalls and by the CLI's PNG spectrogram.
 *
 * Rows are time (one FFT every `hop` samples), columns are frequency from -fs/2 (column 0) to just
 * below +fs/2, i.e. the FFT output with its halves swapped. Values are dB relative to a unit-power
 * tone centred in a bin, so a unit-amplitude chirp reads about 0 dB and noise of variance v per
 * complex sample reads 10*log10(v * sum(w^2) / sum(w)^2), a little below 10*log10(v / fftSize).
 */
import { checkArray, checkOptions, checkView } from "../check.js";
import { ChirpError, badParameter, checkInt } from "../errors.js";
import { createFft, type Fft } from "../phy/fft.js";

export type SpectrogramWindow = "hann" | "blackman" | "rectangular";

export interface SpectrogramOptions {
  /** FFT length, a power of two from 2 to 65536. */
  fftSize: number;
  /** Samples between the starts of consecutive rows (>= 1; larger than fftSize skips samples). */
  hop: number;
  /**
   * Samples per row, tapered by the window and zero-padded to fftSize (default fftSize). A short
   * window with a longer FFT keeps a chirp's time resolution and draws it smoothly in frequency.
   */
  windowLength?: number;
  /** Taper applied before each FFT; default 'hann'. */
  window?: SpectrogramWindow;
  /** 'wasm' (default) or 'js' (fft.js), the same engines as the rest of the toolkit. */
  engine?: "wasm" | "js";
}

export interface Spectrogram {
  rows: number;
  cols: number;
  /** rows x cols, row-major: db[row * cols + col]. */
  db: Float32Array;
  /** Smallest and largest value in `db`. */
  min: number;
  max: number;
}

/** Power floor (-200 dB) so that an all-zero input gives finite values. */
const POWER_FLOOR_DB = -200;

// One FFT object (and so one Wasm work buffer) per engine and size, made on first use and kept:
// a live waterfall recomputes many times per second and must not allocate Wasm memory each time.
const ffts = new Map<string, Fft>();
function fftFor(n: number, engine: "wasm" | "js"): Fft {
  const key = `${engine}:${n}`;
  let fft = ffts.get(key);
  if (!fft) {
    fft = createFft(n, engine);
    ffts.set(key, fft);
  }
  return fft;
}

const POWER_FLOOR = 10 ** (POWER_FLOOR_DB / 10);

function makeWindow(kind: SpectrogramWindow, n: number): Float32Array {
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x = (2 * Math.PI * i) / n; // periodic windows (DFT-even), the usual choice for STFTs
    if (kind === "hann") w[i] = 0.5 - 0.5 * Math.cos(x);
    else if (kind === "blackman") w[i] = 0.42 - 0.5 * Math.cos(x) + 0.08 * Math.cos(2 * x);
    else w[i] = 1;
  }
  return w;
}

/**
 * Computes the spectrogram of interleaved I/Q samples (re, im, re, im, ...). A recording shorter
 * than one FFT gives one zero-padded row. Throws ChirpError BAD_PARAMETER / BAD_INPUT on bad
 * options or an odd-length input.
 */
export function computeSpectrogram(iq: Float32Array, opts: SpectrogramOptions): Spectrogram {
  checkView("iq", iq, [Float32Array], "a Float32Array of interleaved I/Q samples");
  checkOptions("options", opts);
  if (iq.length % 2 !== 0) {
    throw new ChirpError("BAD_INPUT", `iq has ${iq.length} values; interleaved I/Q needs an even count`);
  }
  const fftSize = checkInt("fftSize", opts?.fftSize, 2, 65536);
  if ((fftSize & (fftSize - 1)) !== 0) badParameter("fftSize", fftSize, "a power of two from 2 to 65536");
  const hop = checkInt("hop", opts.hop, 1, Number.MAX_SAFE_INTEGER);
  const windowKind = opts.window ?? "hann";
  if (windowKind !== "hann" && windowKind !== "blackman" && windowKind !== "rectangular") {
    badParameter("window", windowKind, "'hann', 'blackman' or 'rectangular'");
  }
  const engine = opts.engine ?? "wasm";
  if (engine !== "wasm" && engine !== "js") badParameter("engine", engine, "'wasm' or 'js'");

  const len = opts.windowLength === undefined ? fftSize : checkInt("windowLength", opts.windowLength, 2, fftSize);
  const nComplex = iq.length / 2;
  const rows = nComplex <= len ? 1 : Math.floor((nComplex - len) / hop) + 1;
  const cols = fftSize;
  const db = new Float32Array(rows * cols);
  const w = makeWindow(windowKind, len);
  let wSum = 0;
  for (let i = 0; i < len; i++) wSum += w[i]!;
  const scale = 1 / (wSum * wSum);

  const fft = fftFor(fftSize, engine);
  const buf = new Float32Array(2 * fftSize); // one work buffer for all rows
  const half = fftSize >> 1;
  let min = Infinity;
  let max = -Infinity;
  for (let r = 0; r < rows; r++) {
    const start = r * hop;
    const avail = Math.min(len, nComplex - start);
    for (let i = 0; i < avail; i++) {
      const k = 2 * (start + i);
      buf[2 * i] = iq[k]! * w[i]!;
      buf[2 * i + 1] = iq[k + 1]! * w[i]!;
    }
    buf.fill(0, 2 * avail);
    fft.forward(buf);
    const rowOff = r * cols;
    for (let c = 0; c < cols; c++) {
      const bin = (c + half) & (fftSize - 1); // column 0 = -fs/2
      const re = buf[2 * bin]!;
      const im = buf[2 * bin + 1]!;
      const p = (re * re + im * im) * scale;
      const v = 10 * Math.log10(Math.max(p, POWER_FLOOR));
      db[rowOff + c] = v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return { rows, cols, db, min, max };
}

// Viridis anchor colours at 0, 1/8, ..., 1 (rounded from matplotlib's viridis table, _cm_listed.py);
// a perceptually uniform map that stays readable in greyscale and for colour-blind viewers.
const ANCHORS: ReadonlyArray<readonly [number, number, number]> = [
  [68, 1, 84],
  [72, 36, 117],
  [59, 82, 139],
  [44, 114, 142],
  [33, 145, 140],
  [42, 176, 127],
  [94, 201, 98],
  [173, 220, 48],
  [253, 231, 37],
];

const LUT = (() => {
  const lut = new Uint8Array(256 * 3);
  const segs = ANCHORS.length - 1;
  for (let i = 0; i < 256; i++) {
    const x = (i / 255) * segs;
    const k = Math.min(segs - 1, Math.floor(x));
    const t = x - k;
    for (let ch = 0; ch < 3; ch++) {
      lut[3 * i + ch] = Math.round(ANCHORS[k]![ch]! * (1 - t) + ANCHORS[k + 1]![ch]! * t);
    }
  }
  return lut;
})();

/**
 * Maps dB values to opaque RGBA pixels (viridis): `min` and below are dark purple, `max` and above
 * yellow. Returns db.length * 4 bytes, ready for ImageData or a PNG encoder.
 */
export function colormap(db: ArrayLike<number>, min: number, max: number): Uint8ClampedArray {
  if (!(db instanceof Float32Array || db instanceof Float64Array || Array.isArray(db)))
    badParameter("db", db, "a Float32Array, Float64Array or array of numbers");
  if (ArrayBuffer.isView(db))
    checkView<ArrayBufferView>(
      "db",
      db,
      [Float32Array, Float64Array],
      "a Float32Array, Float64Array or array of numbers",
    );
  else checkArray("db", db, 1 << 26, "an array of numbers");
  if (typeof min !== "number" || !Number.isFinite(min)) badParameter("min", min, "a finite number");
  if (typeof max !== "number" || !Number.isFinite(max) || !(max > min)) {
    badParameter("max", max, `a finite number greater than min (${min})`);
  }
  const out = new Uint8ClampedArray(db.length * 4);
  const k = 255 / (max - min);
  for (let i = 0; i < db.length; i++) {
    const v = db[i];
    if (typeof v !== "number") badParameter(`db[${i}]`, v, "a number (dB)");
    let idx = Math.round((v - min) * k);
    if (!(idx >= 0))
      idx = 0; // also catches NaN
    else if (idx > 255) idx = 255;
    out[4 * i] = LUT[3 * idx]!;
    out[4 * i + 1] = LUT[3 * idx + 1]!;
    out[4 * i + 2] = LUT[3 * idx + 2]!;
    out[4 * i + 3] = 255;
  }
  return out;
}
