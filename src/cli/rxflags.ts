// Receiver options from command-line flags, shared by decode, spectrogram and batch workers.
import { bandwidthFlag, syncFlag } from "./phyFlags.js";
import { ChirpError, badParameter } from "../errors.js";
import type { GatewayOptions, ReceiverOptions } from "./deps.js";
import { choiceFlag, intFlag, numberFlag, optNumber, type OptionSpec } from "./args.js";
import { requireRate, type Recording } from "./recording.js";
import type { RegionSetting } from "./region.js";

export const rxOptionSpec: OptionSpec = {
  format: { type: "string" },
  rate: { type: "string" },
  bw: { type: "string" },
  sf: { type: "string" },
  cr: { type: "string" },
  implicit: { type: "boolean" },
  length: { type: "string" },
  "no-crc": { type: "boolean" },
  sync: { type: "string" },
  iq: { type: "string" },
  framing: { type: "string" },
  ldro: { type: "string" },
  preamble: { type: "string" },
  center: { type: "string" },
  offset: { type: "string" },
  channel: { type: "string" },
  engine: { type: "string" },
  "min-confidence": { type: "string" },
};

export const rxOptionHelp: [string, string][] = [
  [
    "--sf S",
    "spreading factor 5..12; a list (7,9), a range (7-12) or auto (= 7-12, the LoRaWAN SFs) runs one receiver per SF",
  ],
  ["--bw B", "LoRa bandwidth in Hz (default 125k)"],
  ["--format cf32|cs16|cs8|cu8", "sample format of a raw file (default: from extension or SigMF)"],
  ["--rate R", "sample rate in Hz (SigMF metadata gives it)"],
  ["--center F", "centre frequency of the recording in Hz (SigMF metadata gives it)"],
  [
    "--offset HZ[,HZ..] | --channel F[,F..]",
    "decode the channel(s) at HZ from the centre, or at absolute frequencies F (wideband recordings)",
  ],
  ["--implicit --length N --cr C", "implicit header: payload length and coding rate 1..4 (4/5..4/8)"],
  ["--no-crc", "implicit header frames carry no payload CRC"],
  [
    "--sync 0x12|0x34|any[,SF:WORD..]",
    "sync word to accept (default 0x12; 'any' reports each; SX126x register form 0x1424/0x3444 too); per SF: --sync 0x34,5-6:0x12",
  ],
  [
    "--iq normal|inverted|both",
    "IQ polarity: uplinks (default), LoRaWAN downlinks (inverted), or both from one front end; frames report invertIq",
  ],
  ["--framing sx127x|sx126x|both", "frame layouts to accept at SF5/SF6 (default both; frames report framing)"],
  ["--ldro auto|on|off", "low data rate optimisation (default auto)"],
  ["--preamble N", "preamble length in symbols (default 8)"],
  ["--engine wasm|js", "receiver engine (default wasm)"],
  [
    "--min-confidence C",
    "report only frames whose confidence (0..1) is at least C (default 0.5: the evidence of a good CRC; 0 reports every frame, noise too)",
  ],
];

export interface RxFlags {
  sfs: number[];
  flags: { format?: string; rate?: number; center?: number; bandwidth?: number };
  base: Omit<ReceiverOptions, "sampleRate" | "sf">;
  /** Sync words of particular SFs (--sync 0x34,5-6:0x12), over base.syncWord. */
  syncWords?: Record<number, number | "any">;
  /** Channel offsets from the centre (--offset), or absolute channel frequencies (--channel). */
  offsets?: number[];
  channels?: number[];
  /** --region/--subband: the plan's channels, bandwidths and SFs (src/cli/region.ts). */
  region?: RegionSetting;
}

function numberList(name: string, raw: unknown): number[] | undefined {
  if (raw === undefined) return undefined;
  return String(raw)
    .split(",")
    .map((x) => numberFlag(name, x.trim()));
}

/** Parses "7", "7,9", "7-12" or "auto" (= 7-12) into a list of spreading factors. */
export function sfList(raw: unknown): number[] {
  if (raw === undefined)
    throw new ChirpError("BAD_PARAMETER", "--sf is required (e.g. --sf 7, --sf 7,9, --sf 7-12 or --sf auto)", {
      parameter: "sf",
    });
  if (String(raw).trim() === "auto") return [7, 8, 9, 10, 11, 12];
  const out = new Set<number>();
  for (const part of String(raw).split(",")) {
    const m = /^(\d+)-(\d+)$/.exec(part.trim());
    const [a, b] = m ? [Number(m[1]), Number(m[2])] : [Number(part), Number(part)];
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < 5 || b > 12 || a > b)
      badParameter("--sf", raw, "5..12, a list like 7,9, a range like 7-12, or auto (= 7-12)");
    for (let s = a; s <= b; s++) out.add(s);
  }
  return [...out].sort((x, y) => x - y);
}

export function parseRxFlags(v: Record<string, unknown>): RxFlags {
  const flags: RxFlags["flags"] = {};
  if (v.format !== undefined) flags.format = String(v.format);
  const rate = optNumber("rate", v.rate);
  if (rate !== undefined) {
    if (!(rate > 0)) badParameter("--rate", v.rate, "a positive sample rate in Hz");
    flags.rate = rate;
  }
  const center = optNumber("center", v.center);
  if (center !== undefined) flags.center = center;
  const bandwidth = bandwidthFlag(v.bw);
  if (!(bandwidth > 0)) badParameter("--bw", v.bw, "a positive bandwidth in Hz");
  if (v.bw !== undefined) flags.bandwidth = bandwidth;
  const base: RxFlags["base"] = { bandwidth };
  if (v.implicit) {
    const payloadLength = intFlag("length", v.length, 1, 255);
    const cr = intFlag("cr", v.cr, 1, 4);
    base.explicitHeader = false;
    base.implicit = { payloadLength, cr, crc: !v["no-crc"] };
  } else {
    if (v.length !== undefined)
      badParameter("--length", v.length, "only with --implicit (explicit headers carry the length)");
    if (v["no-crc"])
      badParameter("--no-crc", true, "only with --implicit (explicit headers say whether a CRC follows)");
    if (v.cr !== undefined) intFlag("cr", v.cr, 1, 4); // checked; explicit headers carry the coding rate
  }
  let syncWords: Record<number, number | "any"> | undefined;
  if (v.sync !== undefined) {
    const word = (x: string): number | "any" => (x === "any" ? "any" : syncFlag(x));
    for (const item of String(v.sync)
      .split(",")
      .map((x) => x.trim())) {
      const m = /^(\d+)(?:-(\d+))?:(.+)$/.exec(item);
      if (!m) {
        base.syncWord = word(item);
        continue;
      }
      const [a, b] = [Number(m[1]), Number(m[2] ?? m[1])];
      if (!(a >= 5 && b <= 12 && a <= b))
        badParameter("--sync", item, "SF:WORD or SF-SF:WORD with SFs 5..12, e.g. 5-6:0x12");
      syncWords ??= {};
      for (let sf = a; sf <= b; sf++) syncWords[sf] = word(m[3]!);
    }
  }
  base.iq = choiceFlag("iq", v.iq, ["normal", "inverted", "both"] as const, "normal");
  base.framing = choiceFlag("framing", v.framing, ["sx127x", "sx126x", "both"] as const, "both");
  base.ldro = choiceFlag("ldro", v.ldro, ["auto", "on", "off"] as const, "auto");
  if (v.preamble !== undefined) base.preambleLength = intFlag("preamble", v.preamble, 6, 65535);
  base.engine = choiceFlag("engine", v.engine, ["wasm", "js"] as const, "wasm");
  const minConfidence = optNumber("min-confidence", v["min-confidence"]);
  if (minConfidence !== undefined) {
    if (!(minConfidence >= 0 && minConfidence <= 1))
      badParameter("--min-confidence", v["min-confidence"], "a number 0..1");
    base.minConfidence = minConfidence;
  }
  const offsets = numberList("offset", v.offset);
  const channels = numberList("channel", v.channel);
  if (offsets !== undefined && channels !== undefined)
    badParameter("--channel", v.channel, "either --offset or --channel, not both");
  const out: RxFlags = { sfs: sfList(v.sf), flags, base };
  if (syncWords) {
    for (const sf of Object.keys(syncWords).map(Number)) {
      if (!out.sfs.includes(sf))
        badParameter("--sync", v.sync, `per-SF sync words only for the SFs decoded (--sf ${out.sfs.join(",")})`);
    }
    out.syncWords = syncWords;
  }
  if (offsets) out.offsets = offsets;
  if (channels) out.channels = channels;
  return out;
}

/** Without --bw, the bandwidth chirpkit recorded in the metadata (a contradicting --bw fails in openRecording). */
export function adoptMetadata(rx: RxFlags, rec: Recording): void {
  if (rx.flags.bandwidth === undefined && rec.bandwidth !== undefined) rx.base.bandwidth = rec.bandwidth;
}

/** The channels to decode, as offsets from the recording's centre in Hz (default: the centre). */
export function channelOffsets(rx: RxFlags, rec: Recording): number[] {
  if (rx.channels) {
    if (rec.centerFrequency === undefined)
      badParameter("--channel", rx.channels.join(","), "frequencies once the centre is known (--center or SigMF)");
    return rx.channels.map((c) => c - rec.centerFrequency!);
  }
  return rx.offsets ?? [0];
}

/** Receiver options for one recording, SF and channel (sample rate and centre from the file). */
export function receiverOptions(rx: RxFlags, rec: Recording, sf: number, offsetHz = 0): ReceiverOptions {
  const sampleRate = requireRate(rec);
  const o: ReceiverOptions = { ...rx.base, sampleRate, sf, format: rec.format };
  const own = rx.syncWords?.[sf];
  if (own !== undefined) o.syncWord = own;
  if (rec.centerFrequency !== undefined) o.centerFrequency = rec.centerFrequency;
  if (offsetHz !== 0) o.frequencyOffsetHz = offsetHz;
  if (sampleRate < rx.base.bandwidth)
    badParameter("--rate", sampleRate, `at least the bandwidth (${rx.base.bandwidth} Hz)`);
  const off = offsetHz;
  const half = sampleRate / 2 - rx.base.bandwidth / 2;
  if (Math.abs(off) > half) {
    if (rx.channels && rec.centerFrequency !== undefined) {
      const c = rec.centerFrequency;
      badParameter(
        "--channel",
        c + off,
        `a channel inside the recording: ${c - half} .. ${c + half} Hz (${((c - half) / 1e6).toFixed(4)} .. ${((c + half) / 1e6).toFixed(4)} MHz: centre ${c} Hz +- (rate - bw)/2)`,
      );
    }
    badParameter("--offset", off, `a channel inside the recording: |offset| + bw/2 <= rate/2 = ${sampleRate / 2} Hz`);
  }
  return o;
}

/** Reconstructs the flags for a child process (batch), from parsed values. */
export function forwardFlags(v: Record<string, unknown>, keys: string[]): string[] {
  const out: string[] = [];
  for (const k of keys) {
    const x = v[k];
    if (x === undefined || x === false) continue;
    if (x === true) out.push(`--${k}`);
    else out.push(`--${k}`, String(x));
  }
  return out;
}

/** Copies the receiver settings the flags gave (sync word, IQ, framing, header, LDRO, preamble, engine, minimum confidence) into o. */
export function withRxSettings(o: GatewayOptions, rx: RxFlags): GatewayOptions {
  const { syncWord, explicitHeader, implicit, ldro, preambleLength, engine, iq, framing, minConfidence } = rx.base;
  if (syncWord !== undefined) o.syncWord = syncWord;
  if (iq !== undefined) o.iq = iq;
  if (framing !== undefined) o.framing = framing;
  if (explicitHeader !== undefined) o.explicitHeader = explicitHeader;
  if (implicit !== undefined) o.implicit = implicit;
  if (ldro !== undefined) o.ldro = ldro;
  if (preambleLength !== undefined) o.preambleLength = preambleLength;
  if (engine !== undefined) o.engine = engine;
  if (minConfidence !== undefined) o.minConfidence = minConfidence;
  return o;
}
