/**
 * LoRa PHY parameters: validation (typed errors naming the parameter and its legal range), the
 * low data rate optimisation rule, symbol counts and time on air (Semtech SX1276 datasheet,
 * section 4.1.1.7).
 */
import { ChirpError, badParameter, checkInt } from "../errors.js";

export type Ldro = "auto" | "on" | "off";
export type Engine = "wasm" | "js";

export interface PhyParams {
  /** Spreading factor, 5..12. */
  sf: number;
  /** Bandwidth in Hz (any positive value; 7.8 kHz..500 kHz typical). */
  bandwidth: number;
  /** Coding rate index 1..4: rate 4/(4+cr). */
  cr: number;
  /** Explicit header (default true). */
  explicitHeader?: boolean;
  /** Payload CRC (default true). */
  crc?: boolean;
  /** Low data rate optimisation (default 'auto': on when 2^sf / bandwidth > 16 ms). */
  ldro?: Ldro;
  /** Sync word byte 0..255 (default 0x12; LoRaWAN uses 0x34). */
  syncWord?: number;
  /** Preamble upchirps, 6..65535 (default 8). */
  preambleLength?: number;
}

export interface ResolvedParams {
  sf: number;
  bandwidth: number;
  cr: number;
  explicitHeader: boolean;
  crc: boolean;
  ldro: Ldro;
  /** Whether LDRO is in effect after applying the 'auto' rule. */
  ldroOn: boolean;
  syncWord: number;
  preambleLength: number;
  /** Chips per symbol, 2^sf. */
  n: number;
}

/** Fields of a frame that the header carries (or that implicit mode must be told). */
export interface HeaderFields {
  payloadLength: number;
  cr: number;
  crc: boolean;
}

export const MAX_PAYLOAD = 255;

/** LDRO 'auto': on when a symbol lasts longer than 16 ms (SX1276 datasheet 4.1.1.6; Semtech AN1200.22). */
export function ldroAuto(sf: number, bandwidth: number): boolean {
  return 2 ** sf / bandwidth > 0.016;
}

function checkBool(parameter: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== "boolean") badParameter(parameter, v, "true or false");
  return v;
}

/** Validates and completes the parameters; throws ChirpError BAD_PARAMETER naming the culprit. */
export function resolveParams(p: PhyParams): ResolvedParams {
  if (p === null || typeof p !== "object") {
    throw new ChirpError("BAD_PARAMETER", "PHY parameters must be an object { sf, bandwidth, cr, ... }", { parameter: "params" });
  }
  if (resolvedMark.has(p)) return p as ResolvedParams;
  const sf = checkInt("sf", p.sf, 5, 12);
  const bandwidth = p.bandwidth;
  if (typeof bandwidth !== "number" || !Number.isFinite(bandwidth) || bandwidth <= 0) {
    badParameter("bandwidth", bandwidth, "a positive number of Hz (e.g. 125000)");
  }
  const cr = checkInt("cr", p.cr, 1, 4);
  const explicitHeader = checkBool("explicitHeader", p.explicitHeader, true);
  const crc = checkBool("crc", p.crc, true);
  const ldro = p.ldro ?? "auto";
  if (ldro !== "auto" && ldro !== "on" && ldro !== "off") badParameter("ldro", ldro, "'auto', 'on' or 'off'");
  const syncWord = checkInt("syncWord", p.syncWord ?? 0x12, 0, 255);
  const preambleLength = checkInt("preambleLength", p.preambleLength ?? 8, 6, 65535);
  const ldroOn = ldro === "on" || (ldro === "auto" && ldroAuto(sf, bandwidth));
  const r: ResolvedParams = { sf, bandwidth, cr, explicitHeader, crc, ldro, ldroOn, syncWord, preambleLength, n: 1 << sf };
  Object.freeze(r); // a resolved object is trusted later without re-checking, so it must not change
  resolvedMark.add(r);
  return r;
}

// Objects made by resolveParams, so that passing one back in costs nothing.
const resolvedMark = new WeakSet<object>();

/** resolveParams, free for an object it returned before (hot paths pass those around). */
export function resolved(p: PhyParams | ResolvedParams): ResolvedParams {
  return resolveParams(p);
}

/** Checks a payload length against the frame format: 0..255 bytes, and at least 1 with CRC on. */
export function checkPayloadLength(length: number, crc: boolean): number {
  checkInt("payload length", length, 0, MAX_PAYLOAD);
  // SX1276 RegPayloadLength: "a 0 value is not permitted"; with CRC on, an empty payload has
  // nothing for the CRC to cover, so we refuse it rather than invent a convention.
  if (crc && length === 0) {
    badParameter("payload length", 0, "1..255 bytes when crc is on (0..255 with crc off)");
  }
  return length;
}

/**
 * Payload symbols after preamble, sync and downchirps, header block included (SX1276 datasheet
 * 4.1.1.7): 8 + max(ceil((8PL - 4SF + 28 + 16CRC - 20IH) / (4(SF - 2DE))) (CR + 4), 0).
 */
export function frameSymbolCount(header: HeaderFields, p: PhyParams | ResolvedParams): number {
  const r = resolved(p);
  if (header === null || typeof header !== "object") badParameter("header", header, "an object { payloadLength, cr, crc }");
  const pl = checkInt("payloadLength", header.payloadLength, 0, MAX_PAYLOAD);
  const cr = checkInt("cr", header.cr, 1, 4);
  const crc = checkBool("crc", header.crc, true);
  const num = 8 * pl - 4 * r.sf + 28 + (crc ? 16 : 0) - (r.explicitHeader ? 0 : 20);
  const den = 4 * (r.sf - (r.ldroOn ? 2 : 0));
  return 8 + Math.max(Math.ceil(num / den) * (cr + 4), 0);
}

/** Symbol count of a frame with these parameters and payload length (header block included). */
export function payloadSymbolCount(p: PhyParams | ResolvedParams, payloadLength: number): number {
  const r = resolved(p);
  return frameSymbolCount({ payloadLength, cr: r.cr, crc: r.crc }, r);
}

export interface TimeOnAir {
  /** Preamble length + 4.25 (two sync symbols and 2.25 downchirps). */
  preambleSymbols: number;
  payloadSymbols: number;
  /** Seconds per symbol, 2^sf / bandwidth. */
  symbolTime: number;
  seconds: number;
}

/** Time on air (SX1276 datasheet 4.1.1.7): (L + 4.25 + payload symbols) * 2^SF / BW. */
export function timeOnAir(p: PhyParams | ResolvedParams, payloadLength: number): TimeOnAir {
  const r = resolved(p);
  const preambleSymbols = r.preambleLength + 4.25;
  const payloadSymbols = payloadSymbolCount(r, payloadLength);
  const symbolTime = r.n / r.bandwidth;
  return { preambleSymbols, payloadSymbols, symbolTime, seconds: (preambleSymbols + payloadSymbols) * symbolTime };
}

/** Checks an oversampling factor (samples per chip), 1..64. */
export function checkOversampling(k: unknown): number {
  return checkInt("oversampling", k, 1, 64);
}

/** Oversampling from a sample rate, which must be an integer multiple (1..64) of the bandwidth. */
export function oversamplingFor(sampleRate: number, bandwidth: number): number {
  if (typeof bandwidth !== "number" || !Number.isFinite(bandwidth) || bandwidth <= 0) {
    badParameter("bandwidth", bandwidth, "a positive number of Hz (e.g. 125000)");
  }
  const k = typeof sampleRate === "number" ? sampleRate / bandwidth : NaN;
  if (!Number.isFinite(k) || Math.abs(k - Math.round(k)) > 1e-9 || Math.round(k) < 1 || Math.round(k) > 64) {
    badParameter("rate", sampleRate, `an integer multiple (1..64) of the bandwidth ${bandwidth} Hz`);
  }
  return Math.round(k);
}

export function checkEngine(engine: unknown): Engine {
  if (engine === undefined) return "wasm";
  if (engine !== "wasm" && engine !== "js") badParameter("engine", engine, "'wasm' or 'js'");
  return engine;
}

/** Options objects are optional; anything but undefined or an object is a typed error. */
export function checkOptions<T extends object>(opts: T | undefined, parameter = "opts"): Partial<T> {
  if (opts === undefined) return {};
  if (opts === null || typeof opts !== "object") badParameter(parameter, opts, "an options object or undefined");
  return opts;
}

/** Checks symbol values: an array-like of integers 0..n-1 (FFT bins at SF log2(n)). */
export function checkSymbols(symbols: ArrayLike<number>, n: number): void {
  if (symbols === null || typeof symbols !== "object" || typeof symbols.length !== "number") {
    badParameter("symbols", symbols, `an array of symbol values (integers 0..${n - 1})`);
  }
  for (let i = 0; i < symbols.length; i++) {
    const s = symbols[i]!;
    if (!Number.isInteger(s) || s < 0 || s >= n) {
      throw new ChirpError("BAD_PARAMETER", `symbols[${i}] = ${s} is not a symbol value 0..${n - 1}`, { parameter: "symbols", allowed: `integers 0..${n - 1}` });
    }
  }
}

/** Header fields given by the caller (implicit mode): payloadLength 0..255, cr 1..4, crc boolean. */
export function checkHeaderFields(h: Partial<HeaderFields>, fallback: { cr: number; crc: boolean }, parameter: string): HeaderFields {
  if (h === null || typeof h !== "object") badParameter(parameter, h, "an object { payloadLength, cr?, crc? }");
  return {
    payloadLength: checkInt(`${parameter}.payloadLength`, h.payloadLength, 0, MAX_PAYLOAD),
    cr: h.cr === undefined ? fallback.cr : checkInt(`${parameter}.cr`, h.cr, 1, 4),
    crc: checkBool(`${parameter}.crc`, h.crc, fallback.crc),
  };
}
