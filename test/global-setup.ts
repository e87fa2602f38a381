// Runs once per vitest run (not once per test file): one line when ../shared is missing, and a
// failed run under CI=true, where the reference data must be there.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  const sharedDir =
    process.env.CHIRP_SHARED_DIR ?? resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "shared");
  if (existsSync(join(sharedDir, "vectors"))) return;
  if (process.env.CI === "true") {
    throw new Error(`reference data not found at ${sharedDir} (../shared): CI=true requires it`);
  }
  console.warn(
    `[skip] reference data not found at ${sharedDir} (../shared): the suites that need its vectors and captures are skipped`,
  );
}
