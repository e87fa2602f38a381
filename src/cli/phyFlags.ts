// Flags shared by `chirp encode` and `chirp toa`: the LoRa PHY parameters.
import { ChirpError, badParameter } from "../errors.js";
import {
  LORA_BANDWIDTHS,
  SX1280_BANDWIDTHS,
  resolveParams,
  syncWordByte,
  type Framing,
  type Ldro,
  type ResolvedParams,
} from "../phy/params.js";
import { choiceFlag, intFlag, numberFlag, type OptionSpec, type Parsed } from "./args.js";

export const phyOptions: OptionSpec = {
  sf: { type: "string" },
  cr: { type: "string" },
  bw: { type: "string" },
  implicit: { type: "boolean" },
  "no-crc": { type: "boolean" },
  ldro: { type: "string" },
  sync: { type: "string" },
  preamble: { type: "string" },
  framing: { type: "string" },
};

/**
 * A bandwidth flag: a number of Hz, where a value within 0.5 % of a LoRa bandwidth is that
 * bandwidth exactly, so that the rounded names work (41.7k = 125 kHz / 3, 7.8k = 7812.5 Hz, 203k = 203125 Hz).
 */
export function bandwidthFlag(raw: unknown, fallback = 125000): number {
  const bw = numberFlag("bw", raw, fallback);
  const named = [...LORA_BANDWIDTHS, ...SX1280_BANDWIDTHS].find((b) => Math.abs(bw - b) <= 0.005 * b);
  return named ?? bw;
}

/** A sync word flag: the byte 0xHL or the SX126x register form 0xH4L4. */
export function syncFlag(raw: unknown, fallback = 0x12): number {
  const v = numberFlag("sync", raw, fallback);
  try {
    syncWordByte(v);
  } catch (e) {
    throw flagError(e, { syncWord: "--sync" });
  }
  return v;
}

export const framingFlag = (raw: unknown): Framing =>
  choiceFlag<Framing>("framing", raw, ["sx127x", "sx126x"], "sx127x");

export const phyHelp: [string, string][] = [
  ["--sf N", "spreading factor 5..12 (required)"],
  ["--cr N", "coding rate 4/(4+N), N = 1..4 (default 1)"],
  [
    "--bw HZ",
    "bandwidth in Hz (default 125000; 125k works; 41.7k, 20.8k, 10.4k, 7.8k and the SX1280's 203k/406k/812k/1625k name the exact LoRa bandwidths)",
  ],
  ["--implicit", "implicit header (no header sent)"],
  ["--no-crc", "no payload CRC"],
  ["--ldro auto|on|off", "low data rate optimisation (default auto: on when 2^SF/BW > 16 ms)"],
  ["--sync 0xHL", "sync word byte (default 0x12; LoRaWAN 0x34) or SX126x register form (0x1424, 0x3444)"],
  ["--preamble N", "preamble upchirps 6..65535 (default 8)"],
  ["--framing sx127x|sx126x", "frame layout of the radio family (default sx127x; differs at SF5/SF6)"],
];

/** The flag a user types for each API parameter name the PHY reports in its errors. */
const PHY_FLAG_NAMES: Record<string, string> = {
  sf: "--sf",
  cr: "--cr",
  bandwidth: "--bw",
  explicitHeader: "--implicit",
  crc: "--no-crc",
  ldro: "--ldro",
  syncWord: "--sync",
  preambleLength: "--preamble",
  framing: "--framing",
  invertIq: "--iq",
  sampleRate: "--rate",
  rate: "--rate",
  oversampling: "--rate",
  engine: "--engine",
};

/**
 * Runs library code on values from flags; a BAD_PARAMETER error that names an API parameter
 * (e.g. `bandwidth`) is re-thrown naming the flag the user typed (`--bw`). `names` adds or
 * overrides entries (e.g. { "payload length": "--length" }).
 */
export function withFlagNames<T>(fn: () => T, names: Record<string, string> = {}): T {
  try {
    return fn();
  } catch (e) {
    throw flagError(e, names);
  }
}

/** The error re-made to name the flag (see withFlagNames); anything else is returned as it is. */
export function flagError(e: unknown, names: Record<string, string> = {}): unknown {
  const all = { ...PHY_FLAG_NAMES, ...names };
  if (!(e instanceof ChirpError) || e.parameter === undefined || !Object.hasOwn(all, e.parameter)) return e;
  const flag = all[e.parameter]!;
  const message = e.message.startsWith(e.parameter)
    ? flag + e.message.slice(e.parameter.length)
    : `${flag}: ${e.message}`;
  return new ChirpError(e.code, message, {
    parameter: flag,
    ...(e.allowed !== undefined ? { allowed: e.allowed } : {}),
    cause: e,
  });
}

export function phyParamsFromFlags(v: Parsed["values"]): ResolvedParams {
  return withFlagNames(() =>
    resolveParams({
      sf: intFlag("sf", v.sf, 5, 12),
      cr: intFlag("cr", v.cr, 1, 4, 1),
      bandwidth: bandwidthFlag(v.bw),
      explicitHeader: !v.implicit,
      crc: !v["no-crc"],
      ldro: choiceFlag<Ldro>("ldro", v.ldro, ["auto", "on", "off"], "auto"),
      syncWord: syncFlag(v.sync),
      preambleLength: intFlag("preamble", v.preamble, 6, 65535, 8),
      framing: framingFlag(v.framing),
      invertIq: iqFlag(v.iq),
    }),
  );
}

/** --iq normal|inverted on the transmit side (inverted: the complex conjugate, as LoRaWAN downlinks). */
export const iqFlag = (raw: unknown): boolean =>
  choiceFlag("iq", raw, ["normal", "inverted"] as const, "normal") === "inverted";

/** Parses a hex payload (spaces and colons allowed), 0..255 bytes. */
export function hexPayload(raw: unknown): Uint8Array {
  const s = String(raw ?? "")
    .replace(/[\s:]/g, "")
    .replace(/^0x/i, "");
  if (!/^([0-9a-fA-F]{2})*$/.test(s)) badParameter("--payload", raw, "hex bytes, e.g. deadbeef");
  if (s.length / 2 > 255) badParameter("--payload", `${s.length / 2} bytes`, "0..255 bytes");
  return new Uint8Array((s.match(/../g) ?? []).map((b) => parseInt(b, 16)));
}
