/**
 * Raw IQ sample formats: interleaved I/Q, little-endian, no header.
 * cf32 = GNU Radio `.cfile` (float32 I, float32 Q); cs16 = int16 pairs (HackRF/USRP "sc16");
 * cs8 = int8 pairs (HackRF); cu8 = uint8 pairs with offset 127.5 (RTL-SDR).
 * Isomorphic: no Node APIs. Readers return interleaved float32 with full scale mapped to about 1.
 */
import { checkBytesArg, checkOptions, checkString, checkView } from "../check.js";
import { ChirpError, badParameter, showValue } from "../errors.js";

export type IqFormat = "cf32" | "cs16" | "cs8" | "cu8";
export const IQ_FORMATS: readonly IqFormat[] = ["cf32", "cs16", "cs8", "cu8"];

/** Bytes per complex sample (I and Q together). */
export const BYTES_PER_SAMPLE: Record<IqFormat, number> = { cf32: 8, cs16: 4, cs8: 2, cu8: 2 };

/** Unambiguous file extensions per format (`.bin`, `.raw`, `.iq` say nothing: give --format). */
const EXTENSIONS: Record<string, IqFormat> = {
  cf32: "cf32",
  cfile: "cf32",
  fc32: "cf32",
  cs16: "cs16",
  sc16: "cs16",
  ci16: "cs16",
  cs8: "cs8",
  sc8: "cs8",
  ci8: "cs8",
  cu8: "cu8",
  u8: "cu8",
};

export function isIqFormat(s: unknown): s is IqFormat {
  return typeof s === "string" && (IQ_FORMATS as readonly string[]).includes(s);
}

/** Checks a format name given by the user; throws BAD_PARAMETER naming the allowed ones. */
export function checkFormat(s: unknown, parameter = "format"): IqFormat {
  if (!isIqFormat(s))
    badParameter(typeof parameter === "string" ? parameter : showValue(parameter), s, IQ_FORMATS.join(", "));
  return s;
}

/** The format implied by a file name's extension, or undefined when it says nothing. */
export function formatFromFileName(name: string): IqFormat | undefined {
  checkString("name", name, "a file name");
  const m = /\.([A-Za-z0-9]+)$/.exec(name);
  return m ? EXTENSIONS[m[1]!.toLowerCase()] : undefined;
}

/** Number of complex samples in `byteLength` bytes; throws BAD_INPUT when it is not whole. */
export function sampleCount(byteLength: number, format: IqFormat, what = "data"): number {
  if (typeof byteLength !== "number" || !Number.isSafeInteger(byteLength) || byteLength < 0)
    badParameter("byteLength", byteLength, "a whole number of bytes");
  const b = BYTES_PER_SAMPLE[checkFormat(format)];
  if (typeof what !== "string") badParameter("what", what, "a string naming the data");
  if (byteLength % b !== 0) {
    throw new ChirpError(
      "BAD_INPUT",
      `${what} has ${byteLength} bytes, not a whole number of ${format} samples (${b} bytes each): wrong format or truncated file`,
    );
  }
  return byteLength / b;
}

/** A typed view on `bytes` matching the format (no copy when aligned; a copy otherwise). */
export function typedView(bytes: Uint8Array, format: IqFormat): Float32Array | Int16Array | Int8Array | Uint8Array {
  checkBytesArg("bytes", bytes);
  sampleCount(bytes.byteLength, format);
  const align = format === "cf32" ? 4 : format === "cs16" ? 2 : 1;
  const src = bytes.byteOffset % align === 0 ? bytes : bytes.slice();
  switch (format) {
    case "cf32":
      return new Float32Array(src.buffer, src.byteOffset, src.byteLength / 4);
    case "cs16":
      return new Int16Array(src.buffer, src.byteOffset, src.byteLength / 2);
    case "cs8":
      return new Int8Array(src.buffer, src.byteOffset, src.byteLength);
    case "cu8":
      return new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
  }
}

/**
 * Converts raw bytes to interleaved float32 I/Q. Scale: cs16 / 32767, cs8 / 127 (symmetric with writeIq),
 * cu8 (x - 127.5) / 127.5 (RTL-SDR's unsigned offset). `out` may be given to avoid allocation.
 */
export function readIq(bytes: Uint8Array, format: IqFormat, out?: Float32Array): Float32Array {
  checkBytesArg("bytes", bytes);
  checkFormat(format);
  if (out !== undefined) checkView("out", out, [Float32Array], "a Float32Array");
  return toFloat32(typedView(bytes, format), format, out);
}

/** Converts a typed view in `format` (see typedView) to interleaved float32, scaled as readIq. */
const VIEW_OF: Record<IqFormat, [abstract new (...a: never[]) => ArrayBufferView, string]> = {
  cf32: [Float32Array, "a Float32Array (cf32)"],
  cs16: [Int16Array, "an Int16Array (cs16)"],
  cs8: [Int8Array, "an Int8Array (cs8)"],
  cu8: [Uint8Array, "a Uint8Array (cu8)"],
};

export function toFloat32(view: ArrayLike<number>, format: IqFormat, out?: Float32Array): Float32Array {
  const [ctor, allowed] = VIEW_OF[checkFormat(format)];
  checkView("view", view, [ctor], allowed);
  if (out !== undefined) checkView("out", out, [Float32Array], "a Float32Array");
  const n = view.length;
  const dst = out && out.length >= n ? out.subarray(0, n) : new Float32Array(n);
  switch (format) {
    case "cf32":
      for (let i = 0; i < n; i++) dst[i] = view[i]!;
      break;
    case "cs16":
      for (let i = 0; i < n; i++) dst[i] = view[i]! / 32767;
      break;
    case "cs8":
      for (let i = 0; i < n; i++) dst[i] = view[i]! / 127;
      break;
    case "cu8":
      for (let i = 0; i < n; i++) dst[i] = (view[i]! - 127.5) / 127.5;
      break;
  }
  return dst;
}

/**
 * Converts interleaved float32 I/Q to raw bytes. `scale` multiplies first (amplitude 1/scale maps to
 * full scale); integer formats round and clip, and the count of clipped values is returned so the
 * caller can warn.
 */
export function writeIq(
  iq: Float32Array,
  format: IqFormat,
  opts: { scale?: number } = {},
): { bytes: Uint8Array; clipped: number } {
  checkView("iq", iq, [Float32Array], "a Float32Array of interleaved I/Q");
  checkFormat(format);
  checkOptions("opts", opts);
  const scale = opts.scale ?? 1;
  if (typeof scale !== "number" || !(scale > 0) || !Number.isFinite(scale))
    badParameter("scale", scale, "a positive number");
  const n = iq.length;
  if (n % 2 !== 0) throw new ChirpError("BAD_INPUT", `interleaved I/Q needs an even number of values, got ${n}`);
  // NaN would silently become 0 in the integer formats: refuse it in every format
  for (let i = 0; i < n; i++) {
    const x = iq[i]!;
    if (x - x !== 0)
      throw new ChirpError(
        "BAD_INPUT",
        `iq[${i}] (sample ${i >> 1}, ${i & 1 ? "Q" : "I"}) is ${x}: samples must be finite numbers`,
        { parameter: "iq" },
      );
  }
  const bytes = new Uint8Array((n / 2) * BYTES_PER_SAMPLE[format]);
  let clipped = 0;
  const clip = (x: number, lo: number, hi: number): number => {
    if (x < lo) {
      clipped++;
      return lo;
    }
    if (x > hi) {
      clipped++;
      return hi;
    }
    return x;
  };
  switch (format) {
    case "cf32": {
      const o = new Float32Array(bytes.buffer);
      for (let i = 0; i < n; i++) o[i] = iq[i]! * scale;
      break;
    }
    case "cs16": {
      const o = new Int16Array(bytes.buffer);
      for (let i = 0; i < n; i++) o[i] = clip(Math.round(iq[i]! * scale * 32767), -32768, 32767);
      break;
    }
    case "cs8": {
      const o = new Int8Array(bytes.buffer);
      for (let i = 0; i < n; i++) o[i] = clip(Math.round(iq[i]! * scale * 127), -128, 127);
      break;
    }
    case "cu8": {
      for (let i = 0; i < n; i++) bytes[i] = clip(Math.round(iq[i]! * scale * 127.5 + 127.5), 0, 255);
      break;
    }
  }
  return { bytes, clipped };
}

/** True on little-endian hosts (all the formats above are little-endian; so is every common CPU). */
export const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
