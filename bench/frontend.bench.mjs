// Front end benchmarks: Wasm kernels (SIMD FIR / polyphase resampler) vs the js engine twins in the
// same run. One push of 2^18 input samples per iteration; throughput in input samples per second.
// Run: npm run -s build && node bench/frontend.bench.mjs [--quick]   (or npm run -s bench:frontend)
import os from "node:os";
import { Bench } from "tinybench";
import { createFrontend } from "../dist/dsp/index.js";

const quick = process.argv.includes("--quick");
const time = quick ? 200 : 1000;
const B = 125_000;
const N = 1 << 18;
const rows = [];

const cases = [
  { label: "cf32 4x -> 1x", sampleRate: 4 * B, format: "cf32" },
  { label: "cf32 8x -> 1x, mixed by 100 kHz", sampleRate: 8 * B, format: "cf32", frequencyOffsetHz: 100e3 },
  { label: "cs16 8x -> 2x", sampleRate: 8 * B, format: "cs16", outputOversampling: 2 },
  { label: "cf32 64x -> 1x", sampleRate: 64 * B, format: "cf32" },
  { label: "cu8 1.024 MS/s -> 125 kS/s (resampler)", sampleRate: 1.024e6, format: "cu8" },
  { label: "cf32 2.4 MS/s -> 125 kS/s (resampler)", sampleRate: 2.4e6, format: "cf32" },
];

function input(format) {
  let seed = 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296) * 2 - 1;
  if (format === "cf32") return Float32Array.from({ length: 2 * N }, () => 0.3 * rnd());
  if (format === "cs16") return Int16Array.from({ length: 2 * N }, () => Math.round(8000 * rnd()));
  return Uint8Array.from({ length: 2 * N }, () => Math.round(127.5 + 60 * rnd()));
}

for (const c of cases) {
  const x = input(c.format);
  const opts = { sampleRate: c.sampleRate, bandwidth: B, outputOversampling: c.outputOversampling ?? 1, frequencyOffsetHz: c.frequencyOffsetHz ?? 0, format: c.format === "cu8" ? "cu8" : undefined };
  const w = createFrontend({ ...opts, engine: "wasm" });
  const j = createFrontend({ ...opts, engine: "js" });
  const bench = new Bench({ time, warmupTime: quick ? 50 : 200 });
  bench.add("wasm", () => w.push(x)).add("js", () => j.push(x));
  await bench.run();
  const [rw, rj] = bench.tasks.map((t) => t.result);
  const cell = (r) => ({ median: r.latency.p50, mad: r.latency.mad });
  rows.push({ label: c.label, taps: `${w.taps}${w.phases > 1 ? ` x ${w.phases + 1} phases` : ""}`, wasm: cell(rw), js: cell(rj) });
}

const fmt = (c) => `${c.median.toFixed(2)} ± ${c.mad.toFixed(2)} ms (${(N / c.median / 1e3).toFixed(1)} MS/s)`;
console.log(`machine: ${os.cpus()[0]?.model ?? "unknown"} (${os.cpus().length} cores), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
console.log(`one push of ${N} complex input samples; median ± MAD; ratio = js / wasm\n`);
console.log("| front end | taps | wasm | js | ratio |");
console.log("|---|---|---|---|---|");
for (const r of rows) console.log(`| ${r.label} | ${r.taps} | ${fmt(r.wasm)} | ${fmt(r.js)} | ${(r.js.median / r.wasm.median).toFixed(1)}x |`);
