// Property tests (fast-check): build -> parse round trips for every message type and every MAC
// command, 32-bit counter reconstruction, LPP round trips, and random bytes never throwing
// anything but ChirpError.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  buildFrame,
  buildDataFrame,
  buildMacCommands,
  parseMacCommands,
  macCommandTable,
  parseFrame,
  decodeFrame,
  decryptJoinAccept,
  verifyMic,
  reconstructFCnt,
  parseBeacon,
  buildBeacon,
  toHex,
  fromHex,
  cryptFrmPayload,
  computeMic,
  type DataMType,
  type LoRaWANKeys,
  type MacCommandSpec,
} from "../src/lorawan/index.js";
import { decodeLpp, encodeLpp, decodeLppDownlink, LPP_TYPES } from "../src/lpp/index.js";
import { ChirpError } from "../src/errors.js";

const key = fc.uint8Array({ minLength: 16, maxLength: 16 });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const eui = fc.uint8Array({ minLength: 8, maxLength: 8 }).map(toHex);
const mtype = fc.constantFrom<DataMType>(
  "UnconfirmedDataUp",
  "UnconfirmedDataDown",
  "ConfirmedDataUp",
  "ConfirmedDataDown",
);

function onlyChirpErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof ChirpError)) throw e;
  }
}

describe("round trips", () => {
  it("data frames (1.0 and 1.1, keys, FOpts, FPort 0 MAC payloads, 32-bit counters)", () => {
    fc.assert(
      fc.property(
        fc.record({
          mtype,
          devAddr: u32,
          fCnt: u32,
          adr: fc.boolean(),
          ack: fc.boolean(),
          bit6: fc.boolean(),
          bit4: fc.boolean(),
          port: fc.option(fc.integer({ min: 0, max: 255 }), { nil: null }),
          fOpts: fc.uint8Array({ maxLength: 15 }),
          payload: fc.uint8Array({ maxLength: 100 }),
          v11: fc.boolean(),
          keys: fc.record({ nwkSKey: key, appSKey: key, fNwkSIntKey: key, sNwkSIntKey: key, nwkSEncKey: key }),
          confFCnt: fc.integer({ min: 0, max: 0xffff }),
          txDr: fc.integer({ min: 0, max: 15 }),
          txCh: fc.integer({ min: 0, max: 255 }),
          variant: fc.constantFrom("errata" as const, "original" as const),
        }),
        (s) => {
          const up = s.mtype.endsWith("Up");
          const fOpts = s.port === 0 ? new Uint8Array(0) : s.fOpts;
          const payload = s.port === null ? new Uint8Array(0) : s.payload;
          const version = s.v11 ? ("1.1" as const) : ("1.0" as const);
          const keys: LoRaWANKeys = s.v11
            ? {
                fNwkSIntKey: s.keys.fNwkSIntKey,
                sNwkSIntKey: s.keys.sNwkSIntKey,
                nwkSEncKey: s.keys.nwkSEncKey,
                appSKey: s.keys.appSKey,
              }
            : { nwkSKey: s.keys.nwkSKey, appSKey: s.keys.appSKey };
          const o = { version, confFCnt: s.confFCnt, txDr: s.txDr, txCh: s.txCh, fOptsVariant: s.variant };
          const fCtrl = {
            adr: s.adr,
            ack: s.ack,
            adrAckReq: up && s.bit6,
            classB: up && s.bit4,
            fPending: !up && s.bit4,
          };
          const bytes = buildDataFrame(
            { mtype: s.mtype, devAddr: s.devAddr, fCtrl, fCnt: s.fCnt, fOpts, fPort: s.port, payload },
            keys,
            o,
          );
          const d = decodeFrame(bytes, { ...o, keys, fCnt32: s.fCnt });
          expect(d.mtype).toBe(s.mtype);
          if (d.kind !== "data") throw new Error("not a data frame");
          expect(d.devAddr).toBe(s.devAddr);
          expect(d.fCnt).toBe(s.fCnt & 0xffff);
          expect(d.fCnt32).toBe(s.fCnt);
          expect(d.fPort).toBe(s.port);
          expect(d.fCtrl).toMatchObject({ ...fCtrl, fOptsLen: fOpts.length });
          expect(toHex(d.fOpts)).toBe(toHex(fOpts));
          expect(toHex(d.payload)).toBe(toHex(payload));
          expect(d.micOk).toBe(true);
          // any other 32-bit counter with the same low bits breaks the MIC
          expect(decodeFrame(bytes, { ...o, keys, fCnt32: (s.fCnt + 0x10000) >>> 0 }).micOk).toBe(false);
          // and the same frame without keys carries the encrypted bytes
          if (payload.length) expect(decodeFrame(bytes)).toMatchObject({ payloadDecrypted: false });
        },
      ),
      { numRuns: 400 },
    );
  });

  it("join request, join accept (1.0 and 1.1 OptNeg, CFList), rejoin 0/1/2, proprietary", () => {
    fc.assert(
      fc.property(
        fc.record({
          joinEui: eui,
          devEui: eui,
          devNonce: fc.integer({ min: 0, max: 0xffff }),
          appKey: key,
          nwkKey: key,
          jsIntKey: key,
          jsEncKey: key,
          sNwkSIntKey: key,
          joinNonce: fc.integer({ min: 0, max: 0xffffff }),
          netId: fc.integer({ min: 0, max: 0xffffff }),
          devAddr: u32,
          rx1: fc.integer({ min: 0, max: 7 }),
          rx2: fc.integer({ min: 0, max: 15 }),
          rxDelay: fc.integer({ min: 0, max: 255 }),
          cf: fc.option(
            fc.oneof(
              fc
                .array(
                  fc.integer({ min: 0, max: 0xffffff }).map((x) => x * 100),
                  { maxLength: 5 },
                )
                .map((f) => ({ type: 0 as const, frequencies: f })),
              fc
                .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 5 })
                .map((m) => ({ type: 1 as const, chMasks: m })),
            ),
            { nil: null },
          ),
          optNeg: fc.boolean(),
          joinReqType: fc.constantFrom(0xff, 0, 1, 2),
          rjType: fc.constantFrom(0 as const, 1 as const, 2 as const),
          rjCount: fc.integer({ min: 0, max: 0xffff }),
          prop: fc.uint8Array({ maxLength: 40 }),
        }),
        (s) => {
          const jr = buildFrame(
            { mtype: "JoinRequest", joinEui: s.joinEui, devEui: s.devEui, devNonce: s.devNonce },
            { appKey: s.appKey },
          );
          expect(parseFrame(jr)).toMatchObject({
            kind: "join-request",
            joinEui: s.joinEui,
            devEui: s.devEui,
            devNonce: s.devNonce,
          });
          expect(verifyMic(parseFrame(jr), { appKey: s.appKey })).toBe(true);

          const v11 = s.optNeg;
          const keys = v11 ? { nwkKey: s.nwkKey, jsIntKey: s.jsIntKey, jsEncKey: s.jsEncKey } : { appKey: s.appKey };
          const ctx = v11
            ? { version: "1.1" as const, joinReqType: s.joinReqType, joinEui: s.joinEui, devNonce: s.devNonce }
            : {};
          const ja = buildFrame(
            {
              mtype: "JoinAccept",
              joinNonce: s.joinNonce,
              netId: s.netId,
              devAddr: s.devAddr,
              dlSettings: { optNeg: v11, rx1DrOffset: s.rx1, rx2DataRate: s.rx2 },
              rxDelay: s.rxDelay,
              cfList: s.cf,
            },
            keys,
            ctx,
          );
          const f = decryptJoinAccept(ja, keys, ctx);
          const cfWant =
            s.cf && "frequencies" in s.cf
              ? { type: 0, frequencies: [...s.cf.frequencies, 0, 0, 0, 0, 0].slice(0, 5) }
              : s.cf
                ? { type: 1, chMasks: [...s.cf.chMasks, 0, 0, 0, 0, 0].slice(0, 5) }
                : null;
          expect(f).toMatchObject({
            joinNonce: s.joinNonce,
            netId: s.netId,
            devAddr: s.devAddr,
            rxDelay: s.rxDelay,
            micOk: true,
            cfList: cfWant,
          });
          expect(f.dlSettings).toMatchObject({ optNeg: v11, rx1DrOffset: s.rx1, rx2DataRate: s.rx2 });
          if (v11)
            expect(() => decryptJoinAccept(ja, keys, { ...ctx, devNonce: (s.devNonce + 1) & 0xffff })).toThrow(
              expect.objectContaining({ code: "MIC_MISMATCH" }),
            );

          const rk = { sNwkSIntKey: s.sNwkSIntKey, jsIntKey: s.jsIntKey };
          const rj = buildFrame(
            {
              mtype: "RejoinRequest",
              rejoinType: s.rjType,
              netId: s.netId,
              joinEui: s.joinEui,
              devEui: s.devEui,
              rjCount: s.rjCount,
            },
            rk,
          );
          const pr = parseFrame(rj);
          expect(pr).toMatchObject({
            kind: "rejoin-request",
            rejoinType: s.rjType,
            devEui: s.devEui,
            rjCount: s.rjCount,
          });
          if (s.rjType === 1) expect(pr).toMatchObject({ joinEui: s.joinEui });
          else expect(pr).toMatchObject({ netId: s.netId });
          expect(verifyMic(pr, rk)).toBe(true);

          const p = buildFrame({ mtype: "Proprietary", payload: s.prop, mic: Uint8Array.of(1, 2, 3, 4) });
          expect(parseFrame(p)).toMatchObject({ kind: "proprietary", payload: s.prop, mic: Uint8Array.of(1, 2, 3, 4) });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("every MAC command, both directions: build(fields) -> parse gives the fields back", () => {
    const table = macCommandTable().filter((t) => !t.variableLength);
    // field widths from a probe: all-ones payload parses to each field's maximum
    for (const t of table) {
      const probe = parseMacCommands(Uint8Array.from([t.cid, ...new Array(t.length).fill(0xff)]), t.direction)[0]!;
      expect(probe.name).toBe(t.name);
      fc.assert(
        fc.property(fc.uint8Array({ minLength: t.length, maxLength: t.length }), (payload) => {
          // parse random bytes, rebuild from the decoded fields: same bytes where fields cover them
          const cmd = parseMacCommands(Uint8Array.from([t.cid, ...payload]), t.direction)[0]!;
          const rebuilt = buildMacCommands([{ name: t.name, fields: cmd.fields }]);
          const again = parseMacCommands(rebuilt, t.direction)[0]!;
          expect(again.fields).toEqual(cmd.fields);
        }),
        { numRuns: 30 },
      );
    }
    // a sequence of commands parses back in order
    const seq: MacCommandSpec[] = [
      { name: "LinkADRReq", fields: { dataRate: 5, txPower: 2, chMask: 0x00ff, chMaskCntl: 0, nbTrans: 1 } },
      { name: "NewChannelReq", fields: { chIndex: 3, frequency: 8671000, maxDr: 5, minDr: 0 } },
      { name: "DevStatusReq" },
      { name: "DeviceTimeAns", fields: { seconds: 1234567890, fractional: 128 } },
    ];
    const cmds = parseMacCommands(buildMacCommands(seq), "down");
    expect(cmds.map((c) => c.name)).toEqual(seq.map((c) => c.name));
    expect(cmds[1]!.fields.frequencyHz).toBe(867100000);
    expect(cmds[3]!.fields.gpsTimeSeconds).toBe(1234567890.5);
  });
});

describe("counters and LPP", () => {
  it("32-bit FCnt reconstruction recovers any counter up to 65535 ahead of the last, and never wraps past 2^32-1", () => {
    fc.assert(
      fc.property(u32, fc.integer({ min: 0, max: 0xffff }), (last, delta) => {
        const full = last + delta;
        if (full > 0xffffffff)
          expect(() => reconstructFCnt(full & 0xffff, last)).toThrow(
            expect.objectContaining({ code: "BAD_FRAME", parameter: "lastFCnt" }),
          );
        else expect(reconstructFCnt(full & 0xffff, last)).toBe(full);
      }),
      { numRuns: 2000 },
    );
  });
  it("LPP readings of every type round-trip", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            channel: fc.integer({ min: 0, max: 255 }),
            t: fc.constantFrom(...LPP_TYPES),
            r: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }),
          }),
          { maxLength: 10 },
        ),
        (items) => {
          const readings = items.map(({ channel, t, r }) => {
            const value = t.components.map((c, k) => {
              const bits = 8 * c.bytes;
              const lo = c.signed ? -(2 ** (bits - 1)) : 0;
              const hi = c.signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
              return Math.round(lo + r[k]! * (hi - lo)) / c.divisor;
            });
            return { channel, type: t.type, value: value.length === 1 ? value[0]! : value };
          });
          const dec = decodeLpp(encodeLpp(readings));
          expect(dec.length).toBe(readings.length);
          dec.forEach((d, i) => {
            expect(d.channel).toBe(readings[i]!.channel);
            expect(d.type).toBe(readings[i]!.type);
            const a = Array.isArray(d.value) ? d.value : [d.value];
            const b = Array.isArray(readings[i]!.value)
              ? (readings[i]!.value as number[])
              : [readings[i]!.value as number];
            a.forEach((x, k) => expect(x).toBeCloseTo(b[k]!, 9));
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("random bytes never throw anything but ChirpError", () => {
  it("parseFrame / decodeFrame (with and without keys, both versions)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), key, fc.boolean(), u32, (b, k, v11, last) => {
        onlyChirpErrors(() => parseFrame(b));
        onlyChirpErrors(() => decodeFrame(b));
        const keys = {
          nwkSKey: k,
          appSKey: k,
          appKey: k,
          nwkKey: k,
          fNwkSIntKey: k,
          sNwkSIntKey: k,
          nwkSEncKey: k,
          jsIntKey: k,
          jsEncKey: k,
        };
        onlyChirpErrors(() =>
          decodeFrame(b, {
            keys,
            version: v11 ? "1.1" : "1.0",
            lastFCnt: last,
            joinEui: "0000000000000001",
            devNonce: 1,
          }),
        );
        onlyChirpErrors(() => decryptJoinAccept(b, keys));
      }),
      { numRuns: 3000 },
    );
  });
  it("frames that parse get through decode with random major-0 MHDRs of every type", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 7 }),
        fc.uint8Array({ minLength: 0, maxLength: 40 }),
        key,
        (mt, rest, k) => {
          const b = Uint8Array.from([mt << 5, ...rest]);
          onlyChirpErrors(() => decodeFrame(b, { keys: { nwkSKey: k, appSKey: k, appKey: k }, strictMic: true }));
        },
      ),
      { numRuns: 3000 },
    );
  });
  it("MAC commands, LPP, beacons", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
        onlyChirpErrors(() => parseMacCommands(b, "up"));
        onlyChirpErrors(() => parseMacCommands(b, "down"));
        onlyChirpErrors(() => decodeLpp(b));
        onlyChirpErrors(() => decodeLpp(b, { table: "ttn-legacy", voltageSigned: true }));
        onlyChirpErrors(() => decodeLppDownlink(b));
        onlyChirpErrors(() => parseBeacon(b));
      }),
      { numRuns: 3000 },
    );
  });
  it("beacons round-trip and any single flipped bit is caught by a CRC", () => {
    fc.assert(
      fc.property(
        u32,
        fc.integer({ min: -0x800000, max: 0x7fffff }),
        fc.integer({ min: -0x800000, max: 0x7fffff }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 17 * 8 - 1 }),
        (time, lat, lng, info, bitPos) => {
          const b = buildBeacon({ time, latRaw: lat, lngRaw: lng, infoDesc: info });
          const p = parseBeacon(b);
          expect(p).toMatchObject({ time, latRaw: lat, lngRaw: lng, infoDesc: info, crc1Ok: true, crc2Ok: true });
          const bad = b.slice();
          const byte = bitPos >> 3; // every byte, RFU included, is under one of the two CRCs
          bad[byte]! ^= 1 << (bitPos & 7);
          const q = parseBeacon(bad);
          expect(q.crc1Ok && q.crc2Ok).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("decodeFrame details", () => {
  it("takes hex too, and decodes MAC commands from both FOpts and an FPort 0 payload if a frame has both", () => {
    const key = fromHex("01".repeat(16));
    // MHDR | DevAddr 00000001 | FCtrl (FOptsLen 1) | FCnt 5 | FOpts 02 | FPort 0 | enc(0d) | MIC: built by hand, the builder refuses this
    const enc = cryptFrmPayload(key, "up", 1, 5, Uint8Array.of(0x0d));
    const b = Uint8Array.from([0x40, 1, 0, 0, 0, 0x01, 5, 0, 0x02, 0x00, ...enc, 0, 0, 0, 0]);
    b.set(computeMic(parseFrame(b), { nwkSKey: key }), b.length - 4);
    const d = decodeFrame(toHex(b), { keys: { nwkSKey: key } });
    if (d.kind !== "data") throw new Error("not a data frame");
    expect(d.micOk).toBe(true);
    expect(d.fPort).toBe(0);
    expect(d.macCommands.map((c) => c.name)).toEqual(["LinkCheckReq", "DeviceTimeReq"]);
  });
});

describe("option checking", () => {
  it("an unknown version or bad counter options are BAD_PARAMETER, not silently 1.1", () => {
    const b = fromHex("40f17dbe4900020001954378762b11ff0d");
    const keys = { nwkSKey: "44024241ed4ce9a68c6a8bc055233fd3" };
    expect(() => decodeFrame(b, { keys, version: "1.2" as any })).toThrow(
      expect.objectContaining({ code: "BAD_PARAMETER", parameter: "version" }),
    );
    expect(() => verifyMic(parseFrame(b), keys, { version: "1" as any })).toThrow(
      expect.objectContaining({ code: "BAD_PARAMETER" }),
    );
    expect(() => decodeFrame(b, { keys, fCnt32: 3 })).toThrow(
      expect.objectContaining({ code: "BAD_PARAMETER", parameter: "fCnt32" }),
    );
    expect(() => decodeFrame(b, { keys, lastFCnt: -1 })).toThrow(
      expect.objectContaining({ code: "BAD_PARAMETER", parameter: "lastFCnt" }),
    );
    expect(() => decodeFrame(b, { keys: { nwkSKey: "0011" } })).toThrow(
      expect.objectContaining({ code: "BAD_PARAMETER", parameter: "nwkSKey" }),
    );
    expect(() => verifyMic(parseFrame(b), {})).toThrow(expect.objectContaining({ code: "MISSING_KEY" }));
  });
});

describe("README example", () => {
  it("runs as written", async () => {
    const { encodeLpp } = await import("../src/lpp/index.js");
    const d = decodeFrame(fromHex("40f17dbe4900020001954378762b11ff0d"), {
      keys: { nwkSKey: "44024241ed4ce9a68c6a8bc055233fd3", appSKey: "ec925802ae430ca77fd3dd73cb2cc588" },
      lastFCnt: 1,
    });
    expect(d).toMatchObject({
      mtype: "UnconfirmedDataUp",
      devAddr: 0x49be7df1,
      micOk: true,
      payload: fromHex("74657374"),
      macCommands: [],
    });
    const keys = { nwkSKey: "000102030405060708090a0b0c0d0e0f", appSKey: "0f0e0d0c0b0a09080706050403020100" };
    const frame = buildDataFrame(
      {
        mtype: "ConfirmedDataUp",
        devAddr: "26011bda",
        fCnt: 70000,
        fPort: 2,
        payload: encodeLpp([{ channel: 3, type: "temperature", value: 27.2 }]),
      },
      keys,
    );
    const up = decodeFrame(frame, { keys, lastFCnt: 69990 });
    expect(up.micOk).toBe(true);
    if (up.kind !== "data") throw new Error("not a data frame");
    expect(decodeLpp(up.payload)).toEqual([{ channel: 3, type: 103, name: "temperature", value: 27.2, unit: "°C" }]);
  });
});
