// `npm start` = `chirp demo`: a smart-city recording from start to finish. Five LoRaWAN devices
// (waste bins, an air-quality station, a bridge vibration sensor, a street thermometer) join the
// network (OTAA: join request, join accept from the gateway with inverted IQ), then send Cayenne
// LPP readings at SF7..SF10 through a day (three rounds, the hours between them left out); the
// network answers a confirmed uplink with an ACK and sends one ADR command. Each device has its own
// crystal error (carrier and clock offset) and distance (SNR). The channel simulator makes the
// recording, it is written as SigMF, then read back and decoded like any capture, uplinks and
// downlinks in one pass (one receiver per SF, both IQ polarities), the conversations followed
// (join accepts decrypted with the AppKeys, session keys derived, MICs verified, payloads
// decrypted), readings decoded, and a table printed. Recording, frames (JSON lines), the devices'
// keys and a spectrogram PNG go into a folder.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createExchange, toHex, type ExchangeFrame } from "../lorawan/index.js";
import { decodeLpp, type LppInput } from "../lpp/index.js";
import { conversationKeysFile, lorawanConversation, type ConversationDevice } from "./exchange.js";
import { stringifySigmf, withAnnotations } from "../io/index.js";
import { intFlag, jsonLine, parseCommand, type Help } from "./args.js";
import { simulate, type Frame } from "./deps.js";
import { openRecording } from "./recording.js";
import { parseRxFlags } from "./rxflags.js";
import { decodeRecording, frameAnnotation, frameRecord } from "./decode.js";
import { truthAnnotation } from "./simulate.js";
import { annotationMarks, chooseView, spectrogramFigure, type Mark } from "./spectrogram.js";
import { figureToPng } from "./figure.js";
import { writeRecording } from "./writer.js";
import { fixed, formatTable } from "./table.js";

export const summary =
  "simulate, decode and print a smart-city LoRaWAN recording: joins, uplinks and downlinks (npm start)";

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
const SAMPLE_RATE = 250e3; // 2 samples per chip, as a cheap SDR capture would be resampled to

/** Example OTAA identities and AppKeys (LoRaWAN 1.0), made up for this demo; never use them on a network. */
interface Device {
  name: string;
  devEui: string;
  appKey: string;
  /** Assigned by the network in the join accept. */
  devAddr: string;
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
    devEui: "70b3d57ed0011f01",
    appKey: "2b7e151628aed2a6abf7158809cf4f3c",
    devAddr: "26011f01",
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
    devEui: "70b3d57ed0011f02",
    appKey: "3c4fcf098815f7aba6d2ae2816157e2b",
    devAddr: "26011f02",
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
    devEui: "70b3d57ed0011f03",
    appKey: "a1b2c3d4e5f60718293a4b5c6d7e8f90",
    devAddr: "26011f03",
    sf: 9,
    ppm: 12.0,
    snrDb: -7,
    labels: { 1: ["accel x/y/z", " g"], 2: ["vibration peak", " Hz"] },
    readings: (_k, r) => [
      {
        channel: 1,
        type: "accelerometer",
        value: [
          +(0.012 * (r() - 0.5)).toFixed(3),
          +(0.02 * (r() - 0.5)).toFixed(3),
          +(1 + 0.04 * (r() - 0.5)).toFixed(3),
        ],
      },
      { channel: 2, type: "frequency", value: 3 + Math.round(2 * r()) },
    ],
  },
  {
    name: "street-temp-9",
    devEui: "70b3d57ed0011f04",
    appKey: "00112233445566778899aabbccddeeff",
    devAddr: "26011f04",
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
    devEui: "70b3d57ed0011f05",
    appKey: "5f4e3d2c1b0a99887766554433221100",
    devAddr: "26011f05",
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

function showReading(
  d: Device | undefined,
  r: { channel: number; name: string; value: number | number[]; unit: string },
): string {
  const [label, unit] = d?.labels[r.channel] ?? [r.name];
  const v = Array.isArray(r.value) ? r.value.join("/") : String(r.value);
  return `${label} ${v}${unit ?? (r.unit === "%RH" ? "%" : r.unit === "g" ? " g" : r.unit)}`;
}

interface Row {
  timeS: number;
  device: string;
  dir: "up" | "down";
  sf: number;
  snrDb: number;
  cfoHz: number;
  crc: string;
  mic: string;
  fCnt: number | null;
  content: string;
}

/** Times of day of the rounds of uplinks (the hours between them are left out of the recording). */
const ROUNDS = ["07:00", "13:00", "19:00"];

/** What the table says about a frame of the conversation. */
function contentOf(lw: ExchangeFrame, d: Device | undefined): string {
  if (lw.kind === "join-request") return "join request";
  if (lw.kind === "join-accept")
    return lw.exchange.kind === "joined"
      ? `join accept: DevAddr ${lw.exchange.devAddr}, session keys derived`
      : "join accept not verified: nothing derived";
  if (lw.kind !== "data") return lw.mtype;
  const parts: string[] = [];
  if (lw.fCtrl.ack) parts.push("ACK");
  for (const c of lw.macCommands)
    parts.push(c.name === "LinkADRReq" ? `LinkADRReq (DR${c.fields.dataRate}, power ${c.fields.txPower})` : c.name);
  if (lw.confirmed) parts.push("confirmed");
  const readings =
    lw.micOk && lw.payloadDecrypted && lw.payload.length > 0 && lw.fPort !== 0 ? decodeLpp(lw.payload) : [];
  if (readings.length) parts.push(readings.map((r) => showReading(d, r)).join(", "));
  return parts.join("; ");
}

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(
    argv,
    help,
    { out: { type: "string" }, seed: { type: "string" }, json: { type: "boolean" } },
    false,
  );
  if (!p) return 0;
  const t0 = Date.now();
  const dir = String(p.values.out ?? "chirp-demo");
  const seed = intFlag("seed", p.values.seed, 0, 0xffffffff, 1);
  const rnd = mulberry(seed);
  mkdirSync(dir, { recursive: true });

  // 1. The conversation: every device joins, then a day of LPP uplinks; the network ACKs a
  //    confirmed uplink of the bridge sensor and moves the air station to DR5 (LinkADRReq).
  const sent: ConversationDevice[] = DEVICES.map((d) => ({
    name: d.name,
    devEui: d.devEui,
    joinEui: "70b3d57ed0000000",
    appKey: d.appKey,
    devAddr: d.devAddr,
    sf: d.sf,
    ppm: d.ppm,
    snrDb: d.snrDb,
    readings: (k: number): LppInput[] => d.readings(k, rnd),
  }));
  const talk = lorawanConversation(sent, {
    uplinks: ROUNDS.length,
    gapSamples: 0,
    confirmed: (name, k) => name === "bridge-vib-2" && k === 1,
    adr: (name, k) => name === "air-station-4" && k === 0,
  });
  const byName = new Map(DEVICES.map((d) => [d.name, d]));
  // random gaps; a downlink follows its uplink after a short RX1 delay (1 s on real networks)
  for (const [i, f] of talk.frames.entries()) {
    f.gapSamples =
      talk.steps[i]!.direction === "down"
        ? Math.round(0.03 * SAMPLE_RATE)
        : Math.round((0.02 + 0.1 * rnd()) * SAMPLE_RATE);
    f.cfoHz =
      talk.steps[i]!.direction === "down" ? 0.5e-6 * CENTER : byName.get(talk.steps[i]!.device)!.ppm * 1e-6 * CENTER;
  }
  const ups = talk.steps.filter((s) => s.direction === "up" && s.mtype !== "JoinRequest").length;
  const downs = talk.steps.filter((s) => s.direction === "down" && s.mtype !== "JoinAccept").length;

  // 2. The radio channel: each device's crystal error and distance, noise.
  const sim = await simulate({
    frames: talk.frames,
    sampleRate: SAMPLE_RATE,
    snrDb: 6, // sets the noise floor: the strongest device is 6 dB above it
    leadSamples: Math.round(0.05 * SAMPLE_RATE),
    tailSamples: Math.round(0.05 * SAMPLE_RATE),
    seed,
  });
  const written = writeRecording(join(dir, "recording"), sim.iq, {
    format: "cs16",
    sampleRate: SAMPLE_RATE,
    centerFrequency: CENTER,
    description: `chirpkit demo: ${DEVICES.length} smart-city devices join (OTAA) and send ${ups} LoRaWAN uplinks, ${downs} downlinks (inverted IQ), SF7..SF10, 125 kHz, crystal errors and noise`,
    annotations: sim.truth.map((t, i) => ({
      ...truthAnnotation(t, CENTER),
      label: `truth ${talk.steps[i]!.direction} ${talk.steps[i]!.mtype}`,
    })),
  });

  // 3. Decode the recording from disk like any capture: one receiver per SF, uplinks and downlinks.
  const rec = openRecording(written.meta);
  const rx = parseRxFlags({ sf: "7-10", bw: String(BANDWIDTH), sync: "0x34", iq: "both" });
  const decoded = await decodeRecording(rec, rx, { quiet: true });

  // 4. LoRaWAN: follow each conversation (join accepts decrypted with the AppKeys, session keys
  //    derived when their MIC verifies), verify MICs, decrypt, decode the LPP readings.
  const exchange = createExchange(DEVICES.map((d) => ({ name: d.name, devEui: d.devEui, appKey: d.appKey })));
  const rows: Row[] = [];
  const records: string[] = [];
  let round = -1;
  const roundOf: (string | null)[] = [];
  for (const f of decoded) {
    const row: Row = {
      timeS: f.startSample / SAMPLE_RATE,
      device: "?",
      dir: f.invertIq ? "down" : "up",
      sf: f.sf,
      snrDb: f.snrDb,
      cfoHz: f.cfoHz,
      crc: f.crcOk === null ? "none" : f.crcOk ? "ok" : "BAD",
      mic: "-",
      fCnt: null,
      content: "",
    };
    const record: Record<string, unknown> = { ...frameRecord(f, SAMPLE_RATE) };
    if (f.headerOk && !f.truncated && f.crcOk !== false) {
      try {
        const lw = exchange.decode(f.payload);
        const d = lw.device ? byName.get(lw.device) : undefined;
        row.device = lw.device ?? "?";
        row.mic = lw.micOk === null ? "no key" : lw.micOk ? (lw.replay ? "replay" : "ok") : "BAD";
        if (lw.kind === "data") row.fCnt = lw.fCnt32;
        row.content = contentOf(lw, d);
        const readings =
          lw.kind === "data" && lw.micOk && lw.payloadDecrypted && lw.payload.length > 0 && lw.fPort !== 0
            ? decodeLpp(lw.payload)
            : [];
        record.lorawan = {
          mtype: lw.mtype,
          device: lw.device,
          event: lw.exchange.kind,
          micOk: lw.micOk,
          ...(lw.kind === "data"
            ? {
                devAddr: lw.devAddr.toString(16).padStart(8, "0"),
                fCnt: lw.fCnt32,
                fPort: lw.fPort,
                payloadHex: toHex(lw.payload),
              }
            : {}),
        };
        record.readings = readings;
        if (lw.kind === "data" && lw.direction === "up" && lw.fCnt32 > round) round = lw.fCnt32;
      } catch (e) {
        row.content = `not LoRaWAN: ${(e as Error).message}`;
      }
    }
    roundOf.push(round >= 0 ? ROUNDS[Math.min(round, ROUNDS.length - 1)]! : "join");
    rows.push(row);
    records.push(jsonLine(record));
  }
  writeFileSync(join(dir, "frames.jsonl"), records.join(""));
  // The example AppKeys, so that the next command (chirp decode --keys) can follow the conversations.
  const keysPath = join(dir, "keys.json");
  writeFileSync(keysPath, JSON.stringify(conversationKeysFile(sent), null, 2) + "\n");

  // 5. The decoded frames go into the recording's metadata beside the ground truth, and a picture.
  const doc = withAnnotations(
    rec.sigmf!.info.doc,
    decoded.map((f: Frame) => frameAnnotation(f, rec, rx)),
  );
  writeFileSync(written.meta, stringifySigmf(doc));
  const marks: Mark[] = annotationMarks(openRecording(written.meta)).filter((m) => m.kind !== "other");
  // the first 0.6 s, where the joins begin (requests and accepts, SF7..SF9); the window suits SF8
  const span = Math.min(rec.samples, Math.round(0.6 * SAMPLE_RATE));
  const view = chooseView(SAMPLE_RATE, span, { sf: 8, bandwidth: BANDWIDTH, width: 1200 });
  const fig = spectrogramFigure(rec, {
    view,
    width: 1200,
    height: 300,
    rangeDb: 0,
    marks,
    title:
      "chirpkit demo: the first 0.6 s (join requests up, join accepts down with inverted IQ; 868.1 MHz, sync word 0x34)",
    quiet: true,
  });
  writeFileSync(join(dir, "spectrogram.png"), figureToPng(fig));

  // 6. Report: the table, and an honest comparison with what was sent.
  const good = rows.filter((r) => r.crc !== "BAD" && r.mic === "ok").length;
  const missed = sim.truth.filter(
    (t) => !decoded.some((f) => f.crcOk !== false && f.headerOk && !f.truncated && f.payloadHex === t.payloadHex),
  );
  if (p.values.json) process.stdout.write(records.join(""));
  else {
    process.stdout.write(
      `chirpkit demo: ${DEVICES.length} devices join (OTAA), then ${ups} uplinks through a day and ${downs} downlinks, SF7..SF10 at 868.1 MHz, ${(sim.iq.length / 2 / SAMPLE_RATE).toFixed(2)} s at ${SAMPLE_RATE / 1e3} kS/s (the hours between rounds left out)\n\n`,
    );
    process.stdout.write(
      formatTable(
        rows.map((r, i) => ({ ...r, hour: roundOf[i]! })),
        [
          { header: "time s", get: (r) => r.timeS.toFixed(3) },
          { header: "day", get: (r) => r.hour, align: "left" },
          { header: "device", get: (r) => r.device, align: "left" },
          { header: "dir", get: (r) => r.dir, align: "left" },
          { header: "SF", get: (r) => r.sf },
          { header: "SNR dB", get: (r) => fixed(r.snrDb, 1) },
          { header: "CFO Hz", get: (r) => fixed(r.cfoHz, 0) },
          { header: "CRC", get: (r) => r.crc, align: "left" },
          { header: "MIC", get: (r) => r.mic, align: "left" },
          { header: "FCnt", get: (r) => r.fCnt },
          { header: "content", get: (r) => r.content, align: "left" },
        ],
      ),
    );
    process.stdout.write(
      `\n${good} of ${sim.truth.length} frames (${DEVICES.length} joins, ${ups} uplinks, ${downs} downlinks) decoded, MIC ok (uplinks with a good CRC, downlinks without one as LoRaWAN sends them)` +
        (missed.length
          ? `; missed: ${missed.map((t) => `SF${t.sf} at ${(t.startSample / SAMPLE_RATE).toFixed(3)} s`).join(", ")}`
          : "") +
        "\n",
    );
    process.stdout.write(
      `wrote ${dir}/: recording.sigmf-meta + recording.sigmf-data (cs16, ground truth and decoded frames as annotations), frames.jsonl, keys.json (the example devices' AppKeys), spectrogram.png\n`,
    );
    process.stdout.write(`took ${((Date.now() - t0) / 1000).toFixed(1)} s; next:\n`);
    process.stdout.write(`  npx chirp decode ${written.meta} --sf 7-10 --sync 0x34 --iq both\n`);
    process.stdout.write(`  npx chirp decode ${written.meta} --sf 7-10 --sync 0x34 --iq both --keys ${keysPath}\n`);
    process.stdout.write(
      `  npx chirp spectrogram ${written.meta} --sf 7-10 --sync 0x34 --iq both -o ${join(dir, "frames.png")}\n`,
    );
  }
  // Like decode: exit 0 once the recording was made and read; what was missed is in the report.
  return 0;
}
