// LoRaWAN codec benchmark: parse + MIC verify + decrypt per frame, ours (Wasm AES/CMAC) vs
// lora-packet (Node Buffer + crypto-js + aes-cmac) in the same run, on the same frames.
// Run: npm run -s build && node bench/lorawan.bench.mjs   (or npm run -s bench:lorawan)
import os from "node:os";
import { Bench } from "tinybench";
import lp from "lora-packet";
import { buildDataFrame, parseFrame, verifyMic, decryptPayload, decodeFrame } from "../dist/lorawan/index.js";
import { aesCmac } from "../dist/crypto/index.js";

const quick = process.argv.includes("--quick");
const time = quick ? 200 : 1000;

// 64 uplinks from 8 devices, 12..51-byte payloads, 32-bit counters above 2^16
const N = 64;
const devices = Array.from({ length: 8 }, (_, d) => ({
  devAddr: 0x26011b00 + d,
  nwkSKey: Uint8Array.from({ length: 16 }, (_, i) => (i * 7 + d) & 255),
  appSKey: Uint8Array.from({ length: 16 }, (_, i) => (i * 13 + 5 * d + 1) & 255),
}));
const frames = Array.from({ length: N }, (_, i) => {
  const dev = devices[i % devices.length];
  const fCnt = 0x10000 + i * 37;
  const payload = Uint8Array.from({ length: 12 + ((i * 5) % 40) }, (_, k) => (k * 31 + i) & 255);
  const bytes = buildDataFrame(
    { mtype: "UnconfirmedDataUp", devAddr: dev.devAddr, fCnt, fPort: 1 + (i % 10), payload, fCtrl: { adr: true } },
    dev,
  );
  return {
    bytes,
    buf: Buffer.from(bytes),
    dev,
    fCnt,
    keys: { nwkSKey: dev.nwkSKey, appSKey: dev.appSKey },
    nwk: Buffer.from(dev.nwkSKey),
    app: Buffer.from(dev.appSKey),
    msb: Buffer.from([(fCnt >>> 16) & 255, fCnt >>> 24]), // lora-packet's upper counter bytes, little-endian
  };
});

// sanity: both agree on every frame before timing anything
for (const f of frames) {
  const ours = parseFrame(f.bytes);
  if (!verifyMic(ours, f.keys, { fCnt32: f.fCnt })) throw new Error("our MIC failed");
  const p = lp.fromWire(f.buf);
  if (!lp.verifyMIC(p, f.nwk, undefined, f.msb)) throw new Error("lora-packet MIC failed");
  if (
    Buffer.compare(
      lp.decrypt(p, f.app, f.nwk, f.msb),
      Buffer.from(decryptPayload(ours, f.keys, { fCnt32: f.fCnt })),
    ) !== 0
  )
    throw new Error("payloads differ");
}

let sink = 0;
const rows = [];
async function pair(label, oursFn, theirsFn) {
  const bench = new Bench({ time, warmupTime: quick ? 100 : 300 });
  bench.add("chirpkit", oursFn).add("lora-packet", theirsFn);
  await bench.run();
  const [a, b] = bench.tasks.map((t) => t.result);
  const cell = (r) => ({ median: (r.latency.p50 * 1000) / N, mad: (r.latency.mad * 1000) / N }); // µs per frame
  const x = cell(a),
    y = cell(b);
  rows.push({ label, ours: x, theirs: y, ratio: y.median / x.median });
}

await pair(
  "parse + MIC verify + decrypt",
  () => {
    for (const f of frames) {
      const fr = parseFrame(f.bytes);
      const o = { fCnt32: f.fCnt };
      if (verifyMic(fr, f.keys, o)) sink += decryptPayload(fr, f.keys, o)[0];
    }
  },
  () => {
    for (const f of frames) {
      const p = lp.fromWire(f.buf);
      if (lp.verifyMIC(p, f.nwk, undefined, f.msb)) sink += lp.decrypt(p, f.app, f.nwk, f.msb)[0];
    }
  },
);
await pair(
  "parse only",
  () => {
    for (const f of frames) sink += parseFrame(f.bytes).fCnt;
  },
  () => {
    for (const f of frames) sink += lp.fromWire(f.buf).getFCnt();
  },
);
const parsedOurs = frames.map((f) => parseFrame(f.bytes));
const parsedTheirs = frames.map((f) => lp.fromWire(f.buf));
await pair(
  "MIC verify only",
  () => {
    for (let i = 0; i < N; i++) sink += verifyMic(parsedOurs[i], frames[i].keys, { fCnt32: frames[i].fCnt }) ? 1 : 0;
  },
  () => {
    for (let i = 0; i < N; i++) sink += lp.verifyMIC(parsedTheirs[i], frames[i].nwk, undefined, frames[i].msb) ? 1 : 0;
  },
);
await pair(
  "decrypt only",
  () => {
    for (let i = 0; i < N; i++) sink += decryptPayload(parsedOurs[i], frames[i].keys, { fCnt32: frames[i].fCnt })[0];
  },
  () => {
    for (let i = 0; i < N; i++) sink += lp.decrypt(parsedTheirs[i], frames[i].app, frames[i].nwk, frames[i].msb)[0];
  },
);
await pair(
  "decodeFrame (all of it + MAC commands) vs lora-packet parse+MIC+decrypt",
  () => {
    for (const f of frames) sink += decodeFrame(f.bytes, { keys: f.keys, fCnt32: f.fCnt }).micOk ? 1 : 0;
  },
  () => {
    for (const f of frames) {
      const p = lp.fromWire(f.buf);
      if (lp.verifyMIC(p, f.nwk, undefined, f.msb)) sink += lp.decrypt(p, f.app, f.nwk, f.msb)[0];
    }
  },
);

const fmt = (c) => `${c.median.toFixed(2)} ± ${c.mad.toFixed(2)}`;
const fps = (c) => Math.round(1e6 / c.median).toLocaleString("en-US");
console.log(
  `machine: ${os.cpus()[0]?.model ?? "unknown"} (${os.cpus().length} cores), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
);
console.log(
  `${N} uplink frames (12..51-byte payloads, 8 devices), per-frame median ± MAD in microseconds; ratio = lora-packet / chirpkit\n`,
);
console.log(
  "| benchmark | chirpkit (µs/frame) | lora-packet (µs/frame) | chirpkit frames/s | lora-packet frames/s | ratio |",
);
console.log("|---|---|---|---|---|---|");
for (const r of rows)
  console.log(
    `| ${r.label} | ${fmt(r.ours)} | ${fmt(r.theirs)} | ${fps(r.ours)} | ${fps(r.theirs)} | ${r.ratio.toFixed(1)}x |`,
  );
if (sink === 0.5) console.log(aesCmac); // keep results alive
