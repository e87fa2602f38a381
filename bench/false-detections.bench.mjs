// False detections on pure noise: complex white Gaussian noise, no signal, through the receiver at
// SF7 with the LoRaWAN public and private sync words; counts preamble detections (the first
// stage firing), what the later stages rejected (sync word, header checksum) and frames reported.
// 15625 windows of 2^SF chips each, several seeds. Run: npm run -s build && node bench/false-detections.bench.mjs [--quick]
import os from "node:os";
import { createReceiver } from "../dist/rx/index.js";

const quick = process.argv.includes("--quick");
const seeds = quick ? [1] : [1, 2, 3, 4, 5];
const bandwidth = 125000;
const windows = 15625;

function noise(n, seed) {
  // mulberry32 + Box-Muller: unit power complex noise, interleaved I/Q
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const iq = new Float32Array(2 * n);
  for (let i = 0; i < 2 * n; i += 2) {
    const r = Math.sqrt(-Math.log(u())),
      p = 2 * Math.PI * u();
    iq[i] = r * Math.cos(p);
    iq[i + 1] = r * Math.sin(p);
  }
  return iq;
}

const rows = [];
for (const k of [1, 2])
  for (const syncWord of [0x34, 0x12]) {
    const sf = 7;
    const n = windows * (1 << sf) * k;
    for (const seed of seeds) {
      const rx = createReceiver({ sampleRate: k * bandwidth, bandwidth, sf, syncWord });
      const iq = noise(n, seed * 7919 + k * 13 + syncWord);
      const frames = [...rx.push(iq), ...rx.flush()];
      const s = rx.stats;
      rows.push({
        sf,
        k,
        syncWord,
        seed,
        windows,
        detections: s.detections,
        syncWordRejects: s.syncWordRejects,
        headerFailures: s.headerFailures,
        frames: frames.length,
        crcOk: frames.filter((f) => f.crcOk === true).length,
      });
      rx.dispose?.();
    }
  }
console.log(
  `machine: ${os.cpus()[0]?.model ?? "unknown"} (${os.cpus().length} cores), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
);
console.log(
  `SF7, 125 kHz, ${windows} windows of 128 chips of complex white Gaussian noise per run, seeds ${seeds.join(", ")}\n`,
);
console.log(
  "| oversampling | sync word | seed | preamble detections | sync word rejects | header failures | frames reported | CRC ok |",
);
console.log("|---|---|---|---|---|---|---|---|");
for (const r of rows)
  console.log(
    `| ${r.k}x | 0x${r.syncWord.toString(16)} | ${r.seed} | ${r.detections} | ${r.syncWordRejects} | ${r.headerFailures} | ${r.frames} | ${r.crcOk} |`,
  );
