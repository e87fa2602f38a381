// Offered load: Poisson traffic of same-SF frames on one channel at G Erlang (frame time x arrival
// rate), each frame at its own SNR (uniform 3..20 dB: devices at different distances) and crystal
// error (+-10 ppm); throughput S (frames decoded x frame time / recording time) of decodeCollisions
// and of the one-frame-at-a-time receiver, against pure ALOHA's G e^-2G (every overlap loses both).
// Usage: node bench/offered-load.mjs [--frames 60] [--sf 7] [--quick]   (after npm run build)
// --quick: 15 frames per load (a check that it runs; the throughputs are then rough).
import os from "node:os";
import { simulate, Rng } from "../dist/sim/index.js";
import { decodeCollisions, decodeRecording } from "../dist/rx/index.js";
import { frameLayout, resolveParams } from "../dist/phy/index.js";

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const quick = argv.includes("--quick");
const count = Number(opt("frames", quick ? 15 : 60));
const sf = Number(opt("sf", 7));
const B = 125000,
  fs = 2 * B,
  center = 868.1e6;
const params = { sf, bandwidth: B, cr: 1, syncWord: 0x34 };
const T = (frameLayout(resolveParams(params), 16, 1).totalSamples * fs) / B; // frame time in samples

console.log(
  `# offered load, SF${sf} 16 B CR 4/5, ${count} frames per point, SNR 3..20 dB, ${fs / 1e3} kS/s; ${os.cpus()[0]?.model ?? "?"} (${os.cpus().length} cores), Node ${process.version}, ${new Date().toISOString()}`,
);
console.log(
  "| G (Erlang) | ALOHA G e^-2G | plain receiver S | decodeCollisions S | decoded / sent | false |\n|---|---|---|---|---|---|",
);
const t0 = Date.now();
for (const G of [0.1, 0.25, 0.5, 0.75, 1.0]) {
  const rng = new Rng(Math.round(G * 1000) + sf);
  const frames = [];
  let t = 2000;
  for (let i = 0; i < count; i++) {
    const ppm = -10 + 20 * rng.uniform();
    frames.push({
      payloadLength: 16,
      params,
      snrDb: 3 + 17 * rng.uniform(),
      cfoHz: ppm * 1e-6 * center,
      sfoPpm: ppm,
      startSample: t,
    });
    t += (-Math.log(1 - rng.uniform()) * T) / G; // exponential inter-arrival: Poisson starts
  }
  const sim = simulate({ frames, sampleRate: fs, snrDb: 20, tailSamples: 4000, seed: rng.nextU32() });
  const duration = sim.iq.length / 2;
  const o = { sampleRate: fs, bandwidth: B, sf, syncWord: 0x34 };
  const sent = new Set(sim.truth.map((x) => x.payloadHex));
  const score = (got) => {
    const good = got.filter((f) => f.crcOk === true);
    const ok = new Set(good.filter((f) => sent.has(f.payloadHex)).map((f) => f.payloadHex));
    return { ok: ok.size, false: good.filter((f) => !sent.has(f.payloadHex)).length };
  };
  const plain = score(decodeRecording(sim.iq, o));
  const coll = score(decodeCollisions(sim.iq, o));
  const S = (n) => ((n * T) / duration).toFixed(3);
  console.log(
    `| ${G} | ${(G * Math.exp(-2 * G)).toFixed(3)} | ${S(plain.ok)} | ${S(coll.ok)} | ${coll.ok}/${count} (plain ${plain.ok}) | ${coll.false + plain.false} |`,
  );
}
console.log(`# ${((Date.now() - t0) / 1000).toFixed(0)} s`);
