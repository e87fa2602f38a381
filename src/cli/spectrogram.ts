// `chirp spectrogram FILE -o out.png`: a waterfall picture (time downwards, frequency across,
// -fs/2 on the left) with frames marked: green boxes for frames with a good CRC, red for bad ones,
// white for other SigMF annotations (e.g. simulator ground truth). Frames come from the file's
// SigMF annotations and, with --sf, from decoding it now. Constant memory: rows are computed in
// blocks straight from the file.
import { colormap, computeSpectrogram } from "../viz/index.js";
import { toFloat32 } from "../io/index.js";
import { ChirpError, badParameter } from "../errors.js";
import { checkOutputDir, writeOutput } from "./writer.js";
import { intFlag, parseCommand, type Help } from "./args.js";
import { checkFinite, openRecording, readSamples, requireRate, type Recording } from "./recording.js";
import { adoptMetadata, parseRxFlags, rxOptionHelp, rxOptionSpec, type RxFlags } from "./rxflags.js";
import { decodeRecording, frameAnnotation } from "./decode.js";
import { encodePng } from "./png.js";
import { createProgress } from "./progress.js";

export const summary = "draw a waterfall PNG of a recording with its frames marked";

const help: Help = {
  name: "spectrogram",
  summary,
  usage: "FILE -o OUT.png [--fft N] [--rows H] [--sf S --bw B ... to decode and mark frames]",
  options: [
    ["-o, --out OUT.png", "the picture to write"],
    ["--fft N", "FFT length = picture width, a power of two (default 512)"],
    ["--rows H", "picture height in rows (default: one row per FFT, at most 1200)"],
    ["--range DB", "colour range below the strongest value (default: from the noise floor up)"],
    ["--no-marks", "do not draw frames"],
    ...rxOptionHelp,
    ["--quiet", "no progress on stderr"],
  ],
  examples: [
    "chirp spectrogram rec.sigmf-meta -o rec.png",
    "chirp spectrogram gateway.cs16 --rate 1M --center 868.3M --channel 868.1M,868.3M,868.5M --sf 7-12 --sync 0x34 -o gw.png",
  ],
};

export interface Mark {
  startSample: number;
  sampleCount: number;
  /** Offsets from the centre in Hz; undefined = the whole width. */
  lowHz?: number;
  highHz?: number;
  kind: "ok" | "bad" | "other";
}

const COLORS: Record<Mark["kind"], [number, number, number]> = { ok: [40, 255, 90], bad: [255, 50, 50], other: [255, 255, 255] };

/** Renders the recording's spectrogram as RGBA with the marks drawn; returns the picture. */
export function renderSpectrogram(rec: Recording, opts: { fftSize: number; maxRows: number; rangeDb: number; marks: Mark[]; quiet?: boolean }): { rgba: Uint8Array; width: number; height: number; hop: number } {
  const rate = requireRate(rec);
  const fft = opts.fftSize;
  const full = rec.samples <= fft ? 1 : Math.floor((rec.samples - fft) / fft) + 1;
  const rows = Math.max(1, Math.min(opts.maxRows, full));
  const hop = rows === 1 ? fft : Math.max(1, Math.floor((rec.samples - fft) / (rows - 1)));
  const db = new Float32Array(rows * fft);
  const progress = createProgress("spectrogram", rows, { quiet: opts.quiet ?? false, unit: "rows" });
  const BLOCK = 64;
  for (let r0 = 0; r0 < rows; r0 += BLOCK) {
    const nr = Math.min(BLOCK, rows - r0);
    if (hop <= 4 * fft) {
      const span = (nr - 1) * hop + fft;
      const iq = toFloat32(readSamples(rec, r0 * hop, span), rec.format);
      checkFinite(iq, r0 * hop, rec.format);
      const s = computeSpectrogram(iq, { fftSize: fft, hop });
      db.set(s.db.subarray(0, Math.min(s.rows, nr) * fft), r0 * fft);
    } else {
      for (let r = r0; r < r0 + nr; r++) {
        const iq = toFloat32(readSamples(rec, r * hop, fft), rec.format);
        checkFinite(iq, r * hop, rec.format);
        const s = computeSpectrogram(iq, { fftSize: fft, hop: fft });
        db.set(s.db.subarray(0, fft), r * fft);
      }
    }
    progress.update(r0 + nr);
  }
  progress.done();
  // Colours: from a little below the noise floor (the median) to the strongest value, unless a
  // range is given; sampled percentiles keep this cheap on big pictures.
  const step = Math.max(1, Math.floor(db.length / 65536));
  const sample: number[] = [];
  for (let i = 0; i < db.length; i += step) sample.push(db[i]!);
  sample.sort((a, b) => a - b);
  const max = sample[Math.floor(sample.length * 0.9995)] ?? 0;
  const floor = (sample[sample.length >> 1] ?? max - 60) - 3;
  const min = opts.rangeDb > 0 ? max - opts.rangeDb : Math.min(floor, max - 10);
  const rgba = new Uint8Array(colormap(db, min, max).buffer);
  for (const m of opts.marks) drawMark(rgba, fft, rows, hop, rate, m);
  return { rgba, width: fft, height: rows, hop };
}

function drawMark(rgba: Uint8Array, width: number, height: number, hop: number, rate: number, m: Mark): void {
  const col = (hz: number) => Math.round((hz / rate) * width + width / 2);
  const x0 = Math.max(0, m.lowHz === undefined ? 0 : col(m.lowHz));
  const x1 = Math.min(width - 1, m.highHz === undefined ? width - 1 : col(m.highHz));
  const y0 = Math.max(0, Math.floor(m.startSample / hop));
  const y1 = Math.min(height - 1, Math.ceil((m.startSample + Math.max(1, m.sampleCount)) / hop));
  if (x1 < x0 || y1 < y0 || y0 >= height) return;
  const [r, g, b] = COLORS[m.kind];
  const px = (x: number, y: number) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const i = 4 * (y * width + x);
    rgba[i] = r;
    rgba[i + 1] = g;
    rgba[i + 2] = b;
  };
  for (let t = 0; t < 2; t++) {
    for (let x = x0; x <= x1; x++) {
      px(x, y0 + t);
      px(x, y1 - t);
    }
    for (let y = y0; y <= y1; y++) {
      px(x0 + t, y);
      px(x1 - t, y);
    }
  }
}

/** Marks from the file's SigMF annotations (ours carry chirpkit:crc_ok). */
export function annotationMarks(rec: Recording): Mark[] {
  const center = rec.centerFrequency;
  return (rec.sigmf?.info.annotations ?? []).map((a) => {
    const crc = a.extra?.["chirpkit:crc_ok"];
    const m: Mark = { startSample: a.sampleStart, sampleCount: a.sampleCount ?? 1, kind: crc === true ? "ok" : crc === false ? "bad" : "other" };
    if (center !== undefined && a.freqLowerEdge !== undefined && a.freqUpperEdge !== undefined) {
      m.lowHz = a.freqLowerEdge - center;
      m.highHz = a.freqUpperEdge - center;
    }
    return m;
  });
}

export async function decodedMarks(rec: Recording, rx: RxFlags, quiet: boolean): Promise<Mark[]> {
  const frames = await decodeRecording(rec, rx, { quiet });
  return frames.map((f) => {
    const a = frameAnnotation(f, rec, rx);
    const c = (f.channelOffsetHz ?? 0) + (Number.isFinite(f.cfoHz) ? f.cfoHz : 0);
    return { startSample: f.startSample, sampleCount: a.sampleCount ?? 1, lowHz: c - f.bandwidth / 2, highHz: c + f.bandwidth / 2, kind: f.crcOk === false || !f.headerOk ? "bad" : "ok" };
  });
}

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(argv, help, {
    ...rxOptionSpec,
    out: { type: "string", short: "o" },
    fft: { type: "string" },
    rows: { type: "string" },
    range: { type: "string" },
    "no-marks": { type: "boolean" },
    quiet: { type: "boolean", short: "q" },
  });
  if (!p) return 0;
  const v = p.values;
  if (p.positionals.length !== 1) badParameter("FILE", p.positionals.join(" "), "exactly one recording");
  if (v.out === undefined) throw new ChirpError("BAD_PARAMETER", "-o/--out is required: the PNG file to write, e.g. -o rec.png", { parameter: "--out" });
  checkOutputDir(String(v.out));
  const fftSize = intFlag("fft", v.fft, 16, 8192, 512);
  if ((fftSize & (fftSize - 1)) !== 0) badParameter("--fft", v.fft, "a power of two from 16 to 8192");
  const maxRows = intFlag("rows", v.rows, 1, 20000, 1200);
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
  requireRate(rec);
  let marks: Mark[] = [];
  if (!v["no-marks"]) {
    marks = annotationMarks(rec);
    if (rx) {
      // Decoded frames replace our own earlier annotations of the same frames.
      marks = marks.filter((m) => m.kind === "other");
      marks.push(...(await decodedMarks(rec, rx, !!v.quiet)));
    }
  }
  const pic = renderSpectrogram(rec, { fftSize, maxRows, rangeDb, marks, quiet: !!v.quiet });
  writeOutput(String(v.out), encodePng(pic.rgba, pic.width, pic.height));
  const ok = marks.filter((m) => m.kind === "ok").length;
  const bad = marks.filter((m) => m.kind === "bad").length;
  process.stdout.write(
    `wrote ${v.out}: ${pic.width}x${pic.height} (${((pic.hop / requireRate(rec)) * 1e3).toFixed(3)} ms per row), ${marks.length} frame(s) marked (${ok} CRC ok, ${bad} bad)\n`,
  );
  return 0;
}
