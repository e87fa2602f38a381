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
import type { FromWorker, ToWorker } from "./parallel.js";
import type { SegmentDecoder } from "./segment.js";

type Post = (msg: FromWorker, transfer?: ArrayBuffer[]) => void;

let decoder: SegmentDecoder | null = null;
let queue: Promise<void> = Promise.resolve();

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

async function handle(msg: ToWorker, post: Post): Promise<void> {
  if (msg.type === "start") {
    usePrecompiled(msg.modules);
    const { createSegmentDecoder } = await import("./segment.js");
    decoder = createSegmentDecoder(msg.job, msg.bounds);
  } else if (msg.type === "samples") {
    decoder!.push(msg.samples);
    // the chunk's buffer goes back to the parent for its next copy (shared memory stays where it is)
    const b = msg.samples.buffer;
    const m: FromWorker = { type: "consumed", samples: decoder!.consumed, done: decoder!.done };
    if (typeof SharedArrayBuffer !== "undefined" && b instanceof SharedArrayBuffer) post(m);
    else post({ ...m, buffer: b as ArrayBuffer }, [b as ArrayBuffer]);
  } else {
    const d = decoder!;
    decoder = null;
    try {
      const frames = d.finish();
      post({ type: "frames", frames, counts: d.counts() });
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
