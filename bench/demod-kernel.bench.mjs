// The receiver's per-symbol demod kernel (rxsym_demod: carrier rotation, 64-tap interpolation to 1
// sample per chip, dechirp, FFT, powers and peak, phase slope, LLRs), per call, Wasm against its js
// twin in the same run, for the three kinds of call the receiver makes: a frame's symbol (LLRs,
// phase slope; the carrier the same from symbol to symbol, as in a frame), a sync stage spectrum
// (MEASURE_SPECTRUM, keeping and comparing spectra), and a downchirp pair power (MEASURE_BIN; the
// carrier changes every second call, as fine sync's hypotheses do). Writes its table into
// docs/benchmarks.md. --base DIST adds a column for another build's dist/ (before/after).
// Run: npm run -s build && node bench/demod-kernel.bench.mjs [--quick] [--base DIST]
import os from "node:os";
import { modulateSymbols } from "../dist/phy/index.js";
import { createRxSymbolWasm } from "../dist/engines/wasm/rx-symbol.js";
import { createRxSymbolJs } from "../dist/engines/js/rx-symbol.js";
import { demodArgs, LLR_FULL, MARGIN, MEASURE_BIN, MEASURE_SPECTRUM } from "../dist/rx/kernel.js";
import { writeDocsBlock } from "./docs-block.mjs";

const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const baseAt = argv.indexOf("--base");
const baseDist = baseAt >= 0 ? argv[baseAt + 1] : null;
const rounds = quick ? 3 : 15;
const symbols = 64;

const engines = [
  { name: "wasm", create: createRxSymbolWasm },
  ...(baseDist
    ? [{ name: "wasm (base)", create: (await import(`${baseDist}/engines/wasm/rx-symbol.js`)).createRxSymbolWasm }]
    : []),
  { name: "js", create: createRxSymbolJs },
];

/** A kernel holding `symbols` random symbols at r samples per chip, with deterministic noise (about 6 dB SNR). */
function kernel(create, sf, r) {
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const syms = Array.from({ length: symbols }, () => Math.floor(rnd() * (1 << sf)));
  const iq = modulateSymbols(syms, { sf, bandwidth: 125000, cr: 1 }, { oversampling: r, engine: "js" });
  const buf = new Float32Array(iq.length + 4 * MARGIN + 32);
  for (let i = 0; i < buf.length; i++) buf[i] = 0.7 * (rnd() + rnd() + rnd() - 1.5);
  for (let i = 0; i < iq.length; i++) buf[2 * MARGIN + i] += iq[i];
  const k = create({ sf, r, capacity: buf.length / 2 });
  k.write(0, buf);
  return k;
}

/** The calls of one kind over the recording's symbols: frame symbols, sync spectra, pair powers. */
function calls(k, kind) {
  const { m } = k;
  const store = k.frameStore(symbols);
  const pos = Array.from({ length: symbols }, (_, i) => MARGIN + i * m + 0.3 + 0.2 * Math.sin(i));
  if (kind === "symbol") {
    const a = demodArgs(0, 0.21, { llrMode: LLR_FULL, frame: store, amplitude: 3, noise: 1 });
    return () => {
      for (let i = 0; i < symbols; i++) {
        a.pos = pos[i];
        a.index = i;
        k.demod(a);
      }
    };
  }
  if (kind === "spectrum") {
    const a = demodArgs(0, 0.21, { measure: MEASURE_SPECTRUM });
    return () => {
      for (let i = 0; i < symbols; i++) {
        a.pos = pos[i];
        a.keep = i & 1;
        a.prev = i > 0 ? (i + 1) & 1 : -1;
        k.demod(a);
      }
    };
  }
  const a = demodArgs(0, 0, { measure: MEASURE_BIN, atBin: 0, down: true });
  return () => {
    for (let i = 0; i < symbols; i++) {
      a.pos = pos[i];
      a.cfoBins = 0.12 + ((i >> 1) % 5) - 2; // two windows per carrier hypothesis
      k.demod(a);
    }
  };
}

const cases = [{ sf: 7, r: 2 }, { sf: 7, r: 1 }, ...(quick ? [] : [{ sf: 10, r: 2 }])];
const kinds = [
  ["symbol", "frame symbol (LLRs)"],
  ["spectrum", "sync spectrum"],
  ["bin", "pair power (MEASURE_BIN)"],
];
const rows = [];
for (const { sf, r } of cases) {
  const runs = engines.map((e) => {
    const k = kernel(e.create, sf, r);
    return Object.fromEntries(kinds.map(([kind]) => [kind, calls(k, kind)]));
  });
  const times = engines.map(() => Object.fromEntries(kinds.map(([kind]) => [kind, []])));
  // the engines alternated round by round, each round a fixed number of calls per kind; the
  // first rounds warm up (Wasm tier-up, the js twin's compilation) and are not counted
  const warm = quick ? 2 : 4;
  for (let round = -warm; round < rounds; round++)
    for (let e = 0; e < engines.length; e++)
      for (const [kind] of kinds) {
        const reps = engines[e].name === "js" ? 2 : quick ? 10 : 40;
        const f = runs[e][kind];
        const t0 = process.hrtime.bigint();
        for (let j = 0; j < reps; j++) f();
        if (round >= 0) times[e][kind].push(Number(process.hrtime.bigint() - t0) / 1000 / (reps * symbols));
      }
  for (const [kind, label] of kinds) {
    const stats = times.map((t) => {
      const s = [...t[kind]].sort((x, y) => x - y);
      return { median: s[s.length >> 1], lo: s[0], hi: s[s.length - 1] };
    });
    rows.push({ label: `SF${sf} r=${r}, ${label}`, stats });
  }
}

const fmt = (x) => (x >= 10 ? x.toFixed(1) : x.toFixed(2));
const js = engines.findIndex((e) => e.name === "js");
const base = engines.findIndex((e) => e.name === "wasm (base)");
const head = [
  "| call | Wasm µs (min..max) |",
  ...(base >= 0 ? [" base Wasm µs | Wasm / base |"] : []),
  " js µs | js / Wasm |",
].join("");
const lines = [
  `Receiver demod kernel per call (${os.cpus()[0]?.model ?? "?"}, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, load average ${os.loadavg()[0].toFixed(1)}; median of ${rounds} rounds of ${symbols}-symbol loops, engines alternated in one process):`,
  "",
  head,
  `|---|---:|${base >= 0 ? "---:|---:|" : ""}---:|---:|`,
  ...rows.map(({ label, stats }) => {
    const w = stats[0];
    const cells = [`| ${label} | ${fmt(w.median)} (${fmt(w.lo)}..${fmt(w.hi)}) |`];
    if (base >= 0) cells.push(` ${fmt(stats[base].median)} | ${(w.median / stats[base].median).toFixed(2)} |`);
    cells.push(` ${fmt(stats[js].median)} | ${(stats[js].median / w.median).toFixed(1)}x |`);
    return cells.join("");
  }),
];
console.log(lines.join("\n"));
if (!quick && !baseDist)
  writeDocsBlock(
    "demod-kernel.bench.mjs",
    lines.join("\n"),
    "### Demod kernel per call (`node bench/demod-kernel.bench.mjs`)",
  );
