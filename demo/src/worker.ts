// Entry of the decoder worker. The toolkit's modules instantiate Wasm with top-level await, and a
// module worker drops messages that arrive before its top-level code has finished; so this entry
// has no static imports: it installs the message handler at once and loads the decoder lazily.
import type { FromWorker, ToWorker } from "./protocol.js";

const decoder = import("./decoder.js");
let queue: Promise<void> = Promise.resolve();

self.onmessage = (e: MessageEvent<ToWorker>) => {
  // One message at a time, in order (opening a file is asynchronous).
  queue = queue.then(async () => {
    try {
      await (await decoder).handle(e.data);
    } catch (err) {
      const msg: FromWorker = {
        type: "error",
        message: `the decoder could not load: ${err instanceof Error ? err.message : String(err)}`,
        during: "open",
      };
      (self as unknown as Worker).postMessage(msg);
    }
  });
};
