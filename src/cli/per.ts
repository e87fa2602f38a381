// `chirp per`: packet and symbol error rates of the receiver against SNR, on simulated recordings
// (src/sim perSweepPoints: random payloads, fractional delays, carrier and clock offsets, white
// noise at the SNR in the LoRa bandwidth; decoded by chirpkit/rx and matched to the ground truth).
import { perSweepPoints, type PerPoint } from "../sim/index.js";
import { badParameter } from "../errors.js";
import { resolveParams } from "../phy/index.js";
import { choiceFlag, intFlag, jsonLine, numberFlag, parseCommand, rangeFlag, type Help } from "./args.js";
import { createProgress } from "./progress.js";
import { flagError, withFlagNames } from "./phyFlags.js";
import { formatTable } from "./table.js";
import { perPlotBytes } from "./perplot.js";
import { pictureFormat } from "./spectrogram.js";
import { checkOutputDir, writeOutput } from "./writer.js";

export const summary = "packet and symbol error rate against SNR (channel simulator + receiver)";

const help: Help = {
  name: "per",
  summary,
  usage:
    "--sf S --snr FROM:TO:STEP [--frames N] [--bw B] [--rate R] [--cr C] [--length N] [--json|--csv] [--plot per.svg]",
  options: [
    ["--sf S", "spreading factor 5..12"],
    ["--snr A:B:STEP", "SNR points in dB (in the LoRa bandwidth), or one value"],
    ["--frames N", "frames per SNR point (default 200)"],
    ["--bw B", "bandwidth in Hz (default 125k)"],
    ["--rate R", "sample rate in Hz (default: the bandwidth; higher rates go through the front end)"],
    ["--cr C", "coding rate 1..4 (default 1 = 4/5)"],
    ["--length N", "payload bytes (default 16)"],
    ["--cfo HZ | MIN,MAX", "carrier offset per frame, fixed or drawn uniformly (default 0)"],
    ["--ppm P | MIN,MAX", "transmitter clock offset per frame in ppm, fixed or drawn (default 0)"],
    ["--implicit / --no-crc", "implicit header, no payload CRC"],
    ["--ldro auto|on|off", "low data rate optimisation (default auto)"],
    ["--seed N", "random seed (default 1)"],
    ["--engine wasm|js", "engine (default wasm)"],
    ["--json", "one JSON line per SNR: snrDb, per, ser, frames, received, missed, corrupted, symbols"],
    ["--csv", "the same as comma-separated lines (header line first)"],
    ["--plot FILE.svg|FILE.png", "also draw PER and SER against SNR (log axis) beside the ideal receiver's SER"],
    ["--quiet", "no progress on stderr"],
  ],
  examples: [
    "chirp per --sf 7 --snr -12:-4:0.5 --frames 500 --json",
    "chirp per --sf 7 --snr -12:-5:0.5 --frames 200 --plot per.svg",
    "chirp per --sf 9 --snr -16:-10:1 --rate 500k --cfo=-10k,10k --ppm=-20,20",
  ],
};

/** A fixed value or a "MIN,MAX" range. */
function valueOrRange(name: string, raw: unknown): number | [number, number] {
  if (raw === undefined) return 0;
  const parts = String(raw).split(",");
  if (parts.length === 1) return numberFlag(name, parts[0]);
  if (parts.length !== 2) badParameter(`--${name}`, raw, "a number or MIN,MAX");
  const [a, b] = parts.map((x) => numberFlag(name, x)) as [number, number];
  if (b < a) badParameter(`--${name}`, raw, "MIN,MAX with MIN <= MAX");
  return [a, b];
}

const CHUNK = 10;

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(
    argv,
    help,
    {
      sf: { type: "string" },
      snr: { type: "string" },
      frames: { type: "string" },
      bw: { type: "string" },
      rate: { type: "string" },
      cr: { type: "string" },
      length: { type: "string" },
      cfo: { type: "string" },
      ppm: { type: "string" },
      implicit: { type: "boolean" },
      "no-crc": { type: "boolean" },
      ldro: { type: "string" },
      seed: { type: "string" },
      engine: { type: "string" },
      json: { type: "boolean" },
      csv: { type: "boolean" },
      plot: { type: "string" },
      quiet: { type: "boolean", short: "q" },
    },
    false,
  );
  if (!p) return 0;
  const v = p.values;
  const rp = withFlagNames(() =>
    resolveParams({
      sf: intFlag("sf", v.sf, 5, 12),
      bandwidth: numberFlag("bw", v.bw, 125000),
      cr: intFlag("cr", v.cr, 1, 4, 1),
      ldro: choiceFlag("ldro", v.ldro, ["auto", "on", "off"] as const, "auto"),
      explicitHeader: !v.implicit,
      crc: !v["no-crc"],
    }),
  );
  const snrs = rangeFlag("snr", v.snr);
  const frames = intFlag("frames", v.frames, 1, 1e6, 200);
  const length = intFlag("length", v.length, 1, 255, 16);
  const sampleRate = numberFlag("rate", v.rate, rp.bandwidth);
  if (!(sampleRate >= rp.bandwidth)) badParameter("--rate", v.rate, `at least the bandwidth (${rp.bandwidth} Hz)`);
  if (v.json && v.csv) badParameter("--csv", true, "either --json or --csv");
  const plot = v.plot === undefined ? undefined : String(v.plot);
  const plotFormat = plot === undefined ? undefined : pictureFormat(plot, "--plot");
  if (plot) checkOutputDir(plot, "--plot");
  // progress counts frames, so a slow SNR point (SF12, thousands of frames) shows it is moving
  const progress = createProgress("per", snrs.length * frames, { quiet: !!v.quiet, unit: "frames" });
  const points: PerPoint[] = [];
  const seed = intFlag("seed", v.seed, 0, 2 ** 31, 1);
  const CSV = ["snrDb", "per", "ser", "frames", "received", "missed", "corrupted", "symbolErrors", "symbols"] as const;
  if (v.csv) process.stdout.write(CSV.join(",") + "\n");
  // the simulator's own checks name its options (cfoHz ...): report the flags instead
  const SIM_FLAGS = {
    cfoHz: "--cfo",
    sfoPpm: "--ppm",
    snrDbs: "--snr",
    snrDb: "--snr",
    payloadLength: "--length",
    frames: "--frames",
    seed: "--seed",
  };
  try {
    const options = {
      sf: rp.sf,
      cr: rp.cr,
      bandwidth: rp.bandwidth,
      payloadLength: length,
      sampleRate,
      explicitHeader: rp.explicitHeader,
      crc: rp.crc,
      ldro: rp.ldro,
      cfoHz: valueOrRange("cfo", v.cfo),
      sfoPpm: valueOrRange("ppm", v.ppm),
      engine: choiceFlag("engine", v.engine, ["wasm", "js"] as const, "wasm"),
    };
    let chunkNo = 0;
    for (const snrDb of snrs) {
      // one SNR point in chunks of 10 frames (one simulated recording each), each with its own seed
      const sum = {
        snrDb,
        per: 0,
        ser: 0,
        frames: 0,
        received: 0,
        missed: 0,
        corrupted: 0,
        symbolErrors: 0,
        symbols: 0,
      };
      while (sum.frames < frames) {
        const n = Math.min(CHUNK, frames - sum.frames);
        const [q] = [
          ...perSweepPoints({
            ...options,
            snrDbs: [snrDb],
            frames: n,
            framesPerRecording: CHUNK,
            seed: (seed + 0x9e3779b1 * chunkNo++) >>> 0,
          }),
        ];
        sum.frames += q!.frames;
        sum.received += q!.received;
        sum.missed += q!.missed;
        sum.corrupted += q!.corrupted;
        sum.symbolErrors += q!.symbolErrors;
        sum.symbols += q!.symbols;
        progress.update(points.length * frames + sum.frames);
      }
      const point: PerPoint = {
        ...sum,
        per: 1 - sum.received / sum.frames,
        ser: sum.symbols ? sum.symbolErrors / sum.symbols : Number.NaN,
      };
      points.push(point);
      // Rates are ratios of counts: 6 significant digits say all they can (no 0.30000000000000004).
      const shown = { ...point, per: +point.per.toPrecision(6), ser: +point.ser.toPrecision(6) };
      if (v.json) process.stdout.write(jsonLine(shown));
      if (v.csv)
        process.stdout.write(CSV.map((k) => (Number.isFinite(shown[k]) ? String(shown[k]) : "")).join(",") + "\n");
    }
  } catch (e) {
    throw flagError(e, SIM_FLAGS);
  }
  progress.done();
  if (plot && plotFormat) {
    const title = `chirp per: SF${rp.sf}, ${+(rp.bandwidth / 1e3).toFixed(3)} kHz, CR 4/${4 + rp.cr}, ${length} B payloads, ${frames} frames per point, ${+(sampleRate / 1e3).toFixed(3)} kS/s`;
    writeOutput(plot, perPlotBytes(points, { sf: rp.sf, title }, plotFormat), plot, "--plot");
    if (!v.quiet) process.stderr.write(`wrote ${plot}\n`);
  }
  if (!v.json && !v.csv) {
    process.stdout.write(
      formatTable(points, [
        { header: "SNR dB", get: (q) => q.snrDb.toFixed(1) },
        { header: "PER", get: (q) => q.per.toFixed(4) },
        { header: "received", get: (q) => `${q.received}/${q.frames}` },
        { header: "missed", get: (q) => q.missed },
        { header: "CRC bad", get: (q) => q.corrupted },
        { header: "SER", get: (q) => (q.symbols ? q.ser.toExponential(2) : "-") },
      ]),
    );
    process.stdout.write(
      `SF${rp.sf}, ${rp.bandwidth} Hz, CR 4/${4 + rp.cr}, ${length} B payloads, ${sampleRate} samples/s\n`,
    );
  }
  return 0;
}
