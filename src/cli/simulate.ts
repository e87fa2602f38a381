// `chirp simulate -o OUT`: a recording made by the channel simulator (white noise at an SNR in the
// LoRa bandwidth, carrier and sample clock offsets, gaps or overlaps between frames, transmitters,
// fading, multipath, interferers and SDR artefacts), written as raw IQ with SigMF metadata whose
// annotations are the ground truth.
import { simulate, type SimulateOptions, type SimTruth, type SimFrame } from "./deps.js";
import { resolveParams, type PhyParams } from "../phy/index.js";
import { ChirpError, badParameter } from "../errors.js";
import { checkFormat, type SigmfAnnotation } from "../io/index.js";
import { choiceFlag, intFlag, jsonLine, numberFlag, optNumber, parseCommand, type Help } from "./args.js";
import { formatTable } from "./table.js";
import { checkOutputDir, chooseOutputFormat, writeRecording } from "./writer.js";
import { lorawanConversation, conversationKeysFile, type ConversationDevice } from "./exchange.js";
import { writeFileSync } from "node:fs";
import { bandwidthFlag, framingFlag, iqFlag, syncFlag, withFlagNames } from "./phyFlags.js";

export const summary = "write a simulated recording (raw IQ + SigMF with ground truth)";

const help: Help = {
  name: "simulate",
  summary,
  usage: "-o OUT --sf S [--bw B] [--rate R] [--snr DB] [--cfo HZ] [--ppm P] [--frames N] [options]",
  options: [
    [
      "-o, --out OUT",
      "NAME (-> NAME.sigmf-data + .sigmf-meta), NAME.sigmf (archive) or NAME.cs16 etc. (raw + NAME.sigmf-meta)",
    ],
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
    [
      "--gap N",
      "samples of silence (noise) between frames (default: 4 symbols); negative: each frame starts inside the previous one",
    ],
    ["--levels DB,DB,..", "SNR of frame 1, 2, .. (cycled; default all --snr)"],
    [
      "--tx-ppm P,P,..",
      "one transmitter per crystal error (carrier ppm x --center and clock), frames take them in turn",
    ],
    ["--fading rayleigh|rician:K", "flat fading per frame (K factor in dB for Rician)"],
    ["--doppler HZ", "with --fading: time-varying at this Doppler spread (default 0: block fading)"],
    ["--taps D:P,D:P,..", "multipath: delay in samples : power in dB per tap, e.g. 0:0,2.5:-6"],
    ["--tone HZ:DB", "a narrowband interferer at HZ from the centre, DB over the noise in the LoRa band"],
    ["--lora-interferer SF:DB:START", "another LoRa signal (random 16 bytes) at DB over the noise from sample START"],
    ["--dc RE,IM", "DC offset (a frame at --snr has unit amplitude)"],
    ["--iq-gain G / --iq-phase DEG", "IQ imbalance: Q gain error (0.02 = 2 %) and phase error in degrees"],
    ["--phase-noise DBC@HZ", "LO phase noise, e.g. -90@10k (dBc/Hz at an offset)"],
    [
      "--adc-rms DBFS",
      "cu8/cs8/cs16: quantise as an ADC at this rms level (e.g. -15); default: scale to 90 % of the peak",
    ],
    ["--format cf32|cs16|cs8|cu8", "sample format (default cf32, or from the output name)"],
    ["--center F", "centre frequency written to the metadata (default 868.1M)"],
    ["--sync 0x12", "sync word (default 0x12; SX126x register form 0x1424/0x3444 accepted)"],
    ["--framing sx127x|sx126x", "frame layout of the radio family (default sx127x; differs at SF5/SF6)"],
    ["--iq normal|inverted", "IQ polarity of the frames (default normal; inverted as LoRaWAN downlinks)"],
    ["--implicit / --no-crc / --ldro auto|on|off / --preamble N", "frame options as in chirp decode"],
    ["--seed N", "random seed (default 1)"],
    [
      "--lorawan-exchange",
      "a LoRaWAN 1.0.x conversation instead: an OTAA join (request, accept with inverted IQ) and --frames N uplinks (default 6) with an ACK and an ADR downlink, at --sf S (default 7), sync 0x34; writes OUT.keys.json for chirp decode --keys",
    ],
    ["--json", "ground truth as JSON lines instead of the table"],
  ],
  examples: [
    "chirp simulate -o rec --sf 7 --rate 500k --snr -5 --cfo 2k --ppm 10 --frames 5",
    "chirp decode rec.sigmf-meta --sf 7 --annotate",
    "chirp simulate -o talk --lorawan-exchange --sf 8 --snr 5 && chirp decode talk.sigmf-meta --sf 8 --sync 0x34 --iq both --keys talk.keys.json",
    "chirp simulate -o coll --sf 7 --rate 250k --snr 10 --levels 10,5 --gap -4000 --tx-ppm 3,-7 --format cu8 --adc-rms -15 --dc 0.05,0.02 --iq-gain 0.02 --iq-phase 2",
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
      "chirpkit:framing": t.framing,
      "chirpkit:invert_iq": t.invertIq,
      "chirpkit:start_sample_exact": t.startSample,
      "chirpkit:snr_db": Number.isFinite(t.snrDb) ? t.snrDb : null,
      "chirpkit:cfo_hz": t.cfoHz,
      "chirpkit:sfo_ppm": t.sfoPpm,
      ...(t.overlaps.length ? { "chirpkit:overlaps": t.overlaps } : {}),
      ...(t.fadingPowerDb !== 0 ? { "chirpkit:fading_power_db": t.fadingPowerDb } : {}),
    },
  };
}

/** A comma-separated list of min..max numbers (k suffix = x1000). */
function numberList(
  flag: string,
  raw: string,
  min: number,
  max = Infinity,
  allowed = "numbers separated by commas",
): number[] {
  const xs = raw.split(",").map((t) => {
    const m = /^\s*(-?[0-9]*\.?[0-9]+(?:e-?[0-9]+)?)(k?)\s*$/i.exec(t);
    if (!m) badParameter(flag, raw, allowed);
    return Number(m[1]) * (m[2] ? 1000 : 1);
  });
  if (xs.length < min || xs.length > max) badParameter(flag, raw, allowed);
  return xs;
}

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(
    argv,
    help,
    {
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
      framing: { type: "string" },
      iq: { type: "string" },
      implicit: { type: "boolean" },
      "no-crc": { type: "boolean" },
      ldro: { type: "string" },
      preamble: { type: "string" },
      seed: { type: "string" },
      levels: { type: "string" },
      "tx-ppm": { type: "string" },
      fading: { type: "string" },
      doppler: { type: "string" },
      taps: { type: "string" },
      tone: { type: "string" },
      "lora-interferer": { type: "string" },
      dc: { type: "string" },
      "iq-gain": { type: "string" },
      "iq-phase": { type: "string" },
      "phase-noise": { type: "string" },
      "adc-rms": { type: "string" },
      json: { type: "boolean" },
      quiet: { type: "boolean", short: "q" },
      "lorawan-exchange": { type: "boolean" },
    },
    false,
  );
  if (!p) return 0;
  const v = p.values;
  if (v.out === undefined)
    throw new ChirpError("BAD_PARAMETER", "-o/--out is required: the recording to write, e.g. -o rec", {
      parameter: "--out",
    });
  const out = String(v.out);
  checkOutputDir(out);
  if (v["lorawan-exchange"]) return runExchange(v, out);
  const params: PhyParams = {
    sf: intFlag("sf", v.sf, 5, 12),
    bandwidth: bandwidthFlag(v.bw),
    cr: intFlag("cr", v.cr, 1, 4, 1),
    explicitHeader: !v.implicit,
    crc: !v["no-crc"],
    ldro: choiceFlag("ldro", v.ldro, ["auto", "on", "off"] as const, "auto"),
    syncWord: syncFlag(v.sync),
    preambleLength: intFlag("preamble", v.preamble, 6, 65535, 8),
    framing: framingFlag(v.framing),
    invertIq: iqFlag(v.iq),
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
  const gapSamples = intFlag("gap", v.gap, -1e9, 1e9, Math.round(4 * rp.n * Math.ceil(os)));
  const lead = gapSamples >= 0 ? gapSamples : Math.round(4 * rp.n * Math.ceil(os));
  const levels = v.levels !== undefined ? numberList("--levels", String(v.levels), 1) : undefined;
  const txPpm = v["tx-ppm"] !== undefined ? numberList("--tx-ppm", String(v["tx-ppm"]), 1) : undefined;
  const frames: SimFrame[] = Array.from({ length: nFrames }, (_, i) => {
    const f: SimFrame = {
      payload: fixedPayload ?? Uint8Array.from({ length }, () => Math.floor(random() * 256)),
      params,
    };
    if (levels) f.snrDb = levels[i % levels.length]!;
    if (txPpm) f.transmitter = i % txPpm.length;
    return f;
  });
  const simOpts: SimulateOptions = {
    frames,
    sampleRate,
    cfoHz,
    sfoPpm,
    gapSamples,
    leadSamples: lead,
    tailSamples: lead,
    seed,
  };
  if (txPpm) simOpts.transmitters = txPpm.map((ppm) => ({ cfoHz: ppm * 1e-6 * center, sfoPpm: ppm }));
  if (snrDb !== undefined) simOpts.snrDb = snrDb;
  if (v.fading !== undefined) {
    const m = /^(rayleigh|rician)(?::(-?[0-9.]+))?$/.exec(String(v.fading));
    if (!m || (m[1] === "rician") !== (m[2] !== undefined))
      badParameter("--fading", v.fading, "rayleigh or rician:K (K factor in dB)");
    simOpts.fading = m[1] === "rician" ? { model: "rician", kFactorDb: Number(m[2]) } : { model: "rayleigh" };
    const doppler = optNumber("doppler", v.doppler);
    if (doppler !== undefined) simOpts.fading.dopplerHz = doppler;
  } else if (v.doppler !== undefined) badParameter("--doppler", v.doppler, "only with --fading");
  if (v.taps !== undefined) {
    simOpts.taps = String(v.taps)
      .split(",")
      .map((t) => {
        const m = /^([0-9.]+):(-?[0-9.]+)$/.exec(t.trim());
        if (!m) badParameter("--taps", v.taps, "delay:powerDb pairs separated by commas, e.g. 0:0,2.5:-6");
        return { delaySamples: Number(m[1]), powerDb: Number(m[2]) };
      });
  }
  const interferers: NonNullable<SimulateOptions["interferers"]> = [];
  if (v.tone !== undefined) {
    const [f, l] = numberList("--tone", String(v.tone).replace(":", ","), 2, 2, "HZ:DB, e.g. 20k:10");
    interferers.push({ kind: "tone", frequencyHz: f!, levelDb: l! });
  }
  if (v["lora-interferer"] !== undefined) {
    const [isf, l, st] = numberList(
      "--lora-interferer",
      String(v["lora-interferer"]).replace(/:/g, ","),
      3,
      3,
      "SF:DB:START, e.g. 9:10:20000",
    );
    if (!Number.isInteger(isf) || isf! < 5 || isf! > 12)
      badParameter("--lora-interferer", v["lora-interferer"], "SF:DB:START with SF an integer 5..12");
    interferers.push({
      kind: "lora",
      params: { ...params, sf: isf! },
      levelDb: l!,
      startSample: st!,
      payload: Uint8Array.from({ length: 16 }, () => Math.floor(random() * 256)),
    });
  }
  if (interferers.length) simOpts.interferers = interferers;
  const sdr: NonNullable<SimulateOptions["sdr"]> = {};
  if (v.dc !== undefined) {
    const [re, im] = numberList("--dc", String(v.dc), 2, 2, "RE,IM, e.g. 0.05,-0.02");
    sdr.dcOffset = [re!, im!];
  }
  const iqGain = optNumber("iq-gain", v["iq-gain"]),
    iqPhase = optNumber("iq-phase", v["iq-phase"]);
  if (iqGain !== undefined) sdr.iqGainImbalance = iqGain;
  if (iqPhase !== undefined) sdr.iqPhaseDeg = iqPhase;
  if (v["phase-noise"] !== undefined) {
    const m = /^(-?[0-9.]+)@([0-9.]+)(k?)$/i.exec(String(v["phase-noise"]));
    if (!m) badParameter("--phase-noise", v["phase-noise"], "DBC@HZ, e.g. -90@10k");
    sdr.phaseNoise = { dbcHz: Number(m[1]), offsetHz: Number(m[2]) * (m[3] ? 1000 : 1) };
  }
  const adcRms = optNumber("adc-rms", v["adc-rms"]);
  if (adcRms !== undefined) {
    if (format === "cf32") badParameter("--adc-rms", adcRms, "only with an integer format (--format cu8, cs8 or cs16)");
    sdr.adc = { format, rmsDbfs: adcRms };
  }
  if (Object.keys(sdr).length) simOpts.sdr = sdr;
  const flagNames = {
    cfoHz: "--cfo",
    sfoPpm: "--ppm",
    snrDb: "--snr",
    gapSamples: "--gap",
    seed: "--seed",
    payload: "--payload",
    "sdr.dcOffset[0]": "--dc",
    "sdr.dcOffset[1]": "--dc",
    "sdr.iqGainImbalance": "--iq-gain",
    "sdr.iqPhaseDeg": "--iq-phase",
    "sdr.phaseNoise.dbcHz": "--phase-noise",
    "sdr.phaseNoise.offsetHz": "--phase-noise",
    "sdr.adc.rmsDbfs": "--adc-rms",
    "fading.kFactorDb": "--fading",
    "fading.dopplerHz": "--doppler",
    "interferers[0].frequencyHz": "--tone",
    "interferers[0].levelDb": "--tone",
  };
  const { iq, truth } = withFlagNames(() => simulate(simOpts), flagNames);
  const annotations: SigmfAnnotation[] = truth.map((t) => truthAnnotation(t, center));
  const w = writeRecording(
    out,
    iq,
    {
      format,
      sampleRate,
      centerFrequency: center,
      description: `chirpkit simulate: ${nFrames} LoRa frame(s), SF${rp.sf}, ${rp.bandwidth} Hz, CR 4/${4 + rp.cr}, ${rp.framing} framing, ${rp.invertIq ? "inverted" : "normal"} IQ, ${snrDb === undefined ? "no noise" : `SNR ${snrDb} dB`}, CFO ${cfoHz} Hz, SFO ${sfoPpm} ppm`,
      annotations,
      global: {
        "chirpkit:sf": rp.sf,
        "chirpkit:bandwidth": rp.bandwidth,
        "chirpkit:cr": rp.cr,
        "chirpkit:explicit_header": rp.explicitHeader,
        "chirpkit:crc": rp.crc,
        "chirpkit:sync_word": rp.syncWord,
        "chirpkit:framing": rp.framing,
        "chirpkit:invert_iq": rp.invertIq,
        "chirpkit:snr_db": snrDb ?? null,
        "chirpkit:cfo_hz": cfoHz,
        "chirpkit:sfo_ppm": sfoPpm,
        "chirpkit:seed": seed,
        ...(simOpts.sdr ? { "chirpkit:sdr": simOpts.sdr } : {}),
        ...(simOpts.fading ? { "chirpkit:fading": simOpts.fading } : {}),
        ...(simOpts.taps ? { "chirpkit:taps": simOpts.taps } : {}),
        ...(simOpts.transmitters ? { "chirpkit:transmitters": simOpts.transmitters } : {}),
        ...(simOpts.interferers
          ? {
              "chirpkit:interferers": simOpts.interferers.map((x) =>
                x.kind === "lora"
                  ? { kind: x.kind, sf: x.params.sf, levelDb: x.levelDb, startSample: x.startSample }
                  : x,
              ),
            }
          : {}),
      },
    },
    sdr.adc ? { scale: 1 } : {},
  );
  if (v.json) {
    for (const t of truth) {
      const { payload: _p, symbols: _s, ...rest } = t as SimTruth & { params?: unknown };
      delete (rest as { params?: unknown }).params;
      process.stdout.write(jsonLine({ file: w.meta, ...rest }));
    }
  } else {
    process.stdout.write(
      formatTable(truth, [
        { header: "frame", get: (t) => truth.indexOf(t) + 1 },
        { header: "startSample", get: (t) => Math.round(t.startSample) },
        { header: "time s", get: (t) => (t.startSample / sampleRate).toFixed(4) },
        { header: "payload", get: (t) => t.payloadHex, align: "left" },
      ]),
    );
    process.stdout.write(
      `wrote ${iq.length / 2} ${format} samples at ${sampleRate} Hz to ${w.data}${w.meta !== w.data ? ` (metadata ${w.meta})` : ""}\n`,
    );
  }
  if (w.clipped) process.stderr.write(`chirp simulate: warning: ${w.clipped} values clipped\n`);
  return 0;
}

/** Example OTAA device of `--lorawan-exchange` (keys made up for the simulation; never use them on a network). */
export const EXCHANGE_DEVICE: Omit<ConversationDevice, "sf" | "snrDb"> = {
  name: "meter-17",
  devEui: "70b3d57ed0001717",
  joinEui: "70b3d57ed0000000",
  appKey: "8d2f4a41c7e9b05316aa2c87d14e3f90",
  devAddr: "260b1717",
  ppm: 6.5,
  readings: (k) => [
    { channel: 1, type: "temperature", value: +(18.5 + 0.3 * k).toFixed(1) },
    { channel: 2, type: "relative_humidity", value: 52 + (k % 5) },
  ],
};

async function runExchange(v: Record<string, unknown>, out: string): Promise<number> {
  const sf = intFlag("sf", v.sf, 7, 12, 7);
  const uplinks = intFlag("frames", v.frames, 1, 1000, 6);
  const sampleRate = numberFlag("rate", v.rate, 250000);
  if (!(sampleRate >= 125000)) badParameter("--rate", v.rate, "at least the bandwidth (125000 Hz)");
  const snrDb = optNumber("snr", v.snr) ?? 8;
  const seed = intFlag("seed", v.seed, 0, 2 ** 32 - 1, 1);
  const center = numberFlag("center", v.center, 868.1e6);
  const format = chooseOutputFormat(out, v.format !== undefined ? checkFormat(v.format, "--format") : undefined);
  const device: ConversationDevice = { ...EXCHANGE_DEVICE, sf, snrDb };
  const gap = intFlag("gap", v.gap, 0, 1e9, Math.round(6 * 2 ** sf * Math.ceil(sampleRate / 125000)));
  const talk = lorawanConversation([device], { uplinks, gapSamples: gap });
  const { iq, truth } = withFlagNames(
    () => simulate({ frames: talk.frames, sampleRate, snrDb, leadSamples: gap, tailSamples: gap, seed }),
    { snrDb: "--snr", gapSamples: "--gap" },
  );
  const w = writeRecording(out, iq, {
    format,
    sampleRate,
    centerFrequency: center,
    description: `chirpkit simulate --lorawan-exchange: OTAA join and ${uplinks} uplinks of ${device.name}, SF${sf}, 125 kHz, sync 0x34, downlinks with inverted IQ, SNR ${snrDb} dB`,
    annotations: truth.map((t, i) => ({
      ...truthAnnotation(t, center),
      label: `truth ${talk.steps[i]!.direction} ${talk.steps[i]!.mtype}`,
    })),
    global: {
      "chirpkit:sf": sf,
      "chirpkit:bandwidth": 125000,
      "chirpkit:sync_word": 0x34,
      "chirpkit:seed": seed,
      "chirpkit:lorawan_exchange": true,
    },
  });
  const keysPath = out.replace(/\.(sigmf|sigmf-data|sigmf-meta|cf32|cs16|cu8|cs8)$/, "") + ".keys.json";
  writeFileSync(keysPath, JSON.stringify(conversationKeysFile([device]), null, 2) + "\n");
  if (v.json) {
    truth.forEach((t, i) =>
      process.stdout.write(
        jsonLine({
          file: w.meta,
          startSample: t.startSample,
          direction: talk.steps[i]!.direction,
          mtype: talk.steps[i]!.mtype,
          what: talk.steps[i]!.what,
          payloadHex: t.payloadHex,
        }),
      ),
    );
  } else {
    process.stdout.write(
      formatTable(
        truth.map((t, i) => ({ t, s: talk.steps[i]! })),
        [
          { header: "time s", get: ({ t }) => (t.startSample / sampleRate).toFixed(4) },
          { header: "dir", get: ({ s }) => s.direction },
          { header: "message", get: ({ s }) => s.mtype },
          { header: "what", get: ({ s }) => s.what, align: "left" },
        ],
      ),
    );
    process.stdout.write(
      `wrote ${iq.length / 2} ${format} samples at ${sampleRate} Hz to ${w.data}${w.meta !== w.data ? ` (metadata ${w.meta})` : ""}, keys to ${keysPath}\n`,
    );
  }
  return 0;
}
