// `chirp encode` and `chirp toa` through the built CLI (its bin, dist/bin/main.js; npm test builds first).
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHIRP_BIN } from "./cli-run.js";
import { demodulateSymbols, encodeFrame, frameLayout } from "../src/phy/index.js";

function chirp(...args: string[]) {
  const r = spawnSync(process.execPath, [CHIRP_BIN, ...args], { encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const dir = mkdtempSync(join(tmpdir(), "chirp-phy-"));
const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));

describe("chirp encode", () => {
  it("--symbols prints the frame's symbol values as one JSON array", () => {
    const r = chirp("encode", "--sf", "7", "--cr", "4", "--payload", "deadbeef", "--symbols");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(Array.from(encodeFrame(hex("deadbeef"), { sf: 7, cr: 4, bandwidth: 125000 })));
    const im = chirp(
      "encode",
      "--sf",
      "9",
      "--cr",
      "2",
      "--implicit",
      "--no-crc",
      "--ldro",
      "on",
      "--payload",
      "0102",
      "--symbols",
    );
    const want = Array.from(
      encodeFrame(hex("0102"), { sf: 9, cr: 2, bandwidth: 125000, explicitHeader: false, crc: false, ldro: "on" }),
    );
    expect(JSON.parse(im.out)).toEqual(want);
    const js = chirp(
      "encode",
      "--sf",
      "9",
      "--cr",
      "2",
      "--implicit",
      "--no-crc",
      "--ldro",
      "on",
      "--payload",
      "0102",
      "--symbols",
      "--engine",
      "js",
    );
    expect(JSON.parse(js.out)).toEqual(want);
  });
  it("-o writes cf32 / cs16 / cu8 frames that demodulate to the encoded symbols", () => {
    const p = { sf: 7, cr: 1, bandwidth: 125000, syncWord: 0x34 };
    const layout = frameLayout(p, 4, 4);
    const want = Array.from(encodeFrame(hex("deadbeef"), p));
    for (const format of ["cf32", "cs16", "cu8"] as const) {
      const file = join(dir, `f.${format}`);
      const r = chirp(
        "encode",
        "--sf",
        "7",
        "--cr",
        "1",
        "--bw",
        "125000",
        "--rate",
        "500000",
        "--sync",
        "0x34",
        "--payload",
        "deadbeef",
        "-o",
        file,
      );
      expect(r.code, r.err).toBe(0);
      const bytes = readFileSync(file);
      const per = { cf32: 8, cs16: 4, cu8: 2 }[format];
      expect(bytes.length).toBe(layout.totalSamples * per);
      const iq = new Float32Array(2 * layout.totalSamples);
      for (let i = 0; i < iq.length; i++) {
        iq[i] =
          format === "cf32"
            ? bytes.readFloatLE(4 * i)
            : format === "cs16"
              ? bytes.readInt16LE(2 * i) / 32767
              : (bytes[i]! - 127.5) / 127.5;
      }
      const syms = demodulateSymbols(iq.subarray(2 * layout.header[0]), p, { oversampling: 4 });
      expect(Array.from(syms), format).toEqual(want);
      const sync = demodulateSymbols(iq.subarray(2 * layout.sync[0], 2 * layout.sync[1]), p, { oversampling: 4 });
      expect(Array.from(sync)).toEqual([24, 32]);
    }
  });
  it("-o writes SigMF metadata beside the raw file (datatype, rate, centre, the frame as an annotation)", () => {
    const file = join(dir, "meta.cs16");
    const r = chirp(
      "encode",
      "--sf",
      "7",
      "--cr",
      "2",
      "--bw",
      "125k",
      "--rate",
      "250k",
      "--sync",
      "0x34",
      "--center",
      "868.1M",
      "--payload",
      "deadbeef",
      "-o",
      file,
    );
    expect(r.code, r.err).toBe(0);
    const layout = frameLayout({ sf: 7, cr: 2, bandwidth: 125000, syncWord: 0x34 }, 4, 2);
    expect(readFileSync(file).length).toBe(layout.totalSamples * 4);
    const meta = JSON.parse(readFileSync(join(dir, "meta.sigmf-meta"), "utf8"));
    expect(meta.global).toMatchObject({
      "core:datatype": "ci16_le",
      "core:sample_rate": 250000,
      "core:dataset": "meta.cs16",
    });
    expect(meta.captures[0]["core:frequency"]).toBe(868.1e6);
    expect(meta.annotations).toHaveLength(1);
    expect(meta.annotations[0]).toMatchObject({
      "core:sample_start": 0,
      "core:sample_count": layout.totalSamples,
      "core:freq_lower_edge": 868.0375e6,
      "core:freq_upper_edge": 868.1625e6,
      "chirpkit:payload_hex": "deadbeef",
      "chirpkit:sf": 7,
      "chirpkit:cr": 2,
      "chirpkit:bandwidth": 125000,
      "chirpkit:sync_word": 0x34,
      "chirpkit:crc": true,
    });
    // No --center: no frequency in the capture or the annotation; a bare name gives the SigMF pair.
    const bare = join(dir, "pair");
    expect(chirp("encode", "--sf", "8", "--rate", "125k", "--payload", "0102", "-o", bare).code).toBe(0);
    const m2 = JSON.parse(readFileSync(bare + ".sigmf-meta", "utf8"));
    expect(m2.global["core:datatype"]).toBe("cf32_le");
    expect(m2.captures[0]["core:frequency"]).toBeUndefined();
    expect(m2.annotations[0]["core:freq_lower_edge"]).toBeUndefined();
    expect(readFileSync(bare + ".sigmf-data").length).toBe(
      frameLayout({ sf: 8, cr: 1, bandwidth: 125000 }, 2, 1).totalSamples * 8,
    );
  });
  it("-o NAME.sigmf writes an archive that the recording reader opens", () => {
    const file = join(dir, "arch.sigmf");
    expect(
      chirp("encode", "--sf", "7", "--rate", "250k", "--payload", "cafe01", "--format", "cs8", "-o", file).code,
    ).toBe(0);
    const d = chirp("info", file, "--json");
    expect(d.code, d.err).toBe(0);
    const samples = frameLayout({ sf: 7, cr: 1, bandwidth: 125000 }, 3, 2).totalSamples;
    expect(JSON.parse(d.out)).toMatchObject({
      format: "cs8",
      sampleRate: 250000,
      samples,
      centerFrequency: null,
      annotations: 1,
    });
    const mismatch = chirp(
      "encode",
      "--sf",
      "7",
      "--rate",
      "250k",
      "--payload",
      "00",
      "--format",
      "cu8",
      "-o",
      join(dir, "m.cs16"),
    );
    expect(mismatch.code).toBe(2);
    expect(mismatch.err).toMatch(/--format cu8 disagrees with the output name/);
  });
  it("bad parameters exit 2 with a message naming the parameter and its range", () => {
    const cases: [string[], RegExp][] = [
      [["--sf", "4", "--payload", "00", "--symbols"], /sf.*5 to 12/],
      [["--sf", "7", "--cr", "5", "--payload", "00", "--symbols"], /cr.*1 to 4/],
      [
        ["--sf", "7", "--rate", "300000", "--payload", "00", "-o", join(dir, "x.cf32")],
        /^chirp: --rate = 300000 .*multiple.*bandwidth/,
      ],
      // errors from the library name the flag the user typed, not the API parameter (bandwidth)
      [
        ["--sf", "7", "--bw", "-5", "--payload", "00", "--symbols"],
        /^chirp: --bw = -5 is not allowed; allowed: a positive number/,
      ],
      [["--sf", "7", "--bw", "0", "--rate", "500k", "--payload", "00", "-o", join(dir, "v.cf32")], /^chirp: --bw = 0 /],
      [["--sf", "7", "--bw", "12x", "--payload", "00", "--symbols"], /^chirp: --bw = "12x" is not allowed/],
      [["--sf", "7", "--payload", "00", "--symbols", "--engine", "gpu"], /^chirp: --engine = "gpu"/],
      [["--sf", "7", "--payload", "00".repeat(256), "--symbols"], /payload.*0\.\.255/],
      [["--sf", "7", "--payload", "", "--symbols"], /--payload.*1\.\.255 bytes with CRC on/],
      [["--sf", "7", "--payload", "xyz", "--symbols"], /payload.*hex/],
      [["--sf", "7", "--payload", "00", "-o", join(dir, "y.cf32")], /--rate.*required.*multiple \(1\.\.64\)/],
      [["--sf", "7", "--payload", "00", "--symbols", "-o", join(dir, "z.cf32")], /either --symbols.*or -o/],
      [["--sf", "7", "--payload", "00", "--symbols", "--sync", "256"], /sync.*0x00\.\.0xFF.*0x1424/],
      [["--sf", "7", "--payload", "00", "--symbols", "--preamble", "5"], /preamble.*6 to 65535/],
      [["--sf", "7", "--payload", "00", "--symbols", "--ldro", "maybe"], /ldro.*auto, on, off/],
      [
        ["--sf", "7", "--payload", "00", "--rate", "500000", "--format", "cf64", "-o", join(dir, "w.raw")],
        /format.*cf32, cs16/,
      ],
    ];
    for (const [args, re] of cases) {
      const r = chirp("encode", ...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err).toMatch(re);
    }
  });
});

describe("chirp toa", () => {
  it("prints time on air (text and --json)", () => {
    const j = chirp("toa", "--sf", "12", "--bw", "125k", "--length", "51", "--json");
    expect(j.code).toBe(0);
    const o = JSON.parse(j.out);
    expect(o).toMatchObject({ sf: 12, payloadSymbols: 63, preambleSymbols: 12.25, ldro: true });
    expect(o.seconds).toBeCloseTo(2.465792, 6);
    const t = chirp("toa", "--sf", "7", "--payload", "deadbeef");
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/time on air\s+30\.976 ms/);
    expect(chirp("toa", "--sf", "7").code).toBe(2);
    const both = chirp("toa", "--sf", "7", "--length", "3", "--payload", "deadbeef");
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/--length BYTES or --payload HEX, not both/);
    expect(chirp("toa", "--sf", "7", "--length", "256").err).toMatch(/length.*0 to 255/);
    const bw = chirp("toa", "--sf", "7", "--bw", "-5", "--length", "3");
    expect(bw.code).toBe(2);
    expect(bw.err).toMatch(/^chirp: --bw = -5 is not allowed; allowed: a positive number/);
    expect(bw.err).not.toMatch(/bandwidth =/);
  });
});
