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

export const summary = "packet and symbol error rate against SNR (channel simulator + receiver)";

const help: Help = {
  name: "per",
  summary,
  usage: "--sf S --snr FROM:TO:STEP [--frames N] [--bw B] [--rate R] [--cr C] [--length N] [--json]",
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
    ["--quiet", "no progress on stderr"],
  ],
  examples: ["chirp per --sf 7 --snr -12:-4:0.5 --frames 500 --json", "chirp per --sf 9 --snr -16:-10:1 --rate 500k --cfo=-10k,10k --ppm=-20,20"],
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

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(argv, help, {
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
    quiet: { type: "boolean", short: "q" },
  }, false);
  if (!p) return 0;
  const v = p.values;
  const rp = withFlagNames(() => resolveParams({
    sf: intFlag("sf", v.sf, 5, 12),
    bandwidth: numberFlag("bw", v.bw, 125000),
    cr: intFlag("cr", v.cr, 1, 4, 1),
    ldro: choiceFlag("ldro", v.ldro, ["auto", "on", "off"] as const, "auto"),
    explicitHeader: !v.implicit,
    crc: !v["no-crc"],
  }));
  const snrs = rangeFlag("snr", v.snr);
  const frames = intFlag("frames", v.frames, 1, 1e6, 200);
  const length = intFlag("length", v.length, 1, 255, 16);
  const sampleRate = numberFlag("rate", v.rate, rp.bandwidth);
  if (!(sampleRate >= rp.bandwidth)) badParameter("--rate", v.rate, `at least the bandwidth (${rp.bandwidth} Hz)`);
  const progress = createProgress("per", snrs.length, { quiet: !!v.quiet, unit: "SNR points" });
  const points: PerPoint[] = [];
  // the simulator's own checks name its options (cfoHz ...): report the flags instead
  const SIM_FLAGS = { cfoHz: "--cfo", sfoPpm: "--ppm", snrDbs: "--snr", snrDb: "--snr", payloadLength: "--length", frames: "--frames", seed: "--seed" };
  try {
    for (const point of perSweepPoints({
      sf: rp.sf,
      cr: rp.cr,
      bandwidth: rp.bandwidth,
      payloadLength: length,
      sampleRate,
      snrDbs: snrs,
      frames,
      explicitHeader: rp.explicitHeader,
      crc: rp.crc,
      ldro: rp.ldro,
      cfoHz: valueOrRange("cfo", v.cfo),
      sfoPpm: valueOrRange("ppm", v.ppm),
      seed: intFlag("seed", v.seed, 0, 2 ** 31, 1),
      engine: choiceFlag("engine", v.engine, ["wasm", "js"] as const, "wasm"),
    })) {
      points.push(point);
      progress.update(points.length);
      // Rates are ratios of counts: 6 significant digits say all they can (no 0.30000000000000004).
      if (v.json) process.stdout.write(jsonLine({ ...point, per: +point.per.toPrecision(6), ser: +point.ser.toPrecision(6) }));
    }
  } catch (e) {
    throw flagError(e, SIM_FLAGS);
  }
  progress.done();
  if (!v.json) {
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
    process.stdout.write(`SF${rp.sf}, ${rp.bandwidth} Hz, CR 4/${4 + rp.cr}, ${length} B payloads, ${sampleRate} samples/s\n`);
  }
  return 0;
}
