// MAC command bit layouts against known encodings (values from ChirpStack lrwn's maccommand tests
// and the LoRaWAN 1.0.4 / 1.1 / TS011 field tables), both directions, and the parser's edge cases.
import { describe, expect, it } from "vitest";
import {
  buildMacCommands,
  parseMacCommands,
  macCommandTable,
  fromHex,
  toHex,
  type MacCommandSpec,
} from "../src/lorawan/index.js";
import { ChirpError } from "../src/errors.js";

const cases: { spec: MacCommandSpec; hex: string; dir: "up" | "down"; meaning?: Record<string, unknown> }[] = [
  { spec: { name: "ResetInd", fields: { minor: 1 } }, hex: "0101", dir: "up" },
  { spec: { name: "ResetConf", fields: { minor: 1 } }, hex: "0101", dir: "down" },
  { spec: { name: "LinkCheckAns", fields: { margin: 10, gwCnt: 15 } }, hex: "020a0f", dir: "down" },
  {
    spec: { name: "LinkADRReq", fields: { dataRate: 1, txPower: 2, chMask: 0x0004, chMaskCntl: 4, nbTrans: 5 } },
    hex: "0312040045",
    dir: "down",
  },
  { spec: { name: "LinkADRAns", fields: { channelMaskAck: true } }, hex: "0301", dir: "up" },
  { spec: { name: "LinkADRAns", fields: { dataRateAck: true } }, hex: "0302", dir: "up" },
  { spec: { name: "LinkADRAns", fields: { powerAck: true } }, hex: "0304", dir: "up" },
  {
    spec: { name: "DutyCycleReq", fields: { maxDCycle: 13 } },
    hex: "040d",
    dir: "down",
    meaning: { dutyCycle: 1 / 8192 },
  },
  {
    spec: { name: "RxParamSetupReq", fields: { rx1DrOffset: 3, rx2DataRate: 11, frequency: 262657 } },
    hex: "053b010204",
    dir: "down",
    meaning: { frequencyHz: 26265700 },
  },
  { spec: { name: "RxParamSetupAns", fields: { channelAck: true, rx1DrOffsetAck: true } }, hex: "0505", dir: "up" },
  {
    spec: { name: "DevStatusAns", fields: { battery: 0, margin: -30 } },
    hex: "060022",
    dir: "up",
    meaning: { batteryLevel: "external", marginDb: -30 },
  },
  {
    spec: { name: "DevStatusAns", fields: { battery: 255, margin: 30 } },
    hex: "06ff1e",
    dir: "up",
    meaning: { batteryLevel: "unknown" },
  },
  {
    spec: { name: "DevStatusAns", fields: { battery: 127, margin: -1 } },
    hex: "067f3f",
    dir: "up",
    meaning: { batteryLevel: 0.5 },
  },
  {
    spec: { name: "NewChannelReq", fields: { chIndex: 3, frequency: 262657, maxDr: 5, minDr: 10 } },
    hex: "07030102045a",
    dir: "down",
  },
  {
    spec: { name: "NewChannelReq", fields: { chIndex: 3, frequency: 12050000, maxDr: 5, minDr: 0 } },
    hex: "070350deb750",
    dir: "down",
    meaning: { frequencyHz: 2410000000 },
  }, // 2.4 GHz: 200 Hz steps
  {
    spec: { name: "NewChannelAns", fields: { channelFrequencyOk: true, dataRateRangeOk: true } },
    hex: "0703",
    dir: "up",
  },
  {
    spec: { name: "RxTimingSetupReq", fields: { delay: 15 } },
    hex: "080f",
    dir: "down",
    meaning: { delaySeconds: 15 },
  },
  { spec: { name: "RxTimingSetupReq", fields: { delay: 0 } }, hex: "0800", dir: "down", meaning: { delaySeconds: 1 } },
  {
    spec: { name: "TxParamSetupReq", fields: { maxEirp: 15 } },
    hex: "090f",
    dir: "down",
    meaning: { maxEirpDbm: 36, uplinkDwellTimeMs: null },
  },
  {
    spec: { name: "TxParamSetupReq", fields: { uplinkDwellTime: true, maxEirp: 15 } },
    hex: "091f",
    dir: "down",
    meaning: { uplinkDwellTimeMs: 400 },
  },
  {
    spec: { name: "TxParamSetupReq", fields: { downlinkDwellTime: true, maxEirp: 15 } },
    hex: "092f",
    dir: "down",
    meaning: { downlinkDwellTimeMs: 400 },
  },
  {
    spec: { name: "DlChannelReq", fields: { chIndex: 0, frequency: 8681000 } },
    hex: "0a00287684",
    dir: "down",
    meaning: { frequencyHz: 868100000 },
  },
  { spec: { name: "DlChannelReq", fields: { chIndex: 1, frequency: 8682000 } }, hex: "0a01107a84", dir: "down" },
  {
    spec: { name: "DlChannelAns", fields: { uplinkFrequencyExists: true, channelFrequencyOk: false } },
    hex: "0a02",
    dir: "up",
  },
  { spec: { name: "RekeyConf", fields: { minor: 1 } }, hex: "0b01", dir: "down" },
  {
    spec: { name: "ADRParamSetupReq", fields: { limitExp: 10, delayExp: 15 } },
    hex: "0caf",
    dir: "down",
    meaning: { adrAckLimit: 1024, adrAckDelay: 32768 },
  },
  { spec: { name: "DeviceTimeReq" }, hex: "0d", dir: "up" },
  {
    spec: { name: "DeviceTimeAns", fields: { seconds: 1, fractional: 2 } },
    hex: "0d0100000002",
    dir: "down",
    meaning: { gpsTimeSeconds: 1 + 2 / 256 },
  },
  {
    spec: { name: "ForceRejoinReq", fields: { period: 3, maxRetries: 4, rejoinType: 2, dataRate: 5 } },
    hex: "0e251c",
    dir: "down",
    meaning: { periodSeconds: 256 },
  },
  {
    spec: { name: "RejoinParamSetupReq", fields: { maxTimeN: 14, maxCountN: 15 } },
    hex: "0fef",
    dir: "down",
    meaning: { maxTimeSeconds: 2 ** 24, maxCount: 2 ** 19 },
  },
  { spec: { name: "RejoinParamSetupAns", fields: { timeOk: true } }, hex: "0f01", dir: "up" },
  {
    spec: { name: "PingSlotInfoReq", fields: { periodicity: 3 } },
    hex: "1003",
    dir: "up",
    meaning: { pingPeriodSeconds: 8, pingSlotsPerBeacon: 16 },
  },
  { spec: { name: "PingSlotInfoAns" }, hex: "10", dir: "down" },
  {
    spec: { name: "PingSlotChannelReq", fields: { frequency: 8695250, dataRate: 3 } },
    hex: "11d2ad8403",
    dir: "down",
    meaning: { frequencyHz: 869525000 },
  },
  {
    spec: { name: "BeaconTimingAns", fields: { delay: 1000, channel: 2 } },
    hex: "12e80302",
    dir: "down",
    meaning: { delayMs: 30000 },
  },
  { spec: { name: "BeaconFreqReq", fields: { frequency: 8695250 } }, hex: "13d2ad84", dir: "down" },
  { spec: { name: "BeaconFreqAns", fields: { beaconFrequencyOk: true } }, hex: "1301", dir: "up" },
  { spec: { name: "DeviceModeInd", fields: { class: 2 } }, hex: "2002", dir: "up", meaning: { deviceClass: "C" } },
  { spec: { name: "DeviceModeConf", fields: { class: 0 } }, hex: "2000", dir: "down", meaning: { deviceClass: "A" } },
  {
    spec: { name: "NotifyNewEndDeviceReq", fields: { devAddr: 0x01020304, worSnr: 27, worRssi: 65 } },
    hex: "46040302013b08",
    dir: "up",
    meaning: { snrDb: 7, rssiDbm: -80 },
  },
  {
    spec: { name: "CtrlUplinkListAns", fields: { uplinkListIdxAck: true, wFCnt: 0x01020304 } },
    hex: "440104030201",
    dir: "up",
  },
  {
    spec: { name: "CtrlUplinkListReq", fields: { uplinkListIdx: 5, ctrlUplinkAction: true } },
    hex: "4415",
    dir: "down",
  },
];

describe("MAC commands: known encodings", () => {
  for (const c of cases) {
    it(`${c.spec.name} ${c.hex}`, () => {
      expect(toHex(buildMacCommands([c.spec]))).toBe(c.hex);
      const [cmd] = parseMacCommands(fromHex(c.hex), c.dir);
      expect(cmd!.name).toBe(c.spec.name);
      for (const [k, v] of Object.entries(c.spec.fields ?? {})) expect(cmd!.fields[k], k).toBe(v);
      if (c.meaning) expect(cmd!.fields).toMatchObject(c.meaning);
    });
  }
});

describe("MAC command parsing", () => {
  it("the same CID means different commands per direction (lora-rs issue #10)", () => {
    expect(parseMacCommands(fromHex("0305"), "up")[0]!.name).toBe("LinkADRAns");
    expect(() => parseMacCommands(fromHex("0305"), "down")).toThrow(expect.objectContaining({ code: "TOO_SHORT" }));
  });
  it("an unknown or proprietary CID stops parsing and keeps the rest", () => {
    const cmds = parseMacCommands(fromHex("02 30 0102 03"), "up");
    expect(cmds.map((c) => c.name)).toEqual(["LinkCheckReq", "Unknown"]);
    expect(toHex(cmds[1]!.payload)).toBe("010203");
    expect(cmds[1]!.unknown).toBe(true);
    expect(parseMacCommands(fromHex("80ff"), "down")[0]!.name).toBe("Proprietary");
    // and builds back from cid + direction + payload
    expect(toHex(buildMacCommands([{ cid: 0x30, direction: "up", payload: fromHex("010203") }]))).toBe("30010203");
  });
  it("FilterListReq has a variable length given by its first byte", () => {
    const eui = "0102030405060708";
    const payload = Uint8Array.from([8 | (1 << 5) | (1 << 7), 0x01, ...fromHex(eui).reverse()]);
    const bytes = Uint8Array.from([0x42, ...payload, 0x06]);
    const cmds = parseMacCommands(bytes, "down");
    expect(cmds.map((c) => c.name)).toEqual(["FilterListReq", "DevStatusReq"]);
    expect(cmds[0]!.fields).toMatchObject({
      filterListEuiLength: 8,
      filterListAction: 1,
      filterListIdx: 3,
      filterListEui: eui,
    });
    expect(toHex(buildMacCommands([{ name: "FilterListReq", payload }]))).toBe(
      toHex(bytes.subarray(0, bytes.length - 1)),
    );
    expect(() => parseMacCommands(bytes.subarray(0, 6), "down")).toThrow(
      expect.objectContaining({ code: "TOO_SHORT" }),
    );
  });
  it("UpdateUplinkListReq carries RootWorSKey as hex", () => {
    const key = "000102030405060708090a0b0c0d0e0f";
    const b = buildMacCommands([
      {
        name: "UpdateUplinkListReq",
        fields: { uplinkListIdx: 2, reloadRate: 10, bucketSize: 1, devAddr: 0x01020304, wFCnt: 7, rootWorSKey: key },
      },
    ]);
    expect(b.length).toBe(27);
    expect(parseMacCommands(b, "down")[0]!.fields).toMatchObject({
      uplinkListIdx: 2,
      reloadRate: 10,
      bucketSize: 1,
      devAddr: 0x01020304,
      wFCnt: 7,
      rootWorSKey: key,
    });
  });
  it("out-of-range fields and unknown names are BAD_PARAMETER", () => {
    const bads: MacCommandSpec[] = [
      { name: "LinkADRReq", fields: { dataRate: 16 } },
      { name: "DevStatusAns", fields: { margin: 32 } },
      { name: "DevStatusAns", fields: { margin: -33 } },
      { name: "NoSuchCommand" },
      { cid: 0x30, direction: "up" as const },
      { name: "UpdateUplinkListReq", fields: { rootWorSKey: "00" } },
      { name: "FilterListReq", fields: {} },
      { name: "LinkADRReq", payload: fromHex("00") },
    ];
    for (const bad of bads) {
      expect(() => buildMacCommands([bad])).toThrow(ChirpError);
    }
  });
  it("the table covers 1.0.4 + 1.1 + Class B + relay in both directions", () => {
    const t = macCommandTable();
    expect(t.filter((x) => x.direction === "up").length).toBe(26);
    expect(t.filter((x) => x.direction === "down").length).toBe(26);
    expect(new Set(t.map((x) => `${x.direction}:${x.cid}`)).size).toBe(t.length);
  });
});
