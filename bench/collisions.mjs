// Collision decode rate vs power difference: pairs of same-SF frames on one channel, the second
// starting inside the first's preamble, header or payload, weaker first or stronger first, the
// stronger at 10 dB SNR, each frame with its own crystal error (+-10 ppm: carrier and clock),
// 2 samples per chip. decodeCollisions (capture + cancellation + peak assignment) against decodeRecording (one frame
// at a time), on the same recordings.
// A second table: near-aligned pairs (the second frame a whole number of symbols after the first,
// within 2 chips: each one's tones whole in the other's windows, where only their fractions and
// coherence tell them apart), at 0, 1 and 3 dB.
// Usage: node bench/collisions.mjs [--trials 10] [--sf 7,9] [--quick] [--write]   (after npm run build)
// --write: the tables into docs/benchmarks.md (between their markers).
// --quick: 3 trials at SF7 only (a check that it runs; the rates are then rough).
import os from "node:os";
import { writeDocsBlock } from "./docs-block.mjs";
import { simulate, Rng } from "../dist/sim/index.js";
import { decodeCollisions, decodeRecording } from "../dist/rx/index.js";
import { frameLayout, resolveParams } from "../dist/phy/index.js";

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const quick = argv.includes("--quick");
const trials = Number(opt("trials", quick ? 3 : 10));
const sfs = String(opt("sf", quick ? "7" : "7,9"))
  .split(",")
  .map(Number);
const B = 125000,
  fs = 2 * B,
  center = 868.1e6;

console.log(
  `# collisions: ${trials} pairs per cell, 16-byte payloads, CR 4/5, ${fs / 1e3} kS/s; ${os.cpus()[0]?.model ?? "?"} (${os.cpus().length} cores), Node ${process.version}, ${new Date().toISOString()}`,
);
const t0 = Date.now();
const summary = [];
for (const [grid, sf] of ["any", "aligned"].flatMap((g) => sfs.map((x) => [g, x]))) {
  const params = { sf, bandwidth: B, cr: 1, syncWord: 0x34 };
  const L = 8;
  const nsym = frameLayout(resolveParams(params), 16, 1).totalSamples / 2 ** sf;
  const symSamples = 2 ** sf * (fs / B);
  for (const dp of grid === "any" ? [0, 1, 3, 6, 10] : [0, 1, 3]) {
    for (const order of ["weaker first", "stronger first"]) {
      for (const where of ["preamble", "header", "payload"]) {
        const seed = 1000 * sf + 100 * dp + (order === "weaker first" ? 10 : 20) + where.length;
        const rng = new Rng(grid === "any" ? seed : 50000 + seed);
        const cell = {
          sf,
          dp,
          order,
          where,
          strong: 0,
          weak: 0,
          both: 0,
          plainStrong: 0,
          plainWeak: 0,
          falseFrames: 0,
        };
        for (let k = 0; k < trials; k++) {
          let off =
            where === "preamble"
              ? 1 + rng.uniform() * 10
              : where === "header"
                ? L + 4.25 + rng.uniform() * 8
                : L + 12.5 + rng.uniform() * (nsym - L - 17);
          if (grid === "aligned") off = Math.round(off) + (4 * rng.uniform() - 2) / 2 ** sf;
          const ppm1 = -10 + 20 * rng.uniform();
          let ppm2 = -10 + 20 * rng.uniform();
          if (Math.abs(ppm2 - ppm1) < 1) ppm2 = ppm1 + (ppm2 >= ppm1 ? 1 : -1);
          const weakFirst = order === "weaker first";
          const snr1 = weakFirst ? 10 - dp : 10,
            snr2 = weakFirst ? 10 : 10 - dp;
          const first = 4000 + Math.floor(rng.uniform() * symSamples);
          const sim = simulate({
            frames: [
              { payloadLength: 16, params, snrDb: snr1, cfoHz: ppm1 * 1e-6 * center, sfoPpm: ppm1, startSample: first },
              {
                payloadLength: 16,
                params,
                snrDb: snr2,
                cfoHz: ppm2 * 1e-6 * center,
                sfoPpm: ppm2,
                startSample: first + off * symSamples,
              },
            ],
            sampleRate: fs,
            snrDb: 10,
            tailSamples: 4000,
            seed: rng.nextU32(),
          });
          const [a, b] = sim.truth;
          const strongT = weakFirst ? b : a,
            weakT = weakFirst ? a : b;
          const o = { sampleRate: fs, bandwidth: B, sf, syncWord: 0x34 };
          const got = decodeCollisions(sim.iq, o).filter((f) => f.crcOk);
          const plain = decodeRecording(sim.iq, o).filter((f) => f.crcOk);
          const has = (fr, t) => fr.some((f) => f.payloadHex === t.payloadHex);
          const s = has(got, strongT),
            w = has(got, weakT);
          cell.strong += s;
          cell.weak += w;
          cell.both += s && w;
          cell.plainStrong += has(plain, strongT);
          cell.plainWeak += has(plain, weakT);
          cell.falseFrames += got.filter((f) => f.payloadHex !== a.payloadHex && f.payloadHex !== b.payloadHex).length;
        }
        const pct = (x) => Math.round((100 * x) / trials);
        const row = {
          grid,
          sf,
          powerDifferenceDb: dp,
          order: dp === 0 ? "equal" : order,
          secondStartsIn: where,
          strongerPct: pct(cell.strong),
          weakerPct: pct(cell.weak),
          bothPct: pct(cell.both),
          plainStrongerPct: pct(cell.plainStrong),
          plainWeakerPct: pct(cell.plainWeak),
          falseFrames: cell.falseFrames,
        };
        summary.push(row);
        console.log(JSON.stringify(row));
      }
    }
  }
}
// Markdown tables for docs/benchmarks.md: per SF and dP, both orders and overlaps pooled
const tableOf = (grid, dps) => {
  const table = [
    "| SF | dP dB | stronger | weaker | both | plain: stronger | plain: weaker | false |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const sf of sfs)
    for (const dp of dps) {
      const rows = summary.filter((r) => r.grid === grid && r.sf === sf && r.powerDifferenceDb === dp);
      const m = (k) => Math.round(rows.reduce((x, r) => x + r[k], 0) / rows.length);
      table.push(
        `| ${sf} | ${dp} | ${m("strongerPct")} % | ${m("weakerPct")} % | ${m("bothPct")} % | ${m("plainStrongerPct")} % | ${m("plainWeakerPct")} % | ${rows.reduce((x, r) => x + r.falseFrames, 0)} |`,
      );
    }
  return table.join("\n");
};
const table = tableOf("any", [0, 1, 3, 6, 10]),
  aligned = tableOf("aligned", [0, 1, 3]);
const seconds = ((Date.now() - t0) / 1000).toFixed(0);
console.log(`\n${table}\n\nnear-aligned pairs (within 2 chips of a whole symbol):\n${aligned}\n# ${seconds} s`);
// --write: the tables into docs/benchmarks.md between their markers
if (argv.includes("--write")) {
  const machine = `${os.cpus()[0]?.model ?? "?"} (${os.cpus().length} cores), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; ${trials} pairs per cell, SF ${sfs.join(", ")}, ${seconds} s (both tables)`;
  writeDocsBlock(
    "collisions.mjs",
    `${machine}\n\n${table}`,
    "## Collision decode rate (`node bench/collisions.mjs --write`)",
  );
  writeDocsBlock("collisions.mjs aligned", `${machine}\n\n${aligned}`, "### Near-aligned pairs");
}
