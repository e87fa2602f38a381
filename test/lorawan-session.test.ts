// Device sessions: keys by DevAddr, 32-bit counters tracked across a stream of frames.
import { describe, expect, it } from "vitest";
import { createSessions, buildDataFrame, buildJoinRequest, decodeFrame, toHex } from "../src/lorawan/index.js";

const A = { devAddr: "26011bda", keys: { nwkSKey: "11".repeat(16), appSKey: "22".repeat(16) }, name: "meter-1" };
const B = {
  devAddr: 0x26011bdb,
  keys: {
    fNwkSIntKey: "33".repeat(16),
    sNwkSIntKey: "44".repeat(16),
    nwkSEncKey: "55".repeat(16),
    appSKey: "66".repeat(16),
  },
  version: "1.1" as const,
};

describe("createSessions", () => {
  it("follows counters past 65535 for several devices, 1.0 and 1.1", () => {
    const s = createSessions([A, B]);
    const payload = Uint8Array.of(1, 2, 3);
    for (const fCnt of [65530, 65534, 65535, 65536, 65600, 131071, 131072, 190000]) {
      const fa = buildDataFrame({ mtype: "UnconfirmedDataUp", devAddr: A.devAddr, fCnt, fPort: 5, payload }, A.keys);
      const fb = buildDataFrame(
        { mtype: "UnconfirmedDataUp", devAddr: B.devAddr, fCnt: fCnt - 7, fPort: 6, payload },
        B.keys,
        { version: "1.1" },
      );
      const da = s.decode(fa);
      const db = s.decode(toHex(fb));
      expect(da).toMatchObject({
        device: "meter-1",
        micOk: true,
        fCnt32: fCnt,
        payload: Uint8Array.of(1, 2, 3),
        replay: false,
      });
      expect(db).toMatchObject({
        device: "26011bdb",
        micOk: true,
        fCnt32: fCnt - 7,
        payload: Uint8Array.of(1, 2, 3),
        replay: false,
      });
    }
    expect(s.counters(A.devAddr)).toEqual({ fCntUp: 190000, fCntDown: undefined, aFCntDown: undefined });
    s.reset();
    expect(s.counters(A.devAddr)!.fCntUp).toBeUndefined();
  });
  it("a frame whose MIC fails does not move the counter; 1.1 downlinks keep NFCntDown and AFCntDown apart", () => {
    const s = createSessions([{ ...B, fCntDown: 70000, aFCntDown: 5 }]);
    const good = buildDataFrame(
      { mtype: "UnconfirmedDataDown", devAddr: B.devAddr, fCnt: 70010, fOpts: Uint8Array.of(0x06) },
      B.keys,
      { version: "1.1" },
    );
    const app = buildDataFrame(
      { mtype: "UnconfirmedDataDown", devAddr: B.devAddr, fCnt: 6, fPort: 1, payload: Uint8Array.of(9) },
      B.keys,
      { version: "1.1" },
    );
    const bad = good.slice();
    bad[bad.length - 1]! ^= 1;
    expect(s.decode(bad).micOk).toBe(false);
    expect(s.counters(B.devAddr)).toEqual({ fCntUp: undefined, fCntDown: 70000, aFCntDown: 5 });
    expect(s.decode(good)).toMatchObject({ micOk: true, fCnt32: 70010, macCommands: [{ name: "DevStatusReq" }] });
    expect(s.decode(app)).toMatchObject({ micOk: true, fCnt32: 6, payload: Uint8Array.of(9) });
    expect(s.counters(B.devAddr)).toEqual({ fCntUp: undefined, fCntDown: 70010, aFCntDown: 6 });
  });
  it("unknown DevAddrs and join messages decode without keys", () => {
    const s = createSessions([A]);
    const other = buildDataFrame(
      { mtype: "UnconfirmedDataUp", devAddr: 1, fCnt: 1, fPort: 1, payload: Uint8Array.of(1) },
      A.keys,
    );
    expect(s.decode(other)).toMatchObject({ device: null, micOk: null, payloadDecrypted: false });
    expect(s.decode(buildJoinRequest({ joinEui: "01".repeat(8), devEui: "02".repeat(8), devNonce: 3 }))).toMatchObject({
      device: null,
      mtype: "JoinRequest",
    });
    expect(() => createSessions([A, { ...A }])).toThrow(expect.objectContaining({ code: "BAD_PARAMETER" }));
  });
  it("reports a second copy of the last frame, and an older frame, as replays that do not move the counter", () => {
    const s = createSessions([A]);
    const frame = (fCnt: number) =>
      buildDataFrame(
        { mtype: "UnconfirmedDataUp", devAddr: A.devAddr, fCnt, fPort: 5, payload: Uint8Array.of(fCnt & 0xff) },
        A.keys,
      );
    const f10 = frame(10);
    const f11 = frame(11);
    expect(s.decode(f10)).toMatchObject({ micOk: true, fCnt32: 10, replay: false });
    expect(s.decode(f11)).toMatchObject({ micOk: true, fCnt32: 11, replay: false });
    // the same frame again: its MIC still verifies, but it is not new data
    expect(s.decode(f11)).toMatchObject({ micOk: true, fCnt32: 11, replay: true });
    // an older frame: taken first as counter 65546 (MIC fails), then found to be counter 10 of this window
    expect(s.decode(f10)).toMatchObject({ micOk: true, fCnt32: 10, replay: true });
    expect(s.counters(A.devAddr)!.fCntUp).toBe(11);
    expect(s.decode(frame(12))).toMatchObject({ micOk: true, fCnt32: 12, replay: false });
    // a jump to the next 2^16 window is still followed
    expect(s.decode(frame(65536 + 3))).toMatchObject({ micOk: true, fCnt32: 65539, replay: false });
  });
  it("refuses frame-counter rollover: after 0xffffffff an old frame is a replay, not counter 2^32 + n", () => {
    const s = createSessions([{ ...A, fCntUp: 0xfffffffe }]);
    const frame = (fCnt: number) =>
      buildDataFrame(
        { mtype: "UnconfirmedDataUp", devAddr: A.devAddr, fCnt, fPort: 5, payload: Uint8Array.of(1) },
        A.keys,
      );
    expect(s.decode(frame(0xffffffff))).toMatchObject({ micOk: true, fCnt32: 0xffffffff, replay: false });
    const old = frame(5); // an old frame of this session (counter 5 of window 0), sent again
    const d = s.decode(old);
    expect(d.replay).toBe(true);
    expect(s.counters(A.devAddr)!.fCntUp).toBe(0xffffffff);
    // and the stateless path: reconstructing a counter past 2^32-1 is refused as a typed error
    expect(() => decodeFrame(old, { keys: A.keys, lastFCnt: 0xffffffff })).toThrow(
      expect.objectContaining({ code: "BAD_FRAME", parameter: "lastFCnt" }),
    );
  });
});
