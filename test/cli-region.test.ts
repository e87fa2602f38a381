// LoRaWAN regional plans: the tables (src/lorawan/regions.ts), chirp decode --region on the
// US915 and CN470 gateway recordings of ../shared, chirp toa --region --dr.
import { describe, expect, it } from "vitest";
import { chirp, lines } from "./cli-run.js";
import { describeShared, readSharedJson, sharedPath } from "./shared.js";
import {
  REGION_NAMES,
  channelAt,
  dataRate,
  getRegion,
  receiverPlan,
  regionChannels,
  uplinkDataRate,
} from "../src/lorawan/regions.js";
import { ChirpError } from "../src/errors.js";

describe("regional plans", () => {
  it("every region: DR0 is SF12/125 kHz except US915 (SF10); LoRa uplink DRs have a bandwidth and an M", () => {
    for (const name of REGION_NAMES) {
      const r = getRegion(name);
      const dr0 = dataRate(r, 0);
      expect([dr0.sf, dr0.bandwidth]).toEqual(name === "us915" ? [10, 125000] : [12, 125000]);
      for (const d of r.dataRates.filter((x) => x.kind === "lora" && x.uplink)) {
        expect([125000, 250000, 500000]).toContain(d.bandwidth);
        expect(d.maxMacPayload).toBeGreaterThan(0);
      }
      expect(r.channels.length).toBeGreaterThanOrEqual(2);
    }
  });
  it("maximum payload sizes M per DR: US915 (one table), AU915 and AS923 with and without the 400 ms dwell time", () => {
    const m = (name: string, key: "maxMacPayload" | "maxMacPayloadDwell", dir: "up" | "down" = "up") =>
      getRegion(name)
        .dataRates.filter((d) => d.kind === "lora" && (dir === "up" ? d.uplink : d.downlink))
        .map((d) => [d.dr, d[key]]);
    // RP002-1.0.4 2.5.6 / 2.8.6 / 2.10.6; the same as LoRaMac-node's N + 8 and The Things Stack's RP002-1.0.4 bands
    expect(m("us915", "maxMacPayload")).toEqual([
      [0, 19],
      [1, 61],
      [2, 133],
      [3, 250],
      [4, 250],
    ]);
    expect(m("us915", "maxMacPayloadDwell")).toEqual([
      [0, undefined],
      [1, undefined],
      [2, undefined],
      [3, undefined],
      [4, undefined],
    ]);
    expect(m("us915", "maxMacPayload", "down")).toEqual([
      [8, 61],
      [9, 137],
      [10, 250],
      [11, 250],
      [12, 250],
      [13, 250],
    ]);
    expect(m("au915", "maxMacPayload")).toEqual([
      [0, 59],
      [1, 59],
      [2, 59],
      [3, 123],
      [4, 250],
      [5, 250],
      [6, 250],
    ]);
    expect(m("au915", "maxMacPayloadDwell")).toEqual([
      [0, null],
      [1, null],
      [2, 19],
      [3, 61],
      [4, 133],
      [5, 250],
      [6, 250],
    ]);
    expect(m("au915", "maxMacPayload", "down")).toEqual(m("us915", "maxMacPayload", "down"));
    expect(getRegion("au915").dwellTimeMs).toBe(400);
    expect(m("as923", "maxMacPayload")).toEqual([
      [0, 59],
      [1, 59],
      [2, 123],
      [3, 123],
      [4, 250],
      [5, 250],
      [6, 250],
    ]);
    expect(m("as923", "maxMacPayloadDwell")).toEqual([
      [0, null],
      [1, null],
      [2, 19],
      [3, 61],
      [4, 133],
      [5, 250],
      [6, 250],
    ]);
    expect(getRegion("as923").dwellTimeMs).toBeUndefined();
    for (const name of ["eu868", "kr920", "in865", "ru864", "cn470"])
      expect(
        m(name, "maxMacPayload")
          .slice(0, 6)
          .map((x) => x[1]),
      ).toEqual([59, 59, 59, 123, 250, 250]);
  });
  it("chirp toa --region au915: the dwell-time column applies (DR2 M = 19 B, DR0 not usable)", () => {
    const t = chirp(["toa", "--region", "au915", "--dr", "2", "--length", "30"]).stdout;
    expect(t).toMatch(
      /max payload {5}24 B PHYPayload \(MACPayload M = 19 B; 59 B without the dwell time\): 30 B is too long/,
    );
    const j = JSON.parse(chirp(["toa", "--region", "au915", "--dr", "0", "--length", "10", "--json"]).stdout);
    expect(j).toMatchObject({ maxPhyPayload: null, dwellTimeSeconds: 0.4 });
    expect(chirp(["toa", "--region", "au915", "--dr", "0", "--length", "10"]).stdout).toMatch(
      /none: DR0 cannot be used under the 400 ms dwell time \(M = 59 B without it\)/,
    );
    expect(
      JSON.parse(chirp(["toa", "--region", "as923", "--dr", "2", "--length", "10", "--json"]).stdout).maxPhyPayload,
    ).toBe(128);
  });
  it("US915/AU915: 64 x 125 kHz + 8 x 500 kHz; sub-band 2 is channels 8..15 and 65", () => {
    const us = getRegion("us915");
    const sb2 = regionChannels(us, 2);
    expect(sb2.map((c) => c.index)).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 65]);
    expect(sb2.map((c) => c.frequencyHz / 1e6)).toEqual([
      903.9, 904.1, 904.3, 904.5, 904.7, 904.9, 905.1, 905.3, 904.6,
    ]);
    expect(sb2[8]!.bandwidth).toBe(500000);
    expect(uplinkDataRate(us, 8, 500000)?.dr).toBe(4);
    expect(uplinkDataRate(us, 12, 125000)).toBeUndefined(); // SF11/12 at 125 kHz are not US915 uplink rates
    expect(receiverPlan(us, sb2)).toEqual([
      { bandwidth: 125000, sfs: [7, 8, 9, 10], channels: sb2.slice(0, 8) },
      { bandwidth: 500000, sfs: [8], channels: [sb2[8]] },
    ]);
    const au = regionChannels(getRegion("au915"), 1);
    expect(au.map((c) => c.frequencyHz / 1e6)).toEqual([915.2, 915.4, 915.6, 915.8, 916, 916.2, 916.4, 916.6, 915.9]);
    expect(dataRate(getRegion("au915"), 6)).toMatchObject({ sf: 8, bandwidth: 500000 });
  });
  it("CN470 sub-band 1 is 470.3 + 0.2n MHz, n = 0..7; dynamic plans have default channels and no sub-bands", () => {
    expect(regionChannels(getRegion("cn470"), 1).map((c) => c.frequencyHz / 1e6)).toEqual([
      470.3, 470.5, 470.7, 470.9, 471.1, 471.3, 471.5, 471.7,
    ]);
    expect(regionChannels(getRegion("kr920")).map((c) => c.frequencyHz)).toEqual([922.1e6, 922.3e6, 922.5e6]);
    expect(regionChannels(getRegion("in865")).map((c) => c.frequencyHz)).toEqual([865.0625e6, 865.4025e6, 865.985e6]);
    expect(regionChannels(getRegion("eu868")).map((c) => c.frequencyHz)).toEqual([868.1e6, 868.3e6, 868.5e6]);
    expect(channelAt(getRegion("us915"), 904.6e6, 500000)?.index).toBe(65);
    expect(() => regionChannels(getRegion("eu868"), 1)).toThrow(ChirpError);
    expect(() => regionChannels(getRegion("us915"), 9)).toThrow(/1\.\.8/);
    expect(() => getRegion("mars")).toThrow(/eu868, us915/);
    expect(() => dataRate(getRegion("us915"), 7)).toThrow(ChirpError);
  });
});

function checkCapture(region: string, subband: number, dir: string, file: string, center: string) {
  const manifest = readSharedJson(dir, "manifest.json").captures[0];
  const r = chirp(
    [
      "decode",
      sharedPath(dir, file),
      "--rate",
      "2M",
      "--center",
      center,
      "--region",
      region,
      "--subband",
      String(subband),
      "--json",
      "--quiet",
    ],
    { timeout: 120_000 },
  );
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const frames = lines(r.stdout).filter((f) => f.crcOk);
  expect(manifest.frames).toHaveLength(14);
  for (const t of manifest.frames) {
    const f = frames.find((x) => x.payloadHex === t.payloadHex);
    expect(f, `${t.dataRate} on channel ${t.channelIndex}`).toBeDefined();
    expect({
      channelIndex: f!.channelIndex,
      channelHz: f!.channelHz,
      bandwidth: f!.bandwidth,
      sf: f!.sf,
      dataRate: f!.dataRate,
    }).toEqual({
      channelIndex: t.channelIndex,
      channelHz: t.frequencyHz,
      bandwidth: t.bandwidth,
      sf: t.sf,
      dataRate: t.dataRate,
    });
    expect(f!.datr).toBe(`SF${t.sf}BW${t.bandwidth / 1000}`);
    expect(Math.abs(f!.startSample - t.startSample)).toBeLessThan(50);
  }
  expect(frames).toHaveLength(manifest.frames.length); // nothing else passes its CRC
  return frames;
}

describeShared("chirp decode --region on the gateway recordings", () => {
  it("us915 sub-band 2: all 14 frames (11 at 125 kHz DR0..DR3, 3 at 500 kHz DR4 on channel 65) with channel, bandwidth and data rate", () => {
    const frames = checkCapture("us915", 2, "captures/us915", "us915_sb2_2msps.cs16", "904.6M");
    expect(frames.filter((f) => f.bandwidth === 500000).map((f) => f.channelIndex)).toEqual([65, 65, 65]);
  });
  it("cn470 sub-band 1: all 14 frames, SF7..SF12 (DR5..DR0) on channels 0..7", () => {
    const frames = checkCapture("cn470", 1, "captures/cn470", "cn470_sb1_2msps.cs16", "471M");
    expect(new Set(frames.map((f) => f.dataRate))).toEqual(new Set(["DR0", "DR1", "DR2", "DR3", "DR4", "DR5"]));
  });
  it("a region the recording's rate or centre does not cover is a clear error naming the channels", () => {
    const rate = chirp([
      "decode",
      sharedPath("captures/us915/us915_sb2_2msps.cs16"),
      "--rate",
      "1M",
      "--center",
      "904.6M",
      "--region",
      "us915",
      "--subband",
      "2",
    ]);
    expect(rate.status).toBe(2);
    expect(rate.stderr).toMatch(
      /--region us915 --subband 2: channel\(s\) 8 \(903\.9000 MHz, 125 kHz\), 9 .* are not inside the recording .* needs a rate of at least 1\.65 MS\/s centred at 904\.6000 MHz/,
    );
    const centre = chirp([
      "decode",
      sharedPath("captures/cn470/cn470_sb1_2msps.cs16"),
      "--rate",
      "2M",
      "--center",
      "471M",
      "--region",
      "cn470",
      "--subband",
      "3",
    ]);
    expect(centre.status).toBe(2);
    expect(centre.stderr).toMatch(/channel\(s\) 16 \(473\.5000 MHz/);
    const none = chirp([
      "decode",
      sharedPath("captures/cn470/cn470_sb1_2msps.cs16"),
      "--rate",
      "2M",
      "--region",
      "cn470",
      "--subband",
      "1",
    ]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/needs the recording's centre frequency/);
  });
});

describe("region flags", () => {
  it("--subband is required for fixed plans, refused for dynamic ones; --bw/--channel conflict", () => {
    const args = ["decode", "x.cs16", "--rate", "2M", "--center", "904.6M"];
    expect(chirp([...args, "--region", "us915"]).stderr).toMatch(/needs --subband 1\.\.8/);
    expect(chirp([...args, "--region", "eu868", "--subband", "1"]).stderr).toMatch(/eu868 has no sub-bands/);
    expect(chirp([...args, "--region", "us915", "--subband", "2", "--bw", "500k"]).stderr).toMatch(
      /--bw and --region cannot be combined/,
    );
    expect(chirp([...args, "--region", "atlantis"]).stderr).toMatch(/--region atlantis is not a region/);
  });
  it("chirp toa --region eu868 --dr 0 --length 51: SF12/125 kHz, 2465.792 ms, 1 % duty cycle", () => {
    const r = chirp(["toa", "--region", "eu868", "--dr", "0", "--length", "51", "--json"]);
    expect(r.status).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(o).toMatchObject({
      region: "eu868",
      dataRate: "DR0",
      sf: 12,
      bandwidth: 125000,
      cr: 1,
      ldro: true,
      maxPhyPayload: 64,
      dutyCycle: 0.01,
      framesPerHour: 14,
    });
    expect(o.seconds).toBeCloseTo(2.465792, 6);
    expect(o.offTimeSeconds).toBeCloseTo(2.465792 * 99, 2);
    const text = chirp(["toa", "--region", "us915", "--dr", "0", "--length", "30"]).stdout;
    expect(text).toMatch(/US902-928 DR0 {3}SF10 \/ 125 kHz/);
    expect(text).toMatch(/max payload {5}24 B PHYPayload .*: 30 B is too long/);
    expect(text).toMatch(/dwell time {6}400 ms per uplink: over it/); // 30 B at SF10: 452.6 ms
    expect(chirp(["toa", "--region", "us915", "--dr", "0", "--length", "11"]).stdout).toMatch(
      /time on air {5}288\.768 ms[\s\S]*400 ms per uplink: within it/,
    );
    const bad = chirp(["toa", "--region", "us915", "--dr", "7", "--length", "3"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--dr 7: allowed: a LoRa uplink data rate of us915: DR0, DR1, DR2, DR3, DR4/);
  });
});
