// `chirp per`: packet and symbol error rates against SNR, measured with the channel simulator.
// per: frames sent through noise (SNR in the LoRa bandwidth), found and decoded by the receiver with
// full synchronisation; a frame counts as received when a frame with a good CRC and the sent
// payload comes out near where it was sent. ser: the demodulator with known timing (src/sim
// serSweep), the quantity compared with the ideal curve in ../shared/vectors/ser-theory.json.
import { createReceiver, serSweep, simulate, type Frame } from "./deps.js";
import { badParameter } from "../errors.js";
import { resolveParams, type PhyParams } from "../phy/index.js";
import { choiceFlag, intFlag, jsonLine, numberFlag, parseCommand, rangeFlag, type Help } from "./args.js";
import { createProgress } from "./progress.js";
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
    ["--symbols N", "symbols per SNR point for ser (default 2000; 0 skips ser)"],
    ["--bw B", "bandwidth in Hz (default 125k)"],
    ["--rate R", "sample rate in Hz (default: the bandwidth; higher rates go through the front end)"],
    ["--cr C", "coding rate 1..4 (default 1 = 4/5)"],
    ["--length N", "payload bytes (default 16)"],
    ["--cfo HZ / --ppm P", "carrier and sample clock offsets of every frame (default 0)"],
    ["--ldro auto|on|off", "low data rate optimisation (default auto)"],
    ["--seed N", "random seed (default 1)"],
    ["--engine wasm|js", "engine (default wasm)"],
    ["--json", "one JSON line per SNR: snrDb, per, ser, frames, received, symbols"],
    ["--quiet", "no progress on stderr"],
  ],
  examples: ["chirp per --sf 7 --snr -12:-4:0.5 --frames 500 --json", "chirp per --sf 9 --snr -16:-10:1 --rate 500k"],
};

export interface PerPoint {
  snrDb: number;
  per: number;
  ser: number | null;
  frames: number;
  received: number;
  symbols: number;
}

/** Frames per simulated recording (bounded memory whatever --frames is). */
const BATCH = 25;

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(argv, help, {
    sf: { type: "string" },
    snr: { type: "string" },
    frames: { type: "string" },
    symbols: { type: "string" },
    bw: { type: "string" },
    rate: { type: "string" },
    cr: { type: "string" },
    length: { type: "string" },
    cfo: { type: "string" },
    ppm: { type: "string" },
    ldro: { type: "string" },
    seed: { type: "string" },
    engine: { type: "string" },
    json: { type: "boolean" },
    quiet: { type: "boolean", short: "q" },
  }, false);
  if (!p) return 0;
  const v = p.values;
  const params: PhyParams = {
    sf: intFlag("sf", v.sf, 5, 12),
    bandwidth: numberFlag("bw", v.bw, 125000),
    cr: intFlag("cr", v.cr, 1, 4, 1),
    ldro: choiceFlag("ldro", v.ldro, ["auto", "on", "off"] as const, "auto"),
  };
  const rp = resolveParams(params);
  const snrs = rangeFlag("snr", v.snr);
  const frames = intFlag("frames", v.frames, 1, 1e6, 200);
  const symbols = intFlag("symbols", v.symbols, 0, 1e8, 2000);
  const length = intFlag("length", v.length, 1, 255, 16);
  const sampleRate = numberFlag("rate", v.rate, rp.bandwidth);
  if (!(sampleRate >= rp.bandwidth)) badParameter("--rate", v.rate, `at least the bandwidth (${rp.bandwidth} Hz)`);
  const cfoHz = numberFlag("cfo", v.cfo, 0);
  const sfoPpm = numberFlag("ppm", v.ppm, 0);
  const seed = intFlag("seed", v.seed, 0, 2 ** 31, 1);
  const engine = choiceFlag("engine", v.engine, ["wasm", "js"] as const, "wasm");
  const os = sampleRate / rp.bandwidth;
  const symbolSamples = rp.n * os;
  const progress = createProgress("per", snrs.length * frames, { quiet: !!v.quiet, unit: "frames" });
  const points: PerPoint[] = [];
  for (let si = 0; si < snrs.length; si++) {
    const snrDb = snrs[si]!;
    let received = 0;
    for (let done = 0; done < frames; done += BATCH) {
      const count = Math.min(BATCH, frames - done);
      const sim = await simulate({
        frames: Array.from({ length: count }, () => ({ payloadLength: length, params })),
        sampleRate,
        snrDb,
        cfoHz,
        sfoPpm,
        // Gaps of 2..6 symbols (random, so that frames do not sit on a symbol grid), noise before and after.
        gapSamples: [Math.round(2 * symbolSamples), Math.round(6 * symbolSamples)],
        leadSamples: Math.round(3 * symbolSamples),
        tailSamples: Math.round(3 * symbolSamples),
        seed: seed + 7919 * si + done,
        engine,
      });
      const rx = await createReceiver({ sampleRate, bandwidth: rp.bandwidth, sf: rp.sf, ldro: rp.ldro, engine });
      const out: Frame[] = [...rx.push(sim.iq), ...rx.flush()];
      for (const t of sim.truth) {
        const hit = out.find((f) => f.crcOk === true && f.payloadHex === t.payloadHex && Math.abs(f.startSample - t.startSample) < symbolSamples);
        if (hit) received++;
      }
      progress.update(si * frames + done + count);
    }
    let ser: number | null = null;
    if (symbols > 0) {
      const [pt] = await serSweep({ sf: rp.sf, bandwidth: rp.bandwidth, sampleRate, snrDbs: [snrDb], symbols, seed: seed + si, engine });
      ser = pt ? pt.ser : null;
    }
    const point: PerPoint = { snrDb, per: 1 - received / frames, ser, frames, received, symbols };
    points.push(point);
    if (v.json) process.stdout.write(jsonLine(point));
  }
  progress.done();
  if (!v.json) {
    process.stdout.write(
      formatTable(points, [
        { header: "SNR dB", get: (q) => q.snrDb.toFixed(1) },
        { header: "PER", get: (q) => q.per.toFixed(4) },
        { header: "received", get: (q) => `${q.received}/${q.frames}` },
        { header: "SER", get: (q) => (q.ser === null ? "-" : q.ser.toExponential(2)) },
      ]),
    );
    process.stdout.write(`SF${rp.sf}, ${rp.bandwidth} Hz, CR 4/${4 + rp.cr}, ${length} B payloads, ${sampleRate} samples/s\n`);
  }
  return 0;
}
