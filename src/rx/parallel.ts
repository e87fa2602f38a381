/**
 * One long recording decoded on several cores: cut into consecutive segments, one per worker
 * (worker_threads in Node, Web Workers in browsers: the same worker module, src/rx/worker.ts,
 * handed the Wasm module this realm compiled), and the segments' frames merged.
 *
 *   cuts 0 = b0 < b1 < ... < bN = total; worker i decodes [b_i - overlap, b_(i+1) + overlap)
 *
 * The overlap is the longest frame the options allow (255 bytes at CR 4/8, or the implicit
 * length; the longest preamble and header block) plus the search's windows and a margin, so a
 * frame that starts in a worker's segment ends inside what that worker reads, and a frame in
 * flight at a cut is seen from its start by the next worker too (its receiver is then in the
 * state one receiver over the whole recording would be in). Each frame is reported by the worker
 * whose segment contains its start; one found by both workers of a cut (their estimates of its
 * start may fall on either side) is reported once. Cuts are placed where the front end's
 * decimation, mixer and IQ-correction blocks line up with the whole recording's, so a worker
 * filters the samples exactly as one receiver would.
 */
import { checkSamples } from "../check.js";
import { ChirpError, badParameter, checkInt } from "../errors.js";
import { elementsPerSample, type SampleFormat } from "../dsp/formats.js";
import { compiledModules } from "../wasm/instantiate.js";
import { createChannelReceiver, type ChannelReceiverOptions } from "./channel.js";
import { createGatewayReceiver, type GatewayFrame, type GatewayOptions } from "./gateway.js";
import { SEARCH_WINDOWS } from "./kernel.js";
import { resolveOptions } from "./options.js";
import {
  byStart,
  createSegmentDecoder,
  type IqSnapshot,
  sharedNow,
  type SegmentBounds,
  type SegmentCounts,
  type SegmentFrame,
  type SegmentJob,
  type SegmentTiming,
} from "./segment.js";
import type { Frame, ReceiverOptions, Samples } from "./types.js";

/** Most workers one call starts. */
export const MAX_WORKERS = 64;

export interface ParallelOptions {
  /**
   * Workers to use at most, 1..64 (default: the machine's cores). A recording is cut into no more
   * segments than it holds overlaps (see decodeRecordingParallel), so a short one may use fewer.
   */
  workers?: number;
  /**
   * The worker module, `chirpkit/rx/worker` (default: worker.js beside this module, which is where
   * it is in Node and in an unbundled page). A bundled page passes the bundler's URL of it, e.g.
   * with Vite `import workerUrl from "chirpkit/rx/worker?worker&url"` (and `worker: { format: "es" }`).
   * In Node a string is a path or a file: URL.
   */
  workerUrl?: string | URL;
  /**
   * This thread decodes the last segment itself (default true), feeding the workers between its
   * chunks: one worker fewer to start, and that segment's samples are not copied. false leaves
   * every segment to workers (a page's UI thread then stays free).
   */
  thisThread?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Messages between this module and its workers (structured clone; sample buffers transferred).

/** The parent's messages to a worker. */
export type ToWorker =
  /**
   * The first message, posted as the worker is made: the Wasm modules compiled by the parent
   * (instantiated by the worker instead of compiling its own), and the worker loads the decoder at
   * once, while it waits for its first segment.
   */
  | { type: "load"; modules: Record<string, WebAssembly.Module> }
  | {
      type: "start";
      job: SegmentJob;
      bounds: SegmentBounds;
      /** The worker reads its samples from this file itself (Node): "read" messages then stand for "samples". */
      file?: SampleFile;
    }
  | { type: "samples"; samples: Samples }
  | { type: "read"; first: number; count: number }
  /** Another thread decodes the segment's end: frames are kept up to `keepTo` now. */
  | { type: "narrow"; keepTo: number }
  | { type: "end" };

/** A worker's messages to its parent. */
export type FromWorker =
  /**
   * After each chunk: the segment's samples consumed (the parent then sends the next chunk, or the
   * end once the worker is done: every frame it keeps has come out), and the chunk's buffer back
   * for the next copy.
   */
  | {
      type: "consumed";
      samples: number;
      done: boolean;
      buffer?: ArrayBuffer;
      frames?: SegmentFrame[];
      iq?: IqSnapshot;
    }
  /** The segment's end: the frames not sent with a "consumed" yet. */
  | { type: "frames"; frames: SegmentFrame[]; counts: SegmentCounts; timing: SegmentTiming }
  | { type: "error"; code: string; message: string; parameter?: string; allowed?: string };

// ---------------------------------------------------------------------------------------------
// Workers: the one interface over Node's worker_threads and the Web Worker.

interface WorkerPort {
  post(msg: ToWorker, transfer?: Transferable[]): void;
  terminate(): void;
  /** Routes the worker's messages and failures to `on` (null while it waits in the pool). */
  attach(on: WorkerEvents | null): void;
  /** Node: whether the worker keeps the process alive (not while it waits in the pool). */
  keepAlive(yes: boolean): void;
  readonly url: string;
  /**
   * Buffers the worker sent back, for the next copies of a caller's memory: kept while the worker
   * waits in the pool, so a call does not touch new pages (a few MB each) for its first chunks.
   */
  readonly buffers: ArrayBuffer[];
}

interface WorkerEvents {
  message(msg: FromWorker): void;
  /** The worker stopped or failed outside a reply (could not load, crashed, exited). */
  fail(reason: string): void;
}

// Hidden from bundlers: a browser build never takes the Node branch.
const NODE_WORKER_THREADS = "node:worker_threads";
const NODE_OS = "node:os";

/** Whether this realm has the Web Worker API (browsers, Deno, Bun); Node has worker_threads. */
const hasWebWorkers = (): boolean => typeof (globalThis as { Worker?: unknown }).Worker === "function";

/**
 * The worker module beside this one. Named through a variable: a bundler that saw the literal
 * `new Worker(new URL("./worker.js", import.meta.url))` would bundle the worker in its own default
 * format, which may not allow the toolkit's top-level await (Vite's is iife); a bundled page
 * passes `workerUrl` instead (docs/receiver.md).
 */
const WORKER_FILE = "./worker.js";

/** A new worker, told at once to load the decoder (it does so while the parent gets its segment ready). */
async function spawnWorker(workerUrl: string | URL | undefined): Promise<WorkerPort> {
  const port = await newWorker(workerUrl);
  port.post({ type: "load", modules: compiledModules() });
  return port;
}

async function newWorker(workerUrl: string | URL | undefined): Promise<WorkerPort> {
  const url = workerUrl ?? new URL(WORKER_FILE, import.meta.url);
  let on: WorkerEvents | null = null;
  let gone = false;
  // a failure while the worker waits in the pool drops it from the pool
  const fail = (reason: string) => {
    if (on) on.fail(reason);
    else if (!gone) drop(port);
  };
  let port: WorkerPort;
  if (hasWebWorkers()) {
    const w = new Worker(url, { type: "module" });
    w.onmessage = (e: MessageEvent<FromWorker>) => on?.message(e.data);
    w.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      fail(
        e.message ||
          `the worker module ${String(url)} could not be loaded or threw (in a bundled page, pass workerUrl: the bundler's URL of chirpkit/rx/worker)`,
      );
    };
    w.onmessageerror = () => fail("a message from the worker could not be read");
    port = {
      post: (m, t = []) => w.postMessage(m, t),
      terminate: () => {
        gone = true;
        w.terminate();
      },
      attach: (x) => {
        on = x;
      },
      keepAlive: () => {},
      url: String(url),
      buffers: [],
    };
    return port;
  }
  const { Worker: NodeWorker } = (await import(
    /* @vite-ignore */ NODE_WORKER_THREADS
  )) as typeof import("node:worker_threads");
  const w = new NodeWorker(typeof url === "string" && /^file:/.test(url) ? new URL(url) : url);
  w.on("message", (m: FromWorker) => on?.message(m));
  w.on("error", (e: Error) => fail(e.message));
  w.on("messageerror", () => fail("a message from the worker could not be read"));
  w.on("exit", (code: number) => {
    if (!gone) fail(`the worker exited (code ${code})`);
    gone = true;
  });
  port = {
    post: (m, t = []) => w.postMessage(m, t as never),
    terminate: () => {
      gone = true;
      void w.terminate();
    },
    attach: (x) => {
      on = x;
    },
    keepAlive: (yes) => (yes ? w.ref() : w.unref()),
    url: String(url),
    buffers: [],
  };
  return port;
}

// ---------------------------------------------------------------------------------------------
// Workers that finished a segment wait a little for the next call: a started worker has loaded
// the toolkit and its JavaScript has been compiled for this work, which a new one pays again
// (in Node about 0.08 s of CPU to start and 0.1 s more over its first 16 M samples).

/** How long a worker waits in the pool before it is terminated. */
export const IDLE_WORKER_MS = 2000;

const pool: { port: WorkerPort; timer: ReturnType<typeof setTimeout> }[] = [];

function drop(port: WorkerPort): void {
  const i = pool.findIndex((p) => p.port === port);
  if (i >= 0) {
    clearTimeout(pool[i]!.timer);
    pool.splice(i, 1);
  }
  port.terminate();
}

/** Workers being made by prepareWorkers, by module URL: the next calls take them as they come. */
const starting: { url: string; port: Promise<WorkerPort> }[] = [];

const urlOf = (workerUrl: string | URL | undefined): string =>
  String(workerUrl ?? new URL(WORKER_FILE, import.meta.url));

/** A waiting worker of the same module, one being made, or a new one. */
async function acquire(workerUrl: string | URL | undefined, on: WorkerEvents): Promise<WorkerPort> {
  const url = urlOf(workerUrl);
  const i = pool.findIndex((p) => p.port.url === url);
  const j = starting.findIndex((p) => p.url === url);
  let port: WorkerPort;
  if (i >= 0) {
    const [p] = pool.splice(i, 1);
    clearTimeout(p!.timer);
    port = p!.port;
  } else if (j >= 0) port = await starting.splice(j, 1)[0]!.port;
  else port = await spawnWorker(workerUrl);
  port.attach(on);
  port.keepAlive(true);
  return port;
}

/**
 * Starts workers for a call that is coming (up to `count` waiting or starting ones of that module):
 * a worker takes a while to start and load the toolkit (in Node about 0.1 s), which it then does
 * while the caller is still getting ready (the CLI: opening the recording) instead of at the call.
 * They wait in the pool as workers that finished a segment do (IDLE_WORKER_MS).
 */
export function prepareWorkers(count: number, workerUrl?: string | URL): void {
  checkInt("count", count, 0, MAX_WORKERS);
  const url = urlOf(workerUrl);
  const have = pool.filter((p) => p.port.url === url).length + starting.filter((p) => p.url === url).length;
  for (let k = have; k < count; k++) {
    const entry = { url, port: spawnWorker(workerUrl) };
    starting.push(entry);
    entry.port.then(
      (port) => {
        // not taken by a call yet: it waits in the pool from now
        const at = starting.indexOf(entry);
        if (at < 0) return;
        starting.splice(at, 1);
        release(port);
      },
      () => {
        const at = starting.indexOf(entry);
        if (at >= 0) starting.splice(at, 1);
      },
    );
  }
}

/** Puts a worker that finished its segment (its receiver disposed) back in the pool. */
function release(port: WorkerPort): void {
  port.attach(null);
  port.keepAlive(false);
  // the buffers the next call's chunks need (those of a priming's are let go)
  port.buffers.length = Math.min(port.buffers.length, IN_FLIGHT);
  const timer = setTimeout(() => drop(port), IDLE_WORKER_MS);
  (timer as { unref?: () => void }).unref?.();
  pool.push({ port, timer });
}

/** Workers waiting in the pool. */
export function idleWorkerCount(): number {
  return pool.length;
}

/** Terminates the workers waiting in the pool, and those prepareWorkers is starting (they would stop by themselves after IDLE_WORKER_MS). */
export function terminateIdleWorkers(): void {
  for (const p of [...pool]) drop(p.port);
  for (const p of starting.splice(0))
    void p.port.then(
      (port) => port.terminate(),
      () => {},
    );
}

async function defaultWorkers(): Promise<number> {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  let n = nav?.hardwareConcurrency;
  if (!n && !hasWebWorkers())
    n = ((await import(/* @vite-ignore */ NODE_OS)) as typeof import("node:os")).availableParallelism();
  return Math.max(1, Math.min(MAX_WORKERS, n ?? 1));
}

// ---------------------------------------------------------------------------------------------
// Where to cut.

export interface SegmentPlan {
  /** Cut points: cuts[0] = 0, cuts[N] = total; worker i owns [cuts[i], cuts[i+1]). */
  cuts: number[];
  /** Samples each worker reads beyond its segment on either side. */
  overlap: number;
  /** Samples before that a worker runs the DC/IQ estimates over (0 without iqCorrection). */
  prime: number;
  /** Half-width of the band around a cut where both workers' frames are compared (a symbol of the largest SF). */
  band: number;
  /** Cuts fall on multiples of this (the front end's blocks and phases line up there). */
  align: number;
}

/** What the plan needs to know about a job: its rates, SFs and longest frame. */
export interface JobShape {
  sampleRate: number;
  bandwidth: number;
  /** Longest frame in input samples, preamble to last symbol, at the largest SF. */
  longestFrame: number;
  /** One symbol of the largest SF, input samples. */
  symbol: number;
  /** The same, unrounded (the search's window grid in input samples). */
  symbolExact: number;
  /** Front-end output samples per input sample (whole at a cut: the decimator's phase lines up). */
  decimation: number;
  /** Each channel mixer's cycles per input sample (whole at a cut: its phase lines up). */
  mixers: number[];
  iqCorrection: boolean;
}

/** The front end's IQ corrector refreshes its coefficients every 1024 samples of the stream (src/dsp/iqcorrect.ts). */
const IQ_BLOCK = 1024;

export function jobShape(job: SegmentJob): JobShape {
  const o = job.kind === "gateway" ? job.options : job.channels[0]!;
  const sampleRate = o.sampleRate;
  const bandwidth = o.bandwidth ?? 125000;
  const sfs = (job.kind === "gateway" ? job.options.sfs : job.channels[0]!.sfs) ?? [7, 8, 9, 10, 11, 12];
  let longestFrame = 0;
  let symbol = 0;
  let symbolExact = 0;
  let r = 1;
  for (const sf of sfs) {
    const c = resolveOptions({
      sampleRate,
      bandwidth,
      sf,
      explicitHeader: o.explicitHeader,
      implicit: o.implicit,
      ldro: o.ldro,
      preambleLength: o.preambleLength,
      framing: o.framing,
    });
    const os = sampleRate / bandwidth;
    const sx126xExtra = sf <= 6 ? 2 : 0;
    // preamble, sync word, downchirps, header block and payload; the search's windows; a margin
    const symbols = c.params.preambleLength + 4.25 + sx126xExtra + c.maxSymbols + SEARCH_WINDOWS + 8;
    longestFrame = Math.max(longestFrame, Math.ceil(symbols * c.n * os));
    symbol = Math.max(symbol, Math.ceil(c.n * os));
    symbolExact = Math.max(symbolExact, c.n * os);
    r = c.r;
  }
  const offsets =
    job.kind === "gateway"
      ? job.options.channels.map((hz) => hz - (job.options.centerFrequency ?? 0))
      : job.channels.map((c) => c.frequencyOffsetHz ?? 0);
  return {
    sampleRate,
    bandwidth,
    longestFrame,
    symbol,
    symbolExact,
    decimation: (r * bandwidth) / sampleRate,
    mixers: offsets.map((f) => f / sampleRate),
    iqCorrection: o.iqCorrection !== false,
  };
}

/**
 * The smallest number of samples, a multiple of `unit`, after which every period in `periods` has
 * run a whole number of times (within rounding); undefined when there is none up to `limit`.
 */
function wholeAfter(periods: number[], unit: number, limit: number): number | undefined {
  const whole = (x: number) => Math.abs(x - Math.round(x)) < 1e-6;
  for (let a = unit; a <= limit; a += unit) if (periods.every((p) => whole(p * a))) return a;
  return undefined;
}

/**
 * Where cuts may fall: the front end's decimation, the search's window grid (a symbol of the
 * largest SF), the mixers and the IQ corrector's blocks all at a whole count, so a segment placed
 * there computes the whole recording's numbers (or as many of them as line up within a quarter of
 * the overlap).
 */
function alignment(shape: JobShape, overlap: number): number {
  const unit = shape.iqCorrection ? IQ_BLOCK : 1;
  const limit = Math.max(unit, Math.floor(overlap / 4));
  const d = shape.decimation;
  const grid = 1 / shape.symbolExact;
  return (
    wholeAfter([d, grid, ...shape.mixers], unit, limit) ??
    wholeAfter([d, grid], unit, limit) ??
    wholeAfter([d], unit, limit) ??
    unit
  );
}

/**
 * Samples before a segment that its worker runs the DC/IQ estimates over (48 of their time
 * constants, 2^17 samples: what is left of their start then is below f64 resolution, so they
 * reach the whole recording's values; all of them from sample 0 when the segment starts closer).
 */
export const IQ_PRIME = 48 * 2 ** 17;

/** Time to run the DC/IQ estimates over a sample, in samples decoded at SF7 (0.7 ns against 13 ns at 4x, measured). */
const PRIME_COST = 1 / 16;

/**
 * What the calling thread spends copying the workers' chunks of a caller's memory while it decodes
 * the last segment, beyond what a worker spends waiting for them, per sample it copies, in samples
 * decoded (SF7 4x, measured: this thread 13-20 ms between its own chunks, a worker 5-8 ms outside
 * its own, for 34 M samples decoded at 8 ns each). A file's or a SharedArrayBuffer's chunks are not
 * copied: there the cuts balance the lead alone. A steal corrects a cut that misses by much.
 */
export const SERVE_COST = 1 / 48;

/**
 * Cuts a recording of `total` samples for at most `workers` workers. `serving` is what the last
 * segment's thread spends on serving the others, per sample they decode (SERVE_COST, the default,
 * when the calling thread decodes it and copies their chunks; 0 when it does not).
 */
export function planSegments(
  total: number,
  workers: number,
  shape: JobShape,
  overlapSamples?: number,
  serving = SERVE_COST,
): SegmentPlan {
  const margin = 16384;
  const wanted = overlapSamples ?? shape.longestFrame + margin;
  const a = alignment(shape, wanted);
  const overlap = Math.ceil(wanted / a) * a;
  // a segment at least the overlap long: a frame near one cut is then far from the next
  const n = Math.max(1, Math.min(workers, Math.floor(total / overlap)));
  const cuts = [0];
  const priming = shape.iqCorrection ? PRIME_COST * Math.min(IQ_PRIME, total / n) : 0;
  for (const at of balancedCuts(total, n, overlap, priming, serving)) cuts.push(Math.round(at / a) * a);
  cuts.push(total);
  return { cuts, overlap, prime: shape.iqCorrection ? IQ_PRIME : 0, band: shape.symbol, align: a };
}

/**
 * Where the n - 1 cuts go so that the segments end together: every segment but the first starts
 * an overlap early and primes its DC/IQ estimates first (`priming`, in samples decoded), and the
 * last one's thread also serves the others (`serving` per sample they get). With C the time of
 * each, the first is C long, the middle ones C - lead, the last (C - lead - serving total) /
 * (1 - serving). Even cuts where that would leave a segment shorter than the overlap.
 */
function balancedCuts(total: number, n: number, overlap: number, priming: number, serving: number): number[] {
  const even = Array.from({ length: n - 1 }, (_, i) => ((i + 1) * total) / n);
  if (n < 2) return even;
  const lead = overlap + priming;
  const s = Math.min(0.5, Math.max(0, serving));
  // C (1 + (n - 2) + 1 / (1 - s)) = total + (n - 2) lead + (lead + s total) / (1 - s)
  const c = (total + (n - 2) * lead + (lead + s * total) / (1 - s)) / (n - 1 + 1 / (1 - s));
  const last = (c - lead - s * total) / (1 - s);
  if (c - lead < overlap || last < overlap) return even;
  return even.map((_, i) => c + i * (c - lead));
}

/** The same frame seen by the two workers of a cut: same channel, SF and polarity, starts within half a symbol. */
function sameFrame(a: SegmentFrame, b: SegmentFrame, sampleRate: number, bandwidth: number): boolean {
  const fa = a.frame;
  const fb = b.frame;
  return (
    a.channel === b.channel &&
    fa.sf === fb.sf &&
    fa.invertIq === fb.invertIq &&
    Math.abs(fa.startSampleExact - fb.startSampleExact) < (2 ** fa.sf * sampleRate) / bandwidth / 2
  );
}

/**
 * Merges the workers' frames: each keeps the frames that start in its segment, and a frame both
 * workers of a cut found (within the band around it) is taken once, from the earlier worker.
 */
export function mergeSegments(
  perWorker: SegmentFrame[][],
  plan: SegmentPlan,
  sampleRate: number,
  bandwidth: number,
): SegmentFrame[] {
  const { cuts, band } = plan;
  const out: SegmentFrame[] = [];
  perWorker.forEach((frames, i) => {
    const next = perWorker[i + 1];
    const prev = perWorker[i - 1];
    for (const f of frames) {
      const t = f.frame.startSampleExact;
      const twin = (others: SegmentFrame[] | undefined, cut: number) =>
        others?.some((g) => Math.abs(g.frame.startSampleExact - cut) < band && sameFrame(f, g, sampleRate, bandwidth));
      // near the cut before this segment: the earlier worker's copy is the one reported
      if (prev && t < cuts[i]! + band && (twin(prev, cuts[i]!) || t < cuts[i]!)) continue;
      // near the cut after it: a frame starting in the next segment that the next worker did not find is its call
      if (next && t >= cuts[i + 1]! && !twin(next, cuts[i + 1]!)) continue;
      out.push(f);
    }
  });
  return out.sort(byStart);
}

// ---------------------------------------------------------------------------------------------
// The parallel decode.

/** A recording's samples in a file: from byte `offset` on, in `format`. */
export interface SampleFile {
  path: string;
  offset: number;
  format: SampleFormat;
}

/** Where the segments' samples come from. */
export interface SampleSource {
  /** Samples in the recording. */
  total: number;
  /**
   * Samples [first, first + count): an array of their own (transferred to a worker), or a view
   * (see `views`). A view returned at once (not a promise) need only last until the next read.
   */
  read(first: number, count: number): Samples | Promise<Samples>;
  /**
   * read returns views of the caller's memory: this thread decodes them as they are, and a
   * worker's are copied into buffers that go back and forth to it (a SharedArrayBuffer's are sent
   * as views, not copied).
   */
  views?: boolean;
  /** The views are of a SharedArrayBuffer (sent to a worker as they are). */
  shared?: boolean;
  /**
   * The same samples in a file (Node): each worker then reads its own chunks from it (told which
   * by the parent, as it would be sent them), and this thread reads only its own segment.
   */
  file?: SampleFile;
}

export interface DecodeInWorkersOptions extends ParallelOptions {
  workers: number;
  /** Overrides the overlap (samples on either side of a segment): only for recordings whose frames are known to be short. */
  overlapSamples?: number;
  /** Samples per message to a worker (default 2^20). */
  chunkSamples?: number;
  /** Called as the segments progress, with the samples of the segments consumed, summed. */
  onProgress?: (samplesConsumed: number) => void;
  /** The job's options were checked already (by making and disposing its receivers here). */
  checked?: boolean;
  /** Samples left in a segment below which no thread takes a part of it (default: 2^21 or 8 overlaps, the more). */
  minStealSamples?: number;
}

/** Chunks in flight to one worker: the next is sent when one has been consumed. */
const IN_FLIGHT = 2;
/** Chunks in flight to a worker while it primes its DC/IQ estimates (it runs them in under a ms each; more would only hold more buffers). */
const PRIME_IN_FLIGHT = 6;
/** Samples this thread decodes between turns of its event loop (a few ms: the workers' requests for samples wait no longer). */
const HERE_CHUNK = 1 << 18;
/** Samples per chunk past the frames a segment keeps (it stops once they are out: SegmentDecoder.done). */
const TAIL_CHUNK = 1 << 15;

/** The next chunk's length: up to `keepTo` (where the segment's end is first checked), then short ones. */
function chunkAt(next: number, hi: number, keepTo: number, chunk: number): number {
  return Math.min(hi - next, next < keepTo ? Math.min(chunk, keepTo - next) : Math.min(chunk, TAIL_CHUNK));
}

/** Checks the job's options where they are given (the parent), before any worker starts. */
function checkJob(job: SegmentJob): void {
  if (job.kind === "gateway") createGatewayReceiver(job.options).dispose();
  else for (const o of job.channels) createChannelReceiver(o).dispose();
}

/** Options without what a worker cannot be sent (the progress callback stays here). */
function cloneable(job: SegmentJob): SegmentJob {
  if (job.kind === "gateway") return { kind: "gateway", options: { ...job.options, onProgress: undefined } };
  return { kind: "channels", channels: job.channels.map((o) => ({ ...o, onProgress: undefined })) };
}

const isShared = (x: Samples): boolean =>
  typeof SharedArrayBuffer !== "undefined" && x.buffer instanceof SharedArrayBuffer;

/** A typed array that owns its whole buffer can be transferred; anything else is copied first. */
function transferable(x: Samples): Samples {
  if (isShared(x) || (x.byteOffset === 0 && x.byteLength === x.buffer.byteLength)) return x;
  return x.slice();
}

/** Gives the event loop a turn (the workers' messages) between this thread's chunks. */
let turn: (() => Promise<void>) | null = null;
function yieldToEvents(): Promise<void> {
  if (!turn) {
    if (typeof setImmediate === "function") turn = () => new Promise((r) => setImmediate(r));
    else {
      // browsers: a message to itself runs after the pending events (a timeout may be clamped to 4 ms)
      const ch = new MessageChannel();
      const waiting: (() => void)[] = [];
      ch.port1.onmessage = () => waiting.shift()?.();
      turn = () =>
        new Promise<void>((r) => {
          waiting.push(r);
          ch.port2.postMessage(0);
        });
    }
  }
  return turn();
}

/** What the workers found: frames in time order with their channel, and the receivers' counters summed over the workers (an overlap's detections count in both of its workers). */
export interface WorkersResult {
  frames: SegmentFrame[];
  counts: SegmentCounts;
  /** Segments the recording was cut into (threads used: workers, and this thread unless thisThread is false). */
  segments: number;
  /** Each segment's samples [from, to) (its own, without the overlap), its thread, and when it was decoded (ms after the call started). */
  timings: {
    from: number;
    to: number;
    thread: "this" | "worker";
    /** The sample its DC/IQ estimates started at (0: from the recording's start), or went on from another segment's (without IQ correction: its first sample read). */
    primedFrom: number;
    started: number;
    finished: number;
    busy: number;
  }[];
}

type SegmentResult = { frames: SegmentFrame[]; counts: SegmentCounts; timing: SegmentTiming };

/** A segment of the recording being decoded: its own samples [from, to) and how far its thread is. */
interface Segment {
  from: number;
  /** Lowered when another thread takes the rest (steal). */
  to: number;
  thread: "this" | "worker";
  /** Where its decoder is: the recording's sample its receivers have reached. */
  at: number;
  /** Samples handed to its decoder so far (read or sent; a new cut must not be before them). */
  sent?: number;
  /** Tells its thread that the segment now ends at `to`. */
  narrow(to: number): void;
  /** Its own samples decoded (for onProgress). */
  progress: number;
  /** Taken from another segment's end: its DC/IQ estimates run from the recording's start, or on from that segment's (iqFrom). */
  stolen?: boolean;
  iqFrom?: IqSnapshot;
  /** Its decoder's DC/IQ estimates as last known (null before, or without them). */
  snapshot: () => IqSnapshot | null;
  /** When (sharedNow) its decoder was first and last heard of, and where it was first (its speed). */
  t0?: number;
  t1?: number;
  at0?: number;
  result?: SegmentResult;
}

/**
 * Samples per millisecond a segment's thread has decoded it at, up to `now` (NaN before it is
 * known): a thread waiting for its samples since its last report is slower than that report says.
 */
const rate = (s: Segment, now: number): number => (s.at - s.at0!) / (Math.max(now, s.t1!) - s.t0!);

/** Samples left in a segment below which no other thread takes a part of it (about 0.03 s of decoding at SF7 4x; 8 overlaps, 2.7 M samples there, is the more). */
const MIN_STEAL = 1 << 21;

/** Decodes `source` with the job's receivers in up to `workers` segments at once. */
export async function decodeInWorkers(
  source: SampleSource,
  job: SegmentJob,
  o: DecodeInWorkersOptions,
): Promise<WorkersResult> {
  if (!o.checked) checkJob(job);
  const shape = jobShape(job);
  const here = o.thisThread !== false;
  // a worker reads a file itself only where it has Node's file system (worker_threads)
  const file = source.file && !hasWebWorkers() ? source.file : undefined;
  // this thread copies the workers' chunks of the caller's memory between its own (not a file's, nor shared memory)
  const copies = here && !file && source.views === true && !source.shared;
  const plan = planSegments(source.total, o.workers, shape, o.overlapSamples, copies ? SERVE_COST : 0);
  const chunk = o.chunkSamples ?? 1 << 20;
  const total = source.total;
  const n = plan.cuts.length - 1;
  const sent = cloneable(job);
  const minSteal = o.minStealSamples ?? Math.max(MIN_STEAL, 8 * plan.overlap);
  const called = sharedNow();
  /** Workers of this call not yet back in the pool: terminated if the call fails. */
  const busy = new Set<WorkerPort>();
  const segments: Segment[] = [];
  const segment = (from: number, to: number, thread: "this" | "worker"): Segment => {
    const s: Segment = {
      from,
      to,
      thread,
      at: Math.max(0, from - plan.overlap),
      narrow: () => {},
      snapshot: () => null,
      progress: 0,
    };
    segments.push(s);
    return s;
  };
  // this thread takes the last segment: the first, which needs no DC/IQ priming, starts in a worker at
  // once, and this thread primes its own from the samples where they are (nothing to wait for)
  for (let i = 0; i < n; i++) segment(plan.cuts[i]!, plan.cuts[i + 1]!, here && i === n - 1 ? "this" : "worker");
  let failed = false;
  let fail: (e: unknown) => void = () => {};
  /** Threads still decoding (or starting): the call is done when none is. */
  let running = 0;
  let idle: () => void = () => {};
  const all = new Promise<void>((resolve, reject) => {
    fail = (e) => {
      if (failed) return;
      failed = true;
      reject(e);
    };
    idle = () => {
      if (--running === 0) resolve();
    };
  });
  const bounds = (s: Segment): SegmentBounds & { lo: number; hi: number } => {
    const lo = Math.max(0, s.from - plan.overlap);
    return {
      lo,
      hi: Math.min(total, s.to + plan.overlap),
      offset: lo,
      // a stolen segment's DC/IQ estimates run from the recording's start, or on from its victim's: see steal
      prime: s.iqFrom ? lo - s.iqFrom.at : plan.prime > 0 && s.stolen ? lo : Math.min(lo, plan.prime),
      keepFrom: s.from === 0 ? -Infinity : s.from - plan.band,
      keepTo: s.to === total ? Infinity : s.to + plan.band,
      ...(s.iqFrom ? { iqFrom: s.iqFrom } : {}),
    };
  };
  /** A segment's bounds when it now ends at `to` (a steal took the rest): read up to its overlap past it; returns the new keepTo. */
  const narrowed = (b: SegmentBounds & { hi: number }, to: number): number => {
    b.hi = Math.min(total, to + plan.overlap);
    b.keepTo = to + plan.band;
    return b.keepTo;
  };
  const report = (s: Segment) => {
    s.progress = Math.max(0, Math.min(s.to, s.at) - s.from);
    const now = sharedNow();
    if (s.t0 === undefined) [s.t0, s.at0] = [now, s.at];
    s.t1 = now;
    o.onProgress?.(segments.reduce((sum, x) => sum + x.progress, 0));
  };

  /**
   * A thread that finished its segment takes the second half of what is left of the segment with
   * the most left (when that is worth a segment's start: its overlap and DC/IQ priming), whose
   * thread stops at the new cut: so neither thread waits for the other at the end (a worker that
   * started late, a thread with less of the machine).
   */
  const steal = (thread: "this" | "worker", finished: Segment): Segment | null => {
    // (a failed call's segments may have disposed decoders: no snapshot is asked of them)
    if (failed) return null;
    let victim: Segment | null = null;
    let left = 0;
    for (const s of segments) {
      if (s.result) continue;
      const l = s.to - Math.max(s.from, s.at);
      if (l > left) [victim, left] = [s, l];
    }
    if (!victim || left < minSteal) return null;
    const at = Math.max(victim.from, victim.at);
    // Both should end together: the victim at its speed so far, the thief at its last segment's,
    // its start costing its overlap and its DC/IQ priming (PRIME_COST of a sample's decoding
    // each). The estimates must be the victim's to the last bit: the running estimates primed from
    // zero over a few time constants reach the values of one receiver's only to within an ulp,
    // which can stay (a frame's clock estimate then differs in its last bits). So they go on from
    // the victim's as it last reported them, at sample p (its chunk's end: the thief primes from
    // there to its start), or run from the recording's first sample (p = 0) where there are none
    // (a gateway job; a victim that has not reported yet). The cut c solves
    //   (c - at) / speed = to - c + overlap + q (c - overlap - p)
    const q = plan.prime > 0 ? PRIME_COST : 0;
    const iqFrom = q > 0 ? victim.snapshot() : null;
    const p = iqFrom?.at ?? 0;
    // and only where the thief's start is at most half of what is left (the speeds are estimates)
    if (left < 2 * (plan.overlap + q * (at - p))) return null;
    const speed = Math.min(4, Math.max(0.25, rate(victim, sharedNow()) / rate(finished, finished.t1!) || 1));
    const even = (at + speed * (victim.to + plan.overlap * (1 - q) - q * p)) / (1 + speed * (1 - q));
    // not before the samples already handed to the victim (a frame starting after them cannot be out yet)
    const cut = Math.ceil(Math.max(even, victim.sent ?? 0) / plan.align) * plan.align;
    // both parts long enough that a frame near one of their cuts is far from the other
    if (cut - victim.from < 2 * plan.overlap || victim.to - cut < 2 * plan.overlap) return null;
    // the thief's first sample (its overlap before the cut) after the victim's estimates
    if (cut - plan.overlap < p) return null;
    const stolen = segment(cut, victim.to, thread);
    stolen.stolen = true;
    if (iqFrom) stolen.iqFrom = iqFrom;
    victim.to = cut;
    victim.narrow(cut);
    return stolen;
  };

  // This thread's segments: their samples decoded where they are, the workers' served between chunks.
  const decodeHere = async (first: Segment): Promise<void> => {
    for (let s: Segment | null = first; s && !failed; s = steal("this", s)) {
      const b = bounds(s);
      const d = createSegmentDecoder(sent, b);
      s.narrow = (to) => d.narrow(narrowed(b, to));
      // (asked for between its chunks, as a steal is made: the estimates after the samples pushed)
      s.snapshot = () => d.iqSnapshot();
      try {
        for (let next = b.lo - b.prime; next < b.hi && !failed; ) {
          const count = chunkAt(next, b.hi, b.keepTo, Math.min(HERE_CHUNK, chunk));
          // a view returned at once is used at once: this thread's next read may reuse its memory
          let x = source.read(next, count);
          if (x instanceof Promise) x = await x;
          d.push(x);
          next += count;
          s.sent = next;
          s.at = b.lo + d.consumed;
          report(s);
          // the frames it keeps are out: the rest of the overlap past the cut is not needed
          if (d.done) break;
          if (segments.length > 1) await yieldToEvents();
        }
        if (!failed) s.result = { frames: d.finish(), counts: d.counts(), timing: d.timing() };
      } finally {
        d.dispose();
      }
    }
  };

  /** A worker's segments: the first given, then those it steals. */
  const startWorker = (first: Segment): void => {
    let s = first;
    let b = bounds(s);
    let next = 0;
    let inFlight = 0;
    let ended = false;
    let port: WorkerPort | null = null;
    /** The segment's frames sent so far. */
    let got: SegmentFrame[] = [];
    /** Its DC/IQ estimates as of its last answer. */
    let iq: IqSnapshot | null = null;
    let chain: Promise<void> = Promise.resolve();
    // one send at a time, so chunks go out in order even when reads are asynchronous
    const pump = () => {
      chain = chain.then(send).catch(fail);
    };
    const send = async () => {
      // the DC/IQ priming's chunks all at once: the worker runs them much faster than it decodes
      while (!failed && inFlight < (next < b.lo ? PRIME_IN_FLIGHT : IN_FLIGHT) && next < b.hi) {
        const count = chunkAt(next, b.hi, b.keepTo, chunk);
        const at = next;
        next += count;
        s.sent = next;
        inFlight++;
        if (file) {
          port!.post({ type: "read", first: at, count });
          continue;
        }
        let x = source.read(at, count);
        if (x instanceof Promise) x = await x;
        if (isShared(x)) port!.post({ type: "samples", samples: x });
        else if (source.views) {
          let buf = port!.buffers.pop();
          if (!buf || buf.byteLength < x.byteLength) buf = new ArrayBuffer(x.byteLength);
          const copy = new (x.constructor as new (b: ArrayBuffer, at: number, len: number) => Samples)(
            buf,
            0,
            x.length,
          );
          copy.set(x as never);
          port!.post({ type: "samples", samples: copy }, [buf]);
        } else {
          const y = transferable(x);
          port!.post({ type: "samples", samples: y }, [y.buffer as ArrayBuffer]);
        }
      }
      if (!failed && next >= b.hi && !ended) {
        ended = true;
        port!.post({ type: "end" });
      }
    };
    /** Starts segment `s` on the worker (its bounds as they are now: a steal may have narrowed it before the worker was ready). */
    const begin = () => {
      got = [];
      iq = null;
      s.snapshot = () => iq;
      b = bounds(s);
      next = b.lo - b.prime;
      ended = false;
      s.narrow = (to) => {
        port!.post({ type: "narrow", keepTo: narrowed(b, to) });
        // the end may be due now (nothing else may be in flight to prompt it)
        pump();
      };
      port!.post({ type: "start", job: sent, bounds: b, ...(file ? { file } : {}) });
      pump();
    };
    const events: WorkerEvents = {
      message(m) {
        if (failed) return;
        if (m.type === "consumed") {
          if (m.frames) got.push(...m.frames);
          if (m.iq) iq = m.iq;
          inFlight--;
          if (m.buffer) port!.buffers.push(m.buffer);
          if (m.done) next = b.hi;
          s.at = b.lo + m.samples;
          report(s);
          pump();
        } else if (m.type === "frames") {
          // (in time order once merged: mergeSegments sorts the whole call's frames)
          s.result = { frames: got.concat(m.frames), counts: m.counts, timing: m.timing };
          const more = steal("worker", s);
          if (more) {
            s = more;
            begin();
            return;
          }
          busy.delete(port!);
          release(port!);
          idle();
        } else if (m.type === "error") {
          fail(
            new ChirpError(
              m.code as ChirpError["code"],
              `${m.message} (in the worker decoding samples ${b.lo} to ${b.hi} of the recording)`,
              { parameter: m.parameter, allowed: m.allowed },
            ),
          );
        }
      },
      fail(reason) {
        fail(new ChirpError("WORKER_FAILED", `a decoding worker (samples ${b.lo} to ${b.hi}) stopped: ${reason}`));
      },
    };
    // before the worker is ready, its segment's narrowing is only remembered (begin reads it)
    s.narrow = () => {};
    running++;
    acquire(o.workerUrl, events)
      .then((p) => {
        port = p;
        // the call failed while this worker started: nothing for it to do
        if (failed) return p.terminate();
        busy.add(p);
        begin();
      })
      .catch((e) =>
        fail(new ChirpError("WORKER_FAILED", `a decoding worker could not start: ${message(e)}`, { cause: e })),
      );
  };

  let mine: Promise<void> = Promise.resolve();
  try {
    for (const s of segments) if (s.thread === "worker") startWorker(s);
    if (here) {
      running++;
      // a turn of the event loop first: the workers' first chunks go out before this thread's
      mine = (segments.length > 1 ? yieldToEvents() : Promise.resolve())
        .then(() => decodeHere(segments[n - 1]!))
        .then(idle, fail);
    }
    await all;
    segments.sort((x, y) => x.from - y.from);
    const results = segments.map((s) => s.result!);
    const counts: SegmentCounts = { detections: 0, syncWordRejects: 0, headerFailures: 0, lowConfidence: 0 };
    for (const r of results) {
      counts.detections += r.counts.detections;
      counts.syncWordRejects += r.counts.syncWordRejects;
      counts.headerFailures += r.counts.headerFailures;
      counts.lowConfidence += r.counts.lowConfidence;
    }
    const frames = mergeSegments(
      results.map((r) => r.frames),
      { ...plan, cuts: [...segments.map((s) => s.from), total] },
      shape.sampleRate,
      shape.bandwidth,
    );
    const timings = segments.map((s) => {
      const { lo, prime } = bounds(s);
      const { started, finished, busy } = s.result!.timing;
      return {
        from: s.from,
        to: s.to,
        thread: s.thread,
        primedFrom: lo - prime,
        started: started - called,
        finished: finished - called,
        busy,
      };
    });
    return { frames, counts, segments: segments.length, timings };
  } finally {
    for (const p of busy) p.terminate();
    // this thread's segment stops at its next chunk when a worker failed; its receiver is disposed before the call settles
    await mine;
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// ---------------------------------------------------------------------------------------------
// The public calls.

function checkParallel(o: ParallelOptions): void {
  if (o.workers !== undefined) checkInt("workers", o.workers, 1, MAX_WORKERS);
  if (o.thisThread !== undefined && typeof o.thisThread !== "boolean")
    badParameter("thisThread", o.thisThread, "a boolean");
  const u = o.workerUrl;
  if (u !== undefined && typeof u !== "string" && !(u instanceof URL))
    badParameter("workerUrl", u, "a URL or a string naming the worker module");
}

/** A recording held in memory as a source: views of it (copied for a worker unless shared). */
function memorySource(samples: Samples, format: SampleFormat | undefined): SampleSource {
  checkSamples(samples);
  const per = elementsPerSample(samples, format);
  return {
    total: Math.floor(samples.length / per),
    read: (first, count) => samples.subarray(first * per, (first + count) * per) as Samples,
    views: true,
    shared: isShared(samples),
  };
}

/**
 * decodeRecording on several cores: the recording cut into segments decoded by workers at once
 * (worker_threads in Node, Web Workers in browsers), with the frames one receiver over the whole
 * recording reports, in time order, positions in the whole recording's samples. The options are a
 * receiver's (`sf`), or a channel receiver's (`sfs`: every SF on one front end, as
 * createChannelReceiver). Each worker reads its segment and an overlap on either side (the longest
 * frame the options allow, plus the search's windows); a recording is cut into segments at least
 * the overlap long. `onProgress` gets the samples decoded so far, summed over the workers.
 * Arguments are checked at once (a ChirpError is thrown); a worker that fails rejects the promise
 * with a ChirpError (WORKER_FAILED when it stopped, the worker's own error otherwise), and every
 * worker is stopped.
 */
export function decodeRecordingParallel(
  samples: Samples,
  options: (ReceiverOptions | ChannelReceiverOptions) & ParallelOptions,
): Promise<Frame[]> {
  if (!options || typeof options !== "object")
    throw new ChirpError("BAD_PARAMETER", "receiver options must be an object", { parameter: "options" });
  checkParallel(options);
  const { workers: _w, workerUrl: _u, thisThread: _t, onProgress: _p, ...rest } = options;
  let channel: ChannelReceiverOptions;
  if ("sfs" in rest && rest.sfs !== undefined) channel = rest;
  else {
    const { sf, ...common } = rest as ReceiverOptions;
    channel = { ...common, sfs: [sf] };
  }
  return inMemory(samples, options, { kind: "channels", channels: [channel] });
}

/** The public calls' common part: checks at the door, then the workers over samples in memory. */
function inMemory(
  samples: Samples,
  options: ParallelOptions & { format?: string; onProgress?: unknown },
  job: SegmentJob,
) {
  const source = memorySource(samples, options.format as SampleFormat | undefined);
  checkJob(job);
  const { workers, workerUrl, thisThread, onProgress } = options;
  if (onProgress !== undefined && typeof onProgress !== "function")
    badParameter("onProgress", onProgress, "a function");
  return (async () => {
    const result = await decodeInWorkers(source, job, {
      workers: workers ?? (await defaultWorkers()),
      checked: true,
      ...(workerUrl !== undefined ? { workerUrl } : {}),
      ...(thisThread !== undefined ? { thisThread } : {}),
      ...(onProgress ? { onProgress: onProgress as (n: number) => void } : {}),
    });
    return result.frames.map((f) => f.frame);
  })();
}

/** decodeGateway on several cores (as decodeRecordingParallel: segments, overlap, one report per frame). */
export function decodeGatewayParallel(
  samples: Samples,
  options: GatewayOptions & ParallelOptions,
): Promise<GatewayFrame[]> {
  if (!options || typeof options !== "object")
    throw new ChirpError("BAD_PARAMETER", "gateway options must be an object", { parameter: "options" });
  checkParallel(options);
  const { workers: _w, workerUrl: _u, thisThread: _t, onProgress: _p, ...gateway } = options;
  return inMemory(samples, options, { kind: "gateway", options: gateway }) as Promise<GatewayFrame[]>;
}
