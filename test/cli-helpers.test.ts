// In-process tests of the CLI's building blocks: recording opener, PNG writer, tables, flags.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { inflateSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openRecording, readSamples, streamSamples } from "../src/cli/recording.js";
import { crc32, encodePng } from "../src/cli/png.js";
import { formatTable } from "../src/cli/table.js";
import { numberFlag, rangeFlag, parseCli, jsonLine } from "../src/cli/args.js";
import { buildSigmfMeta, buildTar, stringifySigmf, writeIq } from "../src/io/index.js";
import { ChirpError } from "../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "chirp-cli-helpers-"));
const iq = new Float32Array(2000).map((_, i) => Math.sin(i / 7) * 0.5);

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ChirpError);
    return `${(e as ChirpError).code}: ${(e as Error).message}`;
  }
  return "no error";
}

describe("openRecording", () => {
  const raw = join(dir, "r.cs16");
  writeFileSync(raw, writeIq(iq, "cs16").bytes);
  const meta = stringifySigmf(buildSigmfMeta({ format: "cs16", sampleRate: 250e3, centerFrequency: 868.1e6 }));
  writeFileSync(join(dir, "p.sigmf-meta"), meta);
  writeFileSync(join(dir, "p.sigmf-data"), writeIq(iq, "cs16").bytes);
  writeFileSync(
    join(dir, "a.sigmf"),
    buildTar([
      { name: "a/a.sigmf-meta", data: new TextEncoder().encode(meta) },
      { name: "a/a.sigmf-data", data: writeIq(iq, "cs16").bytes },
    ]),
  );

  it("takes format from the extension and rate from the flag for raw files", () => {
    const r = openRecording(raw, { rate: 1e6 });
    expect([r.format, r.samples, r.sampleRate]).toEqual(["cs16", 1000, 1e6]);
  });

  it("takes format, rate and centre from SigMF (pair or archive)", () => {
    for (const p of ["p.sigmf-meta", "p.sigmf-data", "a.sigmf"]) {
      const r = openRecording(join(dir, p));
      expect([r.format, r.samples, r.sampleRate, r.centerFrequency]).toEqual(["cs16", 1000, 250e3, 868.1e6]);
      expect(Array.from(readSamples(r, 10, 2))).toEqual(
        Array.from(new Int16Array(writeIq(iq, "cs16").bytes.buffer).subarray(20, 24)),
      );
    }
  });

  it("refuses flags that contradict the metadata, odd sizes, unknown extensions and missing files", () => {
    expect(code(() => openRecording(join(dir, "p.sigmf-meta"), { format: "cf32" }))).toMatch(
      /BAD_INPUT: --format cf32 disagrees/,
    );
    expect(code(() => openRecording(join(dir, "p.sigmf-meta"), { rate: 1e6 }))).toMatch(/--rate 1000000 disagrees/);
    writeFileSync(join(dir, "odd.cf32"), new Uint8Array(8 * 10 + 3));
    expect(code(() => openRecording(join(dir, "odd.cf32")))).toMatch(
      /BAD_INPUT: .*83 bytes, not a whole number of cf32 samples/,
    );
    writeFileSync(join(dir, "x.bin"), new Uint8Array(8));
    expect(code(() => openRecording(join(dir, "x.bin")))).toMatch(/give --format/);
    expect(code(() => openRecording(join(dir, "missing.cf32")))).toMatch(/IO_ERROR: file not found/);
    mkdirSync(join(dir, "d.cf32"), { recursive: true });
    expect(code(() => openRecording(join(dir, "d.cf32")))).toMatch(/is a directory/);
    writeFileSync(join(dir, "q.sigmf-meta"), meta);
    expect(code(() => openRecording(join(dir, "q.sigmf-meta")))).toMatch(/SigMF data file not found/);
  });

  it("streams in chunks that add up to the recording", async () => {
    const r = openRecording(join(dir, "a.sigmf"));
    const firsts: number[] = [];
    let total = 0;
    for await (const { view, first } of streamSamples(r, 300)) {
      firsts.push(first);
      total += view.length / 2;
    }
    expect(firsts).toEqual([0, 300, 600, 900]);
    expect(total).toBe(1000);
  });
});

describe("PNG writer", () => {
  it("writes chunks with valid CRCs and pixels that inflate back", () => {
    const w = 3,
      h = 2;
    const rgba = new Uint8Array(w * h * 4).map((_, i) => (i * 37) & 255);
    const png = encodePng(rgba, w, h);
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const dv = new DataView(png.buffer, png.byteOffset);
    let pos = 8;
    const types: string[] = [];
    let idat = new Uint8Array(0);
    while (pos < png.length) {
      const len = dv.getUint32(pos);
      const type = String.fromCharCode(...png.subarray(pos + 4, pos + 8));
      types.push(type);
      expect(dv.getUint32(pos + 8 + len)).toBe(crc32(png.subarray(pos + 4, pos + 8 + len)));
      if (type === "IHDR") expect([dv.getUint32(pos + 8), dv.getUint32(pos + 12)]).toEqual([w, h]);
      if (type === "IDAT") idat = png.slice(pos + 8, pos + 8 + len);
      pos += 12 + len;
    }
    expect(types).toEqual(["IHDR", "IDAT", "IEND"]);
    const raw = inflateSync(idat);
    expect(raw.length).toBe(h * (1 + w * 4));
    expect(Array.from(raw.subarray(1, 1 + w * 4))).toEqual(Array.from(rgba.subarray(0, w * 4)));
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926); // the CRC-32 check value
  });
});

describe("flags and tables", () => {
  it("parse numbers with SI suffixes and hex", () => {
    expect(numberFlag("rate", "1.024M")).toBe(1.024e6);
    expect(numberFlag("bw", "125k")).toBe(125000);
    expect(numberFlag("sync", "0x34")).toBe(0x34);
    expect(numberFlag("snr", "-7.5")).toBe(-7.5);
    expect(code(() => numberFlag("sf", "seven"))).toMatch(/BAD_PARAMETER: --sf = "seven"/);
  });

  it("expand FROM:TO:STEP ranges including the end", () => {
    expect(rangeFlag("snr", "-12:-4:0.5")).toHaveLength(17);
    expect(rangeFlag("snr", "-12:-4:0.5").at(-1)).toBe(-4);
    expect(rangeFlag("snr", "3")).toEqual([3]);
    expect(code(() => rangeFlag("snr", "1:0:1"))).toMatch(/TO >= FROM/);
  });

  it("take negative numbers as flag values (--snr -12:-4:0.5)", () => {
    const p = parseCli(["--snr", "-12:-4:0.5", "--cfo", "-3k", "x"], {
      snr: { type: "string" },
      cfo: { type: "string" },
    });
    expect(p.values.snr).toBe("-12:-4:0.5");
    expect(p.values.cfo).toBe("-3k");
    expect(p.positionals).toEqual(["x"]);
  });

  it("turn unknown flags into one short line", () => {
    expect(code(() => parseCli(["--bogus"], {}))).toBe("BAD_PARAMETER: Unknown option '--bogus'");
  });

  it("align columns and mark missing values", () => {
    const t = formatTable(
      [
        { a: "x", b: 1.5 },
        { a: "long", b: null },
      ],
      [
        { header: "name", get: (r) => r.a },
        { header: "v", get: (r) => r.b },
      ],
    );
    expect(t).toBe("name    v\n----  ---\nx     1.5\nlong    -\n");
  });

  it("write bytes as hex and non-finite numbers as null in JSON lines", () => {
    expect(jsonLine({ p: new Uint8Array([1, 255]), x: Infinity })).toBe('{"p":"01ff","x":null}\n');
  });
});
