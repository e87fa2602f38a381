// False frames per hour of noise, for every receiver mode: complex white Gaussian noise (the
// simulator's generator) through one receiver per mode (explicit header; implicit header with and
// without CRC, 16 bytes at CR 4/5; sync word 0x12, 0x34 or 'any'), all fed the same noise, with
// minConfidence 0 so that every frame is seen: "before" counts them all (what the receiver reported
// before it had a confidence), "after" those at or above the default minConfidence (0.5).
// Rates per hour of noise with their Poisson uncertainty (1 sigma; for 0 events, the 95 % upper
// bound 3 / hours).
// Then frames near sensitivity with and without the default (implicit header, no CRC, sync 'any').
// Writes its two tables into docs/benchmarks.md (the marked sections) unless --quick or --no-docs;
// --sf7-minutes 0 --sf12-minutes 0 skips the noise, --no-sensitivity the frames.
// Run: npm run -s build && node bench/false-frames.bench.mjs [--quick] [--no-docs] [--sf7-minutes 60] [--sf12-minutes 20] [--no-sensitivity]
import os from "node:os";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createReceiver, decodeRecording } from "../dist/rx/index.js";
import { Rng } from "../dist/sim/index.js";
import { sensitivityRecording } from "./sensitivity-recording.mjs";

const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const writeDocs = !quick && !argv.includes("--no-docs");
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const bandwidth = 125000;
const DEFAULT_MIN_CONFIDENCE = 0.5;
const runs = [
  { sf: 7, minutes: opt("sf7-minutes", quick ? 1 : 60) },
  { sf: 12, minutes: opt("sf12-minutes", quick ? 0.5 : 20) },
].filter((r) => r.minutes > 0);

const headers = [
  { label: "explicit", implicit: undefined },
  { label: "implicit, CRC", implicit: { payloadLength: 16, cr: 1, crc: true } },
  { label: "implicit, no CRC", implicit: { payloadLength: 16, cr: 1, crc: false } },
];
const syncWords = [0x12, 0x34, "any"];

const rate = (count, hours) =>
  count === 0 ? `0 (< ${fmt(3 / hours)})` : `${fmt(count / hours)} ± ${fmt(Math.sqrt(count) / hours)}`;
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toPrecision(2));

const rows = [];
/** Every noise frame's confidence (all modes), to check the score against its bound. */
const pooled = [];
for (const { sf, minutes } of runs) {
  const sampleRate = bandwidth; // 1 sample per chip: the receiver's cheapest and most detection-prone setting
  const total = Math.round(minutes * 60 * sampleRate);
  const modes = [];
  for (const h of headers)
    for (const syncWord of syncWords) {
      const o = { sampleRate, bandwidth, sf, syncWord, minConfidence: 0 };
      if (h.implicit) o.implicit = h.implicit;
      modes.push({ h, syncWord, rx: createReceiver(o), frames: [] });
    }
  const rng = new Rng(1000 + sf);
  const chunk = 1 << 20;
  const iq = new Float32Array(2 * chunk);
  const t0 = Date.now();
  for (let done = 0; done < total; done += chunk) {
    const len = Math.min(chunk, total - done);
    const part = iq.subarray(0, 2 * len);
    part.fill(0);
    rng.addComplexNoise(part, 1, 0, len, "wasm");
    for (const m of modes) for (const f of m.rx.push(part)) m.frames.push(f);
  }
  for (const m of modes) for (const f of m.rx.flush()) m.frames.push(f);
  const hours = total / sampleRate / 3600;
  console.error(`SF${sf}: ${(hours * 60).toFixed(1)} min of noise in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  for (const m of modes) {
    const frames = m.frames.filter((f) => !f.truncated);
    const kept = frames.filter((f) => f.confidence >= DEFAULT_MIN_CONFIDENCE);
    const top = frames.reduce((a, f) => Math.max(a, f.confidence), 0);
    for (const f of frames) pooled.push(f.confidence);
    rows.push({
      sf,
      minutes: hours * 60,
      header: m.h.label,
      sync: m.syncWord === "any" ? "any" : `0x${m.syncWord.toString(16)}`,
      detections: `${fmt(m.rx.stats.detections / hours)}`,
      before: rate(frames.length, hours),
      after: rate(kept.length, hours),
      crcOk: rate(frames.filter((f) => f.crcOk === true).length, hours),
      top: frames.length ? top.toFixed(3) : "-",
    });
    m.rx.dispose();
  }
}

const cpu = os.cpus()[0]?.model ?? "unknown";
const machine = `${cpu} (${os.cpus().length} cores), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;

/** Replaces the marked section `name` of docs/benchmarks.md with text. */
function writeSection(name, text) {
  const docs = fileURLToPath(new URL("../docs/benchmarks.md", import.meta.url));
  const begin = `<!-- false-frames.bench.mjs ${name}: begin (written by the benchmark) -->`,
    end = `<!-- false-frames.bench.mjs ${name}: end -->`;
  const doc = readFileSync(docs, "utf8");
  const i = doc.indexOf(begin),
    j = doc.indexOf(end);
  if (i >= 0 && j > i) {
    writeFileSync(docs, `${doc.slice(0, i)}${begin}\n${text}\n${doc.slice(j)}`);
    console.error(`docs/benchmarks.md: ${name} table written`);
  } else console.error(`docs/benchmarks.md has no ${begin} ... ${end} section: table not written`);
}

if (runs.length) {
  const lines = [
    `${machine}; ` +
      runs.map((r) => `SF${r.sf}: ${r.minutes} min of noise`).join(", ") +
      `, 125 kHz at 1 sample per chip; implicit frames 16 B at CR 4/5. Rates per hour of noise ± 1 sigma (Poisson); 0 events: (< the 95 % upper bound).`,
    "",
    "| SF | header | sync word | preamble detections /h | false frames /h, all (minConfidence 0) | false frames /h at the default 0.5 | with a good CRC /h (all) | highest confidence seen |",
    "|---|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.sf} | ${r.header} | ${r.sync} | ${r.detections} | ${r.before} | ${r.after} | ${r.crcOk} | ${r.top} |`,
    ),
    "",
    // confidence c means noise gives such a frame at most once in 2^(32 c) candidates
    `The score against its definition, over all ${pooled.length} noise frames above: ` +
      [1 / 8, 1 / 4, 3 / 8, 1 / 2]
        .map((c) => {
          const k = pooled.filter((x) => x >= c).length;
          return `confidence ≥ ${c}: ${k} (bound ${fmt(pooled.length * 2 ** (-32 * c))})`;
        })
        .join("; ") +
      ".",
  ];
  const table = lines.join("\n");
  console.log(table);
  if (writeDocs) writeSection("noise", table);
}

// Frames near sensitivity: implicit header without CRC and sync word 'any' (where confidence is
// all the receiver has), simulated with offsets; a frame is found when one starts within a few
// samples of it, right when its payload is the one sent.
if (!argv.includes("--no-sensitivity")) {
  const points = quick
    ? [{ sf: 7, snrDb: -9, count: 25 }]
    : [
        ...[-11, -10, -9, -8].map((snrDb) => ({ sf: 7, snrDb, count: 200 })),
        ...[-23, -22, -21].map((snrDb) => ({ sf: 12, snrDb, count: 50 })),
      ];
  const out = [];
  for (const { sf, snrDb, count } of points) {
    const implicit = { payloadLength: 16, cr: 1, crc: false };
    const header = { explicitHeader: false, crc: false };
    const o = { sampleRate: bandwidth, bandwidth, sf, syncWord: "any", implicit };
    const c = { sent: 0, found: 0, right: 0, kept: 0, keptRight: 0 };
    for (let batch = 0; c.sent < count; batch++) {
      const n = Math.min(25, count - c.sent);
      const sim = sensitivityRecording({ sf, oversampling: 1, snrDb, count: n, batch, params: header, seedBase: 5000 });
      const all = decodeRecording(sim.iq, { ...o, minConfidence: 0 });
      for (const t of sim.truth) {
        c.sent++;
        const f = all.find((f) => Math.abs(f.startSample - t.startSample) < 8);
        if (!f) continue;
        const right = f.payloadHex === t.payloadHex;
        c.found++;
        if (right) c.right++;
        if (f.confidence >= DEFAULT_MIN_CONFIDENCE) {
          c.kept++;
          if (right) c.keptRight++;
        }
      }
    }
    out.push({ sf, snrDb, ...c });
  }
  const table = [
    `${machine}; SF7 and SF12, 125 kHz at 1 sample per chip, implicit header 16 B CR 4/5 without CRC, sync word 'any', carrier 2.5 kHz, clock 5 ppm, 0.3-sample delay.`,
    "",
    "| SF | SNR (dB) | frames sent | found (minConfidence 0) | payload right | found at the default 0.5 | payload right at the default |",
    "|---|---|---|---|---|---|---|",
    ...out.map((r) => `| ${r.sf} | ${r.snrDb} | ${r.sent} | ${r.found} | ${r.right} | ${r.kept} | ${r.keptRight} |`),
  ].join("\n");
  console.log(`\n${table}`);
  if (writeDocs) writeSection("sensitivity", table);
}
