// Symbol error rate with known timing vs the ideal noncoherent receiver (../shared/vectors/ser-theory.json):
// for each SF (and a few sample rates through the front end) measures SER at the theory's 1e-3 point
// and 0.5 dB below it, interpolates log(SER) to find where the measured curve crosses 1e-3, and
// prints the gap in dB (target: within 0.5 dB).
// Run: npm run -s build && node bench/ser.mjs [--quick]    (or npm run -s bench:ser)
import os from "node:os";
import { readFileSync } from "node:fs";
import { serSweep } from "../dist/sim/index.js";

const quick = process.argv.includes("--quick");
const theory = JSON.parse(readFileSync(new URL("../../shared/vectors/ser-theory.json", import.meta.url), "utf8")).ser;
const B = 125_000;

/** SNR (dB) where a piecewise log-linear curve [[snr, ser], ...] crosses `target`. */
function crossing(points, target) {
  for (let i = 0; i + 1 < points.length; i++) {
    const [s0, p0] = points[i],
      [s1, p1] = points[i + 1];
    if ((p0 - target) * (p1 - target) <= 0 && p0 > 0 && p1 > 0) {
      return s0 + ((Math.log(target) - Math.log(p0)) * (s1 - s0)) / (Math.log(p1) - Math.log(p0));
    }
  }
  return NaN;
}

const cases = [];
for (let sf = 7; sf <= 12; sf++) cases.push({ sf, sampleRate: B });
for (const sf of [7, 9]) for (const sampleRate of [4 * B, 1.024e6, 2.4e6]) cases.push({ sf, sampleRate });
if (!quick) cases.push({ sf: 12, sampleRate: 4 * B });

console.log(
  `machine: ${os.cpus()[0]?.model ?? "unknown"} (${os.cpus().length} cores), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
);
console.log(
  "SER with known timing (front end -> dechirp + FFT argmax) vs ideal noncoherent detection; SNR in the LoRa bandwidth\n",
);
console.log(
  "| SF | sample rate | symbols/point | SER at theory's 1e-3 SNR | theory SNR at 1e-3 | measured SNR at 1e-3 | gap |",
);
console.log("|---|---|---|---|---|---|---|");
for (const c of cases) {
  const t = crossing(theory[String(c.sf)], 1e-3);
  // Fewer symbols where each costs many samples (high SF at high rates); about 30..90 errors per point.
  const samplesPerSymbol = (1 << c.sf) * (c.sampleRate / B);
  const count = Math.round(
    (quick ? 0.25 : 1) *
      (c.sf <= 9 ? 60_000 : 30_000) *
      Math.min(1, 1.5e8 / samplesPerSymbol / (c.sf <= 9 ? 60_000 : 30_000)),
  );
  const snrs = [Math.round((t - 0.5) * 100) / 100, Math.round(t * 100) / 100];
  const pts = serSweep({ sf: c.sf, sampleRate: c.sampleRate, snrDbs: snrs, symbols: count, seed: 1000 + c.sf });
  // The measured line through both points (log SER vs SNR), extrapolated when it does not straddle 1e-3.
  const [a, b] = pts;
  const m = a.snrDb + ((Math.log(1e-3) - Math.log(a.ser)) * (b.snrDb - a.snrDb)) / (Math.log(b.ser) - Math.log(a.ser));
  const gap = m - t;
  console.log(
    `| SF${c.sf} | ${c.sampleRate / 1e3} kS/s (${(c.sampleRate / B).toFixed(3).replace(/\.?0+$/, "")}x) | ${count} | ${pts[1].ser.toExponential(2)} (${pts[1].errors} errors) | ${t.toFixed(2)} dB | ${m.toFixed(2)} dB | ${gap >= 0 ? "+" : ""}${gap.toFixed(2)} dB |`,
  );
}
