// Opening a recording named on the command line: raw IQ (format from --format or the extension),
// SigMF pairs (.sigmf-meta/.sigmf-data) and SigMF archives (.sigmf), with sample rate and centre
// frequency from the metadata. Samples are streamed through one reused buffer (constant memory).
import { closeSync, existsSync, openSync, readFileSync, readSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, sep } from "node:path";
import { ChirpError } from "../errors.js";
import {
  BYTES_PER_SAMPLE,
  checkFormat,
  checkSigmfAgainstData,
  findSigmfMembers,
  formatFromFileName,
  hostIsLittleEndian,
  parseSigmfMeta,
  sampleCount,
  scanTar,
  sigmfPair,
  typedView,
  type IqFormat,
  type SigmfInfo,
} from "../io/index.js";

export interface Recording {
  /** The path the user gave. */
  path: string;
  /** The file holding the samples and where they start in it (archives hold them at an offset). */
  dataPath: string;
  dataOffset: number;
  dataBytes: number;
  format: IqFormat;
  samples: number;
  sampleRate?: number;
  centerFrequency?: number;
  /** LoRa bandwidth chirpkit wrote into the metadata (chirpkit:bandwidth), if any. */
  bandwidth?: number;
  sigmf?: { info: SigmfInfo; metaPath?: string; archive: boolean };
}

export interface RecordingFlags {
  format?: string;
  rate?: number;
  center?: number;
  /** --bw, when given (checked against chirpkit:bandwidth). */
  bandwidth?: number;
}

function ioError(message: string): never {
  throw new ChirpError("IO_ERROR", message);
}

function statFile(path: string, what = "file"): number {
  if (!existsSync(path)) ioError(`${what} not found: ${path}`);
  const st = statSync(path);
  if (st.isDirectory()) ioError(`${path} is a directory, not a recording`);
  // a pipe's size from stat is 0 (or whatever is buffered), and opening it waits for a writer
  if (st.isFIFO() || st.isSocket() || st.isCharacterDevice())
    ioError(
      `${path} is a pipe or device, not a file: chirp decode streams it (chirp decode ${path} --format F --rate R); this command needs a file`,
    );
  return st.size;
}

function readRange(path: string, offset: number, length: number): Uint8Array {
  const fd = openSync(path, "r");
  try {
    const b = new Uint8Array(length);
    const got = readSync(fd, b, 0, length, offset);
    return b.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** Flags that contradict the metadata are an error, not a silent override. */
function agree(flags: RecordingFlags, info: SigmfInfo): void {
  if (flags.format !== undefined && checkFormat(flags.format, "--format") !== info.format) {
    throw new ChirpError(
      "BAD_INPUT",
      `--format ${flags.format} disagrees with the SigMF metadata (core:datatype ${info.datatype} = ${info.format})`,
    );
  }
  if (flags.rate !== undefined && info.sampleRate !== undefined && flags.rate !== info.sampleRate) {
    throw new ChirpError(
      "BAD_INPUT",
      `--rate ${flags.rate} disagrees with the SigMF metadata (core:sample_rate ${info.sampleRate})`,
    );
  }
  if (flags.center !== undefined && info.centerFrequency !== undefined && flags.center !== info.centerFrequency) {
    throw new ChirpError(
      "BAD_INPUT",
      `--center ${flags.center} disagrees with the SigMF metadata (core:frequency ${info.centerFrequency})`,
    );
  }
  const bw = metaBandwidth(info);
  if (flags.bandwidth !== undefined && bw !== undefined && flags.bandwidth !== bw) {
    throw new ChirpError(
      "BAD_INPUT",
      `--bw ${flags.bandwidth} disagrees with the metadata (chirpkit:bandwidth ${bw})`,
      { parameter: "--bw" },
    );
  }
}

/** The LoRa bandwidth chirpkit (simulate, encode) recorded in the metadata. */
function metaBandwidth(info: SigmfInfo): number | undefined {
  const bw = info.doc.global["chirpkit:bandwidth"];
  return typeof bw === "number" && bw > 0 ? bw : undefined;
}

/** The SigMF metadata beside a raw file (rec.cs16 -> rec.sigmf-meta) when it names that file as its dataset. */
export function siblingMeta(path: string): string | undefined {
  const meta = path.replace(/\.[A-Za-z0-9]+$/, "") + ".sigmf-meta";
  if (meta === path || !existsSync(meta)) return undefined;
  try {
    const doc = JSON.parse(readFileSync(meta, "utf8")) as { global?: Record<string, unknown> };
    return doc.global?.["core:dataset"] === basename(path) ? meta : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The file a SigMF `core:dataset` names, confined to the metadata's folder: a relative name
 * without `..` segments that, after following symbolic links, is still inside that folder.
 * Anything else (an absolute path, `../x`, a link out of the folder) is BAD_INPUT: metadata from
 * elsewhere must not make us read arbitrary files.
 */
export function datasetPath(metaPath: string, dataset: unknown): string {
  const allowed = "a file name in the metadata's folder";
  const refuse = (why: string): never => {
    throw new ChirpError("BAD_INPUT", `SigMF core:dataset in ${metaPath} ${why}; allowed: ${allowed}`, {
      parameter: "core:dataset",
      allowed,
    });
  };
  if (typeof dataset !== "string" || dataset.length === 0 || dataset.includes("\0"))
    return refuse("is not a file name");
  if (isAbsolute(dataset) || /^[A-Za-z]:/.test(dataset) || dataset.startsWith("\\"))
    return refuse("is an absolute path");
  if (dataset.split(/[\\/]/).includes("..")) return refuse("leaves the metadata's folder (..)");
  const folder = dirname(metaPath);
  const path = join(folder, dataset);
  if (existsSync(path)) {
    const root = realpathSync(folder);
    const real = realpathSync(path);
    if (real !== root && !real.startsWith(root.endsWith(sep) ? root : root + sep))
      return refuse("is a link that leaves the metadata's folder");
  }
  return path;
}

export function openRecording(path: string, flags: RecordingFlags = {}): Recording {
  if (!hostIsLittleEndian) ioError("this machine is big-endian; raw IQ files are little-endian");
  if (flags.format !== undefined) checkFormat(flags.format, "--format");
  if (/\.sigmf-(meta|data)$/.test(path)) {
    const pair = sigmfPair(path);
    statFile(pair.meta, "SigMF metadata file");
    const info = parseSigmfMeta(readFileSync(pair.meta, "utf8"));
    // A non-conforming dataset (SigMF core:dataset) names its raw data file, e.g. rec.cs16.
    const dataset = info.doc.global["core:dataset"];
    const dataPath = dataset !== undefined ? datasetPath(pair.meta, dataset) : pair.data;
    const bytes = statFile(dataPath, "SigMF data file");
    agree(flags, info);
    const samples = checkSigmfAgainstData(info, bytes, BYTES_PER_SAMPLE[info.format]);
    return withMeta(
      {
        path,
        dataPath,
        dataOffset: 0,
        dataBytes: bytes,
        format: info.format,
        samples,
        sigmf: { info, metaPath: pair.meta, archive: false },
      },
      info,
      flags,
    );
  }
  const size = statFile(path);
  if (/\.sigmf$/.test(path)) {
    const entries = scanTar((o, l) => readRange(path, o, l), size);
    const { meta, data } = findSigmfMembers(entries);
    const info = parseSigmfMeta(new TextDecoder().decode(readRange(path, meta.offset, meta.size)));
    agree(flags, info);
    const samples = checkSigmfAgainstData(info, data.size, BYTES_PER_SAMPLE[info.format]);
    return withMeta(
      {
        path,
        dataPath: path,
        dataOffset: data.offset,
        dataBytes: data.size,
        format: info.format,
        samples,
        sigmf: { info, archive: true },
      },
      info,
      flags,
    );
  }
  // A raw file written with its metadata (chirp simulate -o rec.cs16): read it through the metadata.
  const sibling = siblingMeta(path);
  if (sibling) return { ...openRecording(sibling, flags), path };
  const fmt = flags.format !== undefined ? checkFormat(flags.format, "--format") : formatFromFileName(path);
  if (!fmt) {
    throw new ChirpError(
      "BAD_PARAMETER",
      `cannot tell the sample format of ${path} from its extension; give --format cf32|cs16|cs8|cu8`,
      { parameter: "format", allowed: "cf32, cs16, cs8, cu8" },
    );
  }
  const rec: Recording = {
    path,
    dataPath: path,
    dataOffset: 0,
    dataBytes: size,
    format: fmt,
    samples: sampleCount(size, fmt, path),
  };
  if (flags.rate !== undefined) rec.sampleRate = flags.rate;
  if (flags.center !== undefined) rec.centerFrequency = flags.center;
  return rec;
}

function withMeta(rec: Recording, info: SigmfInfo, flags: RecordingFlags): Recording {
  const rate = info.sampleRate ?? flags.rate;
  if (rate !== undefined) rec.sampleRate = rate;
  const center = info.centerFrequency ?? flags.center;
  if (center !== undefined) rec.centerFrequency = center;
  const bw = metaBandwidth(info);
  if (bw !== undefined) rec.bandwidth = bw;
  return rec;
}

/** The sample rate, from metadata or --rate; a clear error when neither gives it. */
export function requireRate(rec: Recording): number {
  if (rec.sampleRate === undefined) {
    throw new ChirpError("BAD_PARAMETER", `the sample rate of ${rec.path} is unknown; give --rate (e.g. --rate 1M)`, {
      parameter: "rate",
    });
  }
  return rec.sampleRate;
}

export type SampleView = Float32Array | Int16Array | Int8Array | Uint8Array;

/**
 * Streams the samples as typed views (in the file's own format) over one reused buffer of
 * `chunkSamples` complex samples: a view is valid until the next iteration. Memory stays constant
 * whatever the recording's length.
 */
export async function* streamSamples(
  rec: Recording,
  chunkSamples = 1 << 16,
  range?: { start: number; count: number },
): AsyncGenerator<{ view: SampleView; first: number }> {
  const start = range?.start ?? 0;
  const end = Math.min(rec.samples, start + (range?.count ?? rec.samples));
  // Read synchronously (a file, from the page cache): the promise API hands each read to libuv's
  // thread pool and back, about 5 ms of CPU per 64 MB here. The event loop still turns once per
  // chunk, so that output written to a pipe flushes as the frames come (asynchronous pipes on
  // macOS) and the memory stays constant.
  const reader = openSampleReader(rec);
  try {
    for (let s = start; s < end; ) {
      const n = Math.min(chunkSamples, end - s);
      yield { view: reader.read(s, n), first: s };
      s += n;
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    reader.close();
  }
}

/** Reads ranges of samples into one buffer, reused: each view lasts until the next read. */
export function openSampleReader(rec: Recording): { read(start: number, count: number): SampleView; close(): void } {
  const bps = BYTES_PER_SAMPLE[rec.format];
  const fd = openSync(rec.dataPath, "r");
  let buf = new Uint8Array(0);
  return {
    read(start, count) {
      const want = Math.max(0, Math.min(count, rec.samples - start)) * bps;
      if (buf.length < want) buf = new Uint8Array(want);
      for (let got = 0; got < want; ) {
        const n = readSync(fd, buf, got, want - got, rec.dataOffset + start * bps + got);
        if (n === 0) ioError(`${rec.dataPath} ended early (file changed while reading?)`);
        got += n;
      }
      return typedView(buf.subarray(0, want), rec.format);
    },
    close: () => closeSync(fd),
  };
}

/** Reads a range of samples as a new typed array (for small recordings and pictures). */
export function readSamples(rec: Recording, start = 0, count = rec.samples): SampleView {
  const bps = BYTES_PER_SAMPLE[rec.format];
  const n = Math.max(0, Math.min(count, rec.samples - start));
  const bytes = readRange(rec.dataPath, rec.dataOffset + start * bps, n * bps);
  return typedView(bytes, rec.format);
}

/** Throws BAD_INPUT at the first NaN or infinite value (cf32 only can hold one); `first` = index of iq[0..1]. */
export function checkFinite(iq: Float32Array, first: number, format: string): void {
  if (format !== "cf32") return;
  for (let i = 0; i < iq.length; i++) {
    const x = iq[i]!;
    if (x - x !== 0) {
      throw new ChirpError(
        "BAD_INPUT",
        `input sample ${first + (i >> 1)} (${i & 1 ? "Q" : "I"}) is ${x}: cf32 samples must be finite numbers`,
        { parameter: "samples" },
      );
    }
  }
}
