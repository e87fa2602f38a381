// Runs every benchmark in bench/ one after another, each in its own Node process (so one
// benchmark's garbage does not disturb another's timings). A benchmark is any .mjs file here
// except this runner and the modules other benchmarks load (e.g. cpu-at-exit.mjs, which the
// throughput benchmark preloads). Every benchmark takes --quick (small sizes, few repeats: a check
// that it runs, on a machine others share); without it each runs its full mode.
// Usage: npm run bench [-- [--quick] [--list] [name-filter]]      (npm run bench:quick = --quick)
import { readdirSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const list = args.includes("--list");
const filter = args.find((a) => !a.startsWith("--")) ?? "";

/** Every benchmark script in bench/, sorted (helpers that another script names are left out). */
function benchmarks() {
  const all = readdirSync(here).filter((f) => f.endsWith(".mjs") && f !== "run.mjs");
  const sources = new Map(all.map((f) => [f, readFileSync(join(here, f), "utf8")]));
  const helpers = new Set(all.filter((f) => all.some((g) => g !== f && sources.get(g).includes(f))));
  return all.filter((f) => !helpers.has(f)).sort();
}

const files = benchmarks().filter((f) => f.includes(filter));
if (list) {
  for (const f of files) console.log(f);
  process.exit(0);
}
let failed = 0;
const t0 = Date.now();
for (const f of files) {
  console.log(`\n=== ${f}${quick ? " --quick" : ""}`);
  const t = Date.now();
  const r = spawnSync(process.execPath, ["--expose-gc", join(here, f), ...(quick ? ["--quick"] : [])], {
    stdio: "inherit",
  });
  console.log(
    `=== ${f}: ${r.status === 0 ? "done" : `FAILED (exit ${r.status ?? r.signal})`} in ${((Date.now() - t) / 1000).toFixed(1)} s`,
  );
  if (r.status !== 0) failed++;
}
console.log(
  `\n${files.length - failed} of ${files.length} benchmarks ran in ${((Date.now() - t0) / 1000).toFixed(0)} s${quick ? " (--quick)" : ""}${failed ? `; ${failed} failed` : ""}`,
);
process.exit(failed ? 1 : 0);
