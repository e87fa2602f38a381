// Receiver sensitivity: packet error rate vs SNR with full synchronisation (detection, carrier,
// timing, clock), measured on simulated recordings (chirpkit/sim: SNR in the LoRa bandwidth,
// carrier offset, clock offset, fractional delay, random gaps). Prints one JSON line per point and
// the SNR where PER crosses 10% (linear interpolation in log PER).
// Usage: node bench/rx-sensitivity.mjs [--frames 400] [--quick] [--only LABEL]   (after npm run build)
import os from "node:os";
import { sensitivityRecording } from "./sensitivity-recording.mjs";
import { decodeRecording } from "../dist/rx/index.js";
import { per10Crossing } from "./per-crossing.mjs";

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const frames = Number(opt("frames", 400));
const quick = argv.includes("--quick");
const only = opt("only", ""); // run only the sweeps whose label contains this

function per({ sf, oversampling, snrDb, payloadLength = 16, cr = 1, bandwidth = 125000, count = frames }) {
  const rate = oversampling * bandwidth;
  let ok = 0,
    total = 0,
    batch = 0;
  while (total < count) {
    const n = Math.min(25, count - total);
    const sim = sensitivityRecording({
      sf,
      oversampling,
      snrDb,
      payloadLength,
      cr,
      bandwidth,
      count: n,
      batch: batch++,
    });
    const got = decodeRecording(sim.iq, { sampleRate: rate, bandwidth, sf });
    for (const t of sim.truth) {
      total++;
      if (
        got.some(
          (f) =>
            f.crcOk === true &&
            f.payloadHex === t.payloadHex &&
            Math.abs(f.startSample - t.startSample) < 3 * oversampling + 4,
        )
      )
        ok++;
    }
  }
  return 1 - ok / total;
}

console.log(
  `# receiver sensitivity on ${os.cpus()[0]?.model ?? "?"}, Node ${process.version}, ${new Date().toISOString()}, ${frames} frames per point`,
);
const sweeps = [
  ...[1, 2, 4, 8].map((k) => ({
    label: `SF7 CR4/5 16 B, ${k}x`,
    sf: 7,
    oversampling: k,
    snrs: quick ? [-9.5, -8.5] : [-10.5, -10, -9.5, -9, -8.5, -8],
  })),
  {
    label: "SF12 CR4/5 16 B, 2x",
    sf: 12,
    oversampling: 2,
    snrs: quick ? [-22] : [-23.5, -23, -22.5, -22, -21.5],
    count: Math.max(40, frames / 8),
  },
];
const summary = [];
for (const s of sweeps.filter((x) => x.label.includes(only))) {
  const points = [];
  for (const snrDb of s.snrs) {
    const t0 = Date.now();
    const p = per({ sf: s.sf, oversampling: s.oversampling, snrDb, count: s.count ?? frames });
    points.push({ snrDb, per: p });
    console.log(
      JSON.stringify({
        sweep: s.label,
        snrDb,
        per: Number(p.toFixed(4)),
        frames: s.count ?? frames,
        seconds: (Date.now() - t0) / 1000,
      }),
    );
  }
  summary.push({ sweep: s.label, per10SnrDb: Number(per10Crossing(points).toFixed(2)) });
}
console.log("\nSNR at 10% PER:");
for (const s of summary)
  console.log(`  ${s.sweep}: ${Number.isNaN(s.per10SnrDb) ? "not crossed in range" : `${s.per10SnrDb} dB`}`);
