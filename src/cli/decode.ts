// `chirp decode FILE...`: find and decode every LoRa frame in a recording (raw IQ, SigMF pair or
// archive), streamed at constant memory, one receiver per spreading factor; several channels
// (--channel/--offset) go through the gateway receiver (one front end per channel). Several files, a
// directory or a glob go to the batch runner (src/cli/batch.ts).
import { accessSync, constants, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { ChirpError } from "../errors.js";
// Only what a plain decode of one file needs is loaded up front (start-up is part of every run's
// CPU time): collisions, workers, batches, LoRaWAN keys, region plans and hints load when asked for.
import { createChannelSet } from "../rx/wideband.js";
import type { ChannelReceiverOptions, Frame, GatewayOptions, Samples } from "./deps.js";
import { timeOnAir } from "../phy/params.js";
import { stringifySigmf, withAnnotations, type SigmfAnnotation } from "../io/index.js";
import { intFlag, jsonLine, parseCommand, type Help } from "./args.js";
import {
  openRecording,
  openSampleReader,
  readSamples,
  requireRate,
  streamSamples,
  type Recording,
} from "./recording.js";
import {
  adoptMetadata,
  channelOffsets,
  parseRxFlags,
  receiverOptions,
  rxOptionHelp,
  rxOptionSpec,
  type RxFlags,
  withRxSettings,
} from "./rxflags.js";
import { createProgress } from "./progress.js";
import { writeFailure } from "./writer.js";
import { fixed, formatTable } from "./table.js";
import type { Exchange } from "../lorawan/index.js";
import { isBatch, runBatch } from "./batch.js";
import { isLiveSource, liveHelp, liveSpec, rejectLiveFlags } from "./livespec.js";
import { exchangeHelp, exchangeSpec, regionHelp, regionSpec } from "./decodeFlags.js";
import { frameTime, openOutputs, outputHelp, outputSpec, rejectInBatch } from "./outputs.js";

export const summary = "find and decode LoRa frames in recordings (raw IQ or SigMF)";

export const help: Help = {
  name: "decode",
  summary,
  usage: "FILE|DIR|GLOB...|-|FIFO|rtl-tcp://HOST:PORT --sf S [--bw B] [--format F --rate R] [options] [--json]",
  options: [
    ...rxOptionHelp,
    ["--json", "one JSON object per frame per line (receiver field names)"],
    ...outputHelp,
    ...liveHelp,
    ...regionHelp,
    ...exchangeHelp,
    ["--annotate", "write the decoded frames into the SigMF metadata as annotations"],
    [
      "--collisions",
      "one file: decode overlapping frames (capture and interference cancellation; the whole recording in memory)",
    ],
    [
      "--jobs N",
      "batch: decode N files at once (default: number of cores); one file: split it across N workers (default: this process alone)",
    ],
    ["--resume OUT.jsonl", "batch: append frames to OUT.jsonl and skip files already done there"],
    ["--quiet", "no progress on stderr"],
  ],
  examples: [
    "chirp decode capture.sigmf-meta --sf 7 --bw 125000",
    "chirp decode rtl.cu8 --rate 1.024M --sf 7-12 --json",
    "rtl_sdr -f 868.1M -s 1.024M - | chirp decode - --format cu8 --rate 1.024M --center 868.1M --sf 7-12 --sync 0x34 --json",
    "chirp decode rtl-tcp://127.0.0.1:1234 --center 868.1M --rate 1.024M --gain 40 --sf 7-12 --sync 0x34",
    "chirp decode cap.cf32 --rate 250k --sf 7 --implicit --length 12 --cr 1 --sync any",
    "chirp decode 'captures/*.sigmf-meta' --sf 9 --jobs 4 --resume frames.jsonl",
    "chirp decode us915.cs16 --rate 2M --center 904.6M --region us915 --subband 2 --json",
    "chirp decode cap.sigmf-meta --sf 7-12 --sync 0x34 --pcap frames.pcap   (then: wireshark frames.pcap)",
    "chirp decode cap.sigmf-meta --sf 7-12 --sync 0x34 --forward udp://localhost:1700 --gateway-eui 0016c001ff10a235",
    "chirp decode exchange.sigmf-meta --sf 7-9 --sync 0x34 --iq both --keys exchange.keys.json",
  ],
};

export const decodeSpec = {
  ...rxOptionSpec,
  json: { type: "boolean" },
  annotate: { type: "boolean" },
  collisions: { type: "boolean" },
  jobs: { type: "string" },
  resume: { type: "string" },
  quiet: { type: "boolean", short: "q" },
  ...outputSpec,
  ...liveSpec,
  ...regionSpec,
  ...exchangeSpec,
} as const;

/** A frame as a JSON-ready record: the receiver's fields, without the raw bytes. */
export function frameRecord(f: ChannelFrame, sampleRate: number): Record<string, unknown> {
  const { payload: _p, symbols: _s, ...rest } = f as Frame & { symbols?: unknown };
  // the rest is a new object already: timeS goes last in it (no second copy per frame)
  const record: Record<string, unknown> = rest;
  record.timeS = +(f.startSample / sampleRate).toFixed(6);
  return record;
}

/** Decodes a whole recording, streamed; calls onFrame as frames come out. Returns all frames. */
/** A decoded frame and the channel it was found in (offset from the recording's centre, Hz). */
/** With the recording's centre known also the channel's absolute frequency (channelHz) and the
 * carrier as received (frequencyHz = channelHz + cfoHz), as the gateway receiver names them. */
export type ChannelFrame = Frame & { channelOffsetHz?: number; channelHz?: number; frequencyHz?: number };

/** Tags a frame with its channel: the offset, and absolute frequencies when the centre is known. */
function tagChannel(f: Frame, offsetHz: number, center: number | undefined): ChannelFrame {
  const out: ChannelFrame = { ...f, channelOffsetHz: offsetHz };
  if (center !== undefined) {
    out.channelHz = center + offsetHz;
    out.frequencyHz = center + offsetHz + f.cfoHz;
  }
  return out;
}

/** Why a decode may have found nothing: receiver counters summed over channels and SFs. */
export interface DecodeStats {
  detections: number;
  syncWordRejects: number;
  headerFailures: number;
  /** Frames decoded but below --min-confidence (not reported). */
  lowConfidence?: number;
}

/** One hint line when nothing decoded but the receiver saw preambles (undefined otherwise). */
export function emptyDecodeHint(stats: DecodeStats, rx: RxFlags): string | undefined {
  // frames were decoded, so the sync word and header were not the trouble
  if (stats.lowConfidence) {
    const at = rx.base.minConfidence ?? 0.5;
    return `${stats.lowConfidence} frame(s) decoded below --min-confidence ${at} (most such frames are noise): --min-confidence 0 reports them`;
  }
  const hint = syncOrHeaderHint(stats, rx);
  // a downlink's conjugated chirps fool the search into preambles with "another sync word"
  if (hint && !hint.startsWith("header checksum") && (rx.base.iq ?? "normal") === "normal")
    return `${hint} (or, for LoRaWAN downlinks, inverted IQ: --iq both)`;
  return hint;
}

function syncOrHeaderHint(stats: DecodeStats, rx: RxFlags): string | undefined {
  const sync = rx.base.syncWord ?? 0x12;
  // A header checksum is only tried after the sync word matched, so repeated header failures point
  // at an implicit header even when misaligned sync attempts were rejected too; a single one is noise.
  if (stats.headerFailures >= 2 && !rx.base.implicit) {
    return `header checksum failed ${stats.headerFailures} times: implicit header? try --implicit --length N --cr C`;
  }
  if (stats.syncWordRejects > 0 && sync !== "any") {
    const other = sync === 0x34 ? "0x12" : "0x34";
    return `${stats.syncWordRejects} preamble(s) had another sync word than 0x${sync.toString(16).padStart(2, "0")}: try --sync ${other} or --sync any`;
  }
  if (stats.detections > 0) {
    return `${stats.detections} preamble(s) detected but no frame decoded: check --sf, --bw, --sync${rx.base.implicit ? " and the --length/--cr of the implicit header" : ""}`;
  }
  return undefined;
}

/** How the CLI decodes one recording or stream (`decodeRecording`; `decodeRegion` takes the same). */
export interface DecodeRunOptions {
  quiet?: boolean;
  onFrame?: (f: ChannelFrame) => void;
  chunkSamples?: number;
  keep?: boolean;
  stats?: DecodeStats;
  source?: AsyncIterable<{ view: Samples; first: number }>;
  collisions?: boolean;
  /** Workers to split the recording across (src/rx/parallel.ts); 1 or absent: this process. */
  jobs?: number;
}

export async function decodeRecording(
  rec: Recording,
  rx: RxFlags,
  opts: DecodeRunOptions = {},
): Promise<ChannelFrame[]> {
  if (rx.region) return (await import("./region.js")).decodeRegion(rec, rx, opts);
  const offsets = channelOffsets(rx, rec);
  const tagged = offsets.length > 1 || offsets[0] !== 0;
  // Checks every channel against the recording (rate, edges) with the CLI's flag names.
  const perChannel = offsets.flatMap((off) => rx.sfs.map((sf) => ({ off, o: receiverOptions(rx, rec, sf, off) })));
  const frames: ChannelFrame[] = [];
  const take = (f: ChannelFrame) => {
    opts.onFrame?.(f);
    // Kept frames drop their symbol arrays, so memory grows only with the (small) frame count;
    // with keep: false (streamed JSON) nothing is kept at all.
    if (opts.keep !== false) frames.push({ ...f, symbols: new Uint16Array(0) });
  };
  if (opts.collisions) {
    // capture and cancellation work on the whole recording (src/rx/collide.ts)
    const { decodeCollisions, decodeGatewayCollisions } = await import("../rx/collide.js");
    const samples = readSamples(rec) as Samples;
    const center = rec.centerFrequency ?? 0;
    const out: ChannelFrame[] = [];
    if (tagged && gatewayFits(rx, rec, offsets)) {
      for (const g of decodeGatewayCollisions(samples, gatewayOptions(rx, rec, offsets))) {
        const { channelHz, channelIndex: _i, frequencyHz: _f, ...f } = g;
        out.push(tagChannel(f, channelHz - center, rec.centerFrequency));
      }
    } else {
      for (const { off, o } of perChannel)
        for (const f of decodeCollisions(samples, o)) out.push(tagged ? tagChannel(f, off, rec.centerFrequency) : f);
    }
    out.sort((a, b) => a.startSample - b.startSample || (a.channelOffsetHz ?? 0) - (b.channelOffsetHz ?? 0));
    for (const f of out) take(f);
    return frames;
  }
  // One channel receiver per channel: one front end feeding a listener per SF (and polarity), as
  // the gateway receiver does.
  const channelOptions = offsets.map((off): ChannelReceiverOptions => {
    const { sf: _sf, syncWord: _own, ...o } = receiverOptions(rx, rec, rx.sfs[0]!, off);
    const syncWord = rx.base.syncWord;
    return {
      ...o,
      ...(syncWord !== undefined ? { syncWord } : {}),
      ...(rx.syncWords ? { syncWords: rx.syncWords } : {}),
      sfs: rx.sfs,
    };
  });
  if ((opts.jobs ?? 1) > 1 && !opts.source) {
    // the recording cut into segments decoded by workers at once; the same frames as below
    const progress = createProgress("decode", rec.samples, { quiet: opts.quiet ?? false });
    const { decodeInWorkers } = await import("../rx/parallel.js");
    // the workers read their segments from the file themselves; this thread reads its own into one buffer
    const own = openSampleReader(rec);
    let result: Awaited<ReturnType<typeof decodeInWorkers>>;
    try {
      result = await decodeInWorkers(
        {
          total: rec.samples,
          read: own.read,
          views: true,
          file: { path: rec.dataPath, offset: rec.dataOffset, format: rec.format },
        },
        { kind: "channels", channels: channelOptions },
        { workers: opts.jobs!, onProgress: (n) => progress.update(n) },
      );
    } finally {
      own.close();
    }
    progress.done();
    if (opts.stats) {
      opts.stats.detections += result.counts.detections;
      opts.stats.syncWordRejects += result.counts.syncWordRejects;
      opts.stats.headerFailures += result.counts.headerFailures;
      opts.stats.lowConfidence = (opts.stats.lowConfidence ?? 0) + result.counts.lowConfidence;
    }
    for (const { frame, channel } of result.frames) {
      const off = offsets[channel]!;
      take(tagged ? tagChannel(frame, off, rec.centerFrequency) : frame);
    }
    return frames.sort((a, b) => a.startSample - b.startSample || (a.channelOffsetHz ?? 0) - (b.channelOffsetHz ?? 0));
  }
  const set = createChannelSet(channelOptions);
  const each = (fs: Frame[], off: number) => {
    for (const f of fs) take(tagged ? tagChannel(f, off, rec.centerFrequency) : f);
  };
  const push = (view: Samples) => set.push(view).forEach((fs, i) => each(fs, offsets[i]!));
  const flush = () => set.receivers.forEach((r, i) => each(r.flush(), offsets[i]!));
  const collect = () => {
    if (!opts.stats) return;
    for (const r of set.receivers) {
      for (const st of r.stats) {
        opts.stats.detections += st.detections;
        opts.stats.syncWordRejects += st.syncWordRejects;
        opts.stats.headerFailures += st.headerFailures;
        opts.stats.lowConfidence = (opts.stats.lowConfidence ?? 0) + st.lowConfidence;
      }
    }
  };
  const progress = createProgress("decode", rec.samples, { quiet: opts.quiet ?? false });
  try {
    for await (const { view, first } of opts.source ?? streamSamples(rec, opts.chunkSamples ?? 1 << 16)) {
      push(view);
      progress.update(first + view.length / 2);
    }
    flush();
    collect();
  } finally {
    set.dispose();
  }
  progress.done();
  return frames.sort((a, b) => a.startSample - b.startSample || (a.channelOffsetHz ?? 0) - (b.channelOffsetHz ?? 0));
}

/** Whether the gateway receiver can take these channels: its channel filter passes +-BW around each. */
function gatewayFits(rx: RxFlags, rec: Recording, offsets: number[]): boolean {
  const rate = requireRate(rec);
  const bw = rx.base.bandwidth;
  return rate >= 2 * bw && offsets.every((off) => Math.abs(off) <= rate / 2 - bw);
}

function gatewayOptions(rx: RxFlags, rec: Recording, offsets: number[]): GatewayOptions {
  const center = rec.centerFrequency ?? 0;
  const o: GatewayOptions = {
    sampleRate: requireRate(rec),
    centerFrequency: center,
    channels: offsets.map((off) => center + off),
    sfs: rx.sfs,
    bandwidth: rx.base.bandwidth,
    format: rec.format,
  };
  if (rx.syncWords) o.syncWords = rx.syncWords;
  return withRxSettings(o, rx);
}

/** SigMF annotation for a decoded frame: its extent in samples and frequency, and a short label. */
export function frameAnnotation(f: ChannelFrame, rec: Recording, rx: RxFlags): SigmfAnnotation {
  const rate = requireRate(rec);
  // The receiver's end sample includes the clock offset; time on air is the fallback (only when
  // the header was read: a truncated frame may not know its length, coding rate or CRC).
  let count: number | undefined =
    Number.isFinite(f.endSample) && f.endSample > f.startSample ? f.endSample - f.startSample : undefined;
  if (count === undefined && f.cr !== null && f.crc !== null && f.payloadLength !== null) {
    const p = {
      sf: f.sf,
      bandwidth: f.bandwidth,
      cr: f.cr,
      explicitHeader: f.explicitHeader,
      crc: f.crc,
      ldro: rx.base.ldro ?? "auto",
      preambleLength: rx.base.preambleLength ?? 8,
    };
    try {
      count = Math.round(timeOnAir(p, f.payloadLength).seconds * rate);
    } catch {
      count = undefined;
    }
  }
  const crc = f.crcOk === null ? "no CRC" : f.crcOk ? "CRC ok" : "CRC bad";
  const a: SigmfAnnotation = {
    sampleStart: f.startSample,
    label: f.truncated ? `LoRa SF${f.sf} truncated` : `LoRa SF${f.sf} ${crc} ${f.payloadLength} B`,
    comment: f.payloadHex,
    extra: {
      "chirpkit:sf": f.sf,
      "chirpkit:bandwidth": f.bandwidth,
      "chirpkit:cr": f.cr,
      "chirpkit:payload_hex": f.payloadHex,
      "chirpkit:crc_ok": f.crcOk,
      "chirpkit:header_ok": f.headerOk,
      "chirpkit:snr_db": Number.isFinite(f.snrDb) ? +f.snrDb.toFixed(2) : null,
      "chirpkit:cfo_hz": Number.isFinite(f.cfoHz) ? +f.cfoHz.toFixed(1) : null,
      "chirpkit:sync_word": f.syncWord,
      "chirpkit:confidence": +f.confidence.toFixed(3),
    },
  };
  if (count !== undefined) a.sampleCount = count;
  if (rec.centerFrequency !== undefined) {
    const c = rec.centerFrequency + (f.channelOffsetHz ?? 0) + (Number.isFinite(f.cfoHz) ? f.cfoHz : 0);
    a.freqLowerEdge = Math.round(c - f.bandwidth / 2);
    a.freqUpperEdge = Math.round(c + f.bandwidth / 2);
  }
  return a;
}

export function writeAnnotations(rec: Recording, annotations: SigmfAnnotation[]): string {
  if (!rec.sigmf || rec.sigmf.archive || !rec.sigmf.metaPath) {
    throw new ChirpError(
      "BAD_PARAMETER",
      `--annotate needs a SigMF recording (.sigmf-meta + .sigmf-data); ${rec.path} is ${rec.sigmf ? "an archive: extract it first" : "raw IQ"}`,
      { parameter: "annotate" },
    );
  }
  const doc = withAnnotations(rec.sigmf.info.doc, annotations);
  // Written beside and renamed over, so an interrupted run never leaves half a metadata file; a
  // failure names the metadata file, not the temporary one.
  const meta = rec.sigmf.metaPath;
  const tmp = meta + ".tmp";
  try {
    accessSync(meta, constants.W_OK);
    writeFileSync(tmp, stringifySigmf(doc));
    renameSync(tmp, meta);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* never written */
    }
    throw new ChirpError("BAD_PARAMETER", `--annotate cannot write ${meta}: ${writeFailure(e)}`, {
      parameter: "annotate",
    });
  }
  return rec.sigmf.metaPath;
}

export const frameColumns = (rate: number, center?: number, channels = false, dataRates = false) => [
  { header: "time s", get: (f: ChannelFrame) => fixed(f.startSample / rate, 4) },
  { header: "sample", get: (f: ChannelFrame) => f.startSample },
  ...(channels
    ? [
        {
          header: center !== undefined ? "channel MHz" : "offset kHz",
          get: (f: ChannelFrame) =>
            center !== undefined
              ? ((center + (f.channelOffsetHz ?? 0)) / 1e6).toFixed(4)
              : ((f.channelOffsetHz ?? 0) / 1e3).toFixed(1),
        },
      ]
    : []),
  { header: "SF", get: (f: Frame) => f.sf },
  ...(dataRates
    ? [
        { header: "DR", get: (f: ChannelFrame) => (f as { dataRate?: string }).dataRate ?? "-" },
        { header: "BW kHz", get: (f: Frame) => f.bandwidth / 1000 },
      ]
    : []),
  { header: "CR", get: (f: Frame) => (f.cr === null ? "-" : `4/${4 + f.cr}`) },
  { header: "len", get: (f: Frame) => (f.payloadLength === null ? "-" : f.payloadLength) },
  {
    header: "CRC",
    get: (f: Frame) =>
      f.truncated ? "cut" : !f.headerOk ? "hdr bad" : f.crcOk === null ? "none" : f.crcOk ? "ok" : "BAD",
  },
  { header: "conf", get: (f: Frame) => fixed(f.confidence, 2) },
  { header: "SNR dB", get: (f: Frame) => fixed(f.snrDb, 1) },
  { header: "CFO Hz", get: (f: Frame) => fixed(f.cfoHz, 0) },
  { header: "sync", get: (f: Frame) => "0x" + f.syncWord.toString(16).padStart(2, "0") },
  { header: "dir", get: (f: Frame) => (f.invertIq ? "down" : "up") },
  {
    header: "payload",
    get: (f: Frame) => (f.payloadHex.length > 40 ? f.payloadHex.slice(0, 38) + ".." : f.payloadHex),
    align: "left" as const,
  },
];

/**
 * Lines for `out`, gathered and written in blocks: when 64 KB are waiting, when the event loop turns
 * (the decoder yields between chunks of input, so frames still appear as they are found) and at
 * flush. One write per frame cost a system call each (600 frames: about 10 ms of CPU).
 */
function lineWriter(out: NodeJS.WritableStream): { write(line: string): void; flush(): void } {
  let pending = "";
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending === "") return;
    const text = pending;
    pending = "";
    out.write(text);
  };
  return {
    write(line) {
      pending += line;
      if (pending.length >= 1 << 16) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(argv, help, decodeSpec);
  if (!p) return 0;
  const v = p.values;
  if (p.positionals.length === 0) {
    process.stderr.write("chirp decode: give a FILE, DIR or GLOB (chirp decode --help)\n");
    return 2;
  }
  // with --region the plan gives the SFs; --sf then only narrows them
  const rx = parseRxFlags(v.region !== undefined && v.sf === undefined ? { ...v, sf: "5-12" } : v);
  if (v.region !== undefined || v.subband !== undefined)
    (await import("./region.js")).applyRegion(v, rx, v.sf !== undefined);
  const live = p.positionals.length === 1 && isLiveSource(p.positionals[0]!);
  if (v.collisions && (live || isBatch(p.positionals) || v.resume !== undefined || v.region !== undefined)) {
    throw new ChirpError(
      "BAD_PARAMETER",
      "--collisions decodes one file (the whole recording in memory), not a stream or a batch, and not with --region",
      { parameter: "--collisions" },
    );
  }
  if (live) return (await import("./live.js")).runLive(p.positionals[0]!, v, rx);
  rejectLiveFlags(v);
  if (v.jobs !== undefined) intFlag("jobs", v.jobs, 1, 256);
  // --resume keeps the batch runner's bookkeeping.
  if (isBatch(p.positionals) || v.resume !== undefined) {
    rejectInBatch(v);
    return runBatch(p.positionals, v, rx);
  }
  // One file decodes in this process (a child process would only add its start-up); with --jobs N
  // it is cut into segments that N workers decode at once.
  const jobs = v.jobs !== undefined ? intFlag("jobs", v.jobs, 1, (await import("../rx/parallel.js")).MAX_WORKERS) : 1;
  if (jobs > 1 && (v.collisions || v.region !== undefined)) {
    throw new ChirpError(
      "BAD_PARAMETER",
      `--jobs ${jobs} splits one file across workers for the plain decoder; --collisions and --region decode in this process (drop --jobs)`,
      { parameter: "--jobs" },
    );
  }
  // the workers start (and load the toolkit) while this thread opens the recording; this thread decodes a segment too
  if (jobs > 1) (await import("../rx/parallel.js")).prepareWorkers(jobs - 1);
  const rec = openRecording(p.positionals[0]!, rx.flags);
  adoptMetadata(rx, rec);
  const rate = requireRate(rec);
  if (v.annotate && (!rec.sigmf || rec.sigmf.archive)) writeAnnotations(rec, []); // throws the clear message before decoding
  const json = !!v.json;
  // LoRaWAN conversations are followed in time order: frames are then printed at the end
  const lw = v.appkey !== undefined || v.keys !== undefined ? await import("./exchange.js") : null;
  const exchange: Exchange | null = lw ? lw.exchangeFromFlags(v) : null;
  const outputs = await openOutputs(
    v,
    frameTime(rec, rate, {
      channels: rx.channels ?? channelOffsets(rx, rec).map((o) => (rec.centerFrequency ?? 0) + o),
    }),
  );
  const annotations: SigmfAnnotation[] = [];
  const stats: DecodeStats = { detections: 0, syncWordRejects: 0, headerFailures: 0, lowConfidence: 0 };
  let found = 0; // frames with a valid header that are not cut off by the recording's end
  const lines = lineWriter(process.stdout);
  let frames: ChannelFrame[];
  try {
    frames = await decodeRecording(rec, rx, {
      collisions: !!v.collisions,
      jobs,
      quiet: !!v.quiet,
      stats,
      keep: (!json && !outputs.csv) || exchange !== null,
      onFrame: (f) => {
        if (f.headerOk && !f.truncated) found++;
        if (json && !exchange) lines.write(jsonLine(frameRecord(f, rate)));
        outputs.frame(f);
        if (v.annotate) annotations.push(frameAnnotation(f, rec, rx));
      },
    });
  } finally {
    // the frames decoded before a failure are printed too
    lines.flush();
  }
  await outputs.close(!!v.quiet);
  const lorawan = lw && exchange ? frames.map((f) => lw.lorawanOf(f, exchange)) : [];
  if (json && exchange) {
    frames.forEach((f, i) =>
      lines.write(
        jsonLine({ ...frameRecord(f, rate), ...(lorawan[i] ? { lorawan: lw!.lorawanJson(lorawan[i]!) } : {}) }),
      ),
    );
    lines.flush();
  }
  if (!json && !outputs.csv) {
    if (frames.length)
      process.stdout.write(
        formatTable(
          frames,
          frameColumns(
            rate,
            rec.centerFrequency,
            frames.some((f) => f.channelOffsetHz !== undefined),
            !!rx.region,
          ),
        ),
      );
    const good = frames.filter((f) => f.crcOk !== false && f.headerOk && !f.truncated).length;
    process.stdout.write(
      `${frames.length} frame(s), ${good} good, in ${(rec.samples / rate).toFixed(2)} s of ${rec.path}\n`,
    );
    if (exchange) {
      const rows = frames.flatMap((f, i) => (lorawan[i] ? [{ f, d: lorawan[i]! }] : []));
      process.stdout.write(
        `\nLoRaWAN\n${rows.length ? formatTable(rows, lw!.lorawanColumns(rate)) : "no LoRaWAN frame\n"}`,
      );
      const open = exchange.sessions();
      for (const [addr, name] of open) {
        const c = exchange.counters(addr)!;
        process.stdout.write(`session ${addr} (${name}): FCntUp ${c.fCntUp ?? "-"}, FCntDown ${c.fCntDown ?? "-"}\n`);
      }
    }
  }
  // Nothing found: say why when the receiver's counters know (stderr, never in --json stdout).
  const hint =
    found === 0 ? ((await import("./hints.js")).recordingShapeHint(rec, rx) ?? emptyDecodeHint(stats, rx)) : undefined;
  if (hint) process.stderr.write(`chirp decode: ${hint}\n`);
  if (v.annotate) {
    const path = writeAnnotations(rec, annotations);
    if (!v.quiet) process.stderr.write(`wrote ${annotations.length} annotation(s) to ${path}\n`);
  }
  return 0;
}
