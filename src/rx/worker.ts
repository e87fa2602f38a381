/**
 * The entry of a decoding worker (started by src/rx/parallel.ts; a Node worker thread or a module
 * Web Worker). It is handed the Wasm modules its parent compiled, a segment job and the segment's
 * samples in chunks; it answers each chunk with the samples consumed and the end with the frames.
 *
 * The toolkit's modules instantiate Wasm with top-level await, and a module worker may drop
 * messages that arrive before its top-level code has finished: so nothing here imports them
 * statically. The handler is installed at once, and the decoder is loaded once the parent's
 * modules are in place (instantiate.ts has no top-level await).
 */
import { ChirpError } from "../errors.js";
import { usePrecompiled } from "../wasm/instantiate.js";
import { BYTES_PER_SAMPLE } from "../dsp/formats.js";
import { typedView } from "../io/formats.js";
import type { FromWorker, SampleFile, ToWorker } from "./parallel.js";
import type { SegmentDecoder } from "./segment.js";
import type { Samples } from "./types.js";

type Post = (msg: FromWorker, transfer?: ArrayBuffer[]) => void;

let decoder: SegmentDecoder | null = null;
let queue: Promise<void> = Promise.resolve();

/**
 * The answer to a chunk, with the frames kept since the last (copying them then, not all at the
 * end, keeps the end short) and the DC/IQ estimates (where a thread taking the segment's end starts them from).
 */
function consumed(d: SegmentDecoder): FromWorker & { type: "consumed" } {
  const frames = d.drain();
  const iq = d.iqSnapshot();
  return {
    type: "consumed",
    samples: d.consumed,
    done: d.done,
    ...(frames.length ? { frames } : {}),
    ...(iq ? { iq } : {}),
  };
}

function failure(e: unknown): FromWorker {
  if (e instanceof ChirpError) {
    return {
      type: "error",
      code: e.code,
      message: e.message,
      ...(e.parameter !== undefined ? { parameter: e.parameter } : {}),
      ...(e.allowed !== undefined ? { allowed: e.allowed } : {}),
    };
  }
  return { type: "error", code: "WORKER_FAILED", message: e instanceof Error ? e.message : String(e) };
}

/** The recording's file this worker reads its chunks from (Node), into one buffer reused for each. */
interface OpenFile {
  read(first: number, count: number): Samples;
  close(): void;
}
let file: OpenFile | null = null;

async function openFile(f: SampleFile): Promise<OpenFile> {
  const NODE_FS = "node:fs";
  const fs = (await import(/* @vite-ignore */ NODE_FS)) as typeof import("node:fs");
  const fd = fs.openSync(f.path, "r");
  const per = BYTES_PER_SAMPLE[f.format];
  let buf = new ArrayBuffer(0);
  return {
    read(first, count) {
      const want = count * per;
      if (buf.byteLength < want) buf = new ArrayBuffer(want);
      const bytes = new Uint8Array(buf, 0, want);
      for (let got = 0; got < want; ) {
        const n = fs.readSync(fd, bytes, got, want - got, f.offset + first * per + got);
        if (n === 0) throw new ChirpError("IO_ERROR", `${f.path} ended early (file changed while reading?)`);
        got += n;
      }
      return typedView(bytes, f.format);
    },
    close: () => fs.closeSync(fd),
  };
}

function closeFile(): void {
  file?.close();
  file = null;
}

let segment: typeof import("./segment.js") | null = null;
/** Why the decoder could not be loaded: the next segment's start reports it (nobody may be listening while the worker waits in the pool). */
let loadFailure: unknown = null;

async function handle(msg: ToWorker, post: Post): Promise<void> {
  if (msg.type === "load") {
    usePrecompiled(msg.modules);
    try {
      segment = await import("./segment.js");
    } catch (e) {
      loadFailure = e;
    }
  } else if (msg.type === "start") {
    if (!segment) throw loadFailure;
    decoder = segment.createSegmentDecoder(msg.job, msg.bounds);
    if (msg.file) file = await openFile(msg.file);
  } else if (msg.type === "narrow") {
    decoder!.narrow(msg.keepTo);
  } else if (msg.type === "read") {
    decoder!.push(file!.read(msg.first, msg.count));
    post(consumed(decoder!));
  } else if (msg.type === "samples") {
    decoder!.push(msg.samples);
    // the chunk's buffer goes back to the parent for its next copy (shared memory stays where it is)
    const b = msg.samples.buffer;
    const m = consumed(decoder!);
    if (typeof SharedArrayBuffer !== "undefined" && b instanceof SharedArrayBuffer) post(m);
    else post({ ...m, buffer: b as ArrayBuffer }, [b as ArrayBuffer]);
  } else {
    const d = decoder!;
    decoder = null;
    closeFile();
    try {
      const frames = d.finish();
      post({ type: "frames", frames, counts: d.counts(), timing: d.timing() });
    } finally {
      d.dispose();
    }
  }
}

/** Messages are handled one at a time, in order (loading the decoder is asynchronous). */
function listen(post: Post): (msg: ToWorker) => void {
  return (msg) => {
    queue = queue
      .then(() => handle(msg, post))
      .catch((e) => {
        decoder?.dispose();
        decoder = null;
        closeFile();
        post(failure(e));
      });
  };
}

const scope = globalThis as unknown as {
  WorkerGlobalScope?: unknown;
  postMessage(m: unknown, transfer: ArrayBuffer[]): void;
  onmessage: ((e: { data: ToWorker }) => void) | null;
};
if (scope.WorkerGlobalScope !== undefined) {
  const post: Post = (m, t = []) => scope.postMessage(m, t);
  const on = listen(post);
  scope.onmessage = (e) => on(e.data);
} else if (typeof process !== "undefined" && process.versions?.node) {
  // Node: the parent's port queues messages until a listener is attached (imported in the main
  // thread, where there is no parent port, this module does nothing)
  const NODE_WORKER_THREADS = "node:worker_threads";
  void (import(/* @vite-ignore */ NODE_WORKER_THREADS) as Promise<typeof import("node:worker_threads")>).then(
    ({ parentPort }) => {
      if (parentPort)
        parentPort.on(
          "message",
          listen((m, t = []) => parentPort.postMessage(m, t)),
        );
    },
  );
}
