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
