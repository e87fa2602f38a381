// What a `chirp` process costs before and around its work: Node's own start, `chirp --version`, a
// decode of a short recording (3 frames) and of the SF7 target recording, each through the bin
// (dist/bin/main.js, the bundle) and through the unbundled dist/cli/main.js, alternated run by
// run. CPU time of every thread at exit (bench/cpu-at-exit.mjs), medians. Writes its table into
// docs/benchmarks.md. Usage: node bench/startup.bench.mjs [--quick] [--no-docs]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeDocsBlock } from "./docs-block.mjs";
import { main, nodeProcess, simulateTargetRecording } from "./target-recording.mjs";
import { median, spread } from "./stats.mjs";

const quick = process.argv.includes("--quick");
const writeDocs = !quick && !process.argv.includes("--no-docs");
const runs = quick ? 3 : 11;
const here = dirname(fileURLToPath(import.meta.url));
const bin = main;
const unbundled = join(here, "..", "dist", "cli", "main.js");

const fmt = (a) => spread(a, 3);

const dir = mkdtempSync(join(os.tmpdir(), "chirp-startup-"));
try {
  const { meta } = simulateTargetRecording(dir, quick ? 100 : 600);
  const short = join(dir, "short.cs16");
  const sim = spawnSync(
    process.execPath,
    [bin, "simulate", "-o", short, "--sf", "7", "--rate", "500k", "--snr", "5", "--frames", "3", "--seed", "9"],
    { encoding: "utf8" },
  );
  if (sim.status !== 0) throw new Error(`chirp simulate failed: ${sim.stderr}`);
  const decode = (file) => ["decode", file, "--sf", "7", "--json", "--quiet"];
  const cases = [
    { what: "`node -e 0` (Node alone)", args: [["-e", "0"]] },
    {
      what: "`chirp --version`",
      args: [
        [bin, "--version"],
        [unbundled, "--version"],
      ],
    },
    {
      what: "`chirp decode` of a 3-frame recording",
      args: [
        [bin, ...decode(short)],
        [unbundled, ...decode(short)],
      ],
    },
    {
      what: `\`chirp decode FILE --sf 7\`, the target recording${quick ? " (100 frames: --quick)" : ""}`,
      args: [
        [bin, ...decode(meta)],
        [unbundled, ...decode(meta)],
      ],
    },
  ];
  for (const c of cases) {
    c.cpu = c.args.map(() => []);
    c.out = c.args.map(() => null);
  }
  for (let i = 0; i < runs; i++)
    for (const c of cases)
      c.args.forEach((a, k) => {
        const r = nodeProcess(dir, a);
        c.cpu[k].push(r.cpu);
        c.out[k] = r.stdout;
      });

  const lines = [
    `Machine: ${os.cpus()[0]?.model ?? "unknown"} (${os.cpus().length} cores), Node ${process.version}, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, load average ${os.loadavg()[0].toFixed(1)} at the end.`,
    `CPU seconds (user + system, every thread, start-up included): median (min..max) over ${runs} runs, the two builds alternated run by run.`,
    "",
    "| what | bin (dist/bin, bundled) | unbundled (dist/cli) | bin / unbundled | same output |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const c of cases) {
    if (c.args.length === 1) {
      lines.push(`| ${c.what} | ${fmt(c.cpu[0])} | | | |`);
      continue;
    }
    const ratio = median(c.cpu[0].map((x, i) => x / c.cpu[1][i]));
    lines.push(
      `| ${c.what} | ${fmt(c.cpu[0])} | ${fmt(c.cpu[1])} | ${ratio.toFixed(3)} | ${c.out[0] === c.out[1] ? "yes" : "NO"} |`,
    );
  }
  const table = lines.join("\n");
  console.log(table);
  if (writeDocs)
    writeDocsBlock("startup.bench.mjs", table, "## Start-up of the `chirp` process (`npm run -s bench:startup`)");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
