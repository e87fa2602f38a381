/**
 * LoRa PHY parameters: validation (typed errors naming the parameter and its legal range), the
 * low data rate optimisation rule, the framing of the radio family, symbol counts and time on air
 * (Semtech SX1276 datasheet, section 4.1.1.7; SX126x framing at SF5/SF6 as in
 * ../shared/vectors/lora-phy-sx126x.json: Lora-net/sx126x_driver src/sx126x.c, sx126x_get_lora_time_on_air_numerator).
 */
import { ChirpError, badParameter, checkInt, showValue } from "../errors.js";
import { isDetached } from "../check.js";

export type Ldro = "auto" | "on" | "off";
export type Engine = "wasm" | "js";
/**
 * How the radio family lays out a frame. The two differ only at SF5/SF6: SX126x radios (SX1261/2,
 * LLCC68, LR11xx) send two more upchirps after the 2.25 downchirps and code the header block at
 * full rate with sf nibbles (SX127x: sf - 2 nibbles at reduced rate).
 */
export type Framing = "sx127x" | "sx126x";

/** The SX1280/SX1281 (2.4 GHz) LoRa bandwidths in Hz (SX1280 datasheet, SetModulationParams). */
export const SX1280_BANDWIDTHS: readonly number[] = [203125, 406250, 812500, 1625000];

/**
 * The sub-GHz LoRa bandwidths in Hz (SX1276 RegModemConfig1, SX126x SetModulationParams): the
 * narrow ones are 500 kHz / 2^k and 125 kHz / 3, / 6, / 12, named after their rounded kHz values.
 */
export const LORA_BANDWIDTHS: readonly number[] = [
  7812.5,
  125000 / 12,
  15625,
  125000 / 6,
  31250,
  125000 / 3,
  62500,
  125000,
  250000,
  500000,
];

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
  /**
   * Sync word: the byte 0x00..0xFF (default 0x12; LoRaWAN uses 0x34), or the SX126x register form
   * 0xH4L4 (0x1424 = 0x12, 0x3444 = 0x34) that SX126x drivers write to registers 0x0740/0x0741.
   */
  syncWord?: number;
  /** Preamble upchirps, 6..65535 (default 8). */
  preambleLength?: number;
  /** Frame layout of the radio family (default 'sx127x'); differs at SF5/SF6 only. */
  framing?: Framing;
  /** Inverted IQ (the complex conjugate of the frame), as LoRaWAN gateways send downlinks; default false. */
  invertIq?: boolean;
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
  /** The sync word byte (a register-form input is reduced to it). */
  syncWord: number;
  /** The same sync word in SX126x register form, 0xH4L4. */
  syncRegister: number;
  preambleLength: number;
  framing: Framing;
  invertIq: boolean;
  /** Upchirps between the downchirps and the header block: 2 with SX126x framing at SF5/SF6, else 0. */
  extraSymbols: number;
  /** Header block at full rate with sf nibbles (SX126x framing at SF5/SF6) instead of sf - 2 nibbles at reduced rate. */
  headerFullRate: boolean;
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

/** Whether a bandwidth is one of the SX1280's (within 1 Hz). */
export function isSx1280Bandwidth(bandwidth: number): boolean {
  if (typeof bandwidth !== "number") return false;
  return SX1280_BANDWIDTHS.some((b) => Math.abs(b - bandwidth) < 1);
}

/**
 * LDRO 'auto': on when a symbol lasts longer than 16 ms (SX1276 datasheet 4.1.1.6; Semtech
 * AN1200.22). The SX1280 has no LDRO setting and counts SF11/SF12 symbols as sf - 2 bits at every
 * bandwidth (SX1280 datasheet section 7.4.4, time-on-air, as transcribed in RadioLib
 * src/modules/SX128x/SX128x.cpp calculateTimeOnAir), so at its bandwidths 'auto' is on from SF11.
 */
export function ldroAuto(sf: number, bandwidth: number): boolean {
  checkInt("sf", sf, 5, 12);
  if (typeof bandwidth !== "number" || !Number.isFinite(bandwidth) || bandwidth <= 0)
    badParameter("bandwidth", bandwidth, "a positive number of Hz (e.g. 125000)");
  if (isSx1280Bandwidth(bandwidth) && sf >= 11) return true;
  return 2 ** sf / bandwidth > 0.016;
}

/**
 * A sync word given as the byte 0xHL or as the SX126x register form 0xH4L4 -> the byte. The
 * register's low nibbles are 4 after reset and the driver keeps them (Lora-net/sx126x_driver
 * src/sx126x.c sx126x_set_lora_sync_word); what other values do on air is not known, so they are refused.
 */
export function syncWordByte(syncWord: unknown): number {
  const allowed = "a byte 0x00..0xFF (e.g. 0x12, LoRaWAN 0x34) or the SX126x register form 0xH4L4 (0x1424, 0x3444)";
  if (typeof syncWord !== "number" || !Number.isInteger(syncWord) || syncWord < 0 || syncWord > 0xffff)
    badParameter("syncWord", syncWord, allowed);
  if (syncWord <= 0xff) return syncWord;
  if ((syncWord & 0x0f0f) !== 0x0404) badParameter("syncWord", `0x${syncWord.toString(16)}`, allowed);
  return ((syncWord >> 8) & 0xf0) | ((syncWord >> 4) & 0x0f);
}

/** The SX126x register form 0xH4L4 of a sync byte 0xHL. */
export function syncWordRegister(syncByte: number): number {
  checkInt("syncByte", syncByte, 0, 0xff);
  return ((syncByte & 0xf0) << 8) | 0x0400 | ((syncByte & 0x0f) << 4) | 0x04;
}

function checkBool(parameter: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== "boolean") badParameter(parameter, v, "true or false");
  return v;
}

/** Validates and completes the parameters; throws ChirpError BAD_PARAMETER naming the culprit. */
export function resolveParams(p: PhyParams): ResolvedParams {
  if (p === null || typeof p !== "object") {
    throw new ChirpError("BAD_PARAMETER", "PHY parameters must be an object { sf, bandwidth, cr, ... }", {
      parameter: "params",
    });
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
  const syncWord = syncWordByte(p.syncWord ?? 0x12);
  const preambleLength = checkInt("preambleLength", p.preambleLength ?? 8, 6, 65535);
  const framing = p.framing ?? "sx127x";
  if (framing !== "sx127x" && framing !== "sx126x") badParameter("framing", framing, "'sx127x' or 'sx126x'");
  const invertIq = checkBool("invertIq", p.invertIq, false);
  const ldroOn = ldro === "on" || (ldro === "auto" && ldroAuto(sf, bandwidth));
  const sx126xLow = framing === "sx126x" && sf <= 6;
  const r: ResolvedParams = {
    sf,
    bandwidth,
    cr,
    explicitHeader,
    crc,
    ldro,
    ldroOn,
    syncWord,
    syncRegister: syncWordRegister(syncWord),
    preambleLength,
    framing,
    invertIq,
    extraSymbols: sx126xLow ? 2 : 0,
    headerFullRate: sx126xLow,
    n: 1 << sf,
  };
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
 * Payload symbols after preamble, sync and downchirps (and the SX126x extra upchirps), header block
 * included (SX1276 datasheet 4.1.1.7): 8 + max(ceil((8PL - 4SF + 28 + 16CRC - 20IH) / (4(SF - 2DE))) (CR + 4), 0).
 * The header block holds 4(SF - 2) bits; with SX126x framing at SF5/SF6 it holds 4 SF bits, so
 * the numerator is 8 less (Lora-net/sx126x_driver src/sx126x.c: + 8 only for SF > 6).
 */
export function frameSymbolCount(header: HeaderFields, p: PhyParams | ResolvedParams): number {
  const r = resolved(p);
  if (header === null || typeof header !== "object")
    badParameter("header", header, "an object { payloadLength, cr, crc }");
  const pl = checkInt("payloadLength", header.payloadLength, 0, MAX_PAYLOAD);
  const cr = checkInt("cr", header.cr, 1, 4);
  const crc = checkBool("crc", header.crc, true);
  const num = 8 * pl - 4 * r.sf + (r.headerFullRate ? 20 : 28) + (crc ? 16 : 0) - (r.explicitHeader ? 0 : 20);
  const den = 4 * (r.sf - (r.ldroOn ? 2 : 0));
  return 8 + Math.max(Math.ceil(num / den) * (cr + 4), 0);
}

/** Symbol count of a frame with these parameters and payload length (header block included). */
export function payloadSymbolCount(p: PhyParams | ResolvedParams, payloadLength: number): number {
  const r = resolved(p);
  return frameSymbolCount({ payloadLength, cr: r.cr, crc: r.crc }, r);
}

export interface TimeOnAir {
  /** Preamble length + 4.25 (two sync symbols and 2.25 downchirps), + 2 with SX126x framing at SF5/SF6. */
  preambleSymbols: number;
  payloadSymbols: number;
  /** Seconds per symbol, 2^sf / bandwidth. */
  symbolTime: number;
  seconds: number;
}

/**
 * Time on air (SX1276 datasheet 4.1.1.7): (L + 4.25 + payload symbols) * 2^SF / BW; with SX126x
 * framing at SF5/SF6 (L + 6.25 + payload symbols) * 2^SF / BW (Lora-net/sx126x_driver src/sx126x.c;
 * the same 6.25 and header capacity appear in the SX1280 datasheet section 7.4.4).
 */
export function timeOnAir(p: PhyParams | ResolvedParams, payloadLength: number): TimeOnAir {
  const r = resolved(p);
  const preambleSymbols = r.preambleLength + 4.25 + r.extraSymbols;
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
  if (
    symbols === null ||
    typeof symbols !== "object" ||
    typeof symbols.length !== "number" ||
    !Number.isSafeInteger(symbols.length) ||
    symbols.length < 0
  ) {
    badParameter("symbols", symbols, `an array of symbol values (integers 0..${n - 1})`);
  }
  if (ArrayBuffer.isView(symbols) && isDetached(symbols))
    badParameter("symbols", "a view of a detached ArrayBuffer", `an array of symbol values (integers 0..${n - 1})`);
  for (let i = 0; i < symbols.length; i++) {
    const s = symbols[i]!;
    if (typeof s !== "number" || !Number.isInteger(s) || s < 0 || s >= n) {
      throw new ChirpError("BAD_PARAMETER", `symbols[${i}] = ${showValue(s)} is not a symbol value 0..${n - 1}`, {
        parameter: "symbols",
        allowed: `integers 0..${n - 1}`,
      });
    }
  }
}

/** Header fields given by the caller (implicit mode): payloadLength 0..255, cr 1..4, crc boolean. */
export function checkHeaderFields(
  h: Partial<HeaderFields>,
  fallback: { cr: number; crc: boolean },
  parameter: string,
): HeaderFields {
  if (h === null || typeof h !== "object") badParameter(parameter, h, "an object { payloadLength, cr?, crc? }");
  return {
    payloadLength: checkInt(`${parameter}.payloadLength`, h.payloadLength, 0, MAX_PAYLOAD),
    cr: h.cr === undefined ? fallback.cr : checkInt(`${parameter}.cr`, h.cr, 1, 4),
    crc: checkBool(`${parameter}.crc`, h.crc, fallback.crc),
  };
}

/**
 * Sync word byte 0xHL -> its two symbols (mod N). SX127x: 8H and 8L (gr-lora_sdr modulate_impl.cc).
 * SX126x: 8 times each nibble read as a signed 4-bit number, which differs from 8H, 8L only for a
 * nibble >= 8 at SF >= 8; from two SF11 captures of an SX126x node sending 0x2B (second symbol at
 * 2008, not 88: tapparelj/gr-lora_sdr PR #158) and approximate SF12 values for 0xAB (issue #156):
 * supported by those reports, not verified here on hardware.
 */
export function syncSymbols(syncWord: number, n: number, framing: Framing = "sx127x"): [number, number] {
  checkInt("syncWord", syncWord, 0, 0xff);
  if (typeof n !== "number" || !Number.isInteger(n) || n < 32 || n > 4096 || (n & (n - 1)) !== 0)
    badParameter("n", n, "2^sf: 32, 64, ..., 4096");
  if (framing !== "sx127x" && framing !== "sx126x") badParameter("framing", framing, '"sx127x" or "sx126x"');
  const hi = syncWord >> 4,
    lo = syncWord & 15;
  if (framing === "sx126x") {
    const signed = (x: number) => ((((x >= 8 ? x - 16 : x) * 8) % n) + n) % n;
    return [signed(hi), signed(lo)];
  }
  return [(hi * 8) % n, (lo * 8) % n];
}
