// Region-dependent LoRaWAN fields explained with a plan: LinkADRReq channel masks and data rates,
// NewChannelReq, RxParamSetupReq, join-accept DLSettings and CFList (library and chirp lorawan --region).
import { describe, expect, it } from "vitest";
import {
  buildDataFrame,
  buildJoinAccept,
  decodeFrame,
  toHex,
  getRegion,
  type MacCommand,
} from "../src/lorawan/index.js";
import { parseMacCommands, buildMacCommands } from "../src/lorawan/mac-commands.js";
import { explainFrame, explainJoinAccept, explainMacCommand, linkAdrChannels } from "../src/lorawan/regional.js";
import { chirp } from "./cli-run.js";

const mac = (name: string, fields: Record<string, number>): MacCommand =>
  parseMacCommands(buildMacCommands([{ name, fields }]), "down")[0]!;
const us = getRegion("us915");
const eu = getRegion("eu868");

describe("regional meaning of MAC commands", () => {
  it("US915 LinkADRReq: ChMaskCntl 0..3 = 16 channels each, 4 = 500 kHz, 5 = sub-band blocks, 7 = all 125 kHz off", () => {
    expect(linkAdrChannels(us, 0xff00, 0)).toEqual({
      enabled: [8, 9, 10, 11, 12, 13, 14, 15],
      scope: "125 kHz channels 0..15",
    });
    expect(linkAdrChannels(us, 0x0002, 4).enabled).toEqual([65]);
    expect(linkAdrChannels(us, 0x0002, 5)).toEqual({
      enabled: [8, 9, 10, 11, 12, 13, 14, 15, 65],
      scope: "sub-band(s) 2",
    });
    expect(linkAdrChannels(us, 0x0002, 7).enabled).toEqual([65]);
    expect((linkAdrChannels(us, 0, 6).enabled as number[]).length).toBe(64);
    const e = explainMacCommand(
      us,
      mac("LinkADRReq", { dataRate: 3, txPower: 0, chMask: 0xff00, chMaskCntl: 0, nbTrans: 1 }),
    )!;
    expect(e.dataRate).toBe("DR3 (SF7BW125)");
    expect((e.channels as { index: number; frequencyHz: number }[]).map((c) => c.frequencyHz / 1e6)).toEqual([
      903.9, 904.1, 904.3, 904.5, 904.7, 904.9, 905.1, 905.3,
    ]);
    expect(explainMacCommand(eu, mac("LinkADRReq", { dataRate: 5, chMask: 0x0007, chMaskCntl: 0 }))!.dataRate).toBe(
      "DR5 (SF7BW125)",
    );
    expect(explainMacCommand(us, mac("LinkADRReq", { dataRate: 9, chMask: 1, chMaskCntl: 0 }))!.dataRate).toBe(
      "DR9: not defined for US902-928 uplinks",
    );
  });
  it("NewChannelReq and RxParamSetupReq name frequencies and data rates; commands without regional fields are left alone", () => {
    const n = explainMacCommand(eu, mac("NewChannelReq", { chIndex: 3, frequency: 8671000, minDr: 0, maxDr: 5 }))!;
    expect(n).toEqual({ channel: 3, frequencyHz: 867_100_000, dataRates: "DR0 (SF12BW125) .. DR5 (SF7BW125)" });
    const rx = explainMacCommand(us, mac("RxParamSetupReq", { rx1DrOffset: 1, rx2DataRate: 8, frequency: 9233000 }))!;
    expect(rx).toEqual({ rx2DataRate: "DR8 (SF12BW500)", rx2FrequencyHz: 923_300_000, rx1DrOffset: 1 });
    expect(explainMacCommand(eu, mac("DevStatusReq", {}))).toBeUndefined();
  });
  it("join accept: DLSettings RX2 data rate, CFList type 0 (dynamic) and type 1 (fixed)", () => {
    const e = explainJoinAccept(
      eu,
      { raw: 0, optNeg: false, rx1DrOffset: 0, rx2DataRate: 0 },
      { type: 0, frequencies: [867.1e6, 867.3e6, 0, 0, 0] },
    );
    expect(e.rx2DataRate).toBe("DR0 (SF12BW125)");
    expect(e.cfList).toEqual([
      { index: 3, frequencyHz: 867.1e6 },
      { index: 4, frequencyHz: 867.3e6 },
      { index: 5, frequencyHz: 0, disabled: true },
      { index: 6, frequencyHz: 0, disabled: true },
      { index: 7, frequencyHz: 0, disabled: true },
    ]);
    const f = explainJoinAccept(
      us,
      { raw: 0, optNeg: false, rx1DrOffset: 0, rx2DataRate: 8 },
      { type: 1, chMasks: [0xff00, 0, 0, 0, 0x0002] },
    );
    expect((f.cfList as { enabled: { index: number }[] }).enabled.map((c) => c.index)).toEqual([
      8, 9, 10, 11, 12, 13, 14, 15, 65,
    ]);
    expect(
      explainJoinAccept(
        us,
        { raw: 0, optNeg: false, rx1DrOffset: 0, rx2DataRate: 8 },
        { type: 0, frequencies: [1, 2, 3, 4, 5] },
      ).cfList,
    ).toMatch(/not used by US902-928/);
  });
});

describe("chirp lorawan --region", () => {
  const keys = { nwkSKey: "44024241ed4ce9a68c6a8bc055233fd3", appSKey: "ec925802ae430ca77fd3dd73cb2cc588" };
  it("explains a downlink's LinkADRReq in FOpts with the plan's channels (JSON and text)", () => {
    const frame = buildDataFrame(
      {
        mtype: "UnconfirmedDataDown",
        devAddr: "26011bda",
        fCnt: 5,
        fOpts: [{ name: "LinkADRReq", fields: { dataRate: 2, txPower: 1, chMask: 0xff00, chMaskCntl: 0, nbTrans: 1 } }],
      },
      keys,
    );
    const hex = toHex(frame);
    expect(explainFrame(us, decodeFrame(hex, { keys }))).toBeDefined();
    const r = chirp(["lorawan", hex, "--nwkskey", keys.nwkSKey, "--region", "us915", "--json"]);
    expect(r.status).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(o.regional.region).toBe("us915");
    expect(o.regional.macCommands[0]).toMatchObject({
      name: "LinkADRReq",
      dataRate: "DR2 (SF8BW125)",
      scope: "125 kHz channels 0..15",
    });
    expect(o.regional.macCommands[0].channels.map((c: { index: number }) => c.index)).toEqual([
      8, 9, 10, 11, 12, 13, 14, 15,
    ]);
    const t = chirp(["lorawan", hex, "--nwkskey", keys.nwkSKey, "--region", "us915"]);
    expect(t.stdout).toMatch(
      /us915 LinkADRReq: dataRate DR2 \(SF8BW125\); scope 125 kHz channels 0\.\.15; channels 8 \(903\.9000 MHz\), 9 \(904\.1000 MHz\)/,
    );
  });
  it("explains a join accept's DLSettings and CFList; an unknown region is a typed error", () => {
    const appKey = "000102030405060708090a0b0c0d0e0f";
    const ja = buildJoinAccept(
      {
        joinNonce: 1,
        netId: 0x13,
        devAddr: "26011bda",
        dlSettings: { rx1DrOffset: 1, rx2DataRate: 3 },
        cfList: { type: 0, frequencies: [867.1e6, 867.3e6, 867.5e6, 867.7e6, 867.9e6] },
      },
      { appKey },
    );
    const r = chirp(["lorawan", toHex(ja), "--appkey", appKey, "--region", "eu868"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/eu868 DLSettings: RX1DROffset 1, RX2 DR3 \(SF9BW125\)/);
    expect(r.stdout).toMatch(
      /eu868 CFList: channels 3 \(867\.1000 MHz\), 4 \(867\.3000 MHz\), 5 \(867\.5000 MHz\), 6 \(867\.7000 MHz\), 7 \(867\.9000 MHz\)/,
    );
    const bad = chirp(["lorawan", toHex(ja), "--region", "mars"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/eu868, us915, au915, cn470, as923, kr920, in865, ru864/);
  });
});
