// Entry of the live decoder worker: installs its message handler at once and loads the decoder
// lazily (a module worker drops messages that arrive before its top-level await finishes; the
// toolkit instantiates Wasm with top-level await). Messages are handled one at a time, in order.
import type { FromLive, ToLive } from "./protocol.js";

const decoder = import("./live-decoder.js");
let queue: Promise<void> = Promise.resolve();

self.onmessage = (e: MessageEvent<ToLive>) => {
  queue = queue.then(async () => {
    try {
      (await decoder).handle(e.data);
    } catch (err) {
      const msg: FromLive = { type: "error", message: err instanceof Error ? err.message : String(err) };
      (self as unknown as Worker).postMessage(msg);
    }
  });
};
