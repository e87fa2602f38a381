// Device sessions: keys by DevAddr, 32-bit counters tracked across a stream of frames.
import { describe, expect, it } from "vitest";
import { createSessions, buildDataFrame, buildJoinRequest, toHex } from "../src/lorawan/index.js";

const A = { devAddr: "26011bda", keys: { nwkSKey: "11".repeat(16), appSKey: "22".repeat(16) }, name: "meter-1" };
const B = { devAddr: 0x26011bdb, keys: { fNwkSIntKey: "33".repeat(16), sNwkSIntKey: "44".repeat(16), nwkSEncKey: "55".repeat(16), appSKey: "66".repeat(16) }, version: "1.1" as const };

describe("createSessions", () => {
  it("follows counters past 65535 for several devices, 1.0 and 1.1", () => {
    const s = createSessions([A, B]);
    const payload = Uint8Array.of(1, 2, 3);
    for (const fCnt of [65530, 65534, 65535, 65536, 65600, 131071, 131072, 190000]) {
      const fa = buildDataFrame({ mtype: "UnconfirmedDataUp", devAddr: A.devAddr, fCnt, fPort: 5, payload }, A.keys);
      const fb = buildDataFrame({ mtype: "UnconfirmedDataUp", devAddr: B.devAddr, fCnt: fCnt - 7, fPort: 6, payload }, B.keys, { version: "1.1" });
      const da = s.decode(fa);
      const db = s.decode(toHex(fb));
      expect(da).toMatchObject({ device: "meter-1", micOk: true, fCnt32: fCnt, payloadHex: "010203" });
      expect(db).toMatchObject({ device: "26011bdb", micOk: true, fCnt32: fCnt - 7, payloadHex: "010203" });
    }
    expect(s.counters(A.devAddr)).toEqual({ fCntUp: 190000, fCntDown: undefined, aFCntDown: undefined });
    s.reset();
    expect(s.counters(A.devAddr)!.fCntUp).toBeUndefined();
  });
  it("a frame whose MIC fails does not move the counter; 1.1 downlinks keep NFCntDown and AFCntDown apart", () => {
    const s = createSessions([{ ...B, fCntDown: 70000, aFCntDown: 5 }]);
    const good = buildDataFrame({ mtype: "UnconfirmedDataDown", devAddr: B.devAddr, fCnt: 70010, fOpts: Uint8Array.of(0x06) }, B.keys, { version: "1.1" });
    const app = buildDataFrame({ mtype: "UnconfirmedDataDown", devAddr: B.devAddr, fCnt: 6, fPort: 1, payload: Uint8Array.of(9) }, B.keys, { version: "1.1" });
    const bad = good.slice();
    bad[bad.length - 1]! ^= 1;
    expect(s.decode(bad).micOk).toBe(false);
    expect(s.counters(B.devAddr)).toEqual({ fCntUp: undefined, fCntDown: 70000, aFCntDown: 5 });
    expect(s.decode(good)).toMatchObject({ micOk: true, fCnt32: 70010, macCommands: [{ name: "DevStatusReq" }] });
    expect(s.decode(app)).toMatchObject({ micOk: true, fCnt32: 6, payloadHex: "09" });
    expect(s.counters(B.devAddr)).toEqual({ fCntUp: undefined, fCntDown: 70010, aFCntDown: 6 });
  });
  it("unknown DevAddrs and join messages decode without keys", () => {
    const s = createSessions([A]);
    const other = buildDataFrame({ mtype: "UnconfirmedDataUp", devAddr: 1, fCnt: 1, fPort: 1, payload: Uint8Array.of(1) }, A.keys);
    expect(s.decode(other)).toMatchObject({ device: null, micOk: null, payloadDecrypted: false });
    expect(s.decode(buildJoinRequest({ joinEui: "01".repeat(8), devEui: "02".repeat(8), devNonce: 3 }))).toMatchObject({ device: null, mtype: "JoinRequest" });
    expect(() => createSessions([A, { ...A }])).toThrow(expect.objectContaining({ code: "BAD_PARAMETER" }));
  });
});
