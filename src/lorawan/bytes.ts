// Byte helpers shared by the codec: hex in display (big-endian) order, little-endian fields on
// the wire, and input checking that turns bad arguments into typed errors.
import { ChirpError } from "../errors.js";
import { badParameter } from "../errors.js";
import { checkArray, checkBytesArg, isDetached } from "../check.js";
import { hex, hexReversed } from "../hex.js";

/** Lower-case hex of `b` in array order. */
export function toHex(b: Uint8Array): string {
  checkBytes("bytes", b);
  return hex(b);
}

/** Lower-case hex of `b` in reverse order (wire little-endian -> display big-endian). */
export const toHexReversed = hexReversed;

/** Parses hex (spaces, ':' and '-' separators and a 0x prefix allowed); BAD_PARAMETER otherwise. */
export function fromHex(h: string, name = "hex"): Uint8Array {
  if (typeof h !== "string") badParameter(name, h, "a hex string");
  const s = h
    .trim()
    .replace(/^0x/i, "")
    .replace(/[\s:-]/g, "");
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) badParameter(name, h, "an even number of hex digits");
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
  return out;
}

/** Bytes from a Uint8Array (as is) or a hex string. */
export function bytesOf(x: Uint8Array | string, name: string): Uint8Array {
  if (x instanceof Uint8Array) return checkBytesArg(name, x);
  if (typeof x === "string") return fromHex(x, name);
  return badParameter(name, x, "a Uint8Array or hex string");
}

const KEY_ALLOWED = "16 bytes (a Uint8Array, or 32 hex digits)";

/**
 * A 16-byte AES key from bytes or hex. The error names the parameter and what is allowed, never
 * the value: a mistyped key is still mostly a key.
 */
export function keyOf(x: Uint8Array | string, name: string): Uint8Array {
  const fail = (why: string): never => {
    throw new ChirpError("BAD_PARAMETER", `${name} is not a key (${why}); allowed: ${KEY_ALLOWED}`, {
      parameter: name,
      allowed: KEY_ALLOWED,
    });
  };
  if (x instanceof Uint8Array) {
    if (isDetached(x)) fail("a view of a detached ArrayBuffer");
    if (x.length !== 16) fail(`${x.length} bytes`);
    return x;
  }
  if (typeof x !== "string") return fail(x === null ? "null" : typeof x);
  const s = x
    .trim()
    .replace(/^0x/i, "")
    .replace(/[\s:-]/g, "");
  if (!/^[0-9a-fA-F]*$/.test(s)) return fail("not hex");
  if (s.length !== 32) return fail(`${s.length} hex digits`);
  return fromHex(s, name);
}

/** An unsigned integer of `bytes` bytes given as a number or a big-endian hex string. */
export function uintOf(x: number | string, bytes: number, name: string): number {
  const max = 2 ** (8 * bytes) - 1;
  if (typeof x === "string") {
    const b = fromHex(x, name);
    if (b.length !== bytes) badParameter(name, x, `${bytes} bytes (${bytes * 2} hex digits, big-endian)`);
    let v = 0;
    for (let i = 0; i < b.length; i++) v = v * 256 + b[i]!;
    return v;
  }
  if (typeof x !== "number" || !Number.isInteger(x) || x < 0 || x > max)
    badParameter(name, x, `an integer from 0 to ${max}`);
  return x;
}

/** An EUI-64 as wire bytes (little-endian) from a big-endian hex string. */
export function euiOf(x: string, name: string): Uint8Array {
  const b = fromHex(x, name);
  if (b.length !== 8) badParameter(name, x, "8 bytes (16 hex digits, big-endian)");
  return b.reverse();
}

export function readU16(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}
export function readU24(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16);
}
export function readU32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}
export function writeU16(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
}
export function writeU24(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
}
export function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}

/** Hex of a u32 / u24 / u16 in big-endian display order, zero-padded. */
export function hexOfUint(v: number, bytes: number): string {
  return (v >>> 0).toString(16).padStart(bytes * 2, "0");
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Constant-time equality of two byte strings of the same length (no early exit). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  checkBytesArg("a", a);
  checkBytesArg("b", b);
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/** Throws BAD_PARAMETER unless `x` is a (non-null) object. */
export function checkObject(name: string, x: unknown): void {
  if (typeof x !== "object" || x === null || Array.isArray(x))
    badParameter(name, x === null ? "null" : typeof x, "an object");
}

/** Throws BAD_PARAMETER unless `x` is an array of objects. */
export function checkArrayOfObjects(name: string, x: unknown): void {
  checkArray(name, x, 1 << 20, "an array of objects");
  (x as unknown[]).forEach((e, i) => checkObject(`${name}[${i}]`, e));
}

/** Throws BAD_PARAMETER unless `x` is a Uint8Array. */
export function checkBytes(name: string, x: unknown): asserts x is Uint8Array {
  checkBytesArg(name, x);
}

export function tooShort(what: string, need: number, got: number): never {
  throw new ChirpError("TOO_SHORT", `${what} needs at least ${need} byte${need === 1 ? "" : "s"}, got ${got}`);
}
