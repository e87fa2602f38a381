// chirp decode --pcap (LoRaTap read back by us and by Debian's tshark) and --csv.
import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chirp, lines } from "./cli-run.js";
import { writeLoRaWANRecording, type LoRaWANRecording } from "./lorawan-recording.js";
import {
  LINKTYPE_LORATAP,
  loraTapHeader,
  parseLoraTap,
  pcapGlobalHeader,
  pcapRecord,
  readPcap,
} from "../src/io/index.js";
import { decodeFrame, MTYPES } from "../src/lorawan/index.js";
import { ChirpError } from "../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "chirp-outputs-"));
let rec: LoRaWANRecording;
let frames: Record<string, any>[] = [];
beforeAll(() => {
  rec = writeLoRaWANRecording(dir);
  const r = chirp(["decode", rec.path, ...rec.flags, "--json", "--pcap", join(dir, "lw.pcap"), "--quiet"]);
  expect(r.status).toBe(0);
  frames = lines(r.stdout);
});

describe("LoRaTap v0 header", () => {
  it("is 15 bytes, big-endian, in the field order of the LoRaTap README", () => {
    const h = loraTapHeader({ frequencyHz: 868_100_000, bandwidth: 500_000, sf: 9, snrDb: -7.25, syncWord: 0x34 });
    expect(Array.from(h)).toEqual([0, 0, 0, 15, 0x33, 0xbe, 0x27, 0xa0, 4, 9, 0, 0, 0, 0xe3, 0x34]);
    expect(parseLoraTap(h)).toMatchObject({
      version: 0,
      frequencyHz: 868_100_000,
      bandwidth: 500_000,
      sf: 9,
      snrDb: -7.25,
      syncWord: 0x34,
    });
  });
  it("pcap: little-endian a1b2c3d4 v2.4, link type 270, microsecond records", () => {
    const g = pcapGlobalHeader();
    expect(Array.from(g.subarray(0, 8))).toEqual([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0]);
    expect(new DataView(g.buffer).getUint32(20, true)).toBe(270);
    const r = pcapRecord(12.5, new Uint8Array([1, 2]));
    expect(Array.from(r)).toEqual([12, 0, 0, 0, 0x20, 0xa1, 0x07, 0, 2, 0, 0, 0, 2, 0, 0, 0, 1, 2]);
  });
  it("bad fields are typed errors", () => {
    expect(() => loraTapHeader({ frequencyHz: -1, bandwidth: 125e3, sf: 7, snrDb: 0, syncWord: 0x34 })).toThrow(
      ChirpError,
    );
    expect(() => loraTapHeader({ frequencyHz: 1, bandwidth: 125e3, sf: 13, snrDb: 0, syncWord: 0x34 })).toThrow(/sf/);
    expect(() => readPcap(new Uint8Array(10))).toThrow(ChirpError);
  });
});

describe("chirp decode --pcap", () => {
  it("writes one LoRaTap packet per decoded frame with its frequency, bandwidth, SF, SNR and sync word", () => {
    expect(frames.map((f) => f.payloadHex)).toEqual(rec.payloads);
    const { linkType, packets } = readPcap(new Uint8Array(readFileSync(join(dir, "lw.pcap"))));
    expect(linkType).toBe(LINKTYPE_LORATAP);
    expect(packets).toHaveLength(3);
    for (const [i, p] of packets.entries()) {
      const t = parseLoraTap(p.data);
      expect(t).toMatchObject({ version: 0, frequencyHz: 868_100_000, bandwidth: 125_000, sf: 7, syncWord: 0x34 });
      expect(Math.abs(t.snrDb - frames[i]!.snrDb)).toBeLessThanOrEqual(0.125);
      expect(Buffer.from(t.payload).toString("hex")).toBe(rec.payloads[i]);
    }
    // packets in time order, 1/rate apart as the frames' start samples
    expect(packets[1]!.timeS - packets[0]!.timeS).toBeCloseTo(
      (frames[1]!.startSample - frames[0]!.startSample) / rec.sampleRate,
      5,
    );
  });

  it("an unwritable --pcap is one clear line before any decoding", () => {
    const r = chirp(["decode", rec.path, ...rec.flags, "--pcap", join(dir, "no/such/dir.pcap")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--pcap cannot write .*no such directory/);
    expect(r.stdout).toBe("");
  });

  const tshark = spawnSync("tshark", ["--version"], { encoding: "utf8" });
  const haveTshark = tshark.status === 0;
  if (!haveTshark && process.env.CI === "true")
    throw new Error("CI=true: tshark is required (installed by .ci/run) to read the pcap files back");
  if (!haveTshark) console.warn("[skip] tshark not installed: the Wireshark read-back of --pcap is skipped");
  it.runIf(haveTshark)("tshark reads the file: each frame's LoRaWAN MType and DevAddr equal our own decoder's", () => {
    const fields = [
      "loratap.version",
      "loratap.channel.frequency",
      "loratap.channel.bandwidth",
      "loratap.channel.sf",
      "loratap.syncword",
      "lorawan.mhdr.mtype",
      "lorawan.fhdr.devaddr",
      "lorawan.join_request.deveui",
    ];
    const r = spawnSync("tshark", ["-r", join(dir, "lw.pcap"), "-T", "fields", ...fields.flatMap((f) => ["-e", f])], {
      encoding: "utf8",
    });
    expect(r.status).toBe(0);
    const rows = r.stdout
      .trim()
      .split("\n")
      .map((l) => l.split("\t"));
    expect(rows).toHaveLength(3);
    for (const [i, row] of rows.entries()) {
      const ours = decodeFrame(rec.payloads[i]!);
      const [version, freq, bw, sf, sync, mtype, devAddr, devEui] = row;
      expect([version, freq, bw, sf, sync]).toEqual(["0", "868100000", "1", "7", "0x34"]);
      // Wireshark numbers MTypes as the MHDR's top 3 bits, the order of our MTYPES table
      expect(Number(mtype)).toBe(MTYPES.indexOf(ours.mtype));
      if (ours.kind === "data") expect(devAddr).toBe(`0x${ours.devAddr.toString(16).padStart(8, "0")}`);
      else if (ours.kind === "join-request") expect(devEui!.replace(/:/g, "")).toBe(ours.devEui);
      else throw new Error(`unexpected ${ours.mtype}`);
    }
    expect(rows.map((row) => row[5])).toEqual(["2", "0", "4"]);
  });
});

describe("chirp decode --csv", () => {
  it("prints a header line and one line per frame, the same frames as --json", () => {
    const r = chirp(["decode", rec.path, ...rec.flags, "--csv", "--quiet"]);
    expect(r.status).toBe(0);
    const [head, ...rows] = r.stdout.trim().split("\n");
    expect(head).toBe(
      "time_s,sample,channel_hz,frequency_hz,sf,bandwidth,data_rate,cr,length,crc,snr_db,cfo_hz,sync_word,payload_hex,confidence",
    );
    expect(rows).toHaveLength(3);
    for (const [i, row] of rows.entries()) {
      const c = row!.split(",");
      expect(c).toHaveLength(15);
      expect(Number(c[1])).toBe(frames[i]!.startSample);
      expect(c[2]).toBe("868100000");
      expect(c.slice(4, 6)).toEqual(["7", "125000"]);
      expect(c.slice(7, 10)).toEqual(["4/5", String(rec.payloads[i]!.length / 2), "ok"]);
      expect(c[12]).toBe("0x34");
      expect(c[13]).toBe(rec.payloads[i]);
      expect(Number(c[14])).toBe(Number(frames[i]!.confidence.toFixed(3)));
    }
  });
  it("--csv with --json is refused", () => {
    const r = chirp(["decode", rec.path, ...rec.flags, "--csv", "--json"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--json or --csv, not both/);
  });
});
