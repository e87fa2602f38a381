// `chirp spectrogram FILE -o out.png|out.svg`: a figure of the recording's spectrogram with time
// running left to right (ms) and frequency up (kHz from the centre), a colour bar in dB, a title
// with the parameters, and the frames marked: decoded frames boxed and labelled (SF, CRC, a line
// where the payload starts), other SigMF annotations (e.g. simulator ground truth) as dashed boxes
// drawn outside them so neither hides the other. The STFT window follows the SF: a chirp sweeps
// bw in 2^sf chips, so a window of about sqrt(2^sf) chips resolves it equally in time and
// frequency and it is drawn as a slope, not as bars. Constant memory: columns are computed in
// blocks straight from the file.
import { colormap, computeSpectrogram } from "../viz/index.js";
import { toFloat32 } from "../io/index.js";
import { ChirpError, badParameter } from "../errors.js";
import { checkOutputDir, writeOutput } from "./writer.js";
import { intFlag, numberFlag, parseCommand, type Help } from "./args.js";
import { checkFinite, openRecording, readSamples, requireRate, type Recording } from "./recording.js";
import { adoptMetadata, parseRxFlags, rxOptionHelp, rxOptionSpec, type RxFlags } from "./rxflags.js";
import { decodeRecording, frameAnnotation } from "./decode.js";
import { createProgress } from "./progress.js";
import { figureToPng, figureToSvg, niceTicks, textWidth, tickLabel, type Figure, type Shape } from "./figure.js";
import { basename } from "node:path";

export const summary = "draw a spectrogram figure (PNG or SVG) of a recording with its frames marked";

const help: Help = {
  name: "spectrogram",
  summary,
  usage: "FILE -o OUT.png|OUT.svg [--start S --duration S] [--sf S --bw B ... to decode and mark frames]",
  options: [
    ["-o, --out OUT.png|OUT.svg", "the figure to write (the extension picks the format)"],
    ["--start S / --duration S", "the time span to draw in seconds (default: the whole recording)"],
    ["--window N", "STFT window in samples (default: about sqrt(2^SF) chips for the SF, so chirps look like chirps)"],
    ["--fft N", "FFT length, a power of two >= the window (zero-padded; default max(window, 256))"],
    ["--width W / --height H", "plot area in pixels (default 1000 x 320; time columns = W at most)"],
    ["--range DB", "colour range below the strongest value (default: from the noise floor up)"],
    ["--no-marks", "do not draw frames"],
    ...rxOptionHelp,
    ["--quiet", "no progress on stderr"],
  ],
  notes: ["Without --sf, the SF for the window comes from the SigMF annotations (chirpkit:sf) when there are any."],
  examples: [
    "chirp spectrogram rec.sigmf-meta -o rec.png",
    "chirp spectrogram rec.sigmf-meta --sf 7 --start 0.1 --duration 0.05 -o frame.svg",
    "chirp spectrogram gateway.cs16 --rate 1M --center 868.3M --channel 868.1M,868.3M,868.5M --sf 7-12 --sync 0x34 -o gw.png",
  ],
};

export interface Mark {
  startSample: number;
  sampleCount: number;
  /** Offsets from the centre in Hz; undefined = the whole height. */
  lowHz?: number;
  highHz?: number;
  kind: "ok" | "bad" | "other";
  /** A short label drawn above the box (e.g. "SF7 CRC ok"). */
  label?: string;
  /** Sample where the payload starts (after preamble, sync, downchirps and header), for a tick. */
  payloadStart?: number;
}

const COLORS: Record<Mark["kind"], string> = { ok: "#28ff5a", bad: "#ff3232", other: "#ffffff" };

/** What the picture shows and how its STFT is made. */
export interface SpectrogramView {
  start: number;
  count: number;
  window: number;
  fftSize: number;
  hop: number;
  columns: number;
  sf?: number;
}

const nextPow2 = (x: number) => 2 ** Math.ceil(Math.log2(Math.max(1, x)));

/**
 * The STFT for a span of `count` samples at `rate`: a window of about sqrt(2^sf) chips (the
 * chirp's time-frequency balance: it sweeps bw in 2^sf / bw seconds), a power of two, zero-padded
 * to at least 256 bins; columns up to `width`, consecutive windows overlapping when the span allows.
 */
export function chooseView(
  rate: number,
  count: number,
  o: { sf?: number; bandwidth?: number; window?: number; fft?: number; width: number; start?: number },
): SpectrogramView {
  const chip = o.bandwidth ? rate / o.bandwidth : 1;
  let window = o.window ?? (o.sf !== undefined ? nextPow2(chip * Math.sqrt(2 ** o.sf)) : 256);
  window = Math.max(8, Math.min(window, 16384, Math.max(8, count)));
  const fftSize = o.fft ?? Math.max(nextPow2(window), 256);
  if (fftSize < window) badParameter("--fft", fftSize, `at least the window (${window} samples)`);
  const possible = Math.max(1, count - window + 1);
  const columns = Math.max(1, Math.min(o.width, possible));
  const hop = columns === 1 ? window : Math.max(1, Math.floor((count - window) / (columns - 1)));
  const v: SpectrogramView = { start: o.start ?? 0, count, window, fftSize, hop, columns };
  if (o.sf !== undefined) v.sf = o.sf;
  return v;
}

/** dB values (columns x fftSize, column-major in time, bins from -fs/2) for the view. */
function stft(rec: Recording, v: SpectrogramView, quiet: boolean): Float32Array {
  const db = new Float32Array(v.columns * v.fftSize);
  const progress = createProgress("spectrogram", v.columns, { quiet, unit: "columns" });
  const BLOCK = 64;
  for (let c0 = 0; c0 < v.columns; c0 += BLOCK) {
    const nc = Math.min(BLOCK, v.columns - c0);
    const first = v.start + c0 * v.hop;
    if (v.hop <= 4 * v.window) {
      const iq = toFloat32(readSamples(rec, first, (nc - 1) * v.hop + v.window), rec.format);
      checkFinite(iq, first, rec.format);
      const s = computeSpectrogram(iq, { fftSize: v.fftSize, windowLength: v.window, hop: v.hop });
      db.set(s.db.subarray(0, Math.min(s.rows, nc) * v.fftSize), c0 * v.fftSize);
    } else {
      for (let c = c0; c < c0 + nc; c++) {
        const iq = toFloat32(readSamples(rec, v.start + c * v.hop, v.window), rec.format);
        checkFinite(iq, v.start + c * v.hop, rec.format);
        const s = computeSpectrogram(iq, { fftSize: v.fftSize, windowLength: v.window, hop: v.window });
        db.set(s.db.subarray(0, v.fftSize), c * v.fftSize);
      }
    }
    progress.update(c0 + nc);
  }
  progress.done();
  return db;
}

/** Colour limits: a little below the noise floor (the median) to the strongest value, or a range. */
function colourLimits(db: Float32Array, rangeDb: number): [number, number] {
  const step = Math.max(1, Math.floor(db.length / 65536));
  const sample: number[] = [];
  for (let i = 0; i < db.length; i += step) sample.push(db[i]!);
  sample.sort((a, b) => a - b);
  const max = sample[Math.floor(sample.length * 0.9995)] ?? 0;
  const floor = (sample[sample.length >> 1] ?? max - 60) - 3;
  const min = rangeDb > 0 ? max - rangeDb : Math.min(floor, max - 10);
  return [min, max > min ? max : min + 1];
}

export interface SpectrogramFigureOptions {
  view: SpectrogramView;
  width: number;
  height: number;
  rangeDb: number;
  marks: Mark[];
  title: string;
  quiet?: boolean;
}

/** Layout of the figure (pixels): where the plot area sits. */
export const LAYOUT = { left: 64, right: 96, top: 40, bottom: 44 };

/** The whole figure: plot, axes, colour bar, title and marks. */
export function spectrogramFigure(rec: Recording, o: SpectrogramFigureOptions): Figure {
  const rate = requireRate(rec);
  const v = o.view;
  const db = stft(rec, v, o.quiet ?? false);
  const [min, max] = colourLimits(db, o.rangeDb);
  const colours = colormap(db, min, max);
  // image: x = time column, y = frequency bin with +fs/2 at the top
  const iw = v.columns;
  const ih = v.fftSize;
  const img = new Uint8Array(iw * ih * 4);
  for (let c = 0; c < iw; c++) {
    for (let b = 0; b < ih; b++) {
      const src = 4 * (c * ih + b);
      const dst = 4 * ((ih - 1 - b) * iw + c);
      img[dst] = colours[src]!;
      img[dst + 1] = colours[src + 1]!;
      img[dst + 2] = colours[src + 2]!;
      img[dst + 3] = 255;
    }
  }
  const { left, right, top, bottom } = LAYOUT;
  const W = o.width;
  const H = o.height;
  const shapes: Shape[] = [{ kind: "image", x: left, y: top, w: W, h: H, rgba: img, iw, ih }];
  // time of a column centre: the window's middle
  const t0 = (v.start + v.window / 2) / rate;
  const t1 = (v.start + (v.columns - 1) * v.hop + v.window / 2) / rate;
  const span = Math.max(t1 - t0, 1 / rate);
  const xOfSample = (s: number) => left + ((s / rate - t0) / span) * W;
  const yOfHz = (hz: number) => top + ((rate / 2 - hz) / rate) * H;
  // marks: truth (and other annotations) first, dashed and 3 px outside; decoded frames on top
  const inView = (m: Mark) => m.startSample + m.sampleCount >= v.start && m.startSample <= v.start + v.count;
  const box = (m: Mark, grow: number) => {
    const x0 = Math.max(left, xOfSample(m.startSample)) - grow;
    const x1 = Math.min(left + W, xOfSample(m.startSample + m.sampleCount)) + grow;
    const y0 = (m.highHz === undefined ? top : Math.max(top, yOfHz(m.highHz))) - grow;
    const y1 = (m.lowHz === undefined ? top + H : Math.min(top + H, yOfHz(m.lowHz))) + grow;
    return { x0, x1, y0, y1 };
  };
  for (const m of o.marks.filter((m) => m.kind === "other" && inView(m))) {
    const b = box(m, 3);
    shapes.push({
      kind: "rect",
      x: b.x0,
      y: b.y0,
      w: b.x1 - b.x0,
      h: b.y1 - b.y0,
      stroke: COLORS.other,
      width: 1,
      dash: 4,
    });
  }
  for (const m of o.marks.filter((m) => m.kind !== "other" && inView(m))) {
    const b = box(m, 0);
    shapes.push({ kind: "rect", x: b.x0, y: b.y0, w: b.x1 - b.x0, h: b.y1 - b.y0, stroke: COLORS[m.kind], width: 2 });
    if (m.payloadStart !== undefined && m.payloadStart > v.start && m.payloadStart < v.start + v.count) {
      const x = xOfSample(m.payloadStart);
      if (x > b.x0 + 2 && x < b.x1 - 2)
        shapes.push({ kind: "line", x1: x, y1: b.y0, x2: x, y2: b.y1, color: COLORS[m.kind], width: 1, dash: 3 });
    }
    if (m.label && b.x1 - b.x0 >= textWidth(m.label) + 4) {
      shapes.push({
        kind: "text",
        x: b.x0 + 3,
        y: Math.max(top + 6, b.y0 + 7),
        text: m.label,
        color: COLORS[m.kind],
        background: "#000000",
      });
    }
  }
  // axes: frame, time ticks (ms) below, frequency ticks (kHz) left
  shapes.push({ kind: "rect", x: left - 1, y: top - 1, w: W + 1, h: H + 1, stroke: "#000000", width: 1 });
  const ms0 = ((v.start + v.window / 2) / rate) * 1e3;
  const ms1 = ms0 + span * 1e3;
  for (const t of niceTicks(ms0, ms1, Math.max(2, Math.floor(W / 110)))) {
    const x = left + ((t - ms0) / (ms1 - ms0 || 1)) * W;
    shapes.push({ kind: "line", x1: x, y1: top + H, x2: x, y2: top + H + 5, color: "#000000" });
    shapes.push({ kind: "text", x, y: top + H + 12, text: tickLabel(t), anchor: "middle" });
  }
  shapes.push({ kind: "text", x: left + W / 2, y: top + H + 30, text: "time (ms)", anchor: "middle" });
  const k0 = -rate / 2e3;
  const k1 = rate / 2e3;
  for (const f of niceTicks(k0, k1, Math.max(2, Math.floor(H / 50)))) {
    const y = yOfHz(f * 1e3);
    shapes.push({ kind: "line", x1: left - 5, y1: y, x2: left - 1, y2: y, color: "#000000" });
    shapes.push({ kind: "text", x: left - 8, y, text: tickLabel(f), anchor: "end" });
  }
  const centre = rec.centerFrequency;
  const yLabel =
    centre !== undefined ? `frequency - ${+(centre / 1e6).toFixed(6)} MHz (kHz)` : "frequency offset (kHz)";
  shapes.push({ kind: "text", x: 12, y: top + H / 2, text: yLabel, anchor: "middle", vertical: true });
  // colour bar
  const cbX = left + W + 20;
  const cbW = 14;
  const bar = new Float32Array(H);
  for (let y = 0; y < H; y++) bar[y] = max - ((max - min) * y) / Math.max(1, H - 1);
  const barRgba = new Uint8Array(colormap(bar, min, max).buffer);
  shapes.push({ kind: "image", x: cbX, y: top, w: cbW, h: H, rgba: barRgba, iw: 1, ih: H });
  shapes.push({ kind: "rect", x: cbX - 1, y: top - 1, w: cbW + 1, h: H + 1, stroke: "#000000" });
  for (const d of niceTicks(min, max, 6)) {
    const y = top + ((max - d) / (max - min)) * (H - 1);
    shapes.push({ kind: "line", x1: cbX + cbW, y1: y, x2: cbX + cbW + 4, y2: y, color: "#000000" });
    shapes.push({ kind: "text", x: cbX + cbW + 7, y, text: tickLabel(d) });
  }
  shapes.push({
    kind: "text",
    x: cbX + cbW + 50,
    y: top + H / 2,
    text: "power (dB)",
    anchor: "middle",
    vertical: true,
  });
  // title (two lines: the file and the parameters)
  shapes.push({ kind: "text", x: left, y: 10, text: o.title, scale: 1 });
  const overlap = 1 - v.hop / v.window;
  const params = [
    `${+(rate / 1e3).toFixed(3)} kS/s`,
    v.sf !== undefined ? `window ${v.window} samples (SF${v.sf})` : `window ${v.window} samples`,
    `FFT ${v.fftSize}`,
    overlap >= 0
      ? `overlap ${Math.round(overlap * 100)} %`
      : `hop ${v.hop} (${Math.round((v.window / v.hop) * 100)} % of samples shown)`,
    `${o.marks.filter((m) => m.kind !== "other" && inView(m)).length} decoded frame(s) in view`,
  ].join(", ");
  shapes.push({ kind: "text", x: left, y: 24, text: params, color: "#333333" });
  return { width: left + W + right, height: top + H + bottom, background: "#ffffff", shapes };
}

/** Payload start of a frame: preamble, 2 sync symbols, 2.25 downchirps, then the 8-symbol header block (explicit). */
export function payloadStartSample(
  startSample: number,
  sf: number,
  bandwidth: number,
  rate: number,
  explicitHeader: boolean,
  preambleLength = 8,
): number {
  const ts = (2 ** sf / bandwidth) * rate;
  return startSample + (preambleLength + 4.25 + (explicitHeader ? 8 : 0)) * ts;
}

function frameLabel(sf: unknown, crcOk: unknown, headerOk: unknown): string {
  const crc = headerOk === false ? "header bad" : crcOk === true ? "CRC ok" : crcOk === false ? "CRC bad" : "no CRC";
  return `SF${sf} ${crc}`;
}

/** Marks from the file's SigMF annotations (ours carry chirpkit:crc_ok, chirpkit:sf, chirpkit:bandwidth). */
export function annotationMarks(rec: Recording): Mark[] {
  const center = rec.centerFrequency;
  const rate = rec.sampleRate;
  return (rec.sigmf?.info.annotations ?? []).map((a) => {
    const x = a.extra ?? {};
    const crc = x["chirpkit:crc_ok"];
    const decoded =
      x["chirpkit:truth"] !== true && (crc === true || crc === false || x["chirpkit:header_ok"] !== undefined);
    const kind: Mark["kind"] = !decoded ? "other" : crc === false || x["chirpkit:header_ok"] === false ? "bad" : "ok";
    const m: Mark = { startSample: a.sampleStart, sampleCount: a.sampleCount ?? 1, kind };
    if (center !== undefined && a.freqLowerEdge !== undefined && a.freqUpperEdge !== undefined) {
      m.lowHz = a.freqLowerEdge - center;
      m.highHz = a.freqUpperEdge - center;
    }
    const sf = x["chirpkit:sf"];
    const bw = x["chirpkit:bandwidth"] ?? rec.bandwidth;
    if (decoded && typeof sf === "number") {
      m.label = frameLabel(sf, crc, x["chirpkit:header_ok"]);
      if (typeof bw === "number" && rate) m.payloadStart = payloadStartSample(a.sampleStart, sf, bw, rate, true);
    }
    return m;
  });
}

/** The SF the annotations name most often (for the STFT window when --sf is not given). */
export function annotatedSf(rec: Recording): number | undefined {
  const count = new Map<number, number>();
  for (const a of rec.sigmf?.info.annotations ?? []) {
    const sf = a.extra?.["chirpkit:sf"];
    if (typeof sf === "number") count.set(sf, (count.get(sf) ?? 0) + 1);
  }
  let best: number | undefined;
  for (const [sf, n] of count)
    if (best === undefined || n > count.get(best)! || (n === count.get(best)! && sf < best)) best = sf;
  return best;
}

export async function decodedMarks(rec: Recording, rx: RxFlags, quiet: boolean): Promise<Mark[]> {
  const frames = await decodeRecording(rec, rx, { quiet });
  const rate = requireRate(rec);
  return frames.map((f) => {
    const a = frameAnnotation(f, rec, rx);
    const c = (f.channelOffsetHz ?? 0) + (Number.isFinite(f.cfoHz) ? f.cfoHz : 0);
    return {
      startSample: f.startSample,
      sampleCount: a.sampleCount ?? 1,
      lowHz: c - f.bandwidth / 2,
      highHz: c + f.bandwidth / 2,
      kind: f.crcOk === false || !f.headerOk ? "bad" : "ok",
      label: frameLabel(f.sf, f.crcOk, f.headerOk),
      payloadStart: payloadStartSample(
        f.startSample,
        f.sf,
        f.bandwidth,
        rate,
        f.explicitHeader,
        rx.base.preambleLength ?? 8,
      ),
    };
  });
}

/** The picture format from the output name: .png or .svg, nothing else (never a PNG called x.jpg). */
export function pictureFormat(path: string, flag = "--out"): "png" | "svg" {
  const ext = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  if (ext === "png" || ext === "svg") return ext;
  badParameter(flag, path, "a file name ending in .png or .svg (the format follows the extension)");
}

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(argv, help, {
    ...rxOptionSpec,
    out: { type: "string", short: "o" },
    fft: { type: "string" },
    window: { type: "string" },
    width: { type: "string" },
    height: { type: "string" },
    start: { type: "string" },
    duration: { type: "string" },
    range: { type: "string" },
    "no-marks": { type: "boolean" },
    quiet: { type: "boolean", short: "q" },
  });
  if (!p) return 0;
  const v = p.values;
  if (p.positionals.length !== 1) badParameter("FILE", p.positionals.join(" "), "exactly one recording");
  if (v.out === undefined)
    throw new ChirpError("BAD_PARAMETER", "-o/--out is required: the PNG or SVG file to write, e.g. -o rec.png", {
      parameter: "--out",
    });
  const out = String(v.out);
  const format = pictureFormat(out);
  checkOutputDir(out);
  const fft = v.fft === undefined ? undefined : intFlag("fft", v.fft, 16, 65536);
  if (fft !== undefined && (fft & (fft - 1)) !== 0) badParameter("--fft", v.fft, "a power of two from 16 to 65536");
  const window = v.window === undefined ? undefined : intFlag("window", v.window, 8, 16384);
  const width = intFlag("width", v.width, 100, 8000, 1000);
  const height = intFlag("height", v.height, 100, 4000, 320);
  const rangeDb = v.range === undefined ? 0 : intFlag("range", v.range, 10, 200);
  const decode = v.sf !== undefined;
  const rx = decode ? parseRxFlags(v) : undefined;
  const flags: { format?: string; rate?: number; center?: number } = {};
  if (!decode) {
    const r = parseRxFlags({ ...v, sf: "7" });
    Object.assign(flags, r.flags);
  }
  const rec = openRecording(p.positionals[0]!, rx?.flags ?? flags);
  if (rx) adoptMetadata(rx, rec);
  const rate = requireRate(rec);
  const startS = v.start === undefined ? 0 : numberFlag("start", v.start);
  if (!(startS >= 0) || startS * rate >= rec.samples)
    badParameter(
      "--start",
      v.start,
      `a time in seconds from 0 to ${(rec.samples / rate).toFixed(6)} (the recording's length)`,
    );
  const start = Math.floor(startS * rate);
  const durS = v.duration === undefined ? undefined : numberFlag("duration", v.duration);
  if (durS !== undefined && !(durS > 0)) badParameter("--duration", v.duration, "a positive time in seconds");
  const count = Math.min(rec.samples - start, durS === undefined ? rec.samples : Math.max(1, Math.round(durS * rate)));
  let marks: Mark[] = [];
  if (!v["no-marks"]) {
    marks = annotationMarks(rec);
    if (rx) {
      // Decoded frames replace our own earlier annotations of the same frames.
      marks = marks.filter((m) => m.kind === "other");
      marks.push(...(await decodedMarks(rec, rx, !!v.quiet)));
    }
  }
  const sf = rx?.sfs[0] ?? annotatedSf(rec);
  const bandwidth = rx?.base.bandwidth ?? rec.bandwidth ?? (sf !== undefined ? 125e3 : undefined);
  const view = chooseView(rate, count, { sf, bandwidth, window, fft, width, start });
  const title = `${basename(rec.path)}${rec.centerFrequency !== undefined ? ` at ${+(rec.centerFrequency / 1e6).toFixed(6)} MHz` : ""}${bandwidth ? `, LoRa bandwidth ${+(bandwidth / 1e3).toFixed(3)} kHz` : ""}${rx ? `, decoded at SF ${rx.sfs.join(",")}` : ""}`;
  const fig = spectrogramFigure(rec, { view, width, height, rangeDb, marks, title, quiet: !!v.quiet });
  writeOutput(out, format === "png" ? figureToPng(fig) : new TextEncoder().encode(figureToSvg(fig)));
  const ok = marks.filter((m) => m.kind === "ok").length;
  const bad = marks.filter((m) => m.kind === "bad").length;
  const other = marks.length - ok - bad;
  process.stdout.write(
    `wrote ${out}: ${fig.width}x${fig.height} ${format.toUpperCase()}, ${((count / rate) * 1e3).toFixed(1)} ms in ${view.columns} columns (window ${view.window}, FFT ${view.fftSize}, hop ${view.hop}), ${ok + bad} decoded frame(s) (${ok} CRC ok, ${bad} bad), ${other} other annotation(s)\n`,
  );
  return 0;
}
