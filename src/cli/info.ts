// `chirp info FILE`: what a recording holds before decoding it: format, rate, duration, level,
// clipping and a rough spectrum peak (averaged short FFTs spread over the whole file).
import { ChirpError } from "../errors.js";
import { computeSpectrogram } from "../viz/spectrogram.js";
import { toFloat32 } from "../io/index.js";
import { jsonLine, optNumber, parseCommand, type Help } from "./args.js";
import { openRecording, readSamples, streamSamples, type Recording } from "./recording.js";
import { createProgress } from "./progress.js";
import { duration, hz } from "./table.js";

export const summary = "describe a recording: duration, level, rough spectrum peak";

const help: Help = {
  name: "info",
  summary,
  usage: "FILE [--format F] [--rate R] [--center F] [--json]",
  options: [
    ["--format cf32|cs16|cs8|cu8", "sample format of a raw file (default: from the extension or SigMF metadata)"],
    ["--rate R", "sample rate in Hz (SigMF metadata gives it)"],
    ["--center F", "centre frequency in Hz (SigMF metadata gives it)"],
    ["--json", "one JSON object instead of the table"],
    ["--quiet", "no progress on stderr"],
  ],
  examples: ["chirp info capture.sigmf-meta", "chirp info rtl.cu8 --rate 1.024M --json"],
};

export interface RecordingInfo {
  file: string;
  format: string;
  samples: number;
  sampleRate: number | null;
  centerFrequency: number | null;
  durationS: number | null;
  /** Mean power and peak magnitude, in dB relative to full scale (|x| = 1). */
  rmsDbfs: number;
  peakDbfs: number;
  /** DC offset (mean I, mean Q), full scale = 1. */
  dc: [number, number];
  /** Fraction of I/Q values at the format's limits (integer formats), or NaN/Inf values (cf32). */
  clippedFraction: number;
  nonFinite: number;
  /** Index of the first sample with a NaN or infinite I or Q value (null when none). */
  firstNonFinite: number | null;
  /** Strongest spectral line of the averaged spectrum, relative to the centre (Hz), and its level over the median. */
  peakOffsetHz: number | null;
  peakFrequencyHz: number | null;
  peakOverMedianDb: number | null;
  annotations: number;
}

const FFT_SIZE = 1024;
const BLOCKS = 256;

export async function describe(rec: Recording, quiet = true): Promise<RecordingInfo> {
  let power = 0;
  let peak = 0;
  let sumI = 0;
  let sumQ = 0;
  let clipped = 0;
  let nonFinite = 0;
  let firstNonFinite: number | null = null;
  const lim =
    rec.format === "cs16"
      ? [-32768, 32767]
      : rec.format === "cs8"
        ? [-128, 127]
        : rec.format === "cu8"
          ? [0, 255]
          : null;
  let f32 = new Float32Array(0);
  const progress = createProgress("info", rec.samples, { quiet });
  for await (const { view, first } of streamSamples(rec, 1 << 16)) {
    if (f32.length < view.length) f32 = new Float32Array(view.length);
    const x = toFloat32(view, rec.format, f32);
    for (let i = 0; i < x.length; i += 2) {
      const re = x[i]!;
      const im = x[i + 1]!;
      if (!Number.isFinite(re) || !Number.isFinite(im)) {
        if (nonFinite === 0) firstNonFinite = first + (i >> 1);
        nonFinite++;
        continue;
      }
      const p = re * re + im * im;
      power += p;
      if (p > peak) peak = p;
      sumI += re;
      sumQ += im;
    }
    if (lim) for (let i = 0; i < view.length; i++) if (view[i] === lim[0] || view[i] === lim[1]) clipped++;
    progress.update(first + view.length / 2);
  }
  progress.done();
  const n = Math.max(1, rec.samples - nonFinite);
  const rate = rec.sampleRate;
  // Rough spectrum: average |FFT|^2 of up to BLOCKS windows spread evenly over the recording.
  let peakOffsetHz: number | null = null;
  let peakOverMedianDb: number | null = null;
  if (rec.samples >= FFT_SIZE) {
    const blocks = Math.min(BLOCKS, Math.floor(rec.samples / FFT_SIZE));
    const acc = new Float64Array(FFT_SIZE);
    const stride = Math.floor((rec.samples - FFT_SIZE) / Math.max(1, blocks - 1));
    for (let b = 0; b < blocks; b++) {
      const iq = toFloat32(readSamples(rec, b * stride, FFT_SIZE), rec.format);
      for (let i = 0; i < iq.length; i++) if (!Number.isFinite(iq[i]!)) iq[i] = 0;
      const s = computeSpectrogram(iq, { fftSize: FFT_SIZE, hop: FFT_SIZE });
      for (let c = 0; c < FFT_SIZE; c++) acc[c]! += 10 ** (s.db[c]! / 10);
    }
    let best = 0;
    for (let c = 1; c < FFT_SIZE; c++) if (acc[c]! > acc[best]!) best = c;
    const sorted = Array.from(acc).sort((a, b) => a - b);
    const median = sorted[FFT_SIZE >> 1]!;
    peakOverMedianDb = median > 0 ? 10 * Math.log10(acc[best]! / median) : null;
    if (rate !== undefined) peakOffsetHz = ((best - FFT_SIZE / 2) * rate) / FFT_SIZE;
  }
  const db = (p: number) => (p > 0 ? 10 * Math.log10(p) : -Infinity);
  return {
    file: rec.path,
    format: rec.format,
    samples: rec.samples,
    sampleRate: rate ?? null,
    centerFrequency: rec.centerFrequency ?? null,
    durationS: rate ? rec.samples / rate : null,
    rmsDbfs: db(power / n),
    peakDbfs: db(peak),
    dc: [sumI / n, sumQ / n],
    clippedFraction: lim ? clipped / (2 * rec.samples || 1) : 0,
    nonFinite,
    firstNonFinite,
    peakOffsetHz,
    peakFrequencyHz:
      peakOffsetHz !== null && rec.centerFrequency !== undefined ? rec.centerFrequency + peakOffsetHz : null,
    peakOverMedianDb,
    annotations: rec.sigmf?.info.annotations.length ?? 0,
  };
}

/** Integer formats have a full scale (dBFS); cf32 has none, so its level is given re an amplitude of 1. */
function levelText(rmsDb: number, peakDb: number, format: string): string {
  if (format === "cf32")
    return `${rmsDb.toFixed(1)} dB rms, ${peakDb.toFixed(1)} dB peak (re amplitude 1.0: float samples have no full scale)`;
  return `${rmsDb.toFixed(1)} dBFS rms, ${peakDb.toFixed(1)} dBFS peak`;
}

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(argv, help, {
    format: { type: "string" },
    rate: { type: "string" },
    center: { type: "string" },
    json: { type: "boolean" },
    quiet: { type: "boolean", short: "q" },
  });
  if (!p) return 0;
  if (p.positionals.length !== 1) {
    process.stderr.write(`chirp info: give exactly one FILE (chirp info --help)\n`);
    return 2;
  }
  const flags: { format?: string; rate?: number; center?: number } = {};
  if (p.values.format !== undefined) flags.format = String(p.values.format);
  const rate = optNumber("rate", p.values.rate);
  if (rate !== undefined) flags.rate = rate;
  const center = optNumber("center", p.values.center);
  if (center !== undefined) flags.center = center;
  const rec = openRecording(p.positionals[0]!, flags);
  const info = await describe(rec, !!p.values.quiet);
  // Like decode: NaN or infinite samples are bad input, not a level (exit 2, never "silent").
  if (info.nonFinite > 0) {
    throw new ChirpError(
      "BAD_INPUT",
      `${rec.path}: ${info.nonFinite} of ${info.samples} samples are not finite (NaN or infinite), the first at sample ${info.firstNonFinite}: cf32 samples must be finite numbers`,
      { parameter: "samples" },
    );
  }
  if (p.values.json) {
    process.stdout.write(jsonLine(info));
    return 0;
  }
  const lines: [string, string][] = [
    ["file", info.file],
    [
      "format",
      info.format + (rec.sigmf ? ` (SigMF ${rec.sigmf.info.datatype}${rec.sigmf.archive ? ", archive" : ""})` : ""),
    ],
    ["samples", String(info.samples)],
    ["sample rate", info.sampleRate ? hz(info.sampleRate) : "unknown (give --rate)"],
    ["centre frequency", info.centerFrequency !== null ? hz(info.centerFrequency) : "unknown"],
    ["duration", info.durationS !== null ? duration(info.durationS) : "unknown"],
    [
      "level",
      Number.isFinite(info.peakDbfs)
        ? levelText(info.rmsDbfs, info.peakDbfs, rec.format)
        : info.samples
          ? "silent (all zero)"
          : "no samples",
    ],
    ["DC offset", `I ${info.dc[0].toFixed(4)}, Q ${info.dc[1].toFixed(4)}`],
    [
      "clipped",
      `${(100 * info.clippedFraction).toFixed(3)} %` + (info.nonFinite ? `, ${info.nonFinite} non-finite samples` : ""),
    ],
    [
      "spectrum peak",
      info.peakOverMedianDb === null
        ? "recording too short"
        : `${info.peakOffsetHz !== null ? (info.peakOffsetHz >= 0 ? "+" : "") + hz(info.peakOffsetHz) + " from centre" : "(rate unknown)"}` +
          `${info.peakFrequencyHz !== null ? ` = ${hz(info.peakFrequencyHz)}` : ""}, ${info.peakOverMedianDb.toFixed(1)} dB over the median`,
    ],
  ];
  if (info.annotations) lines.push(["annotations", String(info.annotations)]);
  const w = Math.max(...lines.map((l) => l[0].length));
  process.stdout.write(lines.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join("\n") + "\n");
  return 0;
}
