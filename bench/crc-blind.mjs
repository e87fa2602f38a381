// Where LoRa's payload CRC is blind, measured. The CRC is XORed with the last two payload bytes
// (LORA-FACTS.md), so a nibble of those bytes changed with the CRC nibble of the same weight passes
// it; the two share interleaver blocks. Part 1: structured symbol errors injected into encoded
// frames and decoded hard (the codec, as gr-lora_sdr's receiver does): of the frames decoded wrong,
// the share whose CRC passes, against 2^-16 for random errors. Part 2: the receiver near
// sensitivity (AWGN, soft decoding with the hard fallback): frames with a wrong payload and a good
// CRC, reported at any confidence (what a CRC check alone lets through) and at the default
// minConfidence (with the crcBlindRisk cap), and correct frames the cap drops.
// Usage: node bench/crc-blind.mjs [--trials 20000] [--frames 400] [--quick] [--write]   (after npm run build)
import os from "node:os";
import { writeDocsBlock } from "./docs-block.mjs";
import { Rng } from "../dist/sim/index.js";
import { sensitivityRecording } from "./sensitivity-recording.mjs";
import { decodeRecording } from "../dist/rx/index.js";
import { decodeFrame, encodeFrame, resolveParams } from "../dist/phy/index.js";

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const quick = argv.includes("--quick");
const trials = Number(opt("trials", quick ? 2000 : 20000));
const framesPerPoint = Number(opt("frames", quick ? 100 : 400));
const t0 = Date.now();

// Part 1 ----------------------------------------------------------------------------------------
const configs = [
  { sf: 7, cr: 1 },
  { sf: 7, cr: 4 },
  { sf: 9, cr: 1 },
  { sf: 12, cr: 1 },
];
const kinds = [
  { label: "1 symbol, another bin at random, last two blocks", count: 1, near: false, span: "last" },
  { label: "2 symbols of one block, other bins at random, last two blocks", count: 2, near: false, span: "block" },
  { label: "1 symbol, ±1 bin, last two blocks", count: 1, near: true, span: "last" },
  { label: "2 symbols of one block, ±1 bin, last two blocks", count: 2, near: true, span: "block" },
  { label: "2 symbols, other bins at random, anywhere after the header", count: 2, near: false, span: "any" },
];
const lines1 = [
  "| SF, CR | symbol errors | frames decoded wrong | of those, CRC passed | share (2^-16 = 1.5e-5) |",
  "|---|---|---|---|---|",
];
for (const c of configs) {
  const p = resolveParams({ sf: c.sf, bandwidth: 125000, cr: c.cr });
  const n = 1 << c.sf;
  const len = 4 + c.cr;
  for (const kind of kinds) {
    const rng = new Rng(1000 * c.sf + 10 * c.cr + kinds.indexOf(kind));
    let wrong = 0,
      passed = 0;
    for (let t = 0; t < trials; t++) {
      const payload = rng.bytes(16);
      const sent = encodeFrame(payload, p);
      const total = sent.length;
      const blocks = (total - 8) / len;
      const rx = sent.slice();
      const pick = () => {
        if (kind.span === "any") return 8 + rng.int(total - 8);
        return 8 + (blocks - 2 + rng.int(2)) * len + rng.int(len);
      };
      const at = [pick()];
      if (kind.count === 2) {
        if (kind.span === "block") {
          const b0 = at[0] - ((at[0] - 8) % len);
          let j;
          do j = b0 + rng.int(len);
          while (j === at[0]);
          at.push(j);
        } else {
          let j;
          do j = pick();
          while (j === at[0]);
          at.push(j);
        }
      }
      for (const i of at)
        rx[i] = kind.near ? (rx[i] + (rng.uniform() < 0.5 ? 1 : n - 1)) % n : (rx[i] + 1 + rng.int(n - 1)) % n;
      const d = decodeFrame(rx, p, { engine: "js" });
      if (!d.headerOk) continue;
      let same = d.payload.length === payload.length;
      for (let i = 0; same && i < payload.length; i++) same = d.payload[i] === payload[i];
      if (same) continue;
      wrong++;
      if (d.crcOk) passed++;
    }
    const share = wrong ? passed / wrong : 0;
    const line = `| SF${c.sf}, 4/${4 + c.cr} | ${kind.label} | ${wrong} | ${passed} | ${share ? share.toExponential(1) : "0"}${share ? ` (${Math.round(share / 2 ** -16)}x)` : ""} |`;
    lines1.push(line);
    console.log(line);
  }
}

// Part 2 ----------------------------------------------------------------------------------------
const lines2 = [
  "| SNR | frames sent | decoded right | wrong payload, good CRC (any confidence) | of those reported at the default | right frames the cap drops |",
  "|---|---|---|---|---|---|",
];
const bandwidth = 125000,
  sf = 7;
const totals = { sent: 0, right: 0, wrongOk: 0, wrongKept: 0, lost: 0 };
for (const snrDb of [-10.5, -10, -9.5, -9, -8.5]) {
  let sent = 0,
    right = 0,
    wrongOk = 0,
    wrongKept = 0,
    lost = 0;
  for (let batch = 0; batch * 25 < framesPerPoint; batch++) {
    const sim = sensitivityRecording({ sf, oversampling: 1, snrDb, batch });
    const got = decodeRecording(sim.iq, { sampleRate: bandwidth, bandwidth, sf, minConfidence: 0 });
    const sentHex = new Set(sim.truth.map((t) => t.payloadHex));
    sent += sim.truth.length;
    for (const f of got) {
      if (f.crcOk !== true) continue;
      const ok = sentHex.has(f.payloadHex);
      if (ok && f.confidence >= 0.5) right++;
      if (ok && f.confidence < 0.5) lost++;
      if (!ok) wrongOk++;
      if (!ok && f.confidence >= 0.5) wrongKept++;
    }
  }
  Object.assign(totals, {
    sent: totals.sent + sent,
    right: totals.right + right,
    wrongOk: totals.wrongOk + wrongOk,
    wrongKept: totals.wrongKept + wrongKept,
    lost: totals.lost + lost,
  });
  const line = `| ${snrDb} dB | ${sent} | ${right} | ${wrongOk} | ${wrongKept} | ${lost} |`;
  lines2.push(line);
  console.log(line);
}
lines2.push(`| all | ${totals.sent} | ${totals.right} | ${totals.wrongOk} | ${totals.wrongKept} | ${totals.lost} |`);
const seconds = ((Date.now() - t0) / 1000).toFixed(0);
const header = `machine: ${os.cpus()[0]?.model ?? "?"} (${os.cpus().length} cores), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; ${seconds} s`;
const text = [
  header,
  "",
  `Structured symbol errors in encoded 16-byte frames, hard decoding (the codec), ${trials} frames per row:`,
  "",
  ...lines1,
  "",
  `The receiver near sensitivity: SF7, 16 B, CR 4/5, 1 sample per chip, AWGN with offsets (the sensitivity benchmark's recordings), ${framesPerPoint} frames per point:`,
  "",
  ...lines2,
].join("\n");
console.log(`# ${seconds} s`);
if (argv.includes("--write"))
  writeDocsBlock("crc-blind.mjs", text, "## Where the payload CRC is blind (`node bench/crc-blind.mjs --write`)");
