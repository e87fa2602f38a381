// Bundles the built CLI (dist/cli/main.js, from tsc) into dist/bin/: the `chirp` bin. A command is
// one short process, and Node resolves, reads and compiles each ES module on its own: the 65
// modules a `chirp decode` of one file loads cost it about 15-20 ms of CPU (docs/cli.md, start-up),
// a few chunks much less. Commands stay chunks loaded on demand; the decoding worker is an entry
// of its own beside the bin (src/rx/parallel.ts finds it as ./worker.js next to itself), and
// fft.js (the js engine's optional FFT) stays an import resolved at run time.
// Usage: node scripts/bundle-cli.mjs (after tsc; `npm run build` runs both).
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist/bin");
rmSync(out, { recursive: true, force: true });
await build({
  input: { main: join(root, "dist/cli/main.js"), worker: join(root, "dist/rx/worker.js") },
  platform: "node",
  external: ["fft.js"],
  logLevel: "warn",
  output: {
    dir: out,
    format: "esm",
    entryFileNames: "[name].js",
    chunkFileNames: "[name]-[hash].js",
    sourcemap: true,
  },
});
