// Preamble detections that start a frame in flight (rx.stats.detections) against the frames
// reported, on the SF7 target recording of the throughput benchmark (600 frames of 16 B at +5 dB,
// 4 samples per chip), with one SF and with SF7..12 listening, and on the gateway capture of
// ../shared (3 channels x SF7..12, 12 frames) when it is there. A detection that is no frame costs
// a downchirp-pair scan and the first fine-sync demodulations; at SF11/12 that is most of the work
// of a false one.
// Run: npm run -s build && node bench/detections-per-frame.bench.mjs [--quick] [--write]   (--quick: 100 frames)
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { createChannelReceiver, createGatewayReceiver } from "../dist/rx/index.js";
import { writeDocsBlock } from "./docs-block.mjs";
import { gatewayCapture, simulateTargetRecording } from "./target-recording.mjs";

const quick = process.argv.includes("--quick");
const rows = [];
/** f's result, and the median CPU seconds of 3 calls after a first (JIT and Wasm tier-up). */
const cpu = (f) => {
  let r = f();
  const t = [];
  for (let i = 0; i < 3; i++) {
    const c0 = process.cpuUsage();
    r = f();
    const c = process.cpuUsage(c0);
    t.push((c.user + c.system) / 1e6);
  }
  return { ...r, cpu: t.sort((a, b) => a - b)[1] };
};

const dir = mkdtempSync(join(os.tmpdir(), "chirp-detections-"));
try {
  const { iq, rate, truth } = simulateTargetRecording(dir, quick ? 100 : 600);
  for (const sfs of [[7], [7, 8, 9, 10, 11, 12]]) {
    const r = cpu(() => {
      const rx = createChannelReceiver({ sampleRate: rate, bandwidth: 125000, sfs });
      const frames = [...rx.push(iq), ...rx.flush()];
      const perSf = rx.stats.map((s) => s.detections);
      rx.dispose();
      return { frames, perSf };
    });
    const good = r.frames.filter((f) => f.crcOk && truth.has(f.payloadHex)).length;
    const detections = r.perSf.reduce((a, b) => a + b, 0);
    rows.push({
      recording: `SF7 target recording (${truth.size} frames), SF ${sfs.length > 1 ? "7..12" : "7"}`,
      detections,
      bySf: r.perSf.join(" / "),
      frames: r.frames.length,
      good,
      cpu: r.cpu,
    });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const gatewayRecording = gatewayCapture();
if (gatewayRecording) {
  const { capture: c, iq: gatewayIq } = gatewayRecording;
  const r = cpu(() => {
    const gw = createGatewayReceiver({
      sampleRate: c.sampleRate,
      centerFrequency: c.centerFrequency,
      channels: c.channelsHz,
      sfs: [7, 8, 9, 10, 11, 12],
      bandwidth: c.bandwidth,
      syncWord: Number.parseInt(c.syncWord, 16),
    });
    const frames = [...gw.push(gatewayIq), ...gw.flush()];
    const detections = gw.stats.detections;
    gw.dispose();
    return { frames, detections };
  });
  rows.push({
    recording: `gateway capture (${c.frames.length} frames, 3 channels x SF7..12)`,
    detections: r.detections,
    bySf: "",
    frames: r.frames.length,
    good: r.frames.filter((f) => f.crcOk).length,
    cpu: r.cpu,
  });
} else console.log("(../shared/captures/gateway not there: gateway row skipped)");

const head = `${os.cpus()[0]?.model ?? "?"} (${os.cpus().length} cores), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, load ${os.loadavg()[0].toFixed(1)}`;
const table = [
  head,
  "",
  "| recording | detections | by SF (7..12) | frames reported | CRC ok | CPU s (median of 3 calls after a first) |",
  "|---|---|---|---|---|---|",
  ...rows.map(
    (r) => `| ${r.recording} | ${r.detections} | ${r.bySf} | ${r.frames} | ${r.good} | ${r.cpu.toFixed(2)} |`,
  ),
].join("\n");
console.log(table);
if (process.argv.includes("--write"))
  writeDocsBlock(
    "detections-per-frame.bench.mjs",
    table,
    "### Detections per frame (`node bench/detections-per-frame.bench.mjs --write`)",
  );
