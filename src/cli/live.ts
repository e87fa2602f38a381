// Live input for `chirp decode`: standard input (`-`, /dev/stdin), FIFOs and rtl_tcp servers
// (rtl-tcp://HOST:PORT). Bytes are read as they arrive and pushed through the same receivers as a
// file (decodeRecording), and frames are printed as they complete: one write per JSON line (so a
// pipe reader sees whole lines at once), or one text line per frame. Stops cleanly at the end of
// the input, after --duration seconds of samples, or on Ctrl-C (SIGINT): the receivers are
// flushed, the outputs closed and a summary printed. On a terminal a stats line on stderr every few
// seconds says how much has been read and decoded.
import { closeSync, constants, open, openSync } from "node:fs";
import { Socket } from "node:net";
import { ChirpError } from "../errors.js";
import { BYTES_PER_SAMPLE, checkFormat, formatFromFileName, typedView, type IqFormat } from "../io/index.js";
import { jsonLine, numberFlag, optNumber } from "./args.js";
import { decodeRecording, emptyDecodeHint, frameRecord, type ChannelFrame, type DecodeStats } from "./decode.js";
import { frameTime, openOutputs } from "./outputs.js";
import { requireRate, type Recording, type SampleView } from "./recording.js";
import { adoptMetadata, channelOffsets, type RxFlags } from "./rxflags.js";
import { parseRtlTcpUrl, rtlTcpSource, type ByteChunk } from "./rtltcp.js";
import { crcWord } from "./csv.js";
import { fixed } from "./table.js";

/** Seconds between stats lines on a terminal. */
const STATS_INTERVAL_S = 5;
/** Most complex samples handed to the receivers per push. */
const CHUNK_SAMPLES = 1 << 16;

export { isLiveSource } from "./livespec.js";

/**
 * Whole complex samples of `format` from byte chunks of any size, as views over one reused buffer
 * (valid until the next step); a partial sample is carried into the next chunk, and dropped when a
 * chunk is `fresh` (a new connection). Stops after maxSamples.
 */
export async function* samplesFromBytes(
  chunks: AsyncIterable<ByteChunk>,
  format: IqFormat,
  maxSamples = Infinity,
): AsyncGenerator<{ view: SampleView; first: number }> {
  const bps = BYTES_PER_SAMPLE[format];
  const buf = new Uint8Array(CHUNK_SAMPLES * bps);
  let fill = 0; // bytes in buf
  let first = 0;
  for await (const { bytes, fresh } of chunks) {
    if (fresh) fill -= fill % bps; // a partial sample from the old connection never pairs with new bytes
    let o = 0;
    while (o < bytes.length && first < maxSamples) {
      const n = Math.min(buf.length - fill, bytes.length - o);
      buf.set(bytes.subarray(o, o + n), fill);
      fill += n;
      o += n;
      const whole = Math.min(Math.floor(fill / bps), maxSamples - first);
      if (fill === buf.length || o === bytes.length || whole >= maxSamples - first) {
        if (whole > 0) {
          yield { view: typedView(buf.subarray(0, whole * bps), format), first };
          first += whole;
          buf.copyWithin(0, whole * bps, fill);
          fill -= whole * bps;
        }
      }
    }
    if (first >= maxSamples) return;
  }
}

/** Byte chunks of a readable stream, with a stop() that ends them at the next chunk boundary. */
function streamChunks(stream: NodeJS.ReadableStream & { destroy?: () => void }): {
  chunks: AsyncGenerator<ByteChunk>;
  stop(): void;
} {
  let stopped = false;
  async function* chunks(): AsyncGenerator<ByteChunk> {
    try {
      for await (const b of stream as AsyncIterable<Buffer>) {
        if (stopped) break;
        yield { bytes: new Uint8Array(b.buffer, b.byteOffset, b.byteLength), fresh: false };
      }
    } catch (e) {
      // destroying the stream on SIGINT ends the iteration with a premature-close error
      if (!stopped) throw e;
    }
  }
  return {
    chunks: chunks(),
    stop() {
      stopped = true;
      stream.destroy?.();
    },
  };
}

/** One text line per frame as it completes (the table needs all frames for its widths). */
function textLine(f: ChannelFrame, rate: number): string {
  const ch = f.channelHz !== undefined ? `${(f.channelHz / 1e6).toFixed(4)} MHz  ` : "";
  const dr = (f as { dataRate?: string }).dataRate;
  return `${fixed(f.startSample / rate, 4).padStart(10)} s  ${ch}SF${f.sf}${dr ? ` ${dr}` : ""}  ${crcWord(f).padEnd(6)} SNR ${fixed(f.snrDb, 1).padStart(5)} dB  conf ${fixed(f.confidence, 2)}  ${f.payloadLength ?? "-"} B  ${f.payloadHex}\n`;
}

export async function runLive(source: string, v: Record<string, unknown>, rx: RxFlags): Promise<number> {
  const quiet = !!v.quiet;
  const log = (line: string) => {
    if (!quiet) process.stderr.write(`chirp decode: ${line}\n`);
  };
  // flags that need the whole recording: its metadata file, or its frames in time order at the end
  for (const k of ["annotate", "appkey", "keys", "show-session-keys"]) {
    if (v[k] !== undefined && v[k] !== false)
      throw new ChirpError(
        "BAD_PARAMETER",
        `--${k} needs a recording file, not a stream (decode the stream with --json and pipe it to chirp lorawan - for keys)`,
        { parameter: `--${k}` },
      );
  }
  const rtl = source.startsWith("rtl-tcp://");
  const fifo = !rtl && source !== "-" && source !== "/dev/stdin";
  let format: IqFormat;
  if (rtl) {
    if (rx.flags.format !== undefined && checkFormat(rx.flags.format, "--format") !== "cu8")
      throw new ChirpError("BAD_PARAMETER", `rtl_tcp sends cu8 samples; --format ${rx.flags.format} does not apply`, {
        parameter: "--format",
        allowed: "cu8",
      });
    format = "cu8";
  } else if (rx.flags.format !== undefined) format = checkFormat(rx.flags.format, "--format");
  else {
    const f = fifo ? formatFromFileName(source) : undefined;
    if (!f)
      throw new ChirpError(
        "BAD_PARAMETER",
        `a stream has no file extension to tell its sample format: give --format cf32|cs16|cs8|cu8 (rtl_sdr writes cu8)`,
        { parameter: "--format", allowed: "cf32, cs16, cs8, cu8" },
      );
    format = f;
  }
  const label = rtl ? source : source === "-" ? "stdin" : source;
  const rec: Recording = { path: label, dataPath: "", dataOffset: 0, dataBytes: Infinity, format, samples: Infinity };
  if (rx.flags.rate !== undefined) rec.sampleRate = rx.flags.rate;
  if (rx.flags.center !== undefined) rec.centerFrequency = rx.flags.center;
  adoptMetadata(rx, rec);
  const rate = requireRate(rec);
  const durationS = optNumber("duration", v.duration);
  if (durationS !== undefined && !(durationS > 0))
    throw new ChirpError("BAD_PARAMETER", `--duration ${v.duration} is not allowed`, {
      parameter: "--duration",
      allowed: "a positive number of seconds",
    });
  const maxSamples = durationS !== undefined ? Math.round(durationS * rate) : Infinity;
  if (v.gain !== undefined && !rtl)
    throw new ChirpError(
      "BAD_PARAMETER",
      "--gain only with an rtl-tcp:// source (set the gain of rtl_sdr itself with its -g)",
      { parameter: "--gain" },
    );

  let input: { chunks: AsyncGenerator<ByteChunk>; stop(): void };
  let opened: Promise<void> = Promise.resolve();
  let waiting = false; // a FIFO without a writer yet: Ctrl-C then ends the run at once
  if (rtl) {
    const { host, port } = parseRtlTcpUrl(source);
    if (rec.centerFrequency === undefined)
      throw new ChirpError("BAD_PARAMETER", "--center F is required with rtl-tcp:// (the frequency to tune to)", {
        parameter: "--center",
      });
    const gainDb = v.gain !== undefined ? numberFlag("gain", v.gain) : undefined;
    input = rtlTcpSource({
      host,
      port,
      centerFrequency: rec.centerFrequency,
      sampleRate: rate,
      ...(gainDb !== undefined ? { gainDb } : {}),
      log,
    });
  } else if (fifo) {
    // Opening a FIFO blocks until a writer opens it: say so rather than hang silently. The open runs
    // on a libuv thread; the descriptor is then read as a non-blocking pipe (net.Socket), so that
    // Ctrl-C stops at once even while the writer is idle (a blocking read would hold that thread).
    let inner: ReturnType<typeof streamChunks> | undefined;
    let stopped = false;
    opened = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => process.stderr.write(`chirp decode: waiting for a writer to open the FIFO ${source} (Ctrl-C to stop)\n`),
        500,
      );
      waiting = true;
      open(source, "r", (e, fd) => {
        waiting = false;
        clearTimeout(timer);
        if (e) return reject(new ChirpError("IO_ERROR", `cannot read ${source}: ${e.message}`));
        inner = streamChunks(new Socket({ fd, readable: true, writable: false }));
        if (stopped) inner.stop();
        resolve();
      });
    });
    input = {
      chunks: (async function* () {
        await opened;
        if (inner && !stopped) yield* inner.chunks;
      })(),
      stop() {
        stopped = true;
        inner?.stop();
      },
    };
  } else {
    input = streamChunks(process.stdin);
  }

  const json = !!v.json;
  const outputs = await openOutputs(
    v,
    frameTime(rec, rate, {
      originS: Date.now() / 1000,
      channels: rx.channels ?? channelOffsets(rx, rec).map((o) => (rec.centerFrequency ?? 0) + o),
    }),
  );
  const stats: DecodeStats = { detections: 0, syncWordRejects: 0, headerFailures: 0, lowConfidence: 0 };
  let frames = 0;
  let good = 0;
  let samples = 0;

  // Ctrl-C: stop reading; the receivers are flushed and the summary printed. A second one exits.
  let interrupted = false;
  const onSigint = () => {
    if (waiting) {
      // the read side's open() blocks a libuv thread until a writer comes, and exiting waits for
      // that thread: be the writer for a moment (non-blocking: a reader is there), then leave
      try {
        closeSync(openSync(source, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        /* the writer came meanwhile */
      }
      process.exit(130);
    }
    if (interrupted) process.exit(130);
    interrupted = true;
    input.stop();
  };
  process.on("SIGINT", onSigint);
  const t0 = Date.now();
  let statsShown = false;
  const ticker =
    process.stderr.isTTY && !quiet
      ? setInterval(() => {
          const el = (Date.now() - t0) / 1000;
          statsShown = true;
          process.stderr.write(
            `\r${label}: ${(samples / rate).toFixed(1)} s of samples in ${el.toFixed(0)} s (${(samples / rate / el).toFixed(2)}x real time), ${frames} frame(s), ${good} good   `,
          );
        }, STATS_INTERVAL_S * 1000)
      : undefined;
  ticker?.unref();

  async function* counted() {
    for await (const s of samplesFromBytes(input.chunks, format, maxSamples)) {
      samples = s.first + s.view.length / 2;
      yield s;
    }
  }
  try {
    await opened;
    if (!json && !outputs.csv)
      process.stdout.write(
        `decoding ${label}: ${format}, ${rate} S/s${rec.centerFrequency !== undefined ? `, centre ${rec.centerFrequency} Hz` : ""} (Ctrl-C stops)\n`,
      );
    await decodeRecording(rec, rx, {
      quiet: true,
      keep: false,
      stats,
      source: counted(),
      onFrame: (f) => {
        if (statsShown) {
          // on a shared terminal the frame's line replaces the stats line; the next tick redraws it
          process.stderr.write("\r\x1b[K");
          statsShown = false;
        }
        frames++;
        if (f.headerOk && !f.truncated && f.crcOk !== false) good++;
        if (json) process.stdout.write(jsonLine(frameRecord(f, rate)));
        else if (!outputs.csv) process.stdout.write(textLine(f, rate));
        outputs.frame(f);
      },
    });
  } finally {
    process.off("SIGINT", onSigint);
    if (ticker) {
      clearInterval(ticker);
      if (statsShown) process.stderr.write("\r\x1b[K");
    }
    input.stop();
    await outputs.close(quiet);
  }
  const why = interrupted
    ? "stopped (Ctrl-C)"
    : samples >= maxSamples
      ? `after --duration ${durationS} s`
      : "end of input";
  const line = `${frames} frame(s), ${good} good, in ${(samples / rate).toFixed(2)} s of ${label} (${why})`;
  if (!json && !outputs.csv) process.stdout.write(line + "\n");
  else log(line);
  const hint = good === 0 ? emptyDecodeHint(stats, rx) : undefined;
  if (hint) log(hint);
  return 0;
}
