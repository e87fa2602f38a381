// Two builds side by side in one process: decodeRecording of each (their dist directories, e.g. a
// base commit's built with `git archive BASE | tar -x -C /tmp/base && (cd /tmp/base && npm run
// build)`) on the same simulated recordings, both engines, runs interleaved; CPU time min / median
// and the ratio base / this. Prints a Markdown table (no docs are written: the base is one-off).
// A tool, not one of the benchmarks npm run bench runs (it needs a base build).
// Run: npm run -s build && node scripts/compare-builds.mjs BASE_DIST [THIS_DIST=dist] [RUNS=7]
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [aArg, bArg = "dist"] = process.argv.slice(2);
if (!aArg) throw new Error("usage: node scripts/compare-builds.mjs BASE_DIST [THIS_DIST] [RUNS]");
const aDir = pathToFileURL(resolve(aArg)).href,
  bDir = pathToFileURL(resolve(bArg)).href;
const A = await import(`${aDir}/rx/index.js`),
  B = await import(`${bDir}/rx/index.js`);
const { simulate } = await import(`${bDir}/sim/index.js`);
const bw = 125000;
const recs = [
  { name: "SF7 1x, 300 frames of 16 B, +5 dB", r: 1, sf: 7, frames: 300, len: 16, snr: 5 },
  { name: "SF7 1x, 300 frames of 64 B, -5 dB", r: 1, sf: 7, frames: 300, len: 64, snr: -5 },
  { name: "SF7 2x, 300 frames of 16 B, +5 dB", r: 2, sf: 7, frames: 300, len: 16, snr: 5 },
  { name: "SF10 1x, 40 frames of 32 B, -5 dB", r: 1, sf: 10, frames: 40, len: 32, snr: -5 },
];
const cpu = (f) => {
  const t = process.cpuUsage();
  const out = f();
  const d = process.cpuUsage(t);
  return { s: (d.user + d.system) / 1e6, out };
};
const reps = Number(process.argv[4] ?? 7);
console.log(
  "| recording | engine | base | this | base / this (min / median) | M samples / CPU-s (this) | frames CRC ok (base / this) |",
);
console.log("|---|---|---|---|---|---|---|");
for (const c of recs) {
  const sim = simulate({
    frames: Array.from({ length: c.frames }, () => ({
      payloadLength: c.len,
      params: { sf: c.sf, bandwidth: bw, cr: 1 },
    })),
    sampleRate: c.r * bw,
    snrDb: c.snr,
    cfoHz: 3000,
    sfoPpm: 5,
    delay: 0.3,
    leadSamples: 2000,
    gapSamples: [300, 3000],
    tailSamples: 2000,
    seed: 3,
  });
  const opts = { sampleRate: c.r * bw, bandwidth: bw, sf: c.sf, format: "cf32" };
  for (const engine of ["wasm", "js"]) {
    if (engine === "js" && c.sf > 7) continue;
    const ta = [],
      tb = [];
    let na = 0,
      nb = 0;
    for (let k = 0; k < reps; k++) {
      // the order alternates (A B, B A, ...): the second of a pair pays the first one's garbage
      const runA = () => {
        const a = cpu(() => A.decodeRecording(sim.iq, { ...opts, engine }));
        ta.push(a.s);
        na = a.out.filter((f) => f.crcOk).length;
      };
      const runB = () => {
        const b = cpu(() => B.decodeRecording(sim.iq, { ...opts, engine }));
        tb.push(b.s);
        nb = b.out.filter((f) => f.crcOk).length;
      };
      if (k % 2 === 0) {
        runA();
        runB();
      } else {
        runB();
        runA();
      }
    }
    const min = (x) => Math.min(...x),
      med = (x) => [...x].sort((p, q) => p - q)[x.length >> 1];
    const ms = sim.iq.length / 2 / 1e6;
    console.log(
      `| ${c.name} | ${engine} | ${(min(ta) * 1e3).toFixed(0)} / ${(med(ta) * 1e3).toFixed(0)} ms | ${(min(tb) * 1e3).toFixed(0)} / ${(med(tb) * 1e3).toFixed(0)} ms | ${(min(ta) / min(tb)).toFixed(3)} / ${(med(ta) / med(tb)).toFixed(3)} | ${(ms / min(tb)).toFixed(1)} M/s | ${na} / ${nb} |`,
    );
  }
}
