// Receiver throughput: decodeRecording on simulated recordings (SF7 at 2x and 1x, SF12 at 2x),
// Wasm kernel against its js twin (fft.js) in the same run; wall and CPU time, x real time.
// Run: npm run -s build && node bench/rx.bench.mjs [--quick]   (or npm run -s bench:rx)
import os from "node:os";
import { Bench } from "tinybench";
import { simulate } from "../dist/sim/index.js";
import { decodeRecording } from "../dist/rx/index.js";
import { median } from "./stats.mjs";

const quick = process.argv.includes("--quick");
const cases = [
  { name: "SF7 125 kHz, 2x, 20 frames of 16 B, 5 dB", sf: 7, k: 2, frames: 20, snrDb: 5 },
  { name: "SF7 125 kHz, 1x, 20 frames of 16 B, 5 dB", sf: 7, k: 1, frames: 20, snrDb: 5 },
  { name: "SF12 125 kHz, 2x, 2 frames of 16 B, -15 dB", sf: 12, k: 2, frames: 2, snrDb: -15 },
];
const recs = cases.map((c) => {
  const params = { sf: c.sf, bandwidth: 125000, cr: 1 };
  const sim = simulate({
    frames: Array.from({ length: c.frames }, () => ({ payloadLength: 16, params })),
    sampleRate: c.k * 125000,
    snrDb: c.snrDb,
    cfoHz: 3000,
    sfoPpm: 10,
    delay: 0.3,
    leadSamples: 5000,
    gapSamples: [2000, 20000],
    tailSamples: 5000,
    seed: 5,
  });
  return { ...c, sim, seconds: sim.iq.length / 2 / (c.k * 125000) };
});
const cpu = {},
  good = {};
const bench = new Bench({ time: 0, iterations: quick ? 3 : 7, warmupIterations: 1, warmupTime: 0 });
for (const r of recs)
  for (const engine of ["wasm", "js"]) {
    const key = `${r.name} | ${engine}`;
    bench.add(key, () => {
      const t = process.cpuUsage();
      const f = decodeRecording(r.sim.iq, { sampleRate: r.k * 125000, bandwidth: 125000, sf: r.sf, engine });
      const d = process.cpuUsage(t);
      (cpu[key] ??= []).push((d.user + d.system) / 1e6);
      good[key] = f.filter((x) => x.crcOk).length;
    });
  }
await bench.run();
console.log(
  `machine: ${os.cpus()[0]?.model ?? "unknown"} (${os.cpus().length} cores), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, load average ${os.loadavg()[0].toFixed(1)}`,
);
console.log("median ± MAD of the wall time; CPU time median; ratio = js / wasm CPU time\n");
console.log("| recording | length | engine | wall time | CPU time | x real time (CPU) | frames ok | js / wasm |");
console.log("|---|---|---|---|---|---|---|---|");
for (const r of recs) {
  const cw = median(cpu[`${r.name} | wasm`].slice(1)),
    cj = median(cpu[`${r.name} | js`].slice(1));
  for (const engine of ["wasm", "js"]) {
    const key = `${r.name} | ${engine}`;
    const l = bench.tasks.find((t) => t.name === key).result.latency;
    const c = engine === "wasm" ? cw : cj;
    console.log(
      `| ${r.name} | ${r.seconds.toFixed(2)} s | ${engine} | ${l.p50.toFixed(0)} ± ${l.mad.toFixed(0)} ms | ${(c * 1e3).toFixed(0)} ms | ${(r.seconds / c).toFixed(1)} | ${good[key]}/${r.frames} | ${engine === "js" ? (cj / cw).toFixed(1) + "x" : ""} |`,
    );
  }
}
