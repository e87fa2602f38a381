// Entry of the demo page: the toolkit's Wasm modules are instantiated by the imports below (top-level
// await inside the package), then both panels are wired.
import { initTransmitter } from "./transmitter.js";
import { initReceiver } from "./receiver.js";
import { initLive } from "./live/live.js";
import { $, describeError } from "./util.js";

const status = $<HTMLParagraphElement>("#boot-status");
try {
  initTransmitter();
  initReceiver();
  initLive();
  status.textContent = "Ready. WebAssembly modules loaded.";
  document.body.dataset.ready = "1";
} catch (e) {
  status.textContent = `The demo could not start: ${describeError(e)}`;
  document.body.dataset.ready = "error";
}
