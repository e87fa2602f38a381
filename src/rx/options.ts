// The receiver's options, checked once at create and resolved into the configuration every stage reads.
import { ChirpError, badParameter, checkInt } from "../errors.js";
import {
  checkEngine,
  checkHeaderFields,
  checkPayloadLength,
  frameSymbolCount,
  resolveParams,
  syncSymbols,
  syncWordByte,
  type Engine,
  type Framing,
  type ResolvedParams,
} from "../phy/params.js";
import type { IqPolarity, ReceiverOptions, SampleFormat } from "./types.js";
import { DEFAULT_MIN_CONFIDENCE, strongSymbolTest } from "./confidence.js";

/**
 * Symbols the framing probe demodulates after the downchirps: at most the longest SX127x header
 * (8 + 8 symbols at SF5/SF6); the SX126x header ends after 2 + 8.
 */
export const PROBE_SYMBOLS = 16;

export interface Config {
  sf: number;
  n: number;
  /** Samples per chip the stages work at (1 or 2), and the window length n r. */
  r: number;
  m: number;
  bandwidth: number;
  sampleRate: number;
  /** The parameters of the first accepted framing; framingParams has each one's. */
  params: ResolvedParams;
  /** Accepted framings, the first preferred where the two cannot be told apart. */
  framings: Framing[];
  framingParams: Record<Framing, ResolvedParams>;
  /** At SF5/SF6 with both framings: demodulate the symbols after the downchirps once to tell them apart. */
  probeFraming: boolean;
  /** Listeners to run on the one front end: invertIq false (normal) and/or true (its conjugate). */
  polarities: boolean[];
  syncWord: number | "any";
  /** The sync symbols to look for, one pair per accepted framing whose mapping differs (empty with 'any'). */
  syncExpect: { framing: Framing; bins: [number, number] }[];
  implicit?: { payloadLength: number; cr: number; crc: boolean };
  format: SampleFormat;
  engine: Engine;
  /** Preamble detector threshold: peak / mean of the SEARCH_WINDOWS-window sum. */
  searchThreshold: number;
  /** Downchirp pair threshold: peak / mean of the sum of two windows. */
  downThreshold: number;
  /** Symbols of the longest frame the configuration allows (LLR and symbol storage). */
  maxSymbols: number;
  /** Frames below this confidence are not reported (counted in stats.lowConfidence). */
  minConfidence: number;
  /** A symbol is strong when its peak / mean exceeds strongRatio: on noise with probability strongP. */
  strongRatio: number;
  strongP: number;
}

/**
 * The type each option must have when given (undefined = absent); one entry per option, so a new
 * option without a check does not compile. Ranges are checked in resolveOptions.
 */
const OPTION_TYPES: Record<keyof ReceiverOptions, [test: (v: unknown) => boolean, allowed: string]> = {
  sampleRate: [(v) => typeof v === "number", "a number of Hz"],
  bandwidth: [(v) => typeof v === "number", "a number of Hz"],
  sf: [(v) => typeof v === "number", "an integer 5..12"],
  format: [(v) => typeof v === "string", "'cf32' | 'cs16' | 'cu8' | 'cs8'"],
  centerFrequency: [(v) => typeof v === "number" && Number.isFinite(v), "a finite number of Hz"],
  frequencyOffsetHz: [(v) => typeof v === "number", "a number of Hz"],
  explicitHeader: [(v) => typeof v === "boolean", "a boolean"],
  implicit: [(v) => typeof v === "object" && v !== null, "an object { payloadLength, cr?, crc? }"],
  syncWord: [(v) => typeof v === "number" || v === "any", "a byte 0..255, an SX126x register value 0xH4L4 or 'any'"],
  iq: [(v) => v === "normal" || v === "inverted" || v === "both", "'normal', 'inverted' or 'both'"],
  framing: [(v) => v === "sx127x" || v === "sx126x" || v === "both", "'sx127x', 'sx126x' or 'both'"],
  ldro: [(v) => typeof v === "string", "'auto', 'on' or 'off'"],
  preambleLength: [(v) => typeof v === "number", "an integer 6..65535"],
  engine: [(v) => typeof v === "string", "'wasm' or 'js'"],
  iqCorrection: [(v) => typeof v === "boolean", "a boolean"],
  notch: [(v) => typeof v === "boolean", "a boolean"],
  onProgress: [(v) => typeof v === "function", "a function (samplesConsumed) => void"],
  minConfidence: [(v) => typeof v === "number" && v >= 0 && v <= 1, "a number 0..1"],
};

export function resolveOptions(o: ReceiverOptions): Config {
  if (!o || typeof o !== "object")
    throw new ChirpError("BAD_PARAMETER", "receiver options must be an object", { parameter: "options" });
  for (const key of Object.keys(OPTION_TYPES) as (keyof ReceiverOptions)[]) {
    const v = o[key];
    const [test, allowed] = OPTION_TYPES[key];
    if (v !== undefined && !test(v)) badParameter(key, v, allowed);
  }
  const sf = checkInt("sf", o.sf, 5, 12);
  if (typeof o.bandwidth !== "number" || !(o.bandwidth > 0) || !Number.isFinite(o.bandwidth))
    badParameter("bandwidth", o.bandwidth, "a positive number of Hz");
  if (typeof o.sampleRate !== "number" || !Number.isFinite(o.sampleRate) || !(o.sampleRate >= o.bandwidth * 0.999))
    badParameter("sampleRate", o.sampleRate, `a number of Hz >= bandwidth (${o.bandwidth})`);
  const format = o.format ?? "cf32";
  if (!["cf32", "cs16", "cu8", "cs8"].includes(format))
    badParameter("format", format, "'cf32' | 'cs16' | 'cu8' | 'cs8'");
  const syncWord = o.syncWord === undefined ? 0x12 : o.syncWord === "any" ? "any" : syncWordByte(o.syncWord);
  const engine = checkEngine(o.engine);
  // implicit fields imply implicit-header mode; asking for an explicit header as well is a conflict
  if (o.explicitHeader !== undefined && typeof o.explicitHeader !== "boolean")
    badParameter("explicitHeader", o.explicitHeader, "a boolean");
  if (o.explicitHeader === true && o.implicit !== undefined)
    badParameter(
      "explicitHeader",
      true,
      "false or omitted when implicit is given (implicit fields mean implicit-header frames)",
    );
  const explicitHeader = o.explicitHeader ?? o.implicit === undefined;
  let implicit: Config["implicit"];
  if (!explicitHeader) {
    if (o.implicit === undefined)
      badParameter("implicit", o.implicit, "{ payloadLength, cr?, crc? } when explicitHeader is false");
    implicit = checkHeaderFields(o.implicit, { cr: 1, crc: true }, "implicit");
    // phy's rule: with CRC on the payload is 1..255 bytes, 0..255 without
    try {
      checkPayloadLength(implicit.payloadLength, implicit.crc);
    } catch (e) {
      if (!(e instanceof ChirpError)) throw e;
      badParameter(
        "implicit.payloadLength",
        implicit.payloadLength,
        e.allowed ?? "1..255 with crc on, 0..255 with crc off",
      );
    }
  }
  const framings: Framing[] = o.framing === undefined || o.framing === "both" ? ["sx127x", "sx126x"] : [o.framing];
  const paramsOf = (framing: Framing): ResolvedParams =>
    resolveParams({
      sf,
      bandwidth: o.bandwidth,
      cr: implicit?.cr ?? 1,
      explicitHeader,
      crc: implicit?.crc ?? true,
      ldro: o.ldro ?? "auto",
      syncWord: syncWord === "any" ? 0x12 : syncWord,
      preambleLength: o.preambleLength ?? 8,
      framing,
    });
  const framingParams = { sx127x: paramsOf("sx127x"), sx126x: paramsOf("sx126x") };
  const params = framingParams[framings[0]!];
  const iq: IqPolarity = o.iq ?? "normal";
  const polarities = iq === "both" ? [false, true] : [iq === "inverted"];
  const syncExpect: Config["syncExpect"] = [];
  if (syncWord !== "any") {
    for (const framing of framings) {
      const bins = syncSymbols(syncWord, 1 << sf, framing);
      if (!syncExpect.some((e) => e.bins[0] === bins[0] && e.bins[1] === bins[1])) syncExpect.push({ framing, bins });
    }
  }
  if (
    o.frequencyOffsetHz !== undefined &&
    (typeof o.frequencyOffsetHz !== "number" ||
      !Number.isFinite(o.frequencyOffsetHz) ||
      Math.abs(o.frequencyOffsetHz) >= o.sampleRate / 2)
  ) {
    badParameter("frequencyOffsetHz", o.frequencyOffsetHz, `a number of Hz within +-sampleRate/2`);
  }
  const r = o.sampleRate >= 2 * o.bandwidth * 0.999 ? 2 : 1;
  const n = 1 << sf;
  // SX127x framing has the longer header block at SF5/SF6; the framing probe reads 2 symbols more
  const maxSymbols =
    Math.max(
      frameSymbolCount({ payloadLength: 255, cr: 4, crc: true }, { ...framingParams.sx127x, explicitHeader: true }),
      frameSymbolCount({ payloadLength: 255, cr: 4, crc: true }, { ...framingParams.sx126x, explicitHeader: true }),
      implicit ? frameSymbolCount(implicit, framingParams.sx127x) : 0,
      implicit ? frameSymbolCount(implicit, framingParams.sx126x) : 0,
      PROBE_SYMBOLS,
    ) + 8;
  // preamble detector threshold on peak / mean of the 4-window sum (noise alone: Gamma(4r) per bin)
  const searchThreshold = r === 2 ? 3.2 : 4.5;
  // downchirp pair: peak / mean of the sum of two windows (noise alone: Gamma(2r) per bin)
  const downThreshold = r === 2 ? 2.5 : 3.5;
  const strong = strongSymbolTest(n);
  return {
    sf,
    n,
    r,
    m: n * r,
    bandwidth: o.bandwidth,
    sampleRate: o.sampleRate,
    params,
    framings,
    framingParams,
    probeFraming: sf <= 6 && framings.length === 2,
    polarities,
    syncWord,
    syncExpect,
    implicit,
    format,
    engine,
    searchThreshold,
    downThreshold,
    maxSymbols,
    minConfidence: o.minConfidence ?? DEFAULT_MIN_CONFIDENCE,
    strongRatio: strong.ratio,
    strongP: strong.p,
  };
}
