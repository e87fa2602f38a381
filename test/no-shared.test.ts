// A clone without ../shared: every test file must still load (vitest runs the body of a skipped
// describe while collecting, so a suite that read the data there would fail with ENOENT), one
// line must say why the data suites are skipped, and CI=true must fail the run. Cheap: the nested
// run collects every file but runs no test (-t matches none).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "./shared.js";

const empty = mkdtempSync(join(tmpdir(), "chirpkit-no-shared-"));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

const childTimeoutMs = 420_000;

function collectWithoutShared(ci: boolean) {
  const env: NodeJS.ProcessEnv = { ...process.env, CHIRP_SHARED_DIR: empty, FORCE_COLOR: "0", NO_COLOR: "1" };
  delete env.CI;
  if (ci) env.CI = "true";
  const vitest = join(repoRoot, "node_modules", "vitest", "vitest.mjs");
  const r = spawnSync(
    process.execPath,
    [vitest, "run", "-t", "^no test is named this$", "--exclude", "test/no-shared.test.ts"],
    {
      cwd: repoRoot,
      env,
      encoding: "utf8",
      // Collecting 60+ files takes ~20 s idle but several minutes on a loaded 2-core machine.
      timeout: childTimeoutMs,
    },
  );
  // A run killed by the timeout has status null: say so rather than let "status is not 0" pass.
  expect(r.error, "nested vitest did not finish in time").toBeUndefined();
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

describe("without ../shared", () => {
  it("every test file loads, and one line says why the data suites are skipped", {
    timeout: childTimeoutMs + 30_000,
  }, () => {
    const r = collectWithoutShared(false);
    expect(r.out).not.toMatch(/ENOENT/);
    expect(r.out).not.toMatch(/\bfailed\b/i);
    expect(r.out.match(/\[skip\].*/g)).toEqual([expect.stringContaining("reference data not found")]);
    expect(r.status).toBe(0);
  });

  it("fails the run under CI=true, naming the missing directory", { timeout: childTimeoutMs + 30_000 }, () => {
    const r = collectWithoutShared(true);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain(`reference data not found at ${empty}`);
  });
});
