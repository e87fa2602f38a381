// Raw IQ sample formats and how typed arrays map onto them.
import { isDetached } from "../check.js";
import { ChirpError, badParameter } from "../errors.js";

/** cf32: float32 I/Q; cs16: int16 I/Q; cu8: RTL-SDR uint8 I/Q (zero at 127.5); cs8: int8 I/Q. All little endian. */
export type SampleFormat = "cf32" | "cs16" | "cu8" | "cs8";

export type SampleInput = Float32Array | Int16Array | Uint8Array | Int8Array;

/** Bytes per complex sample of each format. */
export const BYTES_PER_SAMPLE: Record<SampleFormat, number> = { cf32: 8, cs16: 4, cu8: 2, cs8: 2 };

/** Array elements per complex sample: I and Q for a typed array of samples, bytes for raw bytes (a Uint8Array of `format`, default cu8). */
export function elementsPerSample(input: SampleInput, format: SampleFormat | undefined): number {
  return input instanceof Uint8Array ? BYTES_PER_SAMPLE[format ?? "cu8"] : 2;
}

/**
 * The format of a typed array: Float32Array is cf32, Int16Array cs16, Int8Array cs8; a Uint8Array
 * holds raw bytes of `format` (default cu8), so a file read as bytes can be passed as it is.
 */
export function inputFormat(input: SampleInput, format: SampleFormat | undefined): SampleFormat {
  if (format !== undefined && (typeof format !== "string" || !Object.hasOwn(BYTES_PER_SAMPLE, format)))
    badParameter("format", format, "cf32, cs16, cu8 or cs8");
  if (ArrayBuffer.isView(input) && isDetached(input))
    throw new ChirpError(
      "BAD_INPUT",
      "samples are a view of a detached ArrayBuffer (transferred or freed): they hold no data",
      { parameter: "samples" },
    );
  let implied: SampleFormat | undefined;
  if (input instanceof Float32Array) implied = "cf32";
  else if (input instanceof Int16Array) implied = "cs16";
  else if (input instanceof Int8Array) implied = "cs8";
  else if (input instanceof Uint8Array) return format ?? "cu8";
  else
    throw new ChirpError(
      "BAD_INPUT",
      "samples must be a Float32Array, Int16Array, Int8Array or Uint8Array (raw bytes)",
      { parameter: "samples", allowed: "Float32Array, Int16Array, Int8Array or Uint8Array" },
    );
  if (format !== undefined && format !== implied) {
    throw new ChirpError(
      "BAD_INPUT",
      `a ${input.constructor.name} holds ${implied} samples, but format = ${format}; pass raw bytes as a Uint8Array to read them as ${format}`,
    );
  }
  return implied;
}

/** The bytes of a typed array (a view, no copy). */
export function asBytes(input: SampleInput): Uint8Array {
  return input instanceof Uint8Array ? input : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
}

/** A BAD_INPUT error naming the absolute sample, the component and the value. */
export function nonFiniteError(sampleIndex: number, component: number, value: number): ChirpError {
  return new ChirpError(
    "BAD_INPUT",
    `input sample ${sampleIndex} (${component === 0 ? "I" : "Q"}) is ${value}: cf32 samples must be finite numbers`,
  );
}
