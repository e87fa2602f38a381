// Small helpers shared by the panels.
import { ChirpError } from "chirpkit/errors";

export function $<T extends Element>(selector: string): T {
  const el = document.querySelector<T>(selector);
  if (!el) throw new Error(`demo: missing element ${selector}`);
  return el;
}

/** A readable one-line message; ChirpErrors name the parameter and what is allowed. */
export function describeError(e: unknown): string {
  if (e instanceof ChirpError) return `${e.message}${e.code ? ` (${e.code})` : ""}`;
  if (e instanceof Error) return e.message;
  return String(e);
}

export function fmt(x: number, digits: number): string {
  return x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Hex digits (spaces, colons and a 0x prefix allowed) to bytes; throws with a helpful message. */
export function parseHex(text: string, what: string): Uint8Array {
  const clean = text.replace(/^0x/i, "").replace(/[\s:,-]/g, "");
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) {
    throw new Error(`${what}: hex digits in pairs, e.g. 48 65 6c 6c 6f`);
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function parsePayload(text: string, format: "text" | "hex"): Uint8Array {
  const bytes = format === "hex" ? parseHex(text, "Payload") : new TextEncoder().encode(text);
  if (bytes.length > 255) throw new Error(`Payload: ${bytes.length} bytes; a LoRa frame carries at most 255`);
  return bytes;
}
