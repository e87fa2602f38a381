// `chirp simulate -o OUT`: a recording made by the channel simulator (white noise at an SNR in the
// LoRa bandwidth, carrier and sample clock offsets, gaps between frames), written as raw IQ with
// SigMF metadata whose annotations are the ground truth.
import { simulate, type SimulateOptions, type SimTruth } from "./deps.js";
import { resolveParams, type PhyParams } from "../phy/index.js";
import { ChirpError, badParameter } from "../errors.js";
import { checkFormat, type SigmfAnnotation } from "../io/index.js";
import { choiceFlag, intFlag, jsonLine, numberFlag, optNumber, parseCommand, type Help } from "./args.js";
import { formatTable } from "./table.js";
import { checkOutputDir, chooseOutputFormat, writeRecording } from "./writer.js";
import { withFlagNames } from "./phyFlags.js";

export const summary = "write a simulated recording (raw IQ + SigMF with ground truth)";

const help: Help = {
  name: "simulate",
  summary,
  usage: "-o OUT --sf S [--bw B] [--rate R] [--snr DB] [--cfo HZ] [--ppm P] [--frames N] [options]",
  options: [
    ["-o, --out OUT", "NAME (-> NAME.sigmf-data + .sigmf-meta), NAME.sigmf (archive) or NAME.cs16 etc. (raw + NAME.sigmf-meta)"],
    ["--sf S", "spreading factor 5..12"],
    ["--bw B", "bandwidth in Hz (default 125k)"],
    ["--rate R", "sample rate in Hz (default: the bandwidth)"],
    ["--cr C", "coding rate 1..4 (4/5..4/8, default 1)"],
    ["--frames N", "number of frames (default 3)"],
    ["--length N", "payload bytes per frame, random (default 16)"],
    ["--payload HEX", "this payload in every frame instead of random bytes"],
    ["--snr DB", "SNR in the LoRa bandwidth (default: no noise)"],
    ["--cfo HZ", "carrier frequency offset (default 0)"],
    ["--ppm P", "sample clock offset in ppm (default 0)"],
    ["--gap N", "samples of silence (noise) between frames (default: 4 symbols)"],
    ["--format cf32|cs16|cs8|cu8", "sample format (default cf32, or from the output name)"],
    ["--center F", "centre frequency written to the metadata (default 868.1M)"],
    ["--sync 0x12", "sync word (default 0x12)"],
    ["--implicit / --no-crc / --ldro auto|on|off / --preamble N", "frame options as in chirp decode"],
    ["--seed N", "random seed (default 1)"],
    ["--json", "ground truth as JSON lines instead of the table"],
  ],
  examples: [
    "chirp simulate -o rec --sf 7 --rate 500k --snr -5 --cfo 2k --ppm 10 --frames 5",
    "chirp decode rec.sigmf-meta --sf 7 --annotate",
  ],
};

/** A small seeded generator for payload bytes (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hexBytes(hex: string): Uint8Array {
  const h = hex.replace(/^0x/i, "");
  if (!/^([0-9a-f]{2})+$/i.test(h)) badParameter("--payload", hex, "hex bytes, e.g. 48656c6c6f");
  return Uint8Array.from(h.match(/../g)!, (x) => parseInt(x, 16));
}

/** The SigMF annotation of a simulated frame: where it is, and what was sent. */
export function truthAnnotation(t: SimTruth, center: number): SigmfAnnotation {
  const f = center + t.frequencyOffsetHz + t.cfoHz;
  return {
    sampleStart: Math.floor(t.startSample),
    sampleCount: Math.ceil(t.endSample) - Math.floor(t.startSample),
    freqLowerEdge: f - t.bandwidth / 2,
    freqUpperEdge: f + t.bandwidth / 2,
    label: `truth SF${t.sf} ${t.payloadLength} B`,
    comment: t.payloadHex,
    extra: {
      "chirpkit:truth": true,
      "chirpkit:payload_hex": t.payloadHex,
      "chirpkit:sf": t.sf,
      "chirpkit:start_sample_exact": t.startSample,
      "chirpkit:snr_db": Number.isFinite(t.snrDb) ? t.snrDb : null,
      "chirpkit:cfo_hz": t.cfoHz,
      "chirpkit:sfo_ppm": t.sfoPpm,
    },
  };
}

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(argv, help, {
    out: { type: "string", short: "o" },
    sf: { type: "string" },
    bw: { type: "string" },
    rate: { type: "string" },
    cr: { type: "string" },
    frames: { type: "string" },
    length: { type: "string" },
    payload: { type: "string" },
    snr: { type: "string" },
    cfo: { type: "string" },
    ppm: { type: "string" },
    gap: { type: "string" },
    format: { type: "string" },
    center: { type: "string" },
    sync: { type: "string" },
    implicit: { type: "boolean" },
    "no-crc": { type: "boolean" },
    ldro: { type: "string" },
    preamble: { type: "string" },
    seed: { type: "string" },
    json: { type: "boolean" },
    quiet: { type: "boolean", short: "q" },
  }, false);
  if (!p) return 0;
  const v = p.values;
  if (v.out === undefined) throw new ChirpError("BAD_PARAMETER", "-o/--out is required: the recording to write, e.g. -o rec", { parameter: "--out" });
  const out = String(v.out);
  checkOutputDir(out);
  const params: PhyParams = {
    sf: intFlag("sf", v.sf, 5, 12),
    bandwidth: numberFlag("bw", v.bw, 125000),
    cr: intFlag("cr", v.cr, 1, 4, 1),
    explicitHeader: !v.implicit,
    crc: !v["no-crc"],
    ldro: choiceFlag("ldro", v.ldro, ["auto", "on", "off"] as const, "auto"),
    syncWord: intFlag("sync", v.sync, 0, 255, 0x12),
    preambleLength: intFlag("preamble", v.preamble, 6, 65535, 8),
  };
  const rp = withFlagNames(() => resolveParams(params));
  const sampleRate = numberFlag("rate", v.rate, rp.bandwidth);
  const os = sampleRate / rp.bandwidth;
  if (!(os >= 1)) badParameter("--rate", v.rate, `at least the bandwidth (${rp.bandwidth} Hz)`);
  const nFrames = intFlag("frames", v.frames, 1, 100000, 3);
  const seed = intFlag("seed", v.seed, 0, 2 ** 32 - 1, 1);
  const random = rng(seed);
  const fixedPayload = v.payload !== undefined ? hexBytes(String(v.payload)) : undefined;
  const length = fixedPayload?.length ?? intFlag("length", v.length, 1, 255, 16);
  const format = chooseOutputFormat(out, v.format !== undefined ? checkFormat(v.format, "--format") : undefined);
  const snrDb = optNumber("snr", v.snr);
  const cfoHz = optNumber("cfo", v.cfo) ?? 0;
  const sfoPpm = optNumber("ppm", v.ppm) ?? 0;
  const center = numberFlag("center", v.center, 868.1e6);
  const gapSamples = intFlag("gap", v.gap, 0, 1e9, Math.round(4 * rp.n * Math.ceil(os)));
  const frames = Array.from({ length: nFrames }, () => ({
    payload: fixedPayload ?? Uint8Array.from({ length }, () => Math.floor(random() * 256)),
    params,
  }));
  const simOpts: SimulateOptions = { frames, sampleRate, cfoHz, sfoPpm, gapSamples, leadSamples: gapSamples, tailSamples: gapSamples, seed };
  if (snrDb !== undefined) simOpts.snrDb = snrDb;
  const { iq, truth } = withFlagNames(() => simulate(simOpts), { cfoHz: "--cfo", sfoPpm: "--ppm", snrDb: "--snr", gapSamples: "--gap", seed: "--seed", payload: "--payload" });
  const annotations: SigmfAnnotation[] = truth.map((t) => truthAnnotation(t, center));
  const w = writeRecording(out, iq, {
    format,
    sampleRate,
    centerFrequency: center,
    description: `chirpkit simulate: ${nFrames} LoRa frame(s), SF${rp.sf}, ${rp.bandwidth} Hz, CR 4/${4 + rp.cr}, ${snrDb === undefined ? "no noise" : `SNR ${snrDb} dB`}, CFO ${cfoHz} Hz, SFO ${sfoPpm} ppm`,
    annotations,
    global: {
      "chirpkit:sf": rp.sf,
      "chirpkit:bandwidth": rp.bandwidth,
      "chirpkit:cr": rp.cr,
      "chirpkit:explicit_header": rp.explicitHeader,
      "chirpkit:crc": rp.crc,
      "chirpkit:sync_word": rp.syncWord,
      "chirpkit:snr_db": snrDb ?? null,
      "chirpkit:cfo_hz": cfoHz,
      "chirpkit:sfo_ppm": sfoPpm,
      "chirpkit:seed": seed,
    },
  });
  if (v.json) {
    for (const t of truth) {
      const { payload: _p, symbols: _s, ...rest } = t as SimTruth & { params?: unknown };
      delete (rest as { params?: unknown }).params;
      process.stdout.write(jsonLine({ file: w.meta, ...rest }));
    }
  } else {
    process.stdout.write(formatTable(truth, [
      { header: "frame", get: (t) => truth.indexOf(t) + 1 },
      { header: "startSample", get: (t) => Math.round(t.startSample) },
      { header: "time s", get: (t) => (t.startSample / sampleRate).toFixed(4) },
      { header: "payload", get: (t) => t.payloadHex, align: "left" },
    ]));
    process.stdout.write(`wrote ${iq.length / 2} ${format} samples at ${sampleRate} Hz to ${w.data}${w.meta !== w.data ? ` (metadata ${w.meta})` : ""}\n`);
  }
  if (w.clipped) process.stderr.write(`chirp simulate: warning: ${w.clipped} values clipped\n`);
  return 0;
}
