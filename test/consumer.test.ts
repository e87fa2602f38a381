// The published package as a user gets it: `npm pack`, install the tarball into an empty project,
// import every subpath in Node (and run a frame through phy -> rx), run the `chirp` bin, check that
// require() says the package is ESM-only, and bundle every browser subpath with Vite.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "./shared.js";

const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
  version: string;
  exports: Record<string, unknown>;
};
const subpaths = Object.keys(pkg.exports)
  .filter((k) => k !== "./package.json")
  .map((k) => (k === "." ? "chirpkit" : `chirpkit/${k.slice(2)}`));
// Subpaths meant for browsers (the CLI is Node-only and is not an export).
const browserSubpaths = subpaths;
// The entry of the parallel decoders' workers: a module with no exports.
const workerEntries = new Set(["chirpkit/rx/worker"]);

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
let dir = "";
let tarball = "";
let files: string[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "chirpkit-consumer-"));
  // dist/ is built by `pretest`; --ignore-scripts keeps `prepare` from building it again.
  const out = execFileSync(npm, ["pack", "--json", "--ignore-scripts", "--pack-destination", dir], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  const info = JSON.parse(out)[0] as { filename: string; files: { path: string }[] };
  tarball = join(dir, info.filename);
  files = info.files.map((f) => f.path);
  const app = join(dir, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  execFileSync(npm, ["install", "--no-audit", "--no-fund", "--no-package-lock", "--offline", tarball], {
    cwd: app,
    encoding: "utf8",
  });
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the packed tarball", () => {
  it("holds LICENSE, README, CHANGELOG, the built JS with types, and no tests or sources", () => {
    expect(files).toContain("LICENSE");
    expect(files).toContain("README.md");
    expect(files).toContain("CHANGELOG.md");
    expect(files).toContain("package.json");
    expect(files).toContain("dist/rx/index.js");
    expect(files).toContain("dist/rx/index.d.ts");
    expect(files.filter((f) => f.startsWith("test/") || f.startsWith("src/") || f.startsWith("assembly/"))).toEqual([]);
    const license = readFileSync(join(repoRoot, "LICENSE"), "utf8");
    expect(license).toMatch(/^MIT License/);
  });

  it("installs with no runtime dependencies", () => {
    const installed = readdirSync(join(dir, "app", "node_modules")).filter((n) => !n.startsWith("."));
    expect(installed).toEqual(["chirpkit"]);
  });

  it("every subpath imports in Node, and a frame goes through phy -> rx", () => {
    const script = [
      ...subpaths.map((s, i) => `import * as m${i} from ${JSON.stringify(s)};`),
      `const mods = { ${subpaths.map((s, i) => `${JSON.stringify(s)}: Object.keys(m${i}).length`).join(", ")} };`,
      `const params = { sf: 7, bandwidth: 125e3, cr: 1 };`,
      `const payload = new TextEncoder().encode("hello chirpkit");`,
      `const iq = m${subpaths.indexOf("chirpkit/phy")}.modulateFrame(payload, params, { oversampling: 2 });`,
      `const padded = new Float32Array(iq.length + 8000); padded.set(iq, 4000);`,
      `const frames = m${subpaths.indexOf("chirpkit/rx")}.decodeRecording(padded, { sampleRate: 250e3, bandwidth: 125e3, sf: 7 });`,
      // the parallel decoder finds its worker module in the installed package
      `const inWorkers = await m${subpaths.indexOf("chirpkit/rx")}.decodeRecordingParallel(padded, { sampleRate: 250e3, bandwidth: 125e3, sf: 7, workers: 2 });`,
      `console.log(JSON.stringify({ mods, frames: frames.map((f) => ({ hex: f.payloadHex, crcOk: f.crcOk })), inWorkers: inWorkers.map((f) => f.payloadHex) }));`,
    ].join("\n");
    writeFileSync(join(dir, "app", "use.mjs"), script);
    const r = spawnSync(process.execPath, ["use.mjs"], { cwd: join(dir, "app"), encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as {
      mods: Record<string, number>;
      frames: { hex: string; crcOk: boolean }[];
      inWorkers: string[];
    };
    expect(Object.keys(out.mods).sort()).toEqual([...subpaths].sort());
    for (const s of subpaths)
      if (workerEntries.has(s)) expect(out.mods[s], s).toBe(0);
      else expect(out.mods[s], s).toBeGreaterThan(0);
    expect(out.frames).toEqual([{ hex: Buffer.from("hello chirpkit").toString("hex"), crcOk: true }]);
    expect(out.inWorkers).toEqual([Buffer.from("hello chirpkit").toString("hex")]);
  });

  it("the README's example runs as written and prints what the README says", () => {
    const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
    const block = /### In four lines\n\n```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    writeFileSync(join(dir, "app", "readme.mjs"), block!);
    const r = spawnSync(process.execPath, ["readme.mjs"], { cwd: join(dir, "app"), encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const printed = /prints\s+`([^`]+)`/.exec(readme)?.[1];
    // the payload and CRC exactly; the SNR of a noiseless frame is the estimator's limit, so only its form
    const [hex, crc] = printed!.split(" ");
    expect(r.stdout.trim()).toMatch(new RegExp(`^${hex} ${crc} \\d+\\.\\d dB$`));
  });

  it("require() fails with a message that says ESM-only and shows the import", () => {
    writeFileSync(join(dir, "app", "use.cjs"), `require("chirpkit/rx");`);
    const r = spawnSync(process.execPath, ["use.cjs"], { cwd: join(dir, "app"), encoding: "utf8" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("chirpkit is ESM-only");
    expect(r.stderr).toContain('import { decodeRecording } from "chirpkit/rx"');
  });

  it("the chirp bin runs from the installed package", () => {
    const r = spawnSync(process.execPath, [join(dir, "app", "node_modules", ".bin", "chirp"), "--version"], {
      cwd: join(dir, "app"),
      encoding: "utf8",
    });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toContain(pkg.version);
  });

  it("bundles for the browser with Vite (every subpath, Wasm embedded)", () => {
    const app = join(dir, "app");
    writeFileSync(
      join(app, "main.js"),
      [
        ...browserSubpaths.map((s, i) => `import * as m${i} from ${JSON.stringify(s)};`),
        `document.body.textContent = [${browserSubpaths.map((_, i) => `Object.keys(m${i}).length`).join(", ")}].join(" ");`,
      ].join("\n"),
    );
    writeFileSync(
      join(app, "index.html"),
      `<!doctype html><body><script type="module" src="./main.js"></script></body>`,
    );
    const vite = join(repoRoot, "node_modules", "vite", "bin", "vite.js");
    const r = spawnSync(process.execPath, [vite, "build", "--logLevel", "warn", "--outDir", "out", "--emptyOutDir"], {
      cwd: app,
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(r.stderr.replace(/\(!\).*\n?/g, "")).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    const assets = readdirSync(join(app, "out", "assets"));
    const js = assets.filter((a) => a.endsWith(".js")).map((a) => readFileSync(join(app, "out", "assets", a), "utf8"));
    expect(js.length).toBeGreaterThan(0);
    const all = js.join("\n");
    // no Node built-in was pulled into the browser bundle
    expect(all).not.toMatch(/from\s*["']node:|require\(["']node:/);
    // the Wasm modules travel inside the JS (base64 of the "\0asm" magic is "AGFzbQ")
    expect(all).toContain("AGFzbQ");
  }, 120_000);
});
