// PHY benchmarks: Wasm engine vs js engine (fft.js baseline) in the same run.
// Run: npm run -s build && node bench/phy.bench.mjs   (or npm run -s bench:phy)
import os from "node:os";
import { Bench } from "tinybench";
import FFT from "fft.js";
import {
  encodeFrame,
  decodeFrame,
  decodeFrameSoft,
  modulateFrame,
  resolveParams,
  createFft,
  symbolToWord,
  modulateSymbols,
  demodulateSymbols,
} from "../dist/phy/index.js";
import { phyWasm } from "../dist/wasm/phy.js";

const quick = process.argv.includes("--quick");
const time = quick ? 150 : 600;
const rows = [];

async function pair(label, wasmFn, jsFn, baselineName = "js") {
  const bench = new Bench({ time, warmupTime: quick ? 50 : 200 });
  bench.add("wasm", wasmFn).add(baselineName, jsFn);
  await bench.run();
  const [w, j] = bench.tasks.map((t) => t.result);
  const cell = (r) => ({ median: r.latency.p50 * 1000, mad: r.latency.mad * 1000 });
  const a = cell(w),
    b = cell(j);
  rows.push({ label, wasm: a, js: b, ratio: b.median / a.median, baselineName });
}

const payload = Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 255);
for (const sf of [7, 12]) {
  const p = resolveParams({ sf, cr: 1, bandwidth: 125000 });
  await pair(
    `encode 64 B, SF${sf}`,
    () => encodeFrame(payload, p, { engine: "wasm" }),
    () => encodeFrame(payload, p, { engine: "js" }),
  );
  const syms = encodeFrame(payload, p);
  await pair(
    `decode (hard) 64 B, SF${sf}`,
    () => decodeFrame(syms, p, { engine: "wasm" }),
    () => decodeFrame(syms, p, { engine: "js" }),
  );
  // clean LLRs (+-2.5) of the frame's words, so the whole frame decodes
  const llr = new Float32Array(syms.length * sf);
  syms.forEach((s, i) => {
    const reduced = i < 8 || p.ldroOn,
      ppm = reduced ? sf - 2 : sf,
      v = symbolToWord(s, sf, reduced);
    for (let j = 0; j < ppm; j++) llr[i * sf + j] = (v >> (ppm - 1 - j)) & 1 ? 2.5 : -2.5;
  });
  await pair(
    `decode (soft) 64 B, SF${sf}`,
    () => decodeFrameSoft(llr, syms.length, p, { engine: "wasm" }),
    () => decodeFrameSoft(llr, syms.length, p, { engine: "js" }),
  );
}
for (const [sf, k] of [
  [7, 1],
  [7, 4],
  [10, 2],
]) {
  const p = resolveParams({ sf, cr: 1, bandwidth: 125000 });
  const small = payload.subarray(0, 16);
  await pair(
    `modulate frame 16 B, SF${sf}, ${k}x`,
    () => modulateFrame(small, p, { oversampling: k, engine: "wasm" }),
    () => modulateFrame(small, p, { oversampling: k, engine: "js" }),
  );
  // the same into a caller's array (opts.out): no new array, so no garbage to collect
  const out = new Float32Array(modulateFrame(small, p, { oversampling: k }).length);
  await pair(
    `modulate frame 16 B, SF${sf}, ${k}x, into opts.out`,
    () => modulateFrame(small, p, { oversampling: k, engine: "wasm", out }),
    () => modulateFrame(small, p, { oversampling: k, engine: "js", out }),
  );
}
// Aligned demodulation (dechirp + FFT + argmax) of 32 symbols, including the copy into Wasm.
for (const [sf, k] of [
  [7, 1],
  [10, 4],
]) {
  const p = resolveParams({ sf, cr: 1, bandwidth: 125000 });
  const syms = Array.from({ length: 32 }, (_, i) => (i * 97) % (1 << sf));
  const iq = modulateSymbols(syms, p, { oversampling: k });
  await pair(
    `demodulate 32 symbols, SF${sf}, ${k}x`,
    () => demodulateSymbols(iq, p, { oversampling: k, engine: "wasm" }),
    () => demodulateSymbols(iq, p, { oversampling: k, engine: "js" }),
  );
}
// FFT: the Wasm kernel in place on Wasm memory (how kernels use it) vs fft.js on Float64Arrays.
// Each iteration is a forward and an inverse transform, so the data stays bounded (repeated
// forward transforms in place would grow it by n each time and soon run on Inf/NaN).
for (let n = 32; n <= 8192; n *= 2) {
  const wasmFft = createFft(n, "wasm");
  new Float32Array(phyWasm.memory.buffer, wasmFft.ptr, 2 * n).set(
    Float32Array.from({ length: 2 * n }, (_, i) => Math.sin(i * 0.37)),
  );
  const f = new FFT(n);
  const input = Float64Array.from({ length: 2 * n }, (_, i) => Math.sin(i * 0.37));
  const spectrum = new Float64Array(2 * n),
    back = new Float64Array(2 * n);
  await pair(
    `FFT n=${n}, forward + inverse`,
    () => {
      phyWasm.fft_forward(wasmFft.ptr, n);
      phyWasm.fft_inverse(wasmFft.ptr, n);
    },
    () => {
      f.transform(spectrum, input);
      f.inverseTransform(back, spectrum);
    },
    "fft.js",
  );
  const after = new Float32Array(phyWasm.memory.buffer, wasmFft.ptr, 2 * n);
  if (!(Math.abs(after[2] - Math.sin(2 * 0.37)) < 1e-3)) throw new Error(`Wasm FFT n=${n} drifted: ${after[2]}`);
  wasmFft.dispose();
}

const fmt = (c) => `${c.median.toFixed(2)} ± ${c.mad.toFixed(2)}`;
console.log(
  `machine: ${os.cpus()[0]?.model ?? "unknown"} (${os.cpus().length} cores), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
);
console.log("median ± MAD in microseconds; ratio = baseline / wasm (higher = Wasm faster)\n");
console.log("| benchmark | wasm (µs) | baseline (µs) | ratio |");
console.log("|---|---|---|---|");
for (const r of rows)
  console.log(`| ${r.label} | ${fmt(r.wasm)} | ${r.baselineName}: ${fmt(r.js)} | ${r.ratio.toFixed(2)}x |`);
