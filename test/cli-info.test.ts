// `chirp info` and the error paths every command shares (spawned processes on the built CLI).
import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chirp } from "./cli-run.js";
import { buildSigmfMeta, stringifySigmf, writeIq } from "../src/io/index.js";
import { describeShared, sharedPath } from "./shared.js";

const dir = mkdtempSync(join(tmpdir(), "chirp-info-"));

beforeAll(() => {
  // A tone at +25 kHz, 1 MS/s, amplitude 0.5: -6 dBFS, its line 25 kHz above the centre.
  const n = 1 << 15;
  const iq = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    iq[2 * i] = 0.5 * Math.cos((2 * Math.PI * 25000 * i) / 1e6);
    iq[2 * i + 1] = 0.5 * Math.sin((2 * Math.PI * 25000 * i) / 1e6);
  }
  writeFileSync(join(dir, "tone.sigmf-data"), writeIq(iq, "cs16").bytes);
  writeFileSync(
    join(dir, "tone.sigmf-meta"),
    stringifySigmf(buildSigmfMeta({ format: "cs16", sampleRate: 1e6, centerFrequency: 868e6 })),
  );
  writeFileSync(join(dir, "odd.cs16"), new Uint8Array(4001));
  writeFileSync(join(dir, "short.sigmf-data"), new Uint8Array(4 * 100));
  writeFileSync(
    join(dir, "short.sigmf-meta"),
    JSON.stringify({
      global: { "core:datatype": "ci16_le", "core:sample_rate": 1e6, "core:version": "1.0.0" },
      annotations: [{ "core:sample_start": 5000 }],
    }),
  );
  writeFileSync(join(dir, "nan.cf32"), new Float32Array(2000).fill(NaN));
  const inf = new Float32Array(2000).fill(0.1);
  inf[301] = Infinity; // sample 150, Q
  inf[900] = NaN;
  writeFileSync(join(dir, "inf.cf32"), inf);
  writeFileSync(join(dir, "bad.sigmf-meta"), "{ nope");
  writeFileSync(join(dir, "bad.sigmf-data"), new Uint8Array(8));
});

describe("chirp info", () => {
  it("float samples have no full scale: cf32 levels are dB re 1.0, integer formats dBFS", () => {
    const iq = new Float32Array(4000).fill(0.5);
    writeFileSync(join(dir, "half.cf32"), iq);
    const f = chirp(["info", join(dir, "half.cf32"), "--rate", "1M"]);
    expect(f.stdout).toMatch(
      /level +-3\.0 dB rms, -3\.0 dB peak \(re amplitude 1\.0: float samples have no full scale\)/,
    );
    expect(f.stdout).not.toContain("dBFS");
    const i = chirp(["info", join(dir, "tone.sigmf-meta")]);
    expect(i.stdout).toMatch(/level +-6\.\d dBFS rms/);
  });
  it("reports duration, level and the spectrum peak of a SigMF recording", () => {
    const r = chirp(["info", join(dir, "tone.sigmf-meta"), "--json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(o.format).toBe("cs16");
    expect(o.samples).toBe(1 << 15);
    expect(o.durationS).toBeCloseTo(0.032768, 6);
    expect(o.rmsDbfs).toBeCloseTo(-6.02, 1);
    expect(Math.abs(o.peakOffsetHz - 25000)).toBeLessThanOrEqual(1e6 / 1024);
    expect(o.peakFrequencyHz).toBeCloseTo(868.025e6, -4);
    expect(o.peakOverMedianDb).toBeGreaterThan(40);
  });

  it("prints a readable table by default", () => {
    const r = chirp(["info", join(dir, "tone.sigmf-meta")]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/duration\s+32\.8 ms/);
    expect(r.stdout).toMatch(/sample rate\s+1 MHz/);
    expect(r.stdout).toMatch(/spectrum peak\s+\+2\d\.\d+ kHz from centre/);
  });

  describeShared("on a shared capture", () => {
    it("reads a raw cu8 file with --rate", () => {
      const r = chirp(["info", sharedPath("captures/sf9_bw125_os4_sync34_cu8.cu8"), "--rate", "500k", "--json"]);
      expect(r.status).toBe(0);
      const o = JSON.parse(r.stdout);
      expect(o.format).toBe("cu8");
      expect(o.durationS).toBeCloseTo(604992 / 2 / 500e3, 6);
    });
  });
});

describe("bad input: one line on stderr, exit status 2, no stack trace", () => {
  it("no command: usage on stderr, exit status 2", () => {
    const r = chirp([]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^chirp: .*\n\nusage: chirp <command>/);
    expect(r.stdout).toBe("");
  });
  it("spectrogram --help shows the gateway example with --channel", () => {
    const r = chirp(["spectrogram", "--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/chirp spectrogram gateway\.cs16 .*--channel 868\.1M,868\.3M,868\.5M/);
  });
  const cases: [string, string[], RegExp][] = [
    ["unknown flag", ["info", "x.cf32", "--bogus"], /^chirp: Unknown option '--bogus'\n$/],
    ["unknown command", ["frobnicate"], /^chirp: unknown command 'frobnicate'/],
    ["missing file", ["info", "/nonexistent/x.cf32"], /^chirp: file not found: \/nonexistent\/x\.cf32\n$/],
    ["odd byte count", ["info", join(dir, "odd.cs16")], /4001 bytes, not a whole number of cs16 samples/],
    [
      "unknown extension",
      ["info", join(dir, "tone.sigmf-meta").replace(".sigmf-meta", ".xyz")],
      /not found|give --format/,
    ],
    [
      "metadata disagrees with data",
      ["info", join(dir, "short.sigmf-meta")],
      /annotation starts at sample 5000 but the data holds only 100 samples/,
    ],
    [
      "flag disagrees with metadata",
      ["info", join(dir, "tone.sigmf-meta"), "--rate", "2M"],
      /--rate 2000000 disagrees with the SigMF metadata/,
    ],
    ["corrupt metadata", ["info", join(dir, "bad.sigmf-meta")], /not valid JSON/],
    [
      "demo --seed not a number",
      ["demo", "--seed", "abc", "--out", join(dir, "demo")],
      /^chirp: --seed = "abc" is not allowed/,
    ],
    [
      "encode to an unknown extension",
      ["encode", "-o", join(dir, "a.wav"), "--sf", "7", "--payload", "01", "--rate", "125k"],
      /^chirp: cannot tell the sample format of .*a\.wav from its extension \.wav; .*give --format/,
    ],
    [
      "simulate --cfo beyond the Nyquist range",
      ["simulate", "-o", join(dir, "nope"), "--sf", "7", "--cfo", "10M"],
      /^chirp: --cfo = 10000000 is not allowed; allowed: .*-62500 < cfoHz < 62500 Hz/,
    ],
    [
      "info: all NaN is not 'silent'",
      ["info", join(dir, "nan.cf32"), "--rate", "125k"],
      /nan\.cf32: 1000 of 1000 samples are not finite \(NaN or infinite\), the first at sample 0: cf32 samples must be finite/,
    ],
    [
      "info --json: a NaN and an Infinity",
      ["info", join(dir, "inf.cf32"), "--rate", "125k", "--json"],
      /inf\.cf32: 2 of 1000 samples are not finite \(NaN or infinite\), the first at sample 150:/,
    ],
    [
      "spectrogram of NaN samples",
      ["spectrogram", join(dir, "nan.cf32"), "--rate", "125k", "-o", join(dir, "nan.png")],
      /^chirp: input sample 0 \(I\) is NaN: cf32 samples must be finite numbers\n$/,
    ],
    [
      "spectrogram of an Infinity",
      ["spectrogram", join(dir, "inf.cf32"), "--rate", "125k", "-o", join(dir, "inf.png")],
      /^chirp: input sample 150 \(Q\) is Infinity: cf32 samples must be finite numbers\n$/,
    ],
    [
      "bad format name",
      ["info", "x.raw", "--format", "cf64"],
      /^chirp: --format = "cf64" is not allowed; allowed: cf32, cs16, cs8, cu8/,
    ],
    // library checks name their API parameters (bandwidth, sfoPpm); the CLI names the flag typed
    [
      "library error named by its flag (simulate --bw)",
      ["simulate", "-o", join(dir, "nope"), "--sf", "7", "--bw", "-5"],
      /^chirp: --bw = -5 is not allowed; allowed: a positive number/,
    ],
    [
      "library error named by its flag (simulate --ppm)",
      ["simulate", "-o", join(dir, "nope"), "--sf", "7", "--ppm", "1e6"],
      /^chirp: --ppm = 1000000 is not allowed/,
    ],
    [
      "library error named by its flag (per --bw)",
      ["per", "--sf", "7", "--snr", "0", "--bw", "-5"],
      /^chirp: --bw = -5 is not allowed; allowed: a positive number/,
    ],
  ];
  for (const [name, args, msg] of cases) {
    it(name, () => {
      const r = chirp(args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
      expect(r.stdout).toBe("");
    });
  }

  it("--help prints usage and an example for every command, exit 0", () => {
    const list = chirp(["--help"]);
    expect(list.status).toBe(0);
    const cmds = list.stdout
      .split("commands:\n")[1]!
      .split("\n\n")[0]!
      .split("\n")
      .map((l) => l.trim().split(/\s+/)[0]!);
    expect(cmds).toEqual(["decode", "encode", "simulate", "per", "toa", "lorawan", "info", "spectrogram", "demo"]);
    expect(list.stdout).toMatch(/\n {2}-V, --version +print the chirpkit version\n/);
    for (const cmd of cmds) {
      const r = chirp([cmd, "--help"]);
      expect(r.status).toBe(0);
      // every command's help has the same layout: title, usage, options (ending with -h), examples
      expect(r.stdout, cmd).toMatch(
        new RegExp(
          `^chirp ${cmd}: .+\\n\\nusage: chirp ${cmd} .+\\n\\noptions:\\n(  \\S.+\\n)+  -h, --help +show this help\\n\\n`,
        ),
      );
      expect(r.stdout).toMatch(/examples:\n {2}(chirp|npm) /);
    }
  });
});
