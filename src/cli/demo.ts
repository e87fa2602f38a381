// `npm start` = `chirp demo`: a smart-city recording from start to finish. Five LoRaWAN devices
// (waste bins, an air-quality station, a bridge vibration sensor, a street thermometer) send
// Cayenne LPP readings at SF7..SF10; each has its own crystal error (carrier and clock offset) and
// distance (SNR). The channel simulator makes the recording, it is written as SigMF, then read
// back and decoded like any capture (one receiver per SF), MICs verified and payloads decrypted
// with the example keys, readings decoded, and a table printed. Recording, frames (JSON lines), the
// devices' keys and a spectrogram PNG go into a folder.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildDataFrame, decodeFrame, toHex } from "../lorawan/index.js";
import { decodeLpp, encodeLpp, type LppInput } from "../lpp/index.js";
import { stringifySigmf, withAnnotations } from "../io/index.js";
import { intFlag, jsonLine, parseCommand, type Help } from "./args.js";
import { simulate, type Frame, type SimFrame } from "./deps.js";
import { openRecording } from "./recording.js";
import { parseRxFlags } from "./rxflags.js";
import { decodeRecording, frameAnnotation, frameRecord } from "./decode.js";
import { truthAnnotation } from "./simulate.js";
import { annotationMarks, chooseView, spectrogramFigure, type Mark } from "./spectrogram.js";
import { figureToPng } from "./figure.js";
import { writeRecording } from "./writer.js";
import { fixed, formatTable } from "./table.js";

export const summary = "simulate, decode and print a smart-city LoRaWAN recording (npm start)";

const help: Help = {
  name: "demo",
  summary,
  usage: "[--out DIR] [--seed N] [--json]",
  options: [
    ["--out DIR", "folder for recording, frames and picture (default chirp-demo)"],
    ["--seed N", "noise and payload seed (default 1)"],
    ["--json", "print the decoded frames as JSON lines instead of the table"],
  ],
  examples: ["chirp demo --out /tmp/city --seed 7", "npm start   (the same, into chirp-demo/)"],
};

const CENTER = 868.1e6;
const BANDWIDTH = 125e3;
// Public LoRaWAN networks use sync word 0x34 (0x12 is for private networks): LoRaWAN Regional Parameters, SX127x datasheet.
const SYNC_WORD = 0x34;
const SAMPLE_RATE = 250e3; // 2 samples per chip, as a cheap SDR capture would be resampled to

/** Example session keys (LoRaWAN 1.0 ABP), made up for this demo; never use them on a network. */
interface Device {
  name: string;
  devAddr: string;
  nwkSKey: string;
  appSKey: string;
  sf: number;
  /** Crystal error in ppm: carrier offset ppm * 868.1 MHz and the same sample clock offset. */
  ppm: number;
  snrDb: number;
  /** Names (and units where LPP has none) per LPP channel, shown in the table. */
  labels: Record<number, [string, string?]>;
  readings: (k: number, rnd: () => number) => LppInput[];
}

const DEVICES: Device[] = [
  {
    name: "bin-market-sq",
    devAddr: "26011f01",
    nwkSKey: "2b7e151628aed2a6abf7158809cf4f3c",
    appSKey: "000102030405060708090a0b0c0d0e0f",
    sf: 7,
    ppm: 8.5,
    snrDb: 6,
    labels: { 1: ["fill"], 2: ["temp"] },
    readings: (k, r) => [
      { channel: 1, type: "percentage", value: Math.min(100, 62 + 9 * k + Math.round(4 * r())) },
      { channel: 2, type: "temperature", value: +(14.2 + r()).toFixed(1) },
    ],
  },
  {
    name: "air-station-4",
    devAddr: "26011f02",
    nwkSKey: "3c4fcf098815f7aba6d2ae2816157e2b",
    appSKey: "0f0e0d0c0b0a09080706050403020100",
    sf: 8,
    ppm: -6.2,
    snrDb: 0,
    labels: { 1: ["PM2.5", " ug/m3"], 2: ["PM10", " ug/m3"], 3: ["temp"] },
    readings: (_k, r) => [
      { channel: 1, type: "analog_input", value: +(11 + 6 * r()).toFixed(2) },
      { channel: 2, type: "analog_input", value: +(19 + 9 * r()).toFixed(2) },
      { channel: 3, type: "temperature", value: +(13.6 + r()).toFixed(1) },
    ],
  },
  {
    name: "bridge-vib-2",
    devAddr: "26011f03",
    nwkSKey: "a1b2c3d4e5f60718293a4b5c6d7e8f90",
    appSKey: "90f8e7d6c5b4a3928170f6e5d4c3b2a1",
    sf: 9,
    ppm: 12.0,
    snrDb: -7,
    labels: { 1: ["accel x/y/z", " g"], 2: ["vibration peak", " Hz"] },
    readings: (_k, r) => [
      { channel: 1, type: "accelerometer", value: [+(0.012 * (r() - 0.5)).toFixed(3), +(0.02 * (r() - 0.5)).toFixed(3), +(1 + 0.04 * (r() - 0.5)).toFixed(3)] },
      { channel: 2, type: "frequency", value: 3 + Math.round(2 * r()) },
    ],
  },
  {
    name: "street-temp-9",
    devAddr: "26011f04",
    nwkSKey: "00112233445566778899aabbccddeeff",
    appSKey: "ffeeddccbbaa99887766554433221100",
    sf: 10,
    ppm: -14.5,
    snrDb: -12,
    labels: { 1: ["temp"], 2: ["humidity"] },
    readings: (_k, r) => [
      { channel: 1, type: "temperature", value: +(12.8 + 0.6 * r()).toFixed(1) },
      { channel: 2, type: "relative_humidity", value: Math.round(2 * (71 + 6 * r())) / 2 },
    ],
  },
  {
    name: "bin-station-rd",
    devAddr: "26011f05",
    nwkSKey: "5f4e3d2c1b0a99887766554433221100",
    appSKey: "1234567890abcdef1234567890abcdef",
    sf: 7,
    ppm: -3.1,
    snrDb: 2,
    labels: { 1: ["fill"], 2: ["temp"] },
    readings: (k, r) => [
      { channel: 1, type: "percentage", value: Math.min(100, 88 + 5 * k) },
      { channel: 2, type: "temperature", value: +(15.1 + r()).toFixed(1) },
    ],
  },
];

function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function showReading(d: Device | undefined, r: { channel: number; name: string; value: number | number[]; unit: string }): string {
  const [label, unit] = d?.labels[r.channel] ?? [r.name];
  const v = Array.isArray(r.value) ? r.value.join("/") : String(r.value);
  return `${label} ${v}${unit ?? (r.unit === "%RH" ? "%" : r.unit === "g" ? " g" : r.unit)}`;
}

interface Row {
  timeS: number;
  device: string;
  sf: number;
  snrDb: number;
  cfoHz: number;
  crc: string;
  mic: string;
  fCnt: number | null;
  readings: string;
}

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(argv, help, { out: { type: "string" }, seed: { type: "string" }, json: { type: "boolean" } }, false);
  if (!p) return 0;
  const t0 = Date.now();
  const dir = String(p.values.out ?? "chirp-demo");
  const seed = intFlag("seed", p.values.seed, 0, 0xffffffff, 1);
  const rnd = mulberry(seed);
  mkdirSync(dir, { recursive: true });

  // 1. Uplinks: two rounds of every device, in a shuffled order, LoRaWAN frames with LPP inside.
  const sent: { device: Device; fCnt: number; readings: LppInput[]; phy: Uint8Array }[] = [];
  for (let round = 0; round < 2; round++) {
    const order = DEVICES.map((d) => ({ d, k: rnd() })).sort((a, b) => a.k - b.k).map((x) => x.d);
    for (const d of order) {
      const fCnt = 40 + round + DEVICES.indexOf(d) * 100;
      const readings = d.readings(round, rnd);
      const phy = buildDataFrame({ mtype: "UnconfirmedDataUp", devAddr: d.devAddr, fCnt, fPort: 2, payload: encodeLpp(readings) }, { nwkSKey: d.nwkSKey, appSKey: d.appSKey });
      sent.push({ device: d, fCnt, readings, phy });
    }
  }

  // 2. The radio channel: each device's crystal error and distance, noise, random gaps.
  const frames: SimFrame[] = sent.map((s) => ({
    payload: s.phy,
    params: { sf: s.device.sf, bandwidth: BANDWIDTH, cr: 1, syncWord: SYNC_WORD },
    snrDb: s.device.snrDb,
    cfoHz: s.device.ppm * 1e-6 * CENTER,
    sfoPpm: s.device.ppm,
  }));
  const sim = await simulate({
    frames,
    sampleRate: SAMPLE_RATE,
    snrDb: 6, // sets the noise floor: the strongest device is 6 dB above it
    gapSamples: [Math.round(0.02 * SAMPLE_RATE), Math.round(0.12 * SAMPLE_RATE)],
    leadSamples: Math.round(0.05 * SAMPLE_RATE),
    tailSamples: Math.round(0.05 * SAMPLE_RATE),
    seed,
  });
  const written = writeRecording(join(dir, "recording"), sim.iq, {
    format: "cs16",
    sampleRate: SAMPLE_RATE,
    centerFrequency: CENTER,
    description: `chirpkit demo: ${sent.length} LoRaWAN uplinks from ${DEVICES.length} smart-city devices, SF7..SF10, 125 kHz, crystal errors and noise`,
    annotations: sim.truth.map((t) => truthAnnotation(t, CENTER)),
  });

  // 3. Decode the recording from disk like any capture: one receiver per SF.
  const rec = openRecording(written.meta);
  const rx = parseRxFlags({ sf: "7-10", bw: String(BANDWIDTH), sync: "0x34" });
  const decoded = await decodeRecording(rec, rx, { quiet: true });

  // 4. LoRaWAN: find the device by DevAddr, verify the MIC, decrypt, decode the LPP readings.
  const byAddr = new Map(DEVICES.map((d) => [d.devAddr, d]));
  const rows: Row[] = [];
  const records: string[] = [];
  for (const f of decoded) {
    const row: Row = { timeS: f.startSample / SAMPLE_RATE, device: "?", sf: f.sf, snrDb: f.snrDb, cfoHz: f.cfoHz, crc: f.crcOk === null ? "none" : f.crcOk ? "ok" : "BAD", mic: "-", fCnt: null, readings: "" };
    const record: Record<string, unknown> = { ...frameRecord(f, SAMPLE_RATE) };
    if (f.crcOk) {
      try {
        const peek = decodeFrame(f.payload);
        if (peek.kind !== "data") throw new Error(`a ${peek.mtype}, not a data frame`);
        const addr = peek.devAddr.toString(16).padStart(8, "0");
        const d = byAddr.get(addr);
        const lw = decodeFrame(f.payload, d ? { keys: { nwkSKey: d.nwkSKey, appSKey: d.appSKey } } : {});
        if (lw.kind !== "data") throw new Error(`a ${lw.mtype}, not a data frame`);
        row.device = d?.name ?? `unknown ${addr}`;
        row.mic = lw.micOk === null ? "no key" : lw.micOk ? "ok" : "BAD";
        row.fCnt = lw.fCnt;
        const readings = lw.micOk && lw.payloadDecrypted && lw.payload.length > 0 ? decodeLpp(lw.payload) : [];
        row.readings = readings.map((r) => showReading(d, r)).join(", ");
        record.lorawan = { devAddr: addr, device: row.device, fCnt: lw.fCnt, fPort: lw.fPort, micOk: lw.micOk, payloadHex: toHex(lw.payload) };
        record.readings = readings;
      } catch (e) {
        row.readings = `not LoRaWAN: ${(e as Error).message}`;
      }
    }
    rows.push(row);
    records.push(jsonLine(record));
  }
  writeFileSync(join(dir, "frames.jsonl"), records.join(""));
  // The example keys, so that the next command (chirp lorawan --keys) can verify and decrypt.
  const keysPath = join(dir, "keys.json");
  const keysDoc = { devices: DEVICES.map((d) => ({ name: d.name, devAddr: d.devAddr, nwkSKey: d.nwkSKey, appSKey: d.appSKey })) };
  writeFileSync(keysPath, JSON.stringify(keysDoc, null, 2) + "\n");

  // 5. The decoded frames go into the recording's metadata beside the ground truth, and a picture.
  const doc = withAnnotations(rec.sigmf!.info.doc, decoded.map((f: Frame) => frameAnnotation(f, rec, rx)));
  writeFileSync(written.meta, stringifySigmf(doc));
  const marks: Mark[] = annotationMarks(openRecording(written.meta)).filter((m) => m.kind !== "other");
  // the first 0.6 s, where SF7, SF8 and SF9 uplinks follow each other; the window suits SF8
  const span = Math.min(rec.samples, Math.round(0.6 * SAMPLE_RATE));
  const view = chooseView(SAMPLE_RATE, span, { sf: 8, bandwidth: BANDWIDTH, width: 1200 });
  const fig = spectrogramFigure(rec, { view, width: 1200, height: 300, rangeDb: 0, marks, title: "chirpkit demo: the first 0.6 s (SF7..SF10 uplinks at 868.1 MHz, sync word 0x34)", quiet: true });
  writeFileSync(join(dir, "spectrogram.png"), figureToPng(fig));

  // 6. Report: the table, and an honest comparison with what was sent.
  const good = rows.filter((r) => r.crc === "ok" && r.mic === "ok").length;
  const missed = sim.truth.filter((t) => !decoded.some((f) => f.crcOk && f.payloadHex === t.payloadHex));
  if (p.values.json) process.stdout.write(records.join(""));
  else {
    process.stdout.write(`chirpkit demo: ${sent.length} uplinks from ${DEVICES.length} devices, SF7..SF10 at 868.1 MHz, ${(sim.iq.length / 2 / SAMPLE_RATE).toFixed(2)} s at ${SAMPLE_RATE / 1e3} kS/s\n\n`);
    process.stdout.write(
      formatTable(rows, [
        { header: "time s", get: (r) => r.timeS.toFixed(3) },
        { header: "device", get: (r) => r.device, align: "left" },
        { header: "SF", get: (r) => r.sf },
        { header: "SNR dB", get: (r) => fixed(r.snrDb, 1) },
        { header: "CFO Hz", get: (r) => fixed(r.cfoHz, 0) },
        { header: "CRC", get: (r) => r.crc, align: "left" },
        { header: "MIC", get: (r) => r.mic, align: "left" },
        { header: "FCnt", get: (r) => r.fCnt },
        { header: "readings", get: (r) => r.readings, align: "left" },
      ]),
    );
    process.stdout.write(`\n${good} of ${sent.length} uplinks decoded with CRC and MIC ok` + (missed.length ? `; missed: ${missed.map((t) => `SF${t.sf} at ${(t.startSample / SAMPLE_RATE).toFixed(3)} s`).join(", ")}` : "") + "\n");
    process.stdout.write(`wrote ${dir}/: recording.sigmf-meta + recording.sigmf-data (cs16, ground truth and decoded frames as annotations), frames.jsonl, keys.json (the example devices' keys), spectrogram.png\n`);
    process.stdout.write(`took ${((Date.now() - t0) / 1000).toFixed(1)} s; next:\n`);
    process.stdout.write(`  npx chirp decode ${written.meta} --sf auto --sync 0x34\n`);
    process.stdout.write(`  npx chirp decode ${written.meta} --sf auto --sync 0x34 --json | npx chirp lorawan - --keys ${keysPath} --lpp\n`);
    process.stdout.write(`  npx chirp spectrogram ${written.meta} --sf auto --sync 0x34 -o ${join(dir, "frames.png")}\n`);
  }
  // Like decode: exit 0 once the recording was made and read; what was missed is in the report.
  return 0;
}
