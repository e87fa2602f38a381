// The recording the receiver's speed targets are stated for: SF7, BW 125 kHz at 500 kS/s (4x), cs16,
// 16 B frames at +5 dB, 5 kHz carrier and 6 ppm clock offsets, made by `chirp simulate --seed 9`
// into `dir` (600 frames: 16.8 M samples; the workers benchmark takes 2400: 67 M).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
/** The `chirp` bin the benchmarks run. */
export const main = join(here, "..", "dist", "bin", "main.js");
const cpuAtExit = join(here, "cpu-at-exit.mjs");

/** Returns the samples (interleaved cs16), the SigMF metadata path, the set of sent payloads and the rate. */
export function simulateTargetRecording(dir, frames = 600) {
  const sim = spawnSync(
    process.execPath,
    [
      main,
      "simulate",
      ...["-o", join(dir, "sf7.cs16"), "--sf", "7", "--rate", "500k", "--snr", "5", "--cfo", "5k", "--ppm", "6"],
      ...["--frames", String(frames), "--gap", "2270", "--seed", "9", "--json"],
    ],
    { encoding: "utf8", maxBuffer: 1 << 28 },
  );
  if (sim.status !== 0) throw new Error(`chirp simulate failed: ${sim.stderr}`);
  const truth = new Set(
    sim.stdout
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l).payloadHex),
  );
  const raw = readFileSync(join(dir, "sf7.cs16"));
  const iq = new Int16Array(raw.buffer, raw.byteOffset, raw.byteLength >> 1);
  return { iq, samples: iq.length / 2, rate: 500000, truth, meta: join(dir, "sf7.sigmf-meta") };
}

/**
 * Runs the whole process `chirp decode META ARGS --json --quiet` and returns its CPU time (user + system,
 * every thread, reported by the process itself at exit through cpu-at-exit.mjs), its wall time and
 * the frames it printed. `dir` holds the CPU report.
 */
export function decodeProcess(dir, meta, args) {
  const { cpu, wall, stdout } = nodeProcess(dir, [main, "decode", meta, ...args, "--json", "--quiet"]);
  const frames = stdout
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
  return { cpu, wall, frames };
}

/**
 * Runs `node ARGS` and returns its CPU time (user + system, every thread, start-up included,
 * reported at exit through cpu-at-exit.mjs), its wall time and its stdout. `dir` holds the CPU report.
 */
export function nodeProcess(dir, args) {
  const out = join(dir, "cpu.json");
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ["--import", cpuAtExit, ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
    env: { ...process.env, CHIRP_CPU_OUT: out },
  });
  const wall = (performance.now() - t0) / 1e3;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} failed: ${r.stderr}`);
  return { cpu: JSON.parse(readFileSync(out, "utf8")).cpuS, wall, stdout: r.stdout };
}

/**
 * The gateway capture of ../shared (or $CHIRP_SHARED_DIR): its manifest entry, its samples (cs16,
 * in a buffer of their own) and its length in seconds; null when it is not there.
 */
export function gatewayCapture() {
  const dir = resolve(process.env.CHIRP_SHARED_DIR ?? join(here, "..", "..", "shared"), "captures", "gateway");
  const manifest = join(dir, "manifest.json");
  if (!existsSync(manifest)) return null;
  const capture = JSON.parse(readFileSync(manifest, "utf8")).captures[0];
  const raw = readFileSync(join(dir, capture.file));
  const iq = new Int16Array(raw.byteLength >> 1);
  new Uint8Array(iq.buffer).set(raw.subarray(0, iq.byteLength));
  return { capture, iq, seconds: iq.length / 2 / capture.sampleRate };
}
