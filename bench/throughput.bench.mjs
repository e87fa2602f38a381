// Receiver throughput side by side in one run, on the SF7 recording the receiver targets are stated
// for (BW 125 kHz at 500 kS/s, cs16, 16.8 M samples, 600 frames of 16 bytes at +5 dB, 5 kHz carrier
// offset, 6 ppm; made once by `chirp simulate` into a temporary directory):
// - library decodeRecording, Wasm and js engines (samples per CPU-second, the ratio);
// - the whole `chirp decode FILE --sf 7` process (CPU time of the process, start-up included), and
//   `--sf 7-12` on the same file (the time ratio);
// - the gateway receiver (3 channels x SF7..12 at 1 MS/s, ../shared/captures/gateway), x real time per core;
// - gr-lora_sdr on the same file when `python3 -c "import gnuradio.lora_sdr"` works, its runs
//   alternated with those of `chirp decode --sf 7` (the ratio the process target is about).
// Writes its table into docs/benchmarks.md (the marked section) unless --quick or --no-docs.
// Run: npm run -s build && node bench/throughput.bench.mjs [--quick] [--no-docs]   (or npm run -s bench:throughput)
import os from "node:os";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeGateway, decodeRecording } from "../dist/rx/index.js";
import { writeDocsBlock } from "./docs-block.mjs";
import { decodeProcess, gatewayCapture, simulateTargetRecording } from "./target-recording.mjs";
import { median, spread } from "./stats.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const quick = process.argv.includes("--quick");
const writeDocs = !quick && !process.argv.includes("--no-docs");
const runs = quick ? 2 : 5;
// `chirp decode --sf 7` and gr-lora_sdr, alternated: the ratio the process target is about
const pairRuns = quick ? 2 : 7;
const shared = process.env.CHIRP_SHARED_DIR ?? resolve(root, "..", "shared");

const fmt = (a, digits = 3) => spread(a, digits);

const dir = mkdtempSync(join(os.tmpdir(), "chirp-throughput-"));
try {
  // The recording: 600 frames of 25728 samples (SF7, 16 B, CR 4/5 at 4x) and gaps of 2270 samples: 16.8 M samples.
  const { iq, samples, rate, truth, meta } = simulateTargetRecording(dir);
  const found = (frames) => frames.filter((f) => f.crcOk && truth.has(f.payloadHex)).length;

  // Library: CPU time of decodeRecording per run (one warm-up run first).
  const lib = { wasm: [], js: [] },
    libFrames = {};
  for (const engine of ["wasm", "js"]) {
    for (let i = 0; i <= runs; i++) {
      globalThis.gc?.();
      const t = process.cpuUsage();
      const frames = decodeRecording(iq, { sampleRate: rate, bandwidth: 125000, sf: 7, engine });
      const d = process.cpuUsage(t);
      if (i > 0) lib[engine].push((d.user + d.system) / 1e6);
      libFrames[engine] = found(frames);
    }
  }

  // Gateway: 3 channels x SF7..12 on the EU868 capture.
  const gwCapture = gatewayCapture();
  let gw;
  if (gwCapture) {
    const { capture: cap, iq: g, seconds } = gwCapture;
    const opts = {
      sampleRate: cap.sampleRate,
      centerFrequency: cap.centerFrequency,
      channels: cap.channelsHz,
      sfs: [7, 8, 9, 10, 11, 12],
      syncWord: 0x34,
    };
    gw = { cpu: [], seconds, frames: 0, expected: cap.frames.length };
    for (let i = 0; i <= runs; i++) {
      globalThis.gc?.();
      const t = process.cpuUsage();
      const frames = decodeGateway(g, opts);
      const d = process.cpuUsage(t);
      if (i > 0) gw.cpu.push((d.user + d.system) / 1e6);
      gw.frames = frames.filter((f) => f.crcOk).length;
    }
  }

  // gr-lora_sdr, when installed (its peer_rx.py reads cf32).
  // Debian's GNU Radio lives in the system Python (../shared/tools/peer/build.sh), which a pyenv or
  // venv `python3` on PATH may hide: try it first.
  const python = ["/usr/bin/python3", "python3"].find(
    (py) => spawnSync(py, ["-c", "import gnuradio.lora_sdr"], { encoding: "utf8" }).status === 0,
  );
  const peer = { installed: python !== undefined };
  if (peer.installed) {
    const cf32 = new Float32Array(iq.length);
    for (let i = 0; i < iq.length; i++) cf32[i] = iq[i] / 32768;
    writeFileSync(join(dir, "sf7.cf32"), cf32);
    peer.cpu = [];
  }
  const peerRun = () => {
    const r = spawnSync(
      "/usr/bin/time",
      [
        "-f",
        "%U %S",
        python,
        resolve(shared, "tools", "peer", "peer_rx.py"),
        "--sf",
        "7",
        "--bw",
        "125000",
        "--os",
        "4",
        "--sync",
        "0x12",
        "--soft",
        join(dir, "sf7.cf32"),
      ],
      { encoding: "utf8", maxBuffer: 1 << 26 },
    );
    const [u, s] = r.stderr.trim().split("\n").pop().split(" ").map(Number);
    peer.cpu.push(u + s);
    const run = /seconds=([\d.]+)/.exec(r.stderr);
    if (run) (peer.flow ??= []).push(Number(run[1]));
    peer.frames = r.stdout.split("\n").filter((l) => l.trim() && truth.has(l.trim().split(/\s+/)[0])).length;
  };

  // Whole process: `chirp decode FILE --sf S`, its CPU time (user + system, all threads) reported
  // by the process itself at exit (bench/cpu-at-exit.mjs), and its wall time. The `--sf 7` runs
  // alternate with the peer's, so that both see the same states of the machine (its speed drifts
  // by several per cent over a minute on a shared host).
  const proc = (args) => {
    const r = decodeProcess(dir, meta, args);
    return { ...r, frames: found(r.frames) };
  };
  const cli = {};
  for (const [name, args] of [
    ["sf7", ["--sf", "7"]],
    ["sf7-12", ["--sf", "7-12"]],
  ]) {
    cli[name] = { cpu: [], wall: [], frames: 0 };
    for (let i = 0; i < (name === "sf7" ? pairRuns : runs); i++) {
      const r = proc(args);
      cli[name].cpu.push(r.cpu);
      cli[name].wall.push(r.wall);
      cli[name].frames = r.frames;
      if (name === "sf7" && peer.installed) peerRun();
    }
  }

  const ms = (s) => samples / s / 1e6;
  // The peer's samples per CPU-second: measured in this run when installed, else the figure measured
  // with it earlier on the same recording (../shared/tools/peer/README.md: 1.0 s CPU for 16.8 M).
  const peerRate = peer.installed ? ms(median(peer.cpu)) : 16.8;
  const lines = [];
  const say = (s = "") => lines.push(s);
  say(
    `Machine: ${os.cpus()[0]?.model ?? "unknown"} (${os.cpus().length} cores), Node ${process.version}, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, load average ${os.loadavg()[0].toFixed(1)} at the end.`,
  );
  say(
    `Recording: SF7, BW 125 kHz at 500 kS/s (4x), cs16, ${(samples / 1e6).toFixed(1)} M samples (${(samples / rate).toFixed(1)} s), ${truth.size} frames of 16 B at +5 dB, 5 kHz, 6 ppm (chirp simulate --seed 9).`,
  );
  say(
    `CPU seconds (user + system): median (min..max) over ${runs} runs (\`chirp decode --sf 7\` and gr-lora_sdr: ${pairRuns} each, alternated)${quick ? " (--quick)" : ""}; M samples per CPU-second from the median.`,
  );
  say();
  say("| what | CPU time (s) | M samples / CPU-s | frames found | note |");
  say("|---|---|---|---|---|");
  say(
    `| library decodeRecording, wasm | ${fmt(lib.wasm)} | ${ms(median(lib.wasm)).toFixed(1)} | ${libFrames.wasm}/${truth.size} | target >= 100 |`,
  );
  say(
    `| library decodeRecording, js | ${fmt(lib.js)} | ${ms(median(lib.js)).toFixed(1)} | ${libFrames.js}/${truth.size} | wasm / js = ${(median(lib.js) / median(lib.wasm)).toFixed(2)}x (target >= 6x) |`,
  );
  say(
    `| process \`chirp decode FILE --sf 7\` | ${fmt(cli.sf7.cpu)} | ${ms(median(cli.sf7.cpu)).toFixed(1)} | ${cli.sf7.frames}/${truth.size} | wall ${median(cli.sf7.wall).toFixed(2)} s; ${(ms(median(cli.sf7.cpu)) / peerRate).toFixed(2)}x gr-lora_sdr's ${peerRate.toFixed(1)} M/CPU-s ${peer.installed ? "measured in this run" : "measured earlier with ../shared/tools/peer"} (target >= 4x) |`,
  );
  say(
    `| process \`chirp decode FILE --sf 7-12\` | ${fmt(cli["sf7-12"].cpu)} | ${ms(median(cli["sf7-12"].cpu)).toFixed(1)} | ${cli["sf7-12"].frames}/${truth.size} | ${(median(cli["sf7-12"].cpu) / median(cli.sf7.cpu)).toFixed(2)}x the time of --sf 7 (target <= 2.5x) |`,
  );
  if (gw)
    say(
      `| gateway, 3 channels x SF7..12, 1 MS/s (${gw.seconds.toFixed(2)} s capture) | ${fmt(gw.cpu)} | ${((gw.seconds * 1e6) / median(gw.cpu) / 1e6).toFixed(1)} | ${gw.frames}/${gw.expected} CRC ok | ${(gw.seconds / median(gw.cpu)).toFixed(1)}x real time per core (target >= 20x) |`,
    );
  else say("| gateway | - | - | - | ../shared/captures/gateway not found |");
  if (peer.installed)
    say(
      `| gr-lora_sdr (peer_rx.py --soft), process | ${fmt(peer.cpu)} | ${ms(median(peer.cpu)).toFixed(1)} | ${peer.frames}/${truth.size} | same recording as cf32; its flowgraph ran ${peer.flow ? median(peer.flow).toFixed(2) : "?"} s wall of it (the rest is Python and GNU Radio start-up) |`,
    );
  say();
  say(
    peer.installed
      ? "gr-lora_sdr is installed and was measured in this run."
      : 'gr-lora_sdr is not installed here (`python3 -c "import gnuradio.lora_sdr"` fails), so the ratio uses the 16.8 M samples/CPU-s measured with it earlier on the same recording (../shared/tools/peer/README.md: 1.0 s CPU).',
  );
  const table = lines.join("\n");
  console.log(table);

  if (writeDocs)
    writeDocsBlock(
      "throughput.bench.mjs",
      table,
      "## Receiver throughput, side by side (`npm run -s bench:throughput`)",
    );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
