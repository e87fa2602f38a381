// Cost of listening to both IQ polarities: decodeRecording with iq 'normal', 'both', and two
// receivers ('normal' then 'inverted', each with its own front end) on the same recording of
// uplinks and downlinks (SF7 and SF9, 125 kHz, 4x = 500 kS/s: where the channel filter is work).
// CPU time median per engine; ratio to 'normal' measured in the same run.
// Run: npm run -s build && node bench/rx-polarity.bench.mjs [--quick]
import os from "node:os";
import { simulate } from "../dist/sim/index.js";
import { decodeRecording } from "../dist/rx/index.js";
import { median } from "./stats.mjs";

const quick = process.argv.includes("--quick");
const runs = quick ? 3 : 7;
const rate = 500000;
const frames = Array.from({ length: 16 }, (_, i) => ({
  payloadLength: 16,
  params: { sf: i % 4 === 3 ? 9 : 7, bandwidth: 125000, cr: 1, syncWord: 0x34, invertIq: i % 2 === 1 },
}));
const sim = simulate({
  frames,
  sampleRate: rate,
  snrDb: 5,
  cfoHz: 3000,
  sfoPpm: 10,
  delay: 0.3,
  leadSamples: 5000,
  gapSamples: [2000, 20000],
  tailSamples: 5000,
  seed: 9,
});
const seconds = sim.iq.length / 2 / rate;
const cpu = (fn) => {
  const t = process.cpuUsage();
  const out = fn();
  const d = process.cpuUsage(t);
  return { s: (d.user + d.system) / 1e6, out };
};
const base = { sampleRate: rate, bandwidth: 125000, syncWord: 0x34 };
const decode = (engine, iq) => [7, 9].flatMap((sf) => decodeRecording(sim.iq, { ...base, sf, engine, iq }));
const ways = {
  normal: (e) => decode(e, "normal"),
  both: (e) => decode(e, "both"),
  "normal + inverted receivers": (e) => [...decode(e, "normal"), ...decode(e, "inverted")],
};
console.log(
  `machine: ${os.cpus()[0]?.model ?? "unknown"} (${os.cpus().length} cores), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, load average ${os.loadavg()[0].toFixed(1)}`,
);
console.log(
  `recording: ${frames.length} frames (8 uplinks, 8 downlinks; SF7 and SF9), ${seconds.toFixed(2)} s at ${rate / 1e3} kS/s; receivers for SF7 and SF9; ${runs} runs after a warm-up\n`,
);
console.log("| engine | listening | CPU time | x real time | frames ok | / normal |");
console.log("|---|---|---|---|---|---|");
for (const engine of ["wasm", "js"]) {
  const t = {};
  for (const [name, fn] of Object.entries(ways)) {
    fn(engine);
    const r = Array.from({ length: runs }, () => cpu(() => fn(engine)));
    t[name] = { s: median(r.map((x) => x.s)), ok: r[0].out.filter((f) => f.crcOk).length };
  }
  for (const [name, v] of Object.entries(t)) {
    console.log(
      `| ${engine} | ${name} | ${(v.s * 1e3).toFixed(0)} ms | ${(seconds / v.s).toFixed(0)} | ${v.ok}/${name === "normal" ? 8 : 16} | ${(v.s / t.normal.s).toFixed(2)} |`,
    );
  }
}
