// One long recording on several cores (decodeRecordingParallel, `chirp decode FILE --jobs N`), side
// by side in one run with one receiver in one thread, on 4 times the SF7 recording of the
// throughput benchmark: BW 125 kHz at 500 kS/s, cs16, 2400 frames of 16 bytes at +5 dB, 5 kHz,
// 6 ppm: 67.2 M samples (made once by `chirp simulate` into a temporary directory).
// - library: decodeRecording in this thread, decodeRecordingParallel in 2 segments (this thread
//   and a worker; and with thisThread: false, 2 workers), and what the machine gives two threads:
//   the two halves decoded at once by two receivers that know nothing of each other (this thread
//   and a worker of its own reading shared memory; no overlap, no priming, nothing copied or
//   served; the frames across the middle are lost, so it is a ceiling, not a decoder). The calls
//   take turns, one of each per round, so a machine whose speed drifts (it does, by 10-15 % over
//   minutes on the 2-core machine these tables were made on) weighs on each alike;
// - process: `chirp decode FILE --sf 7` and with --jobs 2;
// wall time and CPU time (user + system of the process, every thread) of each, the frames found, and
// whether the split's frames are those of the one receiver (and how many equal it in every field,
// to the last bit). The wall-time ratio is what the target (2 cores >= 1.8x one) is about; it needs
// two idle cores, so the load average is shown; the CPU overhead ratio (every thread's CPU time
// over the single receiver's) is the steady figure on a busy machine.
// Writes its table into docs/benchmarks.md (the marked section) unless --quick or --no-docs.
// Run: npm run -s build && node bench/workers.bench.mjs [--quick] [--no-docs]   (or npm run -s bench:workers)
import os from "node:os";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { join } from "node:path";
import { decodeRecording, decodeRecordingParallel, terminateIdleWorkers } from "../dist/rx/index.js";
import { decodeInWorkers } from "../dist/rx/parallel.js";
import { writeDocsBlock } from "./docs-block.mjs";
import { decodeProcess, simulateTargetRecording } from "./target-recording.mjs";
import { median, spread } from "./stats.mjs";

const quick = process.argv.includes("--quick");
const writeDocs = !quick && !process.argv.includes("--no-docs");
const runs = quick ? 1 : 7;
// --quick: a quarter of the recording (the throughput benchmark's), one run
const frameCount = quick ? 600 : 2400;

const fmt = (a, digits = 2) => spread(a, digits);
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const dir = mkdtempSync(join(os.tmpdir(), "chirp-workers-"));
/** The ceiling row's worker (terminated however the run ends). */
let halfWorker = null;
try {
  const { iq, samples, rate, truth, meta } = simulateTargetRecording(dir, frameCount);
  const opts = { sampleRate: rate, bandwidth: 125000, sf: 7 };
  const found = (frames) => frames.filter((f) => f.crcOk && truth.has(f.payloadHex)).length;
  const loadBefore = os.loadavg()[0];

  // The ceiling's worker: a receiver of its own over its half of the recording, in shared memory.
  const half = Math.floor(samples / 2);
  const shared = new Int16Array(new SharedArrayBuffer(iq.byteLength));
  shared.set(iq);
  const rxUrl = new URL("../dist/rx/index.js", import.meta.url).href;
  halfWorker = new Worker(
    `const { parentPort, workerData } = require("node:worker_threads");
    import(workerData.rxUrl).then(({ decodeRecording }) => {
      parentPort.on("message", ({ from, to }) =>
        parentPort.postMessage(decodeRecording(workerData.shared.subarray(2 * from, 2 * to), workerData.opts)));
      parentPort.postMessage("ready");
    });`,
    { eval: true, workerData: { rxUrl, shared, opts } },
  );
  await once(halfWorker, "message");
  const ceiling = async () => {
    const there = once(halfWorker, "message");
    halfWorker.postMessage({ from: half, to: samples });
    const here = decodeRecording(shared.subarray(0, 2 * half), opts);
    const [far] = await there;
    return [...here, ...far.map((f) => ({ ...f, startSample: f.startSample + half }))];
  };

  // Library, in this process: wall and CPU time (every thread: the workers are threads of this
  // process). A first call of each (round 0) warms up (JIT, caches; the workers: started, then
  // kept for the next call) and is reported apart: it pays the workers' start-up. Then `runs`
  // rounds of one call each; 2 workers first, whose two then wait in the pool for the next calls
  // (IDLE_WORKER_MS, 2 s, is longer than a round).
  const firstRound = ["w2", "w2all", "one", "ceiling"];
  const rounds = ["w2all", "w2", "one", "ceiling"];
  const series = { one: null, w2: null, w2all: null, ceiling: null };
  const calls = {
    w2all: () => decodeRecordingParallel(iq, { ...opts, workers: 2, thisThread: false }),
    w2: () => decodeRecordingParallel(iq, { ...opts, workers: 2 }),
    one: async () => decodeRecording(iq, opts),
    ceiling,
  };
  // One full collection before the rounds, not per call. While the receiver's stages were
  // closures, a collection before each call made V8 optimise them again on its helper threads
  // (2-segment calls 0.41-0.45 s instead of 0.33 s); since they are classes it makes no difference.
  globalThis.gc?.();
  for (let round = 0; round <= runs; round++)
    for (const name of round === 0 ? firstRound : rounds) {
      const fn = calls[name];
      // a first call starts its workers
      if (round === 0 && name.startsWith("w")) terminateIdleWorkers();
      const c = cpuNow();
      const t = performance.now();
      const frames = await fn();
      const w = (performance.now() - t) / 1e3;
      const cpu = cpuNow() - c;
      if (round === 0) series[name] = { wall: [], cpu: [], frames, first: { wall: [w], cpu: [cpu] } };
      else {
        series[name].wall.push(w);
        series[name].cpu.push(cpu);
        series[name].frames = frames;
      }
    }
  const { one, w2, w2all } = series;
  const top = series.ceiling;
  // Which thread finished when: one more call through the internal decodeInWorkers, which reports
  // each segment (a thread that finished takes the end of another's segment, so there may be more than 2).
  const job = { kind: "channels", channels: [{ sampleRate: rate, bandwidth: 125000, sfs: [7] }] };
  const source = { total: samples, read: (first, count) => iq.subarray(2 * first, 2 * (first + count)), views: true };
  const perSegment = (await decodeInWorkers(source, job, { workers: 2 })).timings;
  const key = (f) => `${f.startSample} ${f.payloadHex} ${f.crcOk} ${f.cr} ${f.truncated}`;
  // in time order (chirp decode --json prints frames as they complete, a long garbage frame after the next one)
  const inOrder = (a) => [...a].sort((x, y) => x.startSampleExact - y.startSampleExact);
  const same = (a, b) => {
    const [x, y] = [inOrder(a), inOrder(b)];
    return x.length === y.length && x.every((f, i) => key(f) === key(y[i]));
  };
  // every field equal, to the last bit (typed arrays element by element)
  const fields = (f) => JSON.stringify(f, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v) : v));
  const identical = (a, b) => {
    const [x, y] = [inOrder(a), inOrder(b)];
    return x.filter((f, i) => y[i] && fields(f) === fields(y[i])).length;
  };

  // Whole process: `chirp decode FILE --sf 7 [--jobs 2]`, its CPU time reported at exit (bench/cpu-at-exit.mjs).
  const proc = (args) => decodeProcess(dir, meta, args);
  const cli = {};
  for (const [name, args] of [
    ["one", ["--sf", "7"]],
    ["jobs2", ["--sf", "7", "--jobs", "2"]],
  ]) {
    cli[name] = { cpu: [], wall: [], frames: [] };
    for (let i = 0; i < runs; i++) {
      const r = proc(args);
      cli[name].cpu.push(r.cpu);
      cli[name].wall.push(r.wall);
      cli[name].frames = r.frames;
    }
  }
  const loadAfter = os.loadavg()[0];

  const lines = [];
  const say = (s = "") => lines.push(s);
  say(
    `Machine: ${os.cpus()[0]?.model ?? "unknown"} (${os.cpus().length} cores), Node ${process.version}, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC; load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after (with other work on the machine the wall times depend on the share of the cores each run got, so their ratios are unreliable either way: the CPU times are the steady figures).`,
  );
  say(
    `Recording: SF7, BW 125 kHz at 500 kS/s (4x), cs16, ${(samples / 1e6).toFixed(1)} M samples (${(samples / rate).toFixed(1)} s), ${truth.size} frames of 16 B at +5 dB, 5 kHz, 6 ppm (chirp simulate --seed 9).`,
  );
  say(
    `Wall and CPU seconds (user + system, every thread of the process): ${runs > 1 ? `median (min..max) over ${runs} rounds, each call once per round` : `one run${quick ? " (--quick)" : ""}`}.`,
  );
  say();
  say("| what | wall time (s) | CPU time (s) | speed-up (wall) | frames found | same frames as one receiver |");
  say("|---|---|---|---|---|---|");
  const ratio = (a, b) => `${(median(a) / median(b)).toFixed(2)}x`;
  say(
    `| library decodeRecording, this thread | ${fmt(one.wall)} | ${fmt(one.cpu)} | 1 | ${found(one.frames)}/${truth.size} | - |`,
  );
  for (const [name, r] of [
    ["decodeRecordingParallel, 2 segments: this thread and a worker", w2],
    [
      "decodeRecordingParallel, 2 segments: this thread and a worker, first call (worker started)",
      { ...w2, ...w2.first },
    ],
    ["decodeRecordingParallel, 2 segments in 2 workers (thisThread: false)", w2all],
    ["decodeRecordingParallel, 2 segments in 2 workers (thisThread: false), first call", { ...w2all, ...w2all.first }],
  ])
    say(
      `| library ${name} | ${fmt(r.wall)} | ${fmt(r.cpu)} | ${ratio(one.wall, r.wall)} | ${found(r.frames)}/${truth.size} | ${same(r.frames, one.frames) ? "yes" : "NO"} (${identical(r.frames, one.frames)} of ${one.frames.length} bit-identical) |`,
    );
  say(
    `| ceiling: the two halves at once, each by a receiver of its own (this thread and a worker; no overlap, no priming, nothing copied; frames across the middle may be lost) | ${fmt(top.wall)} | ${fmt(top.cpu)} | ${ratio(one.wall, top.wall)} | ${found(top.frames)}/${truth.size} | - |`,
  );
  say(
    `| process \`chirp decode FILE --sf 7\` | ${fmt(cli.one.wall)} | ${fmt(cli.one.cpu)} | 1 | ${found(cli.one.frames)}/${truth.size} | - |`,
  );
  say(
    `| process \`chirp decode FILE --sf 7 --jobs 2\` | ${fmt(cli.jobs2.wall)} | ${fmt(cli.jobs2.cpu)} | ${ratio(cli.one.wall, cli.jobs2.wall)} | ${found(cli.jobs2.frames)}/${truth.size} | ${same(cli.jobs2.frames, cli.one.frames) ? "yes" : "NO"} |`,
  );
  say();
  say(
    `Target: 2 cores at least 1.8x one (wall). Library, this thread and a worker: ${ratio(one.wall, w2.wall)} against one receiver in this thread (${ratio(one.wall, w2.first.wall)} on a first call, whose worker starts), where two receivers sharing nothing, a half each, got ${ratio(one.wall, top.wall)} in the same rounds (the ceiling row: what the machine gives two threads of this decoder; the split is ${ratio(top.wall, w2.wall).replace("x", "")} of it); CPU overhead of the split (every thread's CPU time over the single receiver's) ${ratio(w2.cpu, one.cpu)} (the overlap read past the cut, the copies to the worker), ${ratio(w2.first.cpu, one.cpu)} on a first call (the worker's start-up and its JavaScript compiled again). Both segments in workers: ${ratio(one.wall, w2all.wall)} wall, CPU ${ratio(w2all.cpu, one.cpu)} (${ratio(w2all.first.cpu, one.cpu)} on a first call). \`chirp decode --jobs 2\` is a first call in a new process.`,
  );
  say();
  say(
    `Segments of one more call (this thread and a worker; ms after the call): ${perSegment
      .map(
        (t) =>
          `${t.thread === "this" ? "this thread" : "worker"} ${(t.from / 1e6).toFixed(2)}..${(t.to / 1e6).toFixed(2)} M samples, ${t.started.toFixed(0)}..${t.finished.toFixed(0)} ms (${t.busy.toFixed(0)} ms decoding)`,
      )
      .join("; ")}.`,
  );
  const table = lines.join("\n");
  console.log(table);

  if (writeDocs)
    writeDocsBlock(
      "workers.bench.mjs",
      table,
      "## One recording on several cores (`npm run -s bench:workers`)\n\nSee [receiver](receiver.md#several-cores-one-recording-split-across-workers-decoderecordingparallel-decodegatewayparallel).",
    );
} finally {
  await halfWorker?.terminate();
  rmSync(dir, { recursive: true, force: true });
}
