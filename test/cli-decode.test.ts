// `chirp simulate | decode | spectrogram | per` end to end, as spawned processes on the built CLI.
import { beforeAll, describe, expect, it } from "vitest";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { chirp, lines } from "./cli-run.js";
import { hasShared, readSharedJson, sharedPath } from "./shared.js";

const dir = mkdtempSync(join(tmpdir(), "chirp-decode-"));
const meta = (name: string) => JSON.parse(readFileSync(join(dir, name), "utf8"));

describe("SigMF round trip: simulate -> decode -> annotations", () => {
  let truth: Record<string, any>[] = [];
  beforeAll(() => {
    const r = chirp([
      "simulate",
      "-o",
      join(dir, "rt"),
      "--sf",
      "8",
      "--rate",
      "500k",
      "--snr",
      "0",
      "--cfo",
      "-4k",
      "--ppm",
      "12",
      "--frames",
      "4",
      "--format",
      "cs16",
      "--json",
    ]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    truth = lines(r.stdout);
  });

  it("writes raw IQ and SigMF metadata with the ground truth", () => {
    expect(truth).toHaveLength(4);
    expect(existsSync(join(dir, "rt.sigmf-data"))).toBe(true);
    const m = meta("rt.sigmf-meta");
    expect(m.global["core:datatype"]).toBe("ci16_le");
    expect(m.global["core:sample_rate"]).toBe(500000);
    expect(m.captures[0]["core:frequency"]).toBe(868.1e6);
    expect(m.annotations.map((a: any) => a["chirpkit:payload_hex"])).toEqual(truth.map((t) => t.payloadHex));
  });

  it("decodes every frame from the metadata alone (--sf and --bw only), with the receiver's field names", () => {
    const r = chirp(["decode", join(dir, "rt.sigmf-meta"), "--sf", "8", "--bw", "125000", "--json"]);
    expect(r.status).toBe(0);
    const frames = lines(r.stdout);
    expect(frames.map((f) => f.payloadHex)).toEqual(truth.map((t) => t.payloadHex));
    for (const [i, f] of frames.entries()) {
      expect(Math.abs(f.startSample - truth[i]!.startSample)).toBeLessThan(4);
      expect(f).toMatchObject({
        sf: 8,
        bandwidth: 125000,
        cr: 1,
        explicitHeader: true,
        crc: true,
        crcOk: true,
        headerOk: true,
        payloadLength: 16,
        syncWord: 0x12,
      });
      expect(Math.abs(f.cfoHz + 4000)).toBeLessThan(100);
      expect(typeof f.snrDb).toBe("number");
      expect(f.payload).toBeUndefined();
    }
  });

  it("--jobs on one file decodes in this process: the single-file table and summary, not the batch runner's", () => {
    const r = chirp(["decode", join(dir, "rt.sigmf-meta"), "--sf", "8", "--jobs", "1", "--quiet"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/4 frame\(s\), 4 good, in /);
    expect(r.stderr).not.toMatch(/file\(s\)/);
  });

  it("--annotate writes the frames back next to the truth, and replaces its own on a second run", () => {
    for (let run = 0; run < 2; run++) {
      const r = chirp(["decode", join(dir, "rt.sigmf-meta"), "--sf", "8", "--annotate", "--quiet"]);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/4 frame\(s\), 4 good/);
    }
    const anns = meta("rt.sigmf-meta").annotations as Record<string, any>[];
    const ours = anns.filter((a) => a["core:generator"] === "chirpkit");
    expect(anns).toHaveLength(8);
    expect(ours).toHaveLength(4);
    for (const a of ours) {
      expect(a["core:label"]).toBe("LoRa SF8 CRC ok 16 B");
      expect(a["chirpkit:crc_ok"]).toBe(true);
      expect(a["core:sample_count"]).toBeGreaterThan(40000);
      expect(a["core:freq_lower_edge"]).toBeLessThan(868.1e6 - 4000 - 62000);
      expect(a["core:freq_upper_edge"]).toBeGreaterThan(868.1e6 - 4000 + 62000);
    }
    const truthAnn = anns.filter((a) => a["chirpkit:truth"]);
    for (const [i, a] of ours.entries())
      expect(Math.abs(a["core:sample_count"] - truthAnn[i]!["core:sample_count"])).toBeLessThan(64);
    const starts = anns.map((a) => a["core:sample_start"]);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });

  it("reads archives (.sigmf) and raw files named by core:dataset", () => {
    expect(
      chirp(["simulate", "-o", join(dir, "arc.sigmf"), "--sf", "7", "--frames", "2", "--format", "cu8", "--seed", "3"])
        .status,
    ).toBe(0);
    const a = chirp(["decode", join(dir, "arc.sigmf"), "--sf", "7", "--json"]);
    expect(a.status).toBe(0);
    expect(lines(a.stdout)).toHaveLength(2);
    expect(chirp(["simulate", "-o", join(dir, "raw.cs8"), "--sf", "7", "--frames", "2", "--rate", "250k"]).status).toBe(
      0,
    );
    expect(meta("raw.sigmf-meta").global["core:dataset"]).toBe("raw.cs8");
    copyFileSync(join(dir, "raw.cs8"), join(dir, "bare.cs8")); // the same samples with no metadata beside
    const m = chirp(["decode", join(dir, "raw.sigmf-meta"), "--sf", "7", "--json"]);
    const r = chirp(["decode", join(dir, "raw.cs8"), "--rate", "250k", "--sf", "7", "--json"]);
    expect(lines(m.stdout)).toHaveLength(2);
    expect(lines(r.stdout).map((f) => f.payloadHex)).toEqual(lines(m.stdout).map((f) => f.payloadHex));
  });

  it("draws a spectrogram PNG with the frames marked", () => {
    const r = chirp(["spectrogram", join(dir, "rt.sigmf-meta"), "-o", join(dir, "rt.png"), "--fft", "256"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /1160x404 PNG, .*FFT 256.*, 4 decoded frame\(s\) \(4 CRC ok, 0 bad\), 4 other annotation\(s\)/,
    );
    const png = readFileSync(join(dir, "rt.png"));
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(png.readUInt32BE(16)).toBe(1160);
    const d = chirp(["spectrogram", join(dir, "bare.cs8"), "--rate", "250k", "--sf", "7", "-o", join(dir, "raw.png")]);
    expect(d.status).toBe(0);
    expect(d.stdout).toMatch(/2 decoded frame\(s\) \(2 CRC ok, 0 bad\)/);
    expect(inflateSync).toBeTypeOf("function");
  });
});

describe("decode on the shared captures", () => {
  it.runIf(hasShared)("finds the manifest's frames (cf32 1x, cu8 with sync 0x34, implicit header)", () => {
    const manifest = readSharedJson("captures", "manifest.json").captures as any[];
    for (const file of [
      "sf7_bw125_os1_clean.cf32",
      "sf9_bw125_os4_sync34_cu8.cu8",
      "sf7_bw125_os2_implicit_len12.cf32",
    ]) {
      const c = manifest.find((x) => x.file === file)!;
      const args = [
        "decode",
        sharedPath("captures", file),
        "--rate",
        String(c.sampleRate),
        "--bw",
        String(c.bandwidth),
        "--sf",
        String(c.sf),
        "--sync",
        c.syncWord,
        "--json",
      ];
      if (!c.explicitHeader)
        args.push("--implicit", "--length", String(c.frames[0].payloadHex.length / 2), "--cr", String(c.cr));
      const r = chirp(args);
      expect(r.status, r.stderr).toBe(0);
      const got = lines(r.stdout)
        .filter((f) => f.crcOk !== false)
        .map((f) => f.payloadHex);
      expect(got, file).toEqual(c.frames.map((f: any) => f.payloadHex));
    }
  });

  it.runIf(hasShared)("startSample is where the preamble's energy begins (the manifest says 3 samples later)", () => {
    const file = "sf7_bw125_os1_clean.cf32";
    const c = (readSharedJson("captures", "manifest.json").captures as any[]).find((x) => x.file === file)!;
    const iq = new Float32Array(readFileSync(sharedPath("captures", file)).buffer.slice(0));
    const r = chirp(["decode", sharedPath("captures", file), "--rate", "125k", "--sf", "7", "--json"]);
    const frames = lines(r.stdout);
    expect(frames).toHaveLength(c.frames.length);
    for (const [i, f] of frames.entries()) {
      const s = f.startSample as number;
      expect(Math.hypot(iq[2 * (s - 1)]!, iq[2 * (s - 1) + 1]!), `before frame ${i}`).toBeLessThan(1e-3);
      expect(Math.hypot(iq[2 * s]!, iq[2 * s + 1]!), `frame ${i}`).toBeGreaterThan(0.5);
      expect(c.frames[i].startSample - s).toBe(3);
    }
  });
});

describe("decode: a hint on stderr when nothing is found", () => {
  it("a preamble of another SF, bandwidth or sample rate is named as such (not a sync word)", () => {
    const out = join(dir, "shape");
    expect(
      chirp(["simulate", "-o", out, "--sf", "9", "--rate", "250k", "--snr", "0", "--frames", "2", "--format", "cf32"])
        .status,
    ).toBe(0);
    const raw = `${out}-raw.cf32`;
    copyFileSync(`${out}.sigmf-data`, raw);
    const wrongSf = chirp(["decode", raw, "--rate", "250k", "--sf", "7"]);
    expect(wrongSf.stderr).toMatch(
      /LoRa preamble \(\d+ upchirps at 0\.\d+ s\) of SF 9 spanning 125 kHz at --rate 250k, not SF 7 at 125 kHz: try --sf 9\n$/,
    );
    expect(wrongSf.stderr).not.toMatch(/--sync/);
    // told 500 kHz for a 250 kHz recording: the chirps look twice as wide
    const wrongRate = chirp(["decode", raw, "--rate", "500k", "--sf", "9"]);
    expect(wrongRate.stderr).toMatch(
      /of SF 9 spanning 250 kHz at --rate 500k, not SF 9 at 125 kHz: try --bw 250k --sf 9, or, if the bandwidth is 125 kHz, the sample rate is 250k \(--rate 250k\)/,
    );
    const auto = chirp(["decode", raw, "--rate", "250k", "--sf", "auto", "--json"]);
    expect(
      lines(auto.stdout)
        .filter((f) => f.crcOk)
        .map((f) => f.sf),
    ).toEqual([9, 9]);
  });

  it.runIf(hasShared)(
    "names another sync word (cu8 capture sent with 0x34, decoded for 0x12); --json stdout stays empty",
    () => {
      const r = chirp([
        "decode",
        sharedPath("captures", "sf9_bw125_os4_sync34_cu8.cu8"),
        "--rate",
        "500k",
        "--bw",
        "125k",
        "--sf",
        "9",
        "--json",
      ]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(
        /^chirp decode: \d+ preamble\(s\) had another sync word than 0x12: try --sync 0x34 or --sync any \(or, for LoRaWAN downlinks, inverted IQ: --iq both\)\n$/,
      );
    },
  );
  it.runIf(hasShared)(
    "suggests an implicit header when header checksums fail (implicit capture decoded as explicit)",
    () => {
      const r = chirp([
        "decode",
        sharedPath("captures", "sf7_bw125_os2_implicit_len12.cf32"),
        "--rate",
        "250k",
        "--bw",
        "125k",
        "--sf",
        "7",
        "--quiet",
      ]);
      expect(r.status).toBe(0);
      expect(r.stderr).toMatch(
        /^chirp decode: header checksum failed \d+ times: implicit header\? try --implicit --length N --cr C\n$/,
      );
    },
  );
  it.runIf(hasShared)(
    "several channels with --jobs 2 (wideband DC/IQ correction in each segment) give the frames of one process",
    () => {
      const args = [
        "decode",
        sharedPath("captures", "gateway", "eu868_3ch_1msps.cs16"),
        ...["--format", "cs16", "--rate", "1000000", "--center", "868300000", "--offset", "-200000,0,200000"],
        ...["--sf", "7-12", "--sync", "0x34", "--json", "--quiet"],
      ];
      const one = chirp(args),
        two = chirp([...args, "--jobs", "2"]);
      expect(one.status).toBe(0);
      expect(two.status).toBe(0);
      const key = (f: Record<string, any>) => `${f.startSampleExact} ${f.channelOffsetHz}`;
      const sorted = (out: string) => lines(out).sort((a, b) => (key(a) < key(b) ? -1 : 1));
      const a = sorted(one.stdout);
      expect(a.filter((f) => f.crcOk)).toHaveLength(12);
      expect(sorted(two.stdout)).toEqual(a);
    },
  );
  it.runIf(hasShared)("says nothing when frames are found", () => {
    const r = chirp([
      "decode",
      sharedPath("captures", "sf7_bw125_os2_implicit_len12.cf32"),
      "--rate",
      "250k",
      "--sf",
      "7",
      "--implicit",
      "--length",
      "12",
      "--cr",
      "1",
      "--quiet",
    ]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
  });
  it("emptyDecodeHint: sync rejects, repeated header failures, bare detections, or nothing", async () => {
    const { emptyDecodeHint } = await import("../src/cli/decode.js");
    const { parseRxFlags } = await import("../src/cli/rxflags.js");
    const rx = parseRxFlags({ sf: "7" });
    expect(emptyDecodeHint({ detections: 0, syncWordRejects: 0, headerFailures: 0 }, rx)).toBeUndefined();
    expect(emptyDecodeHint({ detections: 3, syncWordRejects: 5, headerFailures: 1 }, rx)).toMatch(
      /5 preamble\(s\) had another sync word than 0x12: try --sync 0x34/,
    );
    expect(emptyDecodeHint({ detections: 3, syncWordRejects: 5, headerFailures: 4 }, rx)).toMatch(
      /header checksum failed 4 times/,
    );
    expect(
      emptyDecodeHint(
        { detections: 3, syncWordRejects: 5, headerFailures: 0 },
        parseRxFlags({ sf: "7", sync: "0x34" }),
      ),
    ).toMatch(/than 0x34: try --sync 0x12/);
    expect(emptyDecodeHint({ detections: 3, syncWordRejects: 0, headerFailures: 0 }, rx)).toMatch(
      /3 preamble\(s\) detected but no frame decoded/,
    );
  });
});

describe("decode several channels of a wideband recording", () => {
  it.runIf(hasShared)("finds the gateway capture's frames in their channels (1 MS/s cs16, 3 channels, SF7..12)", () => {
    const g = readSharedJson("captures", "gateway", "manifest.json").captures[0];
    const r = chirp([
      "decode",
      sharedPath("captures", "gateway", g.file),
      "--rate",
      "1M",
      "--center",
      "868.3M",
      "--channel",
      "868.1M,868.3M,868.5M",
      "--sf",
      "7-12",
      "--sync",
      "0x34",
      "--json",
    ]);
    expect(r.status, r.stderr).toBe(0);
    const frames = lines(r.stdout);
    for (const f of frames) {
      const want = g.frames.find((x: any) => x.payloadHex === f.payloadHex);
      expect(want, f.payloadHex).toBeDefined();
      expect(f.crcOk).toBe(true);
      expect(868.3e6 + f.channelOffsetHz).toBe(want.frequencyHz);
      expect(f.sf).toBe(want.sf);
      expect(Math.abs(f.startSample - want.startSample)).toBeLessThan(16);
    }
    expect(frames.map((f) => f.payloadHex).sort()).toEqual(g.frames.map((x: any) => x.payloadHex).sort());
  });
  it.runIf(hasShared)(
    "--channel runs the gateway receiver (one front end per channel): exactly decodeGateway's frames",
    async () => {
      const g = readSharedJson("captures", "gateway", "manifest.json").captures[0];
      const file = sharedPath("captures", "gateway", g.file);
      const r = chirp([
        "decode",
        file,
        "--rate",
        "1M",
        "--center",
        "868.3M",
        "--channel",
        "868.1M,868.3M,868.5M",
        "--sf",
        "7-12",
        "--sync",
        "0x34",
        "--json",
        "--quiet",
      ]);
      expect(r.status, r.stderr).toBe(0);
      const { decodeGateway } = await import("../src/rx/index.js");
      const b = readFileSync(file);
      const want = decodeGateway(new Int16Array(b.buffer, b.byteOffset, b.length / 2), {
        sampleRate: 1e6,
        centerFrequency: 868.3e6,
        channels: [868.1e6, 868.3e6, 868.5e6],
        sfs: [7, 8, 9, 10, 11, 12],
        syncWord: 0x34,
      });
      const key = (f: any) =>
        [f.startSampleExact, f.endSample, f.sf, f.payloadHex, f.crcOk, f.cfoHz, f.snrDb].join(" ");
      const got = lines(r.stdout);
      expect(got.map(key).sort()).toEqual(want.map(key).sort());
      expect(got.map((f) => f.channelOffsetHz).sort()).toEqual(want.map((f) => f.channelHz - 868.3e6).sort());
      // absolute channel and carrier frequencies, as the gateway receiver names them
      const abs = (f: any) => `${f.startSampleExact} ${f.channelHz} ${f.frequencyHz.toFixed(3)}`;
      expect(got.map(abs).sort()).toEqual(want.map(abs).sort());
      const t = chirp([
        "decode",
        file,
        "--rate",
        "1M",
        "--center",
        "868.3M",
        "--channel",
        "868.1M,868.3M,868.5M",
        "--sf",
        "7-12",
        "--sync",
        "0x34",
        "--quiet",
      ]);
      expect(t.stdout).toMatch(/channel MHz/);
      expect(t.stdout).toMatch(/ 868\.1000 /);
      expect(got.length).toBe(g.frames.length);
    },
  );
});

describe("chirp per", () => {
  it("prints one JSON line per SNR with snrDb, per and ser", () => {
    const r = chirp(["per", "--sf", "7", "--snr", "-2:0:2", "--frames", "10", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const pts = lines(r.stdout);
    expect(pts.map((p) => p.snrDb)).toEqual([-2, 0]);
    for (const p of pts) {
      expect(p.per).toBe(0); // 10 frames at -2 dB and above, SF7: far above sensitivity
      expect(p.ser).toBeGreaterThanOrEqual(0);
      expect(p.ser).toBeLessThan(0.01);
      expect(p.frames).toBe(10);
      expect(p.symbols).toBeGreaterThan(10 * 20);
    }
  });

  it("finds losses near the sensitivity limit", () => {
    const r = chirp(["per", "--sf", "7", "--snr", "-13", "--frames", "10", "--json"]);
    const [p] = lines(r.stdout);
    expect(p!.per).toBeGreaterThan(0.5);
    expect(p!.missed + p!.corrupted).toBe(10 - p!.received);
    // rates are printed to 6 significant digits, not as binary floating-point noise
    expect(String(p!.ser).replace(/^0\.0*/, "").length).toBeLessThanOrEqual(6);
  });
});

describe("output paths: one clear line and exit status 2, nothing created", () => {
  const missing = join(dir, "no-such-dir");
  const cases: [string, string[], RegExp][] = [
    [
      "simulate into a missing directory",
      ["simulate", "-o", join(missing, "s1"), "--sf", "7"],
      /^chirp: cannot write .*no-such-dir\/s1: no such directory .*no-such-dir\n$/,
    ],
    [
      "encode into a missing directory",
      ["encode", "-o", join(missing, "e1"), "--sf", "7", "--payload", "01", "--rate", "125k"],
      /^chirp: cannot write .*no-such-dir\/e1: no such directory/,
    ],
    [
      "spectrogram into a missing directory",
      ["spectrogram", join(dir, "rt.sigmf-meta"), "-o", join(missing, "x.png")],
      /^chirp: cannot write .*no-such-dir\/x\.png: no such directory/,
    ],
    ["simulate without -o", ["simulate", "--sf", "7"], /^chirp: -o\/--out is required/],
    ["spectrogram without -o", ["spectrogram", join(dir, "rt.sigmf-meta")], /^chirp: -o\/--out is required/],
  ];
  for (const [name, args, msg] of cases) {
    it(name, () => {
      const r = chirp(args);
      expect(r.stderr).toMatch(msg);
      expect(r.status).toBe(2);
      expect(existsSync(missing)).toBe(false);
    });
  }
  it("--annotate that cannot write names the metadata file, not its temporary", () => {
    const s = chirp(["simulate", "-o", join(dir, "ann"), "--sf", "7", "--frames", "1"]);
    expect(s.status).toBe(0);
    mkdirSync(join(dir, "ann.sigmf-meta.tmp")); // makes the write fail even for root
    const r = chirp(["decode", join(dir, "ann.sigmf-meta"), "--sf", "7", "--annotate", "--quiet"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^chirp: --annotate cannot write .*ann\.sigmf-meta: /);
    expect(r.stderr).not.toMatch(/\.tmp/);
  });
});

describe("raw files beside chirpkit's metadata", () => {
  it("a raw file is read through the SigMF metadata naming it (rate, bandwidth); a contradicting --bw is an error", () => {
    const s = chirp([
      "simulate",
      "-o",
      join(dir, "side.cs16"),
      "--sf",
      "8",
      "--bw",
      "250k",
      "--rate",
      "500k",
      "--frames",
      "2",
    ]);
    expect(s.status, s.stderr).toBe(0);
    const r = chirp(["decode", join(dir, "side.cs16"), "--sf", "8", "--quiet"]); // no --rate, no --bw
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/2 frame\(s\), 2 good, in [\d.]+ s of .*side\.cs16/);
    const b = chirp(["decode", join(dir, "side.cs16"), "--sf", "8", "--bw", "125k"]);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/^chirp: --bw 125000 disagrees with the metadata \(chirpkit:bandwidth 250000\)\n$/);
    expect(chirp(["decode", join(dir, "side.sigmf-meta"), "--sf", "8", "--bw", "250k", "--quiet"]).stdout).toMatch(
      /2 good/,
    );
  });
});

describe("decode: bad input, one line and exit status 2", () => {
  const cases: [string, () => string[], RegExp][] = [
    ["no --sf", () => ["decode", join(dir, "rt.sigmf-meta")], /--sf is required/],
    [
      "SF out of range",
      () => ["decode", join(dir, "rt.sigmf-meta"), "--sf", "13"],
      /--sf = "13" is not allowed; allowed: 5\.\.12/,
    ],
    [
      "raw file without a rate",
      () => ["decode", join(dir, "bare.cs8"), "--sf", "7"],
      /sample rate of .* is unknown; give --rate/,
    ],
    [
      "--implicit without --length",
      () => ["decode", join(dir, "rt.sigmf-meta"), "--sf", "8", "--implicit"],
      /--length is required/,
    ],
    [
      "--no-crc with an explicit header",
      () => ["decode", join(dir, "rt.sigmf-meta"), "--sf", "8", "--no-crc"],
      /only with --implicit/,
    ],
    [
      "bad sync word",
      () => ["decode", join(dir, "rt.sigmf-meta"), "--sf", "8", "--sync", "0x123"],
      /--sync = "0x123" is not allowed/,
    ],
    [
      "--format disagreeing with SigMF",
      () => ["decode", join(dir, "rt.sigmf-meta"), "--sf", "8", "--format", "cf32"],
      /--format cf32 disagrees with the SigMF metadata \(core:datatype ci16_le = cs16\)/,
    ],
    [
      "--annotate on raw IQ",
      () => ["decode", join(dir, "bare.cs8"), "--rate", "250k", "--sf", "7", "--annotate"],
      /--annotate needs a SigMF recording/,
    ],
    [
      "--annotate on an archive",
      () => ["decode", join(dir, "arc.sigmf"), "--sf", "7", "--annotate"],
      /archive: extract it first/,
    ],
    [
      "channel outside the recording",
      () => ["decode", join(dir, "rt.sigmf-meta"), "--sf", "8", "--offset", "200k"],
      /a channel inside the recording/,
    ],
    [
      "--channel outside the recording names --channel and the absolute range",
      () => ["decode", join(dir, "rt.sigmf-meta"), "--sf", "8", "--channel", "869.1M"],
      /^chirp: --channel = 869100000 is not allowed; allowed: a channel inside the recording: 867912500 \.\. 868287500 Hz/,
    ],
    ["missing file", () => ["decode", join(dir, "nope.cf32"), "--sf", "7"], /file not found/],
  ];
  for (const [name, args, msg] of cases) {
    it(name, () => {
      const r = chirp(args());
      expect(r.stderr).toMatch(msg);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stdout).toBe("");
    });
  }
});
