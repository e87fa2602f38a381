// Front end benchmarks: Wasm kernels (SIMD FIR / polyphase resampler) vs the js engine twins in the
// same run. One push of 2^18 input samples per iteration; throughput in input samples per second.
// Writes its throughput table into docs/benchmarks.md (the marked section) unless --quick or --no-docs.
// Run: npm run -s build && node bench/frontend.bench.mjs [--quick] [--no-docs]   (or npm run -s bench:frontend)
import os from "node:os";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Bench } from "tinybench";
import { createFrontend } from "../dist/dsp/index.js";

const quick = process.argv.includes("--quick");
const writeDocs = !quick && !process.argv.includes("--no-docs");
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
  // what the receiver runs at 2 samples per chip: a 2*BW channel at one sample per its "chip"
  // (receiverChannelFilter in src/rx/channel.ts: transition 0.12, the stop at 1.12 BW)
  {
    label: "cs16 4x -> 2x, the receiver's 2*BW channel (halfband)",
    sampleRate: 4 * B,
    format: "cs16",
    bandwidth: 2 * B,
    transition: 0.12,
  },
  {
    label: "the same with iqCorrection (DC and IQ imbalance, as in the receiver)",
    sampleRate: 4 * B,
    format: "cs16",
    bandwidth: 2 * B,
    transition: 0.12,
    iqCorrection: true,
  },
  {
    label: "cs16 1 MS/s -> 250 kS/s mixed by 200 kHz, the gateway's channel (halfband cascade)",
    sampleRate: 8 * B,
    format: "cs16",
    bandwidth: 2 * B,
    transition: 0.12,
    frequencyOffsetHz: 200e3,
  },
  // the gateway's three channels (-200, 0, +200 kHz) on one cs16 1 MS/s stream, with the SDR's DC
  // and IQ imbalance corrected in every channel, or once on the wideband samples (src/rx/wideband.ts)
  { label: "3 gateway channels, each correcting DC/IQ itself", sampleRate: 8 * B, format: "cs16", gateway: "each" },
  {
    label: "3 gateway channels, DC/IQ corrected once on the wideband samples",
    sampleRate: 8 * B,
    format: "cs16",
    gateway: "once",
  },
];

/** The gateway rows: a push function over the three channels' front ends. */
function gatewayChannels(mode, engine) {
  const channel = (fo, iqCorrection) =>
    createFrontend({
      sampleRate: 8 * B,
      bandwidth: 2 * B,
      transition: 0.12,
      frequencyOffsetHz: fo,
      iqCorrection,
      engine,
    });
  const fes = [-200e3, 0, 200e3].map((fo) => channel(fo, mode === "each"));
  if (mode === "each")
    return {
      fe: fes[0],
      push: (x) => {
        for (const fe of fes) fe.push(x);
      },
    };
  const wide = createFrontend({ sampleRate: 8 * B, bandwidth: 8 * B, iqCorrection: true, engine });
  return {
    fe: fes[0],
    push: (x) => {
      const y = wide.push(x);
      for (const fe of fes) {
        if (engine === "wasm") fe.pushPtr(y.byteOffset, y.length / 2);
        else fe.push(y);
      }
    },
  };
}

function input(format) {
  let seed = 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296) * 2 - 1;
  if (format === "cf32") return Float32Array.from({ length: 2 * N }, () => 0.3 * rnd());
  if (format === "cs16") return Int16Array.from({ length: 2 * N }, () => Math.round(8000 * rnd()));
  return Uint8Array.from({ length: 2 * N }, () => Math.round(127.5 + 60 * rnd()));
}

for (const c of cases) {
  const x = input(c.format);
  const opts = {
    sampleRate: c.sampleRate,
    bandwidth: c.bandwidth ?? B,
    ...(c.transition ? { transition: c.transition } : {}),
    outputOversampling: c.outputOversampling ?? 1,
    frequencyOffsetHz: c.frequencyOffsetHz ?? 0,
    format: c.format === "cu8" ? "cu8" : undefined,
    iqCorrection: c.iqCorrection ?? false,
  };
  const make = (engine) => {
    if (c.gateway) return gatewayChannels(c.gateway, engine);
    const fe = createFrontend({ ...opts, engine });
    return { fe, push: (y) => fe.push(y) };
  };
  const { fe: w, push: pw } = make("wasm");
  const { push: pj } = make("js");
  const bench = new Bench({ time, warmupTime: quick ? 50 : 200 });
  bench.add("wasm", () => pw(x)).add("js", () => pj(x));
  await bench.run();
  const [rw, rj] = bench.tasks.map((t) => t.result);
  const cell = (r) => ({ median: r.latency.p50, mad: r.latency.mad });
  rows.push({
    label: c.label,
    taps:
      w.stageTaps.length > 1
        ? `${w.stageTaps.join(" + ")} (cascade)`
        : `${w.taps}${w.phases > 1 ? ` x ${w.phases + 1} phases` : ""}`,
    wasm: cell(rw),
    js: cell(rj),
  });
}

const fmt = (c) => `${c.median.toFixed(2)} ± ${c.mad.toFixed(2)} ms (${(N / c.median / 1e3).toFixed(1)} MS/s)`;
const table = [
  `Machine: ${os.cpus()[0]?.model ?? "unknown"} (${os.cpus().length} cores), Node ${process.version}, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, load average ${os.loadavg()[0].toFixed(1)} at the end.`,
  `One push of ${N} complex input samples; median ± MAD; ratio = js / wasm.`,
  "",
  "| front end | taps | wasm | js | ratio |",
  "|---|---|---|---|---|",
  ...rows.map(
    (r) => `| ${r.label} | ${r.taps} | ${fmt(r.wasm)} | ${fmt(r.js)} | ${(r.js.median / r.wasm.median).toFixed(1)}x |`,
  ),
].join("\n");
console.log(table);
if (writeDocs) {
  const docs = join(resolve(dirname(fileURLToPath(import.meta.url)), ".."), "docs", "benchmarks.md");
  const begin = "<!-- frontend.bench.mjs: begin (written by the benchmark) -->",
    end = "<!-- frontend.bench.mjs: end -->";
  const text = readFileSync(docs, "utf8");
  const i = text.indexOf(begin),
    j = text.indexOf(end);
  if (i >= 0 && j > i) {
    writeFileSync(docs, `${text.slice(0, i)}${begin}\n${table}\n${end}${text.slice(j + end.length)}`);
    console.log(`\nwrote the table into ${docs}`);
  } else console.log(`\n${docs} has no ${begin} section: not written`);
}

// Quality (deterministic, not timed): what the channel filter does to the SNR. White noise of
// variance k per sample (1 in the LoRa band) and a chirp stream of unit power, through the front end.
import { modulateSymbols } from "../dist/phy/index.js";
import { Rng } from "../dist/sim/rng.js";
console.log(
  "\nSNR through the front end (noise: variance k per input sample = 1 in the band; signal: SF7 chirps at unit power)\n",
);
console.log("| input rate | taps | noise out (dB, ideal 0) | chirp power out (dB) | SNR change (dB) |");
console.log("|---|---|---|---|---|");
for (const k of [2, 4, 8, 64, 1.024e6 / B, 2.4e6 / B]) {
  const fs = k * B;
  const rng = new Rng(7);
  const n = 1 << 19;
  const noise = new Float32Array(2 * n);
  rng.addComplexNoise(noise, k);
  const a = createFrontend({ sampleRate: fs, bandwidth: B });
  const yn = a.push(noise);
  let pn = 0;
  for (let i = 400; i < yn.length; i++) pn += yn[i] ** 2;
  pn /= (yn.length - 400) / 2;
  // The chirps at the nearest integer rate >= k when k is not an integer would need the simulator; use integer k only.
  let ps = NaN;
  if (Number.isInteger(k)) {
    const syms = Uint16Array.from({ length: 64 }, (_, i) => (i * 37) % 128);
    const s = modulateSymbols(syms, { sf: 7, bandwidth: B, cr: 1 }, { oversampling: k });
    const ys = createFrontend({ sampleRate: fs, bandwidth: B }).push(s);
    let acc = 0,
      cnt = 0;
    for (let i = 2 * 200; i < ys.length - 2 * 200; i++, cnt++) acc += ys[i] ** 2;
    ps = acc / (cnt / 2);
  }
  const db = (x) => (10 * Math.log10(x)).toFixed(3);
  console.log(
    `| ${(fs / 1e3).toFixed(0)} kS/s (${+k.toFixed(3)}x) | ${a.taps}${a.phases > 1 ? ` x ${a.phases + 1}` : ""} | ${db(pn)} | ${Number.isNaN(ps) ? "-" : db(ps)} | ${Number.isNaN(ps) ? "-" : (10 * Math.log10(ps / pn)).toFixed(3)} |`,
  );
}
