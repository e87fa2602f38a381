// Vite config of the browser demo: a static, offline site (no CDN) that imports the toolkit's
// sources the way a user imports the package: `chirpkit`, `chirpkit/phy`, ... are aliased to the
// TypeScript sources behind each entry of package.json "exports".
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Alias } from "vite";

const demoDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(demoDir, "..");
const pkg = JSON.parse(readFileSync(resolve(repoRoot, "package.json"), "utf8")) as {
  exports: Record<string, string | { default: string }>;
};

/**
 * "./phy" -> { default: "./dist/phy/index.js" } becomes chirpkit/phy -> <repo>/src/phy/index.ts; a
 * query is kept (chirpkit/rx/worker?worker&url: Vite bundles the module as a worker, gives its URL).
 */
const aliases: Alias[] = Object.entries(pkg.exports)
  .filter(([sub, target]) => sub !== "./package.json" && typeof target === "object")
  .map(([sub, target]) => ({
    find: new RegExp(`^chirpkit${sub === "." ? "" : sub.slice(1).replace(/\//g, "\\/")}(\\?.*)?$`),
    replacement: `${resolve(
      repoRoot,
      (target as { default: string }).default.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts"),
    )}$1`,
  }));

export default defineConfig({
  root: demoDir,
  base: "./", // relative URLs: the built site works from any folder of any static server
  clearScreen: false,
  resolve: { alias: aliases },
  // The Wasm modules are instantiated with top-level await, in the page and in the worker.
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 2000 },
  worker: { format: "es" },
  server: { host: "127.0.0.1", port: 5173, fs: { allow: [repoRoot] } },
  preview: { host: "127.0.0.1", port: 4173 },
});
