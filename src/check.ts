// Argument checks shared by the public functions: each one turns a value a JavaScript caller may
// pass (null, a Symbol, a BigInt, a DataView, a detached buffer, an object that only claims a
// length) into a ChirpError naming the parameter and what is allowed.
import { badParameter, ChirpError } from "./errors.js";

/** true for a view over a detached ArrayBuffer (transferred or closed): it reads as empty. */
export function isDetached(v: ArrayBufferView): boolean {
  if (v.byteLength !== 0) return false;
  const b = v.buffer as ArrayBuffer & { detached?: boolean };
  if (typeof b.detached === "boolean") return b.detached;
  if (b.byteLength !== 0) return false;
  try {
    new Uint8Array(b);
    return false;
  } catch {
    return true;
  }
}

/** A typed array of one of `ctors`, not detached; BAD_PARAMETER otherwise (a DataView included). */
export function checkView<T extends ArrayBufferView>(
  name: string,
  x: unknown,
  ctors: readonly (abstract new (...a: never[]) => T)[],
  allowed: string,
): T {
  if (!ctors.some((c) => x instanceof c)) badParameter(name, x, allowed);
  if (isDetached(x as T))
    throw new ChirpError(
      "BAD_PARAMETER",
      `${name} is a view of a detached ArrayBuffer (transferred or freed): it holds no data; allowed: ${allowed}`,
      { parameter: name, allowed },
    );
  return x as T;
}

/** A Uint8Array that is not detached. */
export function checkBytesArg(name: string, x: unknown): Uint8Array {
  return checkView(name, x, [Uint8Array], "a Uint8Array");
}

/** A finite number in [min, max]. */
export function checkNumber(name: string, x: unknown, min = -Infinity, max = Infinity, allowed?: string): number {
  if (typeof x !== "number" || !Number.isFinite(x) || x < min || x > max) {
    badParameter(
      name,
      x,
      allowed ?? (min === -Infinity && max === Infinity ? "a finite number" : `a number from ${min} to ${max}`),
    );
  }
  return x;
}

/** A string. */
export function checkString(name: string, x: unknown, allowed = "a string"): string {
  if (typeof x !== "string") badParameter(name, x, allowed);
  return x;
}

/** A plain options object (not null, not an array). */
export function checkOptions(name: string, x: unknown): Record<string, unknown> {
  if (typeof x !== "object" || x === null || Array.isArray(x) || ArrayBuffer.isView(x))
    badParameter(name, x, "an object");
  return x as Record<string, unknown>;
}

/** An options object or undefined (then {}). */
export function optionalOptions(name: string, x: unknown): Record<string, unknown> {
  return x === undefined ? {} : checkOptions(name, x);
}

/** A real array (dense: no holes) of at most `max` elements. */
export function checkArray(name: string, x: unknown, max = 1 << 24, allowed = "an array"): unknown[] {
  if (!Array.isArray(x)) badParameter(name, x, allowed);
  if (x.length > max) badParameter(name, `an array of ${x.length} elements`, `${allowed} of at most ${max} elements`);
  for (let i = 0; i < x.length; i++)
    if (!(i in x)) badParameter(`${name}[${i}]`, "a hole (sparse array)", "a value at every index");
  return x;
}

/** Receiver input: a Float32Array, Int16Array, Int8Array or Uint8Array (raw bytes), not detached (a DataView would read as nothing). */
export function checkSamples(x: unknown): void {
  if (!(x instanceof Float32Array || x instanceof Int16Array || x instanceof Int8Array || x instanceof Uint8Array)) {
    throw new ChirpError(
      "BAD_INPUT",
      "samples must be a Float32Array, Int16Array, Int8Array or Uint8Array (raw bytes)",
      { parameter: "samples", allowed: "Float32Array, Int16Array, Int8Array or Uint8Array" },
    );
  }
  if (isDetached(x))
    throw new ChirpError(
      "BAD_INPUT",
      "samples are a view of a detached ArrayBuffer (transferred or freed): they hold no data",
      { parameter: "samples" },
    );
}
