// The decoder (runs in the worker, see worker.ts): imports the toolkit like any user (chirpkit/rx,
// chirpkit/io, ...), holds the recording, decodes it in chunks (reporting progress), interprets
// payloads as LoRaWAN / Cayenne LPP, and computes waterfalls. The page stays responsive meanwhile.
import { createReceiver, decodeRecordingParallel, type Frame } from "chirpkit/rx";
// the bundler's URL of the parallel decoder's worker module (docs/receiver.md)
import parallelWorkerUrl from "chirpkit/rx/worker?worker&url";
import { formatFromFileName, parseSigmfMeta, readIq, readSigmfArchive, sampleCount, type IqFormat } from "chirpkit/io";
import { decodeFrame as decodeLorawan, toHex } from "chirpkit/lorawan";
import { decodeLpp } from "chirpkit/lpp";
import { computeSpectrogram, detectChirpShape } from "chirpkit/viz";
import { EXAMPLE_KEYS, EXAMPLE_SETTINGS, exampleRecording } from "./example.js";
import { looksLikeLorawan } from "./lorawan-check.js";
import type { DecodeSettings, FrameRow, FromWorker, RecordingInfo, ToWorker, WaterfallData } from "./protocol.js";

interface Recording {
  info: RecordingInfo;
  /** Raw bytes as loaded (re-read when the user changes the sample format of a raw file). */
  bytes: Uint8Array | null;
  iq: Float32Array;
}

let rec: Recording | null = null;

function post(msg: FromWorker, transfer: Transferable[] = []): void {
  (self as unknown as Worker).postMessage(msg, transfer);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function nextPow2(x: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, x)));
}

/** Waterfall of samples [start, end): about `width` rows, an FFT long enough to resolve chirps. */
function waterfall(start: number, end: number, width: number, oversampling = 2, sf = 7): WaterfallData {
  const iq = rec!.iq.subarray(2 * start, 2 * end);
  const n = end - start;
  const fftSize = Math.min(4096, Math.max(32, nextPow2(2 * oversampling * Math.sqrt(2 ** sf))));
  const hop = Math.max(1, Math.floor((n - fftSize) / Math.max(100, width)));
  const s = computeSpectrogram(iq, { fftSize, hop, window: "hann" });
  return { start, end, hop, fftSize, rows: s.rows, cols: s.cols, db: s.db, min: s.min, max: s.max };
}

let viewHint = { oversampling: 2, sf: 7 };

function opened(info: RecordingInfo): void {
  const w = waterfall(0, rec!.iq.length / 2, 1400, viewHint.oversampling, viewHint.sf);
  post({ type: "opened", info, waterfall: w }, [w.db.buffer]);
}

async function open(files: File[], format: IqFormat, sampleRate: number): Promise<void> {
  const byName = (re: RegExp) => files.find((f) => re.test(f.name));
  const archive = byName(/\.sigmf$/i);
  const metaFile = byName(/\.sigmf-meta$/i);
  const dataFile = byName(/\.sigmf-data$/i);
  let metaText: string | null = null;
  let data: Uint8Array;
  let name: string;
  if (archive) {
    const a = readSigmfArchive(new Uint8Array(await archive.arrayBuffer()));
    metaText = a.metaText;
    data = a.data;
    name = archive.name;
  } else if (metaFile || dataFile) {
    if (!metaFile || !dataFile)
      throw new Error("SigMF needs both files: choose the .sigmf-meta and the .sigmf-data together");
    metaText = await metaFile.text();
    data = new Uint8Array(await dataFile.arrayBuffer());
    name = dataFile.name;
  } else {
    if (files.length !== 1) throw new Error("Choose one raw recording (or a SigMF pair)");
    const f = files[0]!;
    data = new Uint8Array(await f.arrayBuffer());
    name = f.name;
    format = formatFromFileName(f.name) ?? format;
  }
  let centerFrequency: number | null = null;
  let rate: number | null = sampleRate;
  let note = "raw I/Q: check the sample format and rate";
  if (metaText !== null) {
    const info = parseSigmfMeta(metaText);
    format = info.format;
    rate = info.sampleRate ?? null;
    centerFrequency = info.centerFrequency ?? null;
    note = `SigMF ${info.datatype}${info.description ? `: ${info.description}` : ""}`;
  }
  const samples = sampleCount(data.byteLength, format, name);
  const iq = readIq(data, format); // typedView inside copies a misaligned tar member
  rec = {
    bytes: metaText === null ? data : null,
    iq,
    info: {
      name,
      format,
      sampleRate: rate,
      centerFrequency,
      samples,
      note,
      suggested: { format, ...(rate ? { sampleRate: rate } : {}) },
    },
  };
  opened(rec.info);
}

function example(): void {
  const s = EXAMPLE_SETTINGS;
  const { iq } = exampleRecording();
  rec = {
    bytes: null,
    iq,
    info: {
      name: "built-in example",
      format: "cf32",
      sampleRate: s.sampleRate,
      centerFrequency: 868_100_000,
      samples: iq.length / 2,
      note: `simulated: SF${s.sf}, ${s.bandwidth / 1000} kHz, ${s.snrDb} dB SNR, ${s.cfoHz} Hz carrier offset, ${s.sfoPpm} ppm clock offset`,
      suggested: {
        format: "cf32",
        sampleRate: s.sampleRate,
        bandwidth: s.bandwidth,
        sf: s.sf,
        syncWord: "any",
        frequencyOffsetHz: 0,
        keys: { ...EXAMPLE_KEYS },
      },
    },
  };
  viewHint = { oversampling: s.sampleRate / s.bandwidth, sf: s.sf };
  opened(rec.info);
}

function printable(bytes: Uint8Array): string | null {
  if (bytes.length === 0) return null;
  for (const b of bytes) if (b < 0x20 || b > 0x7e) return null;
  return new TextDecoder().decode(bytes);
}

/** The table row of one frame: PHY fields, then LoRaWAN and LPP when the payload is one. */
export function row(f: Frame, index: number, s: DecodeSettings): FrameRow {
  const good = f.headerOk && !f.truncated && f.crcOk !== false;
  const payload = f.payload;
  let lorawan: FrameRow["lorawan"] = null;
  let lpp: FrameRow["lpp"] = null;
  let lppError: string | null = null;
  const keys: Record<string, string> = {};
  if (s.keys.nwkSKey) keys.nwkSKey = s.keys.nwkSKey;
  if (s.keys.appSKey) keys.appSKey = s.keys.appSKey;
  if (good && looksLikeLorawan(payload)) {
    try {
      const d = decodeLorawan(payload, { keys });
      // Without keys nothing confirms it is LoRaWAN; with keys a failing MIC says it is not ours.
      if (d.micOk !== false || Object.keys(keys).length === 0) {
        const unchecked = d.micOk === null;
        if (d.kind !== "data") lorawan = { mtype: d.mtype, micOk: d.micOk, decrypted: false, unchecked };
        else
          lorawan = {
            mtype: d.mtype,
            devAddr: d.devAddr.toString(16).padStart(8, "0"),
            fCnt: d.fCnt,
            fPort: d.fPort,
            micOk: d.micOk,
            payloadHex: toHex(d.payload),
            decrypted: d.payloadDecrypted,
            unchecked,
          };
        if (d.kind === "data" && d.payloadDecrypted && d.payload.length > 0 && d.fPort !== 0) {
          try {
            lpp = decodeLpp(d.payload).map((r) => ({ channel: r.channel, name: r.name, value: r.value, unit: r.unit }));
          } catch (e) {
            lppError = message(e);
          }
        }
      }
    } catch {
      lorawan = null; // not a LoRaWAN frame
    }
  }
  return {
    index,
    startSample: f.startSample,
    endSample: f.endSample,
    timeMs: (f.startSample / s.sampleRate) * 1000,
    sf: f.sf,
    bandwidth: f.bandwidth,
    cr: f.cr,
    snrDb: f.snrDb,
    cfoHz: f.cfoHz,
    syncWord: f.syncWord,
    headerOk: f.headerOk,
    crc: f.crc,
    crcOk: f.crcOk,
    confidence: f.confidence,
    truncated: f.truncated,
    payloadHex: f.payloadHex,
    payloadText: printable(payload),
    lorawan,
    lpp,
    lppError,
  };
}

/** Several Web Workers at once, each decoding a segment of the recording (nested in this worker). */
async function decodeInWorkers(s: DecodeSettings, sfs: number[]): Promise<void> {
  const t0 = performance.now();
  const total = rec!.iq.length / 2;
  post({ type: "progress", fraction: 0 });
  const frames = await decodeRecordingParallel(rec!.iq, {
    sampleRate: s.sampleRate,
    bandwidth: s.bandwidth,
    sfs,
    syncWord: s.syncWord,
    frequencyOffsetHz: s.frequencyOffsetHz,
    ...(s.implicit ? { explicitHeader: false, implicit: s.implicit } : {}),
    ...(rec!.info.centerFrequency ? { centerFrequency: rec!.info.centerFrequency } : {}),
    workers: s.workers!,
    workerUrl: parallelWorkerUrl,
    onProgress: (n) => post({ type: "progress", fraction: n / total }),
  });
  const rows = frames.map((f, i) => row(f, i + 1, s));
  const good = frames.some((f) => f.headerOk && !f.truncated);
  // the workers' counters are not returned: the hint says what the recording's shape shows
  const hint = good ? null : emptyHint(s, sfs, null);
  post({ type: "frames", frames: rows, seconds: (performance.now() - t0) / 1000, hint, workers: s.workers! });
}

async function decode(s: DecodeSettings): Promise<void> {
  if (!rec) throw new Error("Open a recording first");
  if (rec.bytes && s.format !== rec.info.format) {
    rec.iq = readIq(rec.bytes, s.format);
    rec.info.format = s.format;
  }
  // "all": one receiver per spreading factor used by LoRaWAN, fed the same samples.
  const sfs = s.sf === "all" ? [7, 8, 9, 10, 11, 12] : [s.sf];
  viewHint = { oversampling: Math.max(1, s.sampleRate / s.bandwidth), sf: sfs[0]! };
  if ((s.workers ?? 1) > 1) return decodeInWorkers(s, sfs);
  const t0 = performance.now();
  const total = rec.iq.length / 2;
  const receivers = sfs.map((sf) =>
    createReceiver({
      sampleRate: s.sampleRate,
      bandwidth: s.bandwidth,
      sf,
      syncWord: s.syncWord,
      frequencyOffsetHz: s.frequencyOffsetHz,
      ...(s.implicit ? { explicitHeader: false, implicit: s.implicit } : {}),
      ...(rec!.info.centerFrequency ? { centerFrequency: rec!.info.centerFrequency } : {}),
    }),
  );
  const frames: Frame[] = [];
  // About 50 progress steps, each at least 16k samples.
  const chunk = Math.max(16384, Math.ceil(total / 50));
  post({ type: "progress", fraction: 0 });
  for (let i = 0; i < total; i += chunk) {
    const end = Math.min(total, i + chunk);
    const samples = rec.iq.subarray(2 * i, 2 * end);
    for (const rx of receivers) frames.push(...rx.push(samples));
    post({ type: "progress", fraction: end / total });
  }
  for (const rx of receivers) frames.push(...rx.flush());
  frames.sort((a, b) => a.startSample - b.startSample);
  const rows = frames.map((f, i) => row(f, i + 1, s));
  const good = frames.some((f) => f.headerOk && !f.truncated);
  const stats = receivers.reduce(
    (a, rx) => ({
      detections: a.detections + rx.stats.detections,
      syncWordRejects: a.syncWordRejects + rx.stats.syncWordRejects,
      headerFailures: a.headerFailures + rx.stats.headerFailures,
    }),
    { detections: 0, syncWordRejects: 0, headerFailures: 0 },
  );
  const hint = good ? null : emptyHint(s, sfs, stats);
  post({ type: "frames", frames: rows, seconds: (performance.now() - t0) / 1000, hint, workers: 1 });
}

const khz = (hz: number) => `${+(hz / 1e3).toFixed(3)} kHz`;

/** Why nothing decoded, in the words of the form (as chirp decode says it on the command line). */
function emptyHint(
  s: DecodeSettings,
  sfs: number[],
  stats: { detections: number; syncWordRejects: number; headerFailures: number } | null,
): string | null {
  const n = Math.min(rec!.iq.length / 2, 1 << 21);
  const shape =
    s.frequencyOffsetHz === 0 ? detectChirpShape(rec!.iq.subarray(0, 2 * n), s.sampleRate, s.bandwidth) : undefined;
  const asked = `SF ${sfs.length === 1 ? sfs[0] : `${sfs[0]}–${sfs[sfs.length - 1]}`} at ${khz(s.bandwidth)}`;
  if (shape && !(Math.abs(shape.bandwidth - s.bandwidth) < 1 && sfs.includes(shape.sf))) {
    const seen = `Nothing decoded: the recording has a LoRa preamble (${shape.symbols} upchirps at ${(shape.start / s.sampleRate).toFixed(3)} s) of SF ${shape.sf} spanning ${khz(shape.bandwidth)} at ${s.sampleRate} S/s, not ${asked}.`;
    if (Math.abs(shape.bandwidth - s.bandwidth) < 1) return `${seen} Choose spreading factor ${shape.sf}.`;
    const trueRate = Math.round((s.sampleRate * s.bandwidth) / shape.bandwidth);
    return `${seen} Either the bandwidth is ${khz(shape.bandwidth)}, or the sample rate is wrong: if the bandwidth is ${khz(s.bandwidth)}, the file was recorded at ${trueRate} S/s.`;
  }
  if (!stats)
    return "Nothing decoded. Decode in 1 worker to see what the receiver saw (preambles, sync words, header checksums).";
  if (stats.headerFailures >= 2 && !s.implicit)
    return `Nothing decoded: the header checksum failed ${stats.headerFailures} times. Implicit-header frames? Give their length and coding rate.`;
  if (stats.syncWordRejects > 0 && s.syncWord !== "any")
    return `Nothing decoded: ${stats.syncWordRejects} preamble(s) had another sync word than ${s.syncWord.toString(16)}. Try "any".`;
  if (stats.detections > 0)
    return `Nothing decoded: ${stats.detections} preamble(s) detected but no frame; check the spreading factor, bandwidth and sync word.`;
  return "Nothing decoded, and nothing in the first seconds looks like a LoRa preamble at these settings: check the sample format and rate.";
}

export async function handle(msg: ToWorker): Promise<void> {
  const during = msg.type === "decode" ? "decode" : msg.type === "view" ? "view" : "open";
  try {
    if (msg.type === "open") await open(msg.files, msg.format, msg.sampleRate);
    else if (msg.type === "example") example();
    else if (msg.type === "decode") await decode(msg.settings);
    else if (msg.type === "view") {
      if (!rec) return;
      const total = rec.iq.length / 2;
      const start = Math.max(0, Math.floor(msg.start));
      const end = Math.min(total, Math.ceil(msg.end));
      const w = waterfall(start, end, msg.width, viewHint.oversampling, viewHint.sf);
      post({ type: "view", waterfall: w }, [w.db.buffer]);
    }
  } catch (err) {
    post({ type: "error", message: message(err), during });
  }
}
