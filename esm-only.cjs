// What require("chirpkit/...") loads: chirpkit is ES modules only, because each subpath that runs
// Wasm compiles its module with top-level await, which require() cannot wait for.
"use strict";
const err = new Error(
  "chirpkit is ESM-only (its subpaths load WebAssembly with top-level await, which require() cannot wait for): " +
    'use `import { decodeRecording } from "chirpkit/rx"` in an ES module, or `const { decodeRecording } = await import("chirpkit/rx")` from CommonJS',
);
err.code = "ERR_CHIRPKIT_ESM_ONLY";
throw err;
