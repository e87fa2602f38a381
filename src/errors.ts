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
  | "IO_ERROR" // a file cannot be read or written
  | "WORKER_FAILED"; // a worker stopped before it finished (crashed, ran out of memory, could not load)

export class ChirpError extends Error {
  readonly code: ChirpErrorCode;
  /** The parameter at fault, when there is one (e.g. "sf"). */
  readonly parameter?: string;
  /** What is allowed, in words (e.g. "5..12"). */
  readonly allowed?: string;

  constructor(
    code: ChirpErrorCode,
    message: string,
    opts: { parameter?: string; allowed?: string; cause?: unknown } = {},
  ) {
    // safe for whatever a JavaScript caller passes (a Symbol, BigInt or unprintable object)
    const o = typeof opts === "object" && opts !== null ? opts : {};
    super(textOf(message), o.cause !== undefined ? { cause: o.cause } : undefined);
    this.name = "ChirpError";
    this.code = textOf(code) as ChirpErrorCode;
    if (o.parameter !== undefined) this.parameter = textOf(o.parameter);
    if (o.allowed !== undefined) this.allowed = textOf(o.allowed);
  }
}

/** A string as is, anything else as showValue shows it (never throws). */
function textOf(x: unknown): string {
  return typeof x === "string" ? x : showValue(x);
}

/** A value as shown in an error message; safe for anything a JavaScript caller may pass
 * (symbols, BigInts, objects whose toString throws or that have no prototype, detached buffers). */
export function showValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 64 ? value.slice(0, 60) + "..." : value);
  try {
    if (typeof value === "bigint") return `${value}n`;
    return typeof value === "object" && value !== null ? Object.prototype.toString.call(value) : String(value);
  } catch {
    return typeof value;
  }
}

/** Throws a BAD_PARAMETER error naming the parameter, its value and the legal range. */
export function badParameter(parameter: string, value: unknown, allowed: string): never {
  const p = textOf(parameter);
  const a = textOf(allowed);
  throw new ChirpError("BAD_PARAMETER", `${p} = ${showValue(value)} is not allowed; allowed: ${a}`, {
    parameter: p,
    allowed: a,
  });
}

/** Checks that `value` is an integer in [min, max]; returns it. */
export function checkInt(parameter: string, value: unknown, min: number, max: number): number {
  if (typeof min !== "number" || Number.isNaN(min)) badParameter("min", min, "a number");
  if (typeof max !== "number" || Number.isNaN(max)) badParameter("max", max, "a number");
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    badParameter(parameter, value, `an integer from ${min} to ${max}`);
  }
  return value;
}
