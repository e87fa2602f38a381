// Gateway receiver benchmark: the EU868 3-channel capture (3.6 s at 1 MS/s, cs16, SF7..12 on each
// channel = 18 receivers) decoded by decodeGateway with the Wasm and js engines, and by 18 receivers
// each given the wideband input (channel filtered 18 times instead of 3), in the same run.
// Run: npm run -s build && node bench/gateway.bench.mjs [--quick]   (or npm run -s bench:gateway)
import os from "node:os";
import { Bench } from "tinybench";
import { decodeGateway, decodeRecording } from "../dist/rx/index.js";
import { gatewayCapture } from "./target-recording.mjs";
import { median } from "./stats.mjs";

const quick = process.argv.includes("--quick");
const gatewayRecording = gatewayCapture();
if (!gatewayRecording) throw new Error("../shared/captures/gateway is not there (or set CHIRP_SHARED_DIR)");
const { capture: cap, iq, seconds } = gatewayRecording;
const sfs = [7, 8, 9, 10, 11, 12];
const opts = {
  sampleRate: cap.sampleRate,
  centerFrequency: cap.centerFrequency,
  channels: cap.channelsHz,
  sfs,
  syncWord: 0x34,
};

function direct() {
  const out = [];
  for (const hz of cap.channelsHz)
    for (const sf of sfs) {
      out.push(
        ...decodeRecording(iq, {
          sampleRate: cap.sampleRate,
          bandwidth: 125000,
          sf,
          syncWord: 0x34,
          frequencyOffsetHz: hz - cap.centerFrequency,
        }),
      );
    }
  return out;
}

const good = (frames) => frames.filter((f) => f.crcOk === true).length;
const counts = {};
// CPU time per run as well: on a shared machine the wall clock also counts other processes
const cpu = {};
function timed(name, fn) {
  return () => {
    const t = process.cpuUsage();
    const n = fn();
    const d = process.cpuUsage(t);
    (cpu[name] ??= []).push((d.user + d.system) / 1e6);
    counts[name] = n;
  };
}
const bench = new Bench({ time: 0, iterations: quick ? 2 : 5, warmupIterations: 1, warmupTime: 0 });
bench
  .add(
    "decodeGateway wasm",
    timed("wasm", () => good(decodeGateway(iq, { ...opts, engine: "wasm" }))),
  )
  .add(
    "decodeGateway js",
    timed("js", () => good(decodeGateway(iq, { ...opts, engine: "js" }))),
  )
  .add(
    "18 receivers on the wideband input, wasm",
    timed("direct", () => good(direct())),
  );
await bench.run();

console.log(
  `machine: ${os.cpus()[0]?.model ?? "unknown"} (${os.cpus().length} cores), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, load average ${os.loadavg()[0].toFixed(1)}`,
);
console.log(
  `${cap.file}: ${seconds.toFixed(2)} s at ${cap.sampleRate / 1e6} MS/s, ${cap.channelsHz.length} channels x SF7..12; median ± MAD over ${quick ? 2 : 5} runs\n`,
);
console.log("| decoder | wall time | CPU time | x real time (CPU) | frames with CRC ok |");
console.log("|---|---|---|---|---|");
const [w, j, d] = bench.tasks.map((t) => t.result.latency);
// the warm-up run is in cpu[] too: drop it
const c = (k) => median(cpu[k].slice(1));
const row = (name, l, k) =>
  console.log(
    `| ${name} | ${(l.p50 / 1e3).toFixed(2)} ± ${(l.mad / 1e3).toFixed(2)} s | ${c(k).toFixed(2)} s | ${(seconds / c(k)).toFixed(2)} | ${counts[k]} |`,
  );
row("decodeGateway, wasm", w, "wasm");
row("decodeGateway, js", j, "js");
row("18 receivers each on the wideband input, wasm", d, "direct");
console.log(
  `\nCPU time ratios: js / wasm ${(c("js") / c("wasm")).toFixed(1)}x; 18 wideband receivers / gateway ${(c("direct") / c("wasm")).toFixed(2)}x`,
);
