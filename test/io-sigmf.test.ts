import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildSigmfMeta,
  buildTar,
  checkSigmfAgainstData,
  listTar,
  parseSigmfMeta,
  readSigmfArchive,
  stringifySigmf,
  withAnnotations,
  sigmfPair,
} from "../src/io/index.js";
import { ChirpError } from "../src/errors.js";

const enc = new TextEncoder();

describe("SigMF metadata", () => {
  it("maps every supported datatype and keeps rate and centre frequency", () => {
    for (const [dt, fmt] of [
      ["cf32_le", "cf32"],
      ["ci16_le", "cs16"],
      ["ci8", "cs8"],
      ["cu8", "cu8"],
    ] as const) {
      const info = parseSigmfMeta(
        JSON.stringify({
          global: { "core:datatype": dt, "core:sample_rate": 1e6, "core:version": "1.0.0" },
          captures: [{ "core:sample_start": 0, "core:frequency": 868.3e6 }],
          annotations: [],
        }),
      );
      expect(info.format).toBe(fmt);
      expect(info.sampleRate).toBe(1e6);
      expect(info.centerFrequency).toBe(868.3e6);
    }
  });

  it("explains why a datatype is refused", () => {
    const meta = (dt: string) => JSON.stringify({ global: { "core:datatype": dt, "core:version": "1.0.0" } });
    expect(() => parseSigmfMeta(meta("rf32_le"))).toThrow(/real-valued/);
    expect(() => parseSigmfMeta(meta("ci16_be"))).toThrow(/big-endian/);
    expect(() => parseSigmfMeta(meta("cf64_le"))).toThrow(/supported: cf32_le, ci16_le, ci8, cu8/);
    expect(() => parseSigmfMeta("{not json")).toThrow(/not valid JSON/);
    expect(() => parseSigmfMeta(JSON.stringify({ captures: [] }))).toThrow(/no "global"/);
    expect(() =>
      parseSigmfMeta(JSON.stringify({ global: { "core:datatype": "cf32_le", "core:num_channels": 2 } })),
    ).toThrow(/single-channel/);
  });

  it("round-trips a built document with annotations in order", () => {
    const doc = buildSigmfMeta({
      format: "cs16",
      sampleRate: 500e3,
      centerFrequency: 868.1e6,
      description: "test",
      annotations: [
        { sampleStart: 900, sampleCount: 100, label: "b", extra: { "chirpkit:payload_hex": "beef" } },
        { sampleStart: 10, sampleCount: 50, freqLowerEdge: 868.0375e6, freqUpperEdge: 868.1625e6, label: "a" },
      ],
    });
    const info = parseSigmfMeta(stringifySigmf(doc));
    expect(info.datatype).toBe("ci16_le");
    expect(info.annotations.map((a) => a.sampleStart)).toEqual([10, 900]);
    expect(info.annotations[0]!.freqLowerEdge).toBe(868.0375e6);
    expect(info.annotations[1]!.extra).toEqual({ "chirpkit:payload_hex": "beef" });
    expect(info.description).toBe("test");
  });

  it("replaces only its own annotations when annotating again", () => {
    const doc = buildSigmfMeta({ format: "cf32", sampleRate: 125e3 });
    doc.annotations.push({ "core:sample_start": 5, "core:label": "human note" });
    const once = withAnnotations(doc, [{ sampleStart: 100, label: "frame 1" }]);
    const twice = withAnnotations(once, [
      { sampleStart: 50, label: "frame A" },
      { sampleStart: 200, label: "frame B" },
    ]);
    expect(twice.annotations.map((a) => a["core:label"])).toEqual(["human note", "frame A", "frame B"]);
  });

  it("finds metadata that disagrees with the data", () => {
    const info = parseSigmfMeta(
      JSON.stringify({
        global: { "core:datatype": "cf32_le" },
        annotations: [{ "core:sample_start": 1000 }],
      }),
    );
    expect(checkSigmfAgainstData(info, 8 * 2000, 8)).toBe(2000);
    expect(() => checkSigmfAgainstData(info, 8 * 2000 + 4, 8)).toThrow(/not a whole number of cf32_le samples/);
    expect(() => checkSigmfAgainstData(info, 8 * 500, 8)).toThrow(
      /annotation starts at sample 1000 but the data holds only 500/,
    );
  });

  it("names the pair for either file or the archive", () => {
    expect(sigmfPair("a/rec.sigmf-meta")).toEqual({
      base: "a/rec",
      meta: "a/rec.sigmf-meta",
      data: "a/rec.sigmf-data",
    });
    expect(sigmfPair("a/rec.sigmf-data").meta).toBe("a/rec.sigmf-meta");
  });
});

describe("SigMF archives (tar)", () => {
  const meta = stringifySigmf(buildSigmfMeta({ format: "cu8", sampleRate: 1.024e6 }));
  const data = new Uint8Array(1500).map((_, i) => i & 255);

  it("read back what buildTar wrote, as views at the right offsets", () => {
    const tar = buildTar([
      { name: "rec/rec.sigmf-meta", data: enc.encode(meta) },
      { name: "rec/rec.sigmf-data", data },
    ]);
    expect(tar.length % 512).toBe(0);
    const entries = listTar(tar);
    expect(entries.map((e) => e.name)).toEqual(["rec/rec.sigmf-meta", "rec/rec.sigmf-data"]);
    const a = readSigmfArchive(tar);
    expect(a.name).toBe("rec/rec");
    expect(parseSigmfMeta(a.metaText).format).toBe("cu8");
    expect(Array.from(a.data)).toEqual(Array.from(data));
  });

  it("read an archive made by the system tar (ustar or pax with a long name)", () => {
    const dir = mkdtempSync(join(tmpdir(), "chirp-tar-"));
    const long = "a".repeat(120);
    execFileSync("mkdir", ["-p", join(dir, long)]);
    writeFileSync(join(dir, long, `${long}.sigmf-meta`), meta);
    writeFileSync(join(dir, long, `${long}.sigmf-data`), data);
    const out = join(dir, "x.sigmf");
    try {
      execFileSync("tar", ["--format=pax", "-cf", out, "-C", dir, long]);
    } catch {
      execFileSync("tar", ["-cf", out, "-C", dir, long]);
    }
    const a = readSigmfArchive(new Uint8Array(readFileSync(out)));
    expect(a.name).toBe(`${long}/${long}`);
    expect(Array.from(a.data)).toEqual(Array.from(data));
  });

  it("refuse non-tar bytes, truncated archives and archives without a recording", () => {
    expect(() => listTar(new Uint8Array(1024).fill(65))).toThrow(ChirpError);
    const tar = buildTar([
      { name: "r.sigmf-meta", data: enc.encode(meta) },
      { name: "r.sigmf-data", data },
    ]);
    expect(() => listTar(tar.subarray(0, 1024 + 512 + 100))).toThrow(/truncated/);
    expect(() => readSigmfArchive(buildTar([{ name: "r.sigmf-meta", data: enc.encode(meta) }]))).toThrow(
      /no r.sigmf-data/,
    );
    expect(() => readSigmfArchive(buildTar([{ name: "readme.txt", data: enc.encode("hi") }]))).toThrow(
      /no .sigmf-meta/,
    );
  });
});
