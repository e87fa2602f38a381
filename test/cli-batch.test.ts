// Batch decoding (DIR, GLOB, several FILEs) with --jobs and --resume, and `npm start` (chirp demo).
import { beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHIRP_BIN, chirp, lines } from "./cli-run.js";
import { spawnSync } from "node:child_process";

const dir = mkdtempSync(join(tmpdir(), "chirp-batch-"));
const caps = join(dir, "caps");

describe("batch decoding with --jobs and --resume", () => {
  const payloads: Record<string, string[]> = {};
  beforeAll(() => {
    mkdirSync(caps);
    for (const [i, name] of ["a", "b", "c"].entries()) {
      const r = chirp([
        "simulate",
        "-o",
        join(caps, name),
        "--sf",
        "7",
        "--rate",
        "250k",
        "--frames",
        String(i + 1),
        "--snr",
        "10",
        "--seed",
        String(10 + i),
        "--json",
      ]);
      expect(r.status).toBe(0);
      payloads[join(caps, `${name}.sigmf-meta`)] = lines(r.stdout).map((t) => t.payloadHex);
    }
    writeFileSync(join(caps, "broken.cf32"), new Uint8Array(8 * 100 + 5));
  });

  it("decodes a DIR on several cores, resumes without repeating work, and reports the bad file", () => {
    const out = join(dir, "frames.jsonl");
    const first = chirp(["decode", caps, "--sf", "7", "--rate", "250k", "--jobs", "2", "--resume", out]);
    expect(first.status).toBe(2); // one file is bad input
    expect(first.stderr).toMatch(/broken\.cf32: .*805 bytes, not a whole number of cf32 samples/);
    expect(first.stderr).toMatch(/4 file\(s\): 3 decoded, 0 skipped \(already done\), 1 failed; 6 frame\(s\)/);
    const recs = lines(readFileSync(out, "utf8"));
    const frames = recs.filter((r) => !r.done);
    expect(
      recs
        .filter((r) => r.done)
        .map((r) => r.file)
        .sort(),
    ).toEqual(Object.keys(payloads).sort());
    for (const [file, hex] of Object.entries(payloads)) {
      expect(frames.filter((f) => f.file === file).map((f) => f.payloadHex)).toEqual(hex);
      expect(recs.find((r) => r.done && r.file === file)!.frames).toBe(hex.length);
    }

    // Resumed: the three done files are skipped; the broken one is tried again.
    const again = chirp(["decode", caps, "--sf", "7", "--rate", "250k", "--resume", out]);
    expect(again.stderr).toMatch(/4 file\(s\): 0 decoded, 3 skipped \(already done\), 1 failed; 0 frame\(s\)/);
    rmSync(join(caps, "broken.cf32"));
    const done = chirp(["decode", caps, "--sf", "7", "--resume", out]);
    expect(done.status).toBe(0);
    expect(done.stderr).toMatch(/3 file\(s\): 0 decoded, 3 skipped/);
    expect(lines(readFileSync(out, "utf8")).filter((r) => !r.done)).toHaveLength(6);
  });

  it("a torn last line (interrupted run) means that file is decoded again", () => {
    const out = join(dir, "torn.jsonl");
    const a = join(caps, "a.sigmf-meta");
    writeFileSync(
      out,
      JSON.stringify({ file: join(caps, "b.sigmf-meta"), done: true, frames: 2 }) + "\n" + `{"file":"${a}","do`,
    );
    const r = chirp(["decode", caps, "--sf", "7", "--resume", out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/3 file\(s\): 2 decoded, 1 skipped/);
    const text = readFileSync(out, "utf8");
    expect(text).not.toContain(`"do\n`); // the torn line is cut off
    expect(lines(text).filter((r) => r.done)).toHaveLength(3);
  });

  it("a torn last block (frames without their done line) is cut off: resumed, that file's frames appear once", () => {
    const out = join(dir, "torn-block.jsonl");
    const a = join(caps, "a.sigmf-meta");
    const b = join(caps, "b.sigmf-meta");
    const first = chirp(["decode", a, b, "--sf", "7", "--jobs", "1", "--resume", out]);
    expect(first.status).toBe(0);
    const full = readFileSync(out, "utf8");
    const recs = lines(full);
    // keep the first file's block whole, then b's frames without b's done line (the run was killed mid-write)
    const firstDone = full.indexOf("\n", full.indexOf('"done":true')) + 1;
    const bFrames = full
      .slice(firstDone)
      .split("\n")
      .filter((l) => l && !l.includes('"done":true'));
    expect(bFrames.length).toBeGreaterThan(0);
    writeFileSync(out, full.slice(0, firstDone) + bFrames.join("\n") + "\n" + bFrames[0]!.slice(0, 20));
    const again = chirp(["decode", a, b, "--sf", "7", "--resume", out]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/2 file\(s\): 1 decoded, 1 skipped/);
    expect(again.stderr).toMatch(/dropped an interrupted run's last \d+ byte/);
    const after = lines(readFileSync(out, "utf8"));
    // exactly the records of the uninterrupted run: no frame twice
    const key = (r: Record<string, unknown>) => JSON.stringify(r);
    expect(after.map(key).sort()).toEqual(recs.map(key).sort());
  });

  it("refuses a --resume file that is not one (nothing is cut from it)", () => {
    const out = join(dir, "notes.txt");
    writeFileSync(out, "my notes\nmore notes\n");
    const r = chirp(["decode", caps, "--sf", "7", "--resume", out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not a resume file/);
    expect(readFileSync(out, "utf8")).toBe("my notes\nmore notes\n");
  });

  it("a dangling symbolic link in the directory fails alone; the other files are decoded", () => {
    const d = join(dir, "with-link");
    mkdirSync(d);
    writeFileSync(join(d, "a.sigmf-meta"), readFileSync(join(caps, "a.sigmf-meta")));
    writeFileSync(join(d, "a.sigmf-data"), readFileSync(join(caps, "a.sigmf-data")));
    symlinkSync(join(dir, "no-such-file.cs16"), join(d, "gone.cs16"));
    const r = chirp(["decode", d, "--sf", "7", "--json"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/gone\.cs16: /);
    expect(lines(r.stdout).map((f) => f.payloadHex)).toEqual(payloads[join(caps, "a.sigmf-meta")]);
  });

  it("expands a GLOB and prints one JSON line per frame with its file name", () => {
    const r = chirp(["decode", join(caps, "[ab].sigmf-meta"), "--sf", "7", "--json", "--jobs", "2"]);
    expect(r.status, r.stderr).toBe(0);
    const frames = lines(r.stdout);
    expect(frames).toHaveLength(3);
    expect(new Set(frames.map((f) => f.file))).toEqual(
      new Set([join(caps, "a.sigmf-meta"), join(caps, "b.sigmf-meta")]),
    );
    for (const f of frames) expect(payloads[f.file]).toContain(f.payloadHex);
  });

  it("prints a table with file names for several FILEs", () => {
    const r = chirp(["decode", join(caps, "a.sigmf-meta"), join(caps, "c.sigmf-meta"), "--sf", "7"]);
    expect(r.status).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/^file\s+time s\s+SF/);
    expect(r.stdout.trim().split("\n")).toHaveLength(2 + 4);
  });

  it("says so when a GLOB matches nothing", () => {
    const r = chirp(["decode", join(caps, "*.nothing"), "--sf", "7"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^chirp: no files match .*\*\.nothing\n$/);
  });
});

describe("npm start (chirp demo)", () => {
  it("simulates joins, a day of uplinks and a few downlinks, decodes them in one pass, follows the conversations and prints the table", () => {
    const out = join(dir, "demo");
    const r = chirp(["demo", "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/time s\s+day\s+device\s+dir\s+SF\s+SNR dB\s+CFO Hz\s+CRC\s+MIC\s+FCnt\s+content/);
    const rows = r.stdout.split("\n").filter((l) => /^\s*\d+\.\d{3}\s/.test(l));
    // The summary names misses when there are any; the receiver decodes all 27 of this recording.
    const m = /(\d+) of 27 frames \(5 joins, 15 uplinks, 2 downlinks\) decoded, MIC ok[^;\n]*(; missed: .*)?\n/.exec(
      r.stdout,
    )!;
    expect(m).not.toBeNull();
    const good = Number(m[1]);
    expect(good).toBe(27);
    expect(!!m[2]).toBe(good < 27);
    expect(rows.filter((row) => /\sup\s+(7|8|9|10)\s.*\sok\s+ok\s/.test(row))).toHaveLength(20);
    expect(rows.filter((row) => /\sdown\s+(7|8|9|10)\s.*\snone\s+ok\s/.test(row))).toHaveLength(7);
    expect(rows.filter((row) => /join accept: DevAddr 26011f0\d, session keys derived/.test(row))).toHaveLength(5);
    expect(r.stdout).toMatch(/down .* ACK\n/);
    expect(r.stdout).toMatch(/LinkADRReq \(DR5, power 1\)/);
    expect(r.stdout).toMatch(/LinkADRAns; PM2\.5/);
    expect(r.stdout).toMatch(/fill \d+%/);
    expect(r.stdout).toMatch(/PM2\.5 [\d.]+ ug\/m3/);
    expect(r.stdout).toMatch(/accel x\/y\/z [-\d.]+\/[-\d.]+\/[-\d.]+ g/);
    expect(r.stdout).toMatch(/temp [-\d.]+°C/);
    for (const f of ["recording.sigmf-meta", "recording.sigmf-data", "frames.jsonl", "spectrogram.png"])
      expect(existsSync(join(out, f)), f).toBe(true);
    const frames = lines(readFileSync(join(out, "frames.jsonl"), "utf8"));
    expect(frames).toHaveLength(rows.length);
    expect(frames.filter((f) => f.lorawan?.micOk === true)).toHaveLength(good);
    expect(frames.filter((f) => f.invertIq)).toHaveLength(7);
    const meta = JSON.parse(readFileSync(join(out, "recording.sigmf-meta"), "utf8"));
    expect(meta.annotations.filter((a: any) => a["chirpkit:truth"])).toHaveLength(27);
    expect(meta.annotations.filter((a: any) => a["core:generator"] === "chirpkit")).toHaveLength(rows.length);
    // no "-0" in the table: a sign on a rounded zero says nothing
    expect(r.stdout).not.toMatch(/\s-0(\.0+)?\s/);
  });

  it("the follow-up commands it prints run as printed (npx chirp, keys.json beside the recording)", () => {
    const out = join(dir, "demo-next");
    const r = chirp(["demo", "--out", out]);
    expect(r.status).toBe(0);
    const keys = JSON.parse(readFileSync(join(out, "keys.json"), "utf8"));
    expect(keys.devices).toHaveLength(5);
    expect(keys.devices[0]).toMatchObject({ name: "bin-market-sq", devEui: "70b3d57ed0011f01" });
    const next = r.stdout
      .split("next:\n")[1]!
      .trim()
      .split("\n")
      .map((l) => l.trim());
    expect(next).toHaveLength(3);
    for (const cmd of next) expect(cmd).toMatch(/^npx chirp /);
    // run each as the shell would: "npx chirp" is this package's bin
    const bin = `"${process.execPath}" "${CHIRP_BIN}"`;
    for (const cmd of next) {
      const sh = spawnSync("sh", ["-c", cmd.replaceAll("npx chirp", bin)], { encoding: "utf8", timeout: 60_000 });
      expect(sh.status, `${cmd}\n${sh.stderr}`).toBe(0);
      if (cmd.includes("--keys")) {
        const lw = sh.stdout.split("LoRaWAN\n")[1]!;
        expect(lw.match(/\s(up|down)\s+\S+\s+\S+\s+\d*\s*ok\s/g)).toHaveLength(27);
        expect(lw).toMatch(/session DevAddr 26011f03/);
        expect(sh.stdout).toMatch(/session 26011f03 \(bridge-vib-2\): FCntUp 2, FCntDown 0/);
      }
    }
    expect(existsSync(join(out, "frames.png"))).toBe(true);
  });
});

describe("batch: a raw file beside the metadata naming it", () => {
  it("is listed once, as its .sigmf-meta", async () => {
    const d = join(dir, "side");
    mkdirSync(d);
    expect(chirp(["simulate", "-o", join(d, "r.cs16"), "--sf", "7", "--frames", "1"]).status).toBe(0);
    writeFileSync(join(d, "alone.cs8"), new Uint8Array(16));
    const { expandInputs } = await import("../src/cli/batch.js");
    expect(
      expandInputs([d])
        .map((f) => f.slice(d.length + 1))
        .sort(),
    ).toEqual(["alone.cs8", "r.sigmf-meta"]);
  });
});
