// chirp decode --forward: the Semtech UDP packet forwarder protocol (Lora-net/packet_forwarder
// PROTOCOL.TXT, protocol version 2) checked byte by byte by a network server on 127.0.0.1.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chirp, chirpAsync, lines } from "./cli-run.js";
import { writeLoRaWANRecording, type LoRaWANRecording } from "./lorawan-recording.js";
import { openForwarder, parseEui, parseUdpUrl, rxpkTime } from "../src/cli/forward.js";
import { frameTime } from "../src/cli/outputs.js";
import type { ChannelFrame } from "../src/cli/decode.js";
import { ChirpError } from "../src/errors.js";
import { describeShared, readSharedJson, sharedPath } from "./shared.js";
import { parseLoraTap, readPcap } from "../src/io/index.js";
import { readFileSync } from "node:fs";

interface Datagram {
  version: number;
  token: number;
  type: number;
  eui?: string;
  json?: any;
  raw: Buffer;
}

/** A minimal network server: records every datagram, acknowledges PUSH_DATA and PULL_DATA (unless told not to). */
async function networkServer(o: { ack?: boolean; pullResp?: boolean } = {}) {
  const sock: Socket = createSocket("udp4");
  const got: Datagram[] = [];
  let sentPullResp = false;
  sock.on("message", (raw: Buffer, from: RemoteInfo) => {
    const d: Datagram = { version: raw[0]!, token: raw.readUInt16BE(1), type: raw[3]!, raw };
    if (d.type === 0x00 || d.type === 0x02 || d.type === 0x05) d.eui = raw.subarray(4, 12).toString("hex");
    if ((d.type === 0x00 || d.type === 0x05) && raw.length > 12) d.json = JSON.parse(raw.subarray(12).toString("utf8"));
    got.push(d);
    const reply = (type: number) => sock.send(Buffer.from([2, raw[1]!, raw[2]!, type]), from.port, from.address);
    if (o.ack !== false && d.type === 0x00) reply(0x01);
    if (o.ack !== false && d.type === 0x02) {
      reply(0x04);
      if (o.pullResp && !sentPullResp) {
        sentPullResp = true;
        const body = Buffer.from(
          JSON.stringify({
            txpk: {
              imme: true,
              freq: 869.525,
              rfch: 0,
              powe: 14,
              modu: "LORA",
              datr: "SF9BW125",
              codr: "4/5",
              ipol: true,
              size: 1,
              data: "AA==",
            },
          }),
        );
        sock.send(Buffer.concat([Buffer.from([2, 0xab, 0xcd, 0x03]), body]), from.port, from.address);
      }
    }
  });
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
  const port = sock.address().port;
  return { port, got, close: () => new Promise<void>((r) => sock.close(() => r())) };
}

const dir = mkdtempSync(join(tmpdir(), "chirp-forward-"));
let rec: LoRaWANRecording;
let frames: Record<string, any>[];
beforeAll(() => {
  rec = writeLoRaWANRecording(dir);
  frames = lines(chirp(["decode", rec.path, ...rec.flags, "--json", "--quiet"]).stdout);
});

let servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

/** Checks one rxpk object against PROTOCOL.TXT section 4's field table. */
function checkRxpk(p: any) {
  expect(Object.keys(p).sort()).toEqual([
    "chan",
    "codr",
    "data",
    "datr",
    "freq",
    "lsnr",
    "modu",
    "rfch",
    "rssi",
    "size",
    "stat",
    "time",
    "tmst",
  ]);
  expect(p.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/); // ISO 8601 compact, us precision
  expect(Number.isInteger(p.tmst) && p.tmst >= 0 && p.tmst < 2 ** 32).toBe(true);
  expect(typeof p.freq).toBe("number"); // MHz, Hz precision
  expect(Math.round(p.freq * 1e6) / 1e6).toBe(p.freq);
  expect(Number.isInteger(p.chan) && p.chan >= 0).toBe(true);
  expect(Number.isInteger(p.rfch) && p.rfch >= 0).toBe(true);
  expect([1, -1, 0]).toContain(p.stat);
  expect(p.modu).toBe("LORA");
  expect(p.datr).toMatch(/^SF(5|6|7|8|9|10|11|12)BW(125|250|500)$/);
  expect(p.codr).toMatch(/^4\/[5-8]$/);
  expect(Number.isInteger(p.rssi)).toBe(true);
  expect(Math.round(p.lsnr * 10) / 10).toBe(p.lsnr);
  expect(p.data).toMatch(/^[A-Za-z0-9+/]*={0,2}$/);
  expect(p.data.length % 4).toBe(0); // padded
  expect(Buffer.from(p.data, "base64").length).toBe(p.size);
}

describe("chirp decode --forward udp://127.0.0.1:PORT", () => {
  it("sends a PULL_DATA keep-alive and one PUSH_DATA per frame; the JSON follows the specification", async () => {
    const srv = await networkServer();
    servers.push(srv);
    const r = await chirpAsync(
      [
        "decode",
        rec.path,
        ...rec.flags,
        "--forward",
        `udp://127.0.0.1:${srv.port}`,
        "--gateway-eui",
        "0016c001ff10a235",
        "--quiet",
      ],
      { timeout: 30_000 },
    );
    expect(r.status).toBe(0);
    const pulls = srv.got.filter((d) => d.type === 0x02);
    const pushes = srv.got.filter((d) => d.type === 0x00);
    expect(pulls.length).toBeGreaterThanOrEqual(1);
    for (const d of pulls) {
      expect(d.raw.length).toBe(12); // version, token, 0x02, gateway EUI: nothing else
      expect(d.version).toBe(2);
      expect(d.eui).toBe("0016c001ff10a235");
    }
    expect(pushes).toHaveLength(3);
    const tokens = new Set(srv.got.map((d) => d.token));
    expect(tokens.size).toBe(srv.got.length); // a fresh random token per datagram
    for (const [i, d] of pushes.entries()) {
      expect(d.version).toBe(2);
      expect(d.eui).toBe("0016c001ff10a235");
      expect(d.raw[12]).toBe(0x7b); // the JSON starts at byte 12 with '{'
      expect(d.raw[d.raw.length - 1]).toBe(0x7d); // and ends with '}'
      expect(Object.keys(d.json)).toEqual(["rxpk"]);
      expect(d.json.rxpk).toHaveLength(1);
      const p = d.json.rxpk[0];
      checkRxpk(p);
      expect(p).toMatchObject({
        freq: 868.1,
        chan: 0,
        rfch: 0,
        stat: 1,
        modu: "LORA",
        datr: "SF7BW125",
        codr: "4/5",
        size: rec.payloads[i]!.length / 2,
      });
      expect(Buffer.from(p.data, "base64").toString("hex")).toBe(rec.payloads[i]);
      expect(Math.abs(p.lsnr - frames[i]!.snrDb)).toBeLessThanOrEqual(0.05);
      // tmst: microseconds at the end of the frame, on the recording's clock
      expect(Math.abs(p.tmst - Math.round((frames[i]!.endSample / rec.sampleRate) * 1e6))).toBeLessThanOrEqual(1);
    }
    expect(r.stderr).toBe("");
  });

  it("reports PUSH_ACKs matched by token, and says so when the server never answers", async () => {
    const srv = await networkServer();
    servers.push(srv);
    const ok = await chirpAsync(["decode", rec.path, ...rec.flags, "--forward", `udp://127.0.0.1:${srv.port}`], {
      timeout: 30_000,
    });
    expect(ok.status).toBe(0);
    expect(ok.stderr).toMatch(
      /forwarded 3 frame\(s\) to 127\.0\.0\.1:\d+, 3 acknowledged \(PUSH_ACK\); keep-alives 1\/1 acknowledged/,
    );
    const mute = await networkServer({ ack: false });
    servers.push(mute);
    const none = await chirpAsync(["decode", rec.path, ...rec.flags, "--forward", `udp://127.0.0.1:${mute.port}`], {
      timeout: 30_000,
    });
    expect(none.status).toBe(0);
    expect(none.stderr).toMatch(/forwarded 3 frame\(s\) to 127\.0\.0\.1:\d+, 0 acknowledged/);
    expect(mute.got.filter((d) => d.type === 0x00)).toHaveLength(3);
  });

  it("in process: CRC-failed frames only with badCrc (stat -1); PULL_RESP answered with TX_ACK; acks of unknown tokens ignored", async () => {
    const srv = await networkServer({ pullResp: true });
    servers.push(srv);
    const base = frames[0]! as ChannelFrame;
    const f = (over: Partial<ChannelFrame>): ChannelFrame => ({
      ...base,
      payload: Buffer.from(base.payloadHex, "hex"),
      ...over,
    });
    const time = frameTime({ centerFrequency: 868.1e6 }, rec.sampleRate, {
      originS: 1_700_000_000,
      channels: [868.1e6],
    });
    for (const badCrc of [false, true]) {
      const fw = await openForwarder(`udp://127.0.0.1:${srv.port}`, time, {
        gatewayEui: "01-02-03-04-05-06-07-08",
        badCrc,
      });
      fw.frame(f({ crcOk: true }));
      fw.frame(f({ crcOk: false }));
      fw.frame(f({ crcOk: null, crc: false }));
      fw.frame(f({ truncated: true, crcOk: null }));
      await new Promise((r) => setTimeout(r, 100));
      const line = await fw.close();
      expect(fw.stats.pushed).toBe(badCrc ? 3 : 2);
      expect(fw.stats.pushAcked).toBe(fw.stats.pushed);
      expect(line).toMatch(badCrc ? /forwarded 3 frame/ : /1 with a failed CRC not sent/);
    }
    const stats = srv.got.filter((d) => d.type === 0x00).map((d) => d.json.rxpk[0].stat);
    expect(stats).toEqual([1, 0, 1, -1, 0]);
    const txAck = srv.got.find((d) => d.type === 0x05)!;
    expect(txAck).toBeDefined();
    expect(txAck.token).toBe(0xabcd); // the PULL_RESP's token
    expect(txAck.eui).toBe("0102030405060708");
    expect(txAck.json).toEqual({ txpk_ack: { error: "TX_FREQ" } });
    const first = srv.got.find((d) => d.type === 0x00)!.json.rxpk[0];
    expect(first.time).toBe(rxpkTime(1_700_000_000 + base.endSample / rec.sampleRate));
  });

  it("bad URLs and EUIs are typed errors naming the flag", async () => {
    expect(() => parseUdpUrl("tcp://x:1")).toThrow(ChirpError);
    expect(() => parseUdpUrl("udp://host:70000")).toThrow(/--forward/);
    expect(parseUdpUrl("udp://[::1]:1700")).toEqual({ host: "::1", port: 1700 });
    expect(() => parseEui("0011")).toThrow(/--gateway-eui/);
    expect(rxpkTime(1364746877.528002)).toBe("2013-03-31T16:21:17.528002Z");
    const r = chirp(["decode", rec.path, ...rec.flags, "--gateway-eui", "0011223344556677"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--gateway-eui only with --forward/);
    const noCenter = chirp([
      "decode",
      rec.path,
      "--rate",
      "250k",
      "--sf",
      "7",
      "--sync",
      "0x34",
      "--forward",
      "udp://127.0.0.1:9",
    ]);
    expect(noCenter.status).toBe(2);
    expect(noCenter.stderr).toMatch(/--forward needs the recording's centre frequency/);
  });
});

describeShared("--region with --forward and --pcap on the US915 recording", () => {
  it("each rxpk and LoRaTap packet carries the frame's plan channel, bandwidth and data rate (chan 8 = the 500 kHz channel)", async () => {
    const srv = await networkServer();
    servers.push(srv);
    const pcap = join(dir, "us915.pcap");
    const r = await chirpAsync(
      [
        "decode",
        sharedPath("captures/us915/us915_sb2_2msps.cs16"),
        "--rate",
        "2M",
        "--center",
        "904.6M",
        "--region",
        "us915",
        "--subband",
        "2",
        "--forward",
        `udp://127.0.0.1:${srv.port}`,
        "--pcap",
        pcap,
        "--quiet",
      ],
      { timeout: 120_000 },
    );
    expect(r.status).toBe(0);
    const truth = readSharedJson("captures/us915", "manifest.json").captures[0].frames as Record<string, any>[];
    const sb2 = [8, 9, 10, 11, 12, 13, 14, 15, 65];
    const rxpks = srv.got.filter((d) => d.type === 0x00).map((d) => d.json.rxpk[0]);
    expect(rxpks).toHaveLength(14);
    const packets = readPcap(new Uint8Array(readFileSync(pcap))).packets.map((p) => parseLoraTap(p.data));
    expect(packets).toHaveLength(14);
    for (const t of truth) {
      const p = rxpks.find((x) => Buffer.from(x.data, "base64").toString("hex") === t.payloadHex);
      expect(p).toBeDefined();
      checkRxpk(p);
      expect({ freq: p.freq, datr: p.datr, chan: p.chan, stat: p.stat }).toEqual({
        freq: t.frequencyHz / 1e6,
        datr: `SF${t.sf}BW${t.bandwidth / 1000}`,
        chan: sb2.indexOf(t.channelIndex),
        stat: 1,
      });
      const l = packets.find((x) => Buffer.from(x.payload).toString("hex") === t.payloadHex)!;
      expect({ frequencyHz: l.frequencyHz, bandwidth: l.bandwidth, sf: l.sf, syncWord: l.syncWord }).toEqual({
        frequencyHz: t.frequencyHz,
        bandwidth: t.bandwidth,
        sf: t.sf,
        syncWord: 0x34,
      });
    }
  });
});
