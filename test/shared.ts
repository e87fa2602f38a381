// Locates ../shared (reference vectors and captures). Suites that need it are skipped when it is
// missing; test/global-setup.ts says so once per run and fails the run under CI=true.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe } from "vitest";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const sharedDir = process.env.CHIRP_SHARED_DIR ?? resolve(repoRoot, "..", "shared");
export const hasShared = existsSync(join(sharedDir, "vectors"));

// Without the data the suite's body is never called: vitest collects a skipped describe by running
// its body, which would read the missing files while collecting.
const skippedShared = ((name: string) => describe.skip(name, () => {})) as unknown as typeof describe;

/** describe() that runs only when ../shared is present (and the run fails under CI when it is not). */
export const describeShared: typeof describe = hasShared ? describe : skippedShared;

export function sharedPath(...parts: string[]): string {
  return join(sharedDir, ...parts);
}

export function readSharedJson<T = any>(...parts: string[]): T {
  return JSON.parse(readFileSync(sharedPath(...parts), "utf8")) as T;
}

/** A recording as listed in a ../shared/captures manifest.json (the fields the receiver tests read). */
export interface SharedCapture {
  file: string;
  format: "cf32" | "cs16" | "cu8";
  sampleRate: number;
  bandwidth: number;
  sf: number;
  cr: number;
  explicitHeader: boolean;
  crc: boolean;
  syncWord: string;
  implicitLength?: number;
}

/** The receiver options that decode a capture (its rates, SF, format, header mode and sync word). */
export function captureOptions(c: SharedCapture) {
  return {
    sampleRate: c.sampleRate,
    bandwidth: c.bandwidth,
    sf: c.sf,
    format: c.format,
    explicitHeader: c.explicitHeader,
    implicit: c.explicitHeader ? undefined : { payloadLength: c.implicitLength!, cr: c.cr, crc: c.crc },
    syncWord: parseInt(c.syncWord, 16),
  };
}

/** A capture's samples (its path below ../shared/captures), typed by its format, in memory of their own. */
export function loadCapture(format: string, ...parts: string[]): Float32Array | Int16Array | Uint8Array {
  const b = readFileSync(sharedPath("captures", ...parts));
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  if (format === "cf32") return new Float32Array(copy.buffer);
  if (format === "cs16") return new Int16Array(copy.buffer);
  return copy;
}
