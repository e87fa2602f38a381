// chirpkit/lorawan, chirpkit/lpp and chirpkit/crypto must run in browsers: no Node built-ins, no
// Buffer, no process, anywhere in their import graph (checked statically over the sources).
import { describe, expect, it } from "vitest";
import { readFileSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { repoRoot } from "./shared.js";

function importGraph(entry: string): string[] {
  const seen = new Set<string>();
  const stack = [resolve(repoRoot, entry)];
  while (stack.length) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    const src = readFileSync(f, "utf8");
    for (const m of src.matchAll(/(?:import|export)[^"']*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)) {
      const spec = m[1] ?? m[2]!;
      if (!spec.startsWith(".")) {
        seen.add(`external:${spec}`);
        continue;
      }
      const ts = resolve(dirname(f), spec.replace(/\.js$/, ".ts"));
      if (existsSync(ts)) stack.push(ts);
    }
  }
  return [...seen];
}

describe("browser-native codec", () => {
  for (const entry of ["src/lorawan/index.ts", "src/lpp/index.ts", "src/crypto/index.ts"]) {
    it(`${entry}: no Node built-ins, Buffer or process in its import graph`, () => {
      const files = importGraph(entry);
      expect(files.filter((f) => f.startsWith("external:"))).toEqual([]);
      expect(files.length).toBeGreaterThan(2);
      for (const f of files) {
        const src = readFileSync(f, "utf8")
          .replace(/\/\/.*$/gm, "")
          .replace(/\/\*[\s\S]*?\*\//g, "");
        expect(src, f).not.toMatch(/\bBuffer\b|\bprocess\.|\brequire\(|from\s+["']node:/);
      }
      // the codec and crypto load the embedded Wasm module; LPP is plain TypeScript and loads none
      expect(files.some((f) => f.endsWith(join("wasm", "instantiate.ts")))).toBe(entry !== "src/lpp/index.ts");
    });
  }
});
