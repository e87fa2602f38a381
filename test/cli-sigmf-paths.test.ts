// A SigMF core:dataset is confined to the metadata's folder: no "..", no absolute path, no
// symbolic link out of it (chirp info / spectrogram must not read /usr/bin/node because a
// metadata file says so).
import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChirpError } from "../src/errors.js";
import { openRecording } from "../src/cli/recording.js";
import { chirp } from "./cli-run.js";

const dir = mkdtempSync(join(tmpdir(), "chirp-dataset-"));
const outside = join(dir, "outside.cs16"); // stands in for any file beyond the folder
writeFileSync(outside, new Uint8Array(4 * 1000));
const folder = join(dir, "rec");
mkdirSync(folder);
writeFileSync(join(folder, "ok.cs16"), new Uint8Array(4 * 500));
symlinkSync(outside, join(folder, "link.cs16"));
symlinkSync(join(folder, "ok.cs16"), join(folder, "inner.cs16"));

function meta(name: string, dataset: unknown): string {
  const p = join(folder, `${name}.sigmf-meta`);
  const global = {
    "core:datatype": "ci16_le",
    "core:sample_rate": 250000,
    "core:version": "1.2.0",
    "core:dataset": dataset,
  };
  writeFileSync(p, JSON.stringify({ global, captures: [{ "core:sample_start": 0 }], annotations: [] }));
  return p;
}

function refused(p: string): ChirpError {
  try {
    openRecording(p);
  } catch (e) {
    if (e instanceof ChirpError) return e;
    throw e;
  }
  throw new Error(`${p} was opened`);
}

describe("SigMF core:dataset confinement", () => {
  it("a name in the folder (or a link within it) is read", () => {
    expect(openRecording(meta("ok", "ok.cs16")).samples).toBe(500);
    expect(openRecording(meta("inner", "inner.cs16")).samples).toBe(500);
  });
  it("'..', absolute paths and links out of the folder are BAD_INPUT naming core:dataset", () => {
    const cases = {
      up: "../outside.cs16",
      deep: "../../../../usr/bin/node",
      sub: "x/../../outside.cs16",
      abs: outside,
      win: "C:\\Windows\\notepad.exe",
      link: "link.cs16",
      notName: 42,
      empty: "",
    };
    for (const [name, dataset] of Object.entries(cases)) {
      const e = refused(meta(name, dataset));
      expect(e, name).toMatchObject({
        code: "BAD_INPUT",
        parameter: "core:dataset",
        allowed: "a file name in the metadata's folder",
      });
    }
  });
  it("chirp info refuses it with exit status 2 and reads nothing", () => {
    const r = chirp(["info", meta("cli", "../../../../usr/bin/node")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/core:dataset .*leaves the metadata's folder/);
    expect(r.stdout).toBe("");
  });
});
