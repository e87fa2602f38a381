// Cross-SF and adjacent-channel interference in the gateway: an SF7 frame (the victim) on 868.1 MHz
// in a 1 MS/s recording of the three EU868 default channels, overlapped whole by a stronger frame
// at another SF on the same channel or by a frame on a neighbouring channel, at a level above the
// victim's; the victim's decode rate against the same recordings without the interferer (same
// seeds, same noise). decodeGateway (sfs 7..12) and decodeGatewayCollisions (which cancels the
// interferer once it decodes it).
// Usage: node bench/interference.mjs [--trials 20] [--snr 0] [--quick] [--write]   (after npm run build)
// --quick: 4 trials per row (a check that it runs); --write: the table into docs/benchmarks.md.
import os from "node:os";
import { writeDocsBlock } from "./docs-block.mjs";
import { simulate, Rng } from "../dist/sim/index.js";
import { decodeGateway, decodeGatewayCollisions } from "../dist/rx/index.js";

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const quick = argv.includes("--quick");
const trials = Number(opt("trials", quick ? 4 : 20));
const victimSnr = Number(opt("snr", 0));
const B = 125000,
  fs = 1e6,
  center = 868.3e6;
const channels = [868.1e6, 868.3e6, 868.5e6];
const gw = {
  sampleRate: fs,
  centerFrequency: center,
  channels,
  sfs: [7, 8, 9, 10, 11, 12],
  bandwidth: B,
  syncWord: 0x34,
};
// rows: the interferer's SF, its channel (Hz from the victim's) and its level over the victim (dB)
const rows = [{ label: "none" }];
for (const dp of [0, 6, 10, 16, 20]) rows.push({ label: "same channel, SF9", sf: 9, df: 0, dp });
for (const dp of [10, 20]) rows.push({ label: "same channel, SF8", sf: 8, df: 0, dp });
for (const dp of [20, 30, 40]) rows.push({ label: "adjacent channel (+200 kHz), SF7", sf: 7, df: 200e3, dp });
for (const dp of [30, 40]) rows.push({ label: "adjacent channel (+200 kHz), SF9", sf: 9, df: 200e3, dp });
rows.push({ label: "two channels away (+400 kHz), SF7", sf: 7, df: 400e3, dp: 40 });

const header = `machine: ${os.cpus()[0]?.model ?? "?"} (${os.cpus().length} cores), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; ${trials} recordings per row, victim SF7 16 B CR 4/5 at ${victimSnr} dB SNR`;
console.log(`# interference: ${header}`);
const t0 = Date.now();
const lines = [
  "| interferer | level over the victim | victim decoded: decodeGateway | decodeGatewayCollisions | interferer decoded | false |",
  "|---|---|---|---|---|---|",
];
for (const row of rows) {
  const rng = new Rng(4242);
  let plain = 0,
    coll = 0,
    intf = 0,
    falseFrames = 0;
  for (let k = 0; k < trials; k++) {
    const ppmV = -10 + 20 * rng.uniform(),
      ppmI = -10 + 20 * rng.uniform();
    const start = 20000 + Math.floor(rng.uniform() * 8000);
    const seed = rng.nextU32();
    const victim = {
      payloadLength: 16,
      params: { sf: 7, bandwidth: B, cr: 1, syncWord: 0x34 },
      snrDb: victimSnr,
      cfoHz: ppmV * 1e-6 * channels[0],
      sfoPpm: ppmV,
      frequencyOffsetHz: channels[0] - center,
      startSample: start,
    };
    const frames = [victim];
    if (row.sf) {
      // the interferer starts 4 of its symbols and 3 ms before the victim and outlasts it
      const isf = row.sf;
      frames.unshift({
        payloadLength: isf === 7 ? 64 : 16,
        params: { sf: isf, bandwidth: B, cr: 1, syncWord: 0x34 },
        snrDb: victimSnr + row.dp,
        cfoHz: ppmI * 1e-6 * (channels[0] + row.df),
        sfoPpm: ppmI,
        frequencyOffsetHz: channels[0] + row.df - center,
        startSample: start - 4 * 2 ** isf * (fs / B) - 3000,
      });
    }
    const sim = simulate({ frames, sampleRate: fs, snrDb: victimSnr, leadSamples: 0, tailSamples: 20000, seed });
    const vt = sim.truth[sim.truth.length - 1];
    const got = decodeGateway(sim.iq, gw).filter((f) => f.crcOk);
    const gotColl = decodeGatewayCollisions(sim.iq, gw).filter((f) => f.crcOk);
    const has = (fr, t) => fr.some((f) => f.payloadHex === t.payloadHex && f.channelHz === channels[0] && f.sf === 7);
    plain += has(got, vt);
    coll += has(gotColl, vt);
    if (row.sf) intf += gotColl.some((f) => f.payloadHex === sim.truth[0].payloadHex);
    // false: a payload not sent, or a frame heard on a channel or SF it was not sent on (a leak)
    const sent = (f) =>
      frames.some(
        (t, i) =>
          sim.truth[i].payloadHex === f.payloadHex &&
          t.params.sf === f.sf &&
          Math.abs(center + t.frequencyOffsetHz - f.channelHz) < 1,
      );
    falseFrames += [...got, ...gotColl].filter((f) => !sent(f)).length;
  }
  const pct = (x) => `${Math.round((100 * x) / trials)} %`;
  const line = `| ${row.label} | ${row.sf ? `${row.dp} dB` : "-"} | ${pct(plain)} | ${pct(coll)} | ${row.sf ? pct(intf) : "-"} | ${falseFrames} |`;
  lines.push(line);
  console.log(line);
}
const seconds = ((Date.now() - t0) / 1000).toFixed(0);
console.log(`# ${seconds} s`);
if (argv.includes("--write"))
  writeDocsBlock(
    "interference.mjs",
    `${header} (${seconds} s)\n\n${lines.join("\n")}`,
    "## Cross-SF and adjacent-channel interference (`node bench/interference.mjs --write`)",
  );
