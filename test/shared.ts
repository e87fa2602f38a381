// Locates ../shared (reference vectors and captures). Suites that need it skip with a message
// when it is missing, except under CI=true, where a missing data set must fail the run.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe } from "vitest";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const sharedDir = process.env.CHIRP_SHARED_DIR ?? resolve(repoRoot, "..", "shared");
export const hasShared = existsSync(join(sharedDir, "vectors"));

if (!hasShared) {
  if (process.env.CI === "true") {
    throw new Error(`../shared not found at ${sharedDir}: CI=true requires the reference data`);
  }
  console.warn(`[skip] ../shared not found at ${sharedDir}: suites that need reference vectors or captures are skipped`);
}

/** describe() that runs only when ../shared is present (and fails under CI when it is not). */
export const describeShared: typeof describe = (hasShared ? describe : describe.skip) as typeof describe;

export function sharedPath(...parts: string[]): string {
  return join(sharedDir, ...parts);
}

export function readSharedJson<T = any>(...parts: string[]): T {
  return JSON.parse(readFileSync(sharedPath(...parts), "utf8")) as T;
}
