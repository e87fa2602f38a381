/**
 * The one error type of the toolkit. Every failure on bad input is a ChirpError with a stable
 * `code`, and for parameter errors the parameter's name and what is allowed.
 */
export type ChirpErrorCode =
  | "BAD_PARAMETER" // a parameter is out of range or of the wrong type
  | "BAD_INPUT" // input data is malformed (NaN samples, odd byte counts, corrupt files)
  | "BAD_FRAME" // a frame cannot be decoded (header checksum, length)
  | "TOO_SHORT" // a byte string is shorter than its format requires
  | "BAD_VERSION" // unsupported protocol version
  | "FOPTS_OVERRUN" // FOpts length exceeds the frame
  | "MIC_MISMATCH" // message integrity code does not verify
  | "MISSING_KEY" // an operation needs a key that was not given
  | "ENGINE_UNAVAILABLE" // the requested engine cannot be loaded
  | "WASM_TRAP" // the Wasm module aborted (a bug: please report)
  | "OUT_OF_MEMORY" // Wasm memory cannot grow any more (dispose receivers no longer used)
  | "DISPOSED" // an object was used after its dispose()
  | "IO_ERROR"; // a file cannot be read or written

export class ChirpError extends Error {
  readonly code: ChirpErrorCode;
  /** The parameter at fault, when there is one (e.g. "sf"). */
  readonly parameter?: string;
  /** What is allowed, in words (e.g. "5..12"). */
  readonly allowed?: string;

  constructor(code: ChirpErrorCode, message: string, opts: { parameter?: string; allowed?: string; cause?: unknown } = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = "ChirpError";
    this.code = code;
    if (opts.parameter !== undefined) this.parameter = opts.parameter;
    if (opts.allowed !== undefined) this.allowed = opts.allowed;
  }
}

/** A value as shown in an error message; safe for anything a JavaScript caller may pass
 * (symbols, objects whose toString throws or that have no prototype). */
export function showValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  try {
    return typeof value === "object" && value !== null ? Object.prototype.toString.call(value) : String(value);
  } catch {
    return typeof value;
  }
}

/** Throws a BAD_PARAMETER error naming the parameter, its value and the legal range. */
export function badParameter(parameter: string, value: unknown, allowed: string): never {
  const shown = showValue(value);
  throw new ChirpError("BAD_PARAMETER", `${parameter} = ${shown} is not allowed; allowed: ${allowed}`, {
    parameter,
    allowed,
  });
}

/** Checks that `value` is an integer in [min, max]; returns it. */
export function checkInt(parameter: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    badParameter(parameter, value, `an integer from ${min} to ${max}`);
  }
  return value;
}
