// `npm run bench` runs every benchmark in bench/ (not only the *.bench.mjs ones), and each has a
// --quick mode (`npm run bench:quick`) beside its full one.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./shared.js";

const benchDir = join(repoRoot, "bench");

describe("bench/run.mjs", () => {
  it("lists every benchmark script, the slow ser.mjs and rx-sensitivity.mjs included, and no helper", () => {
    const r = spawnSync(process.execPath, [join(benchDir, "run.mjs"), "--list"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const listed = r.stdout.trim().split("\n");
    const all = readdirSync(benchDir).filter((f) => f.endsWith(".mjs") && f !== "run.mjs");
    // a helper is a module another benchmark loads by name (cpu-at-exit.mjs is preloaded by throughput;
    // docs-block.mjs writes the tables; target-recording.mjs makes the throughput and workers recording; per-crossing.mjs reads a PER curve;
    // sensitivity-recording.mjs makes the sensitivity recordings; stats.mjs has the medians)
    const helpers = all.filter((f) => all.some((g) => g !== f && readFileSync(join(benchDir, g), "utf8").includes(f)));
    expect(helpers.sort()).toEqual([
      "cpu-at-exit.mjs",
      "docs-block.mjs",
      "per-crossing.mjs",
      "sensitivity-recording.mjs",
      "stats.mjs",
      "target-recording.mjs",
    ]);
    expect(listed).toEqual(all.filter((f) => !helpers.includes(f)).sort());
    expect(listed).toContain("ser.mjs");
    expect(listed).toContain("rx-sensitivity.mjs");
    for (const f of listed) expect(readFileSync(join(benchDir, f), "utf8"), f).toMatch(/argv\.includes\("--quick"\)/);
    const scripts = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).scripts as Record<string, string>;
    expect(scripts.bench).toMatch(/node --expose-gc bench\/run\.mjs$/);
    expect(scripts["bench:quick"]).toMatch(/bench\/run\.mjs --quick$/);
  });
});
