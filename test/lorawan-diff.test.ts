// Differential tests against lora-packet (a test-only dev dependency): thousands of random frames
// built by us and parsed/verified/decrypted by lora-packet, and the other way round. They agree
// wherever lora-packet is right; where it is not, the tests pin the difference down:
//  - the upper 16 bits of a 32-bit FCnt ("FCntMSBytes") must be passed to lora-packet
//    little-endian (bits 16..23 first), an undocumented order: the natural big-endian Buffer
//    gives a wrong MIC and keystream;
//  - rejoin type 1: lora-packet reads RJcount1 from bytes 13..15 instead of 18..20;
//  - 1.1 uplinks on FPort 0: lora-packet puts ConfFCnt into B1 without the ACK bit (the spec
//    uses ConfFCnt only when ACK is set); it takes the uplink ConfFCnt big-endian and the
//    downlink one little-endian;
//  - FOptsLen beyond the frame, and frames shorter than a header: lora-packet accepts or throws
//    untyped errors; we throw ChirpError (FOPTS_OVERRUN, TOO_SHORT).
import { describe, expect, it } from "vitest";
import lpImport from "lora-packet";
// lora-packet is CommonJS with an ES "default" export: under NodeNext typing the functions sit on .default
const lp = ((lpImport as any).default ?? lpImport) as (typeof lpImport)["default"];
import {
  buildDataFrame,
  buildJoinRequest,
  buildJoinAccept,
  buildRejoinRequest,
  parseFrame,
  decodeFrame,
  decryptJoinAccept,
  verifyMic,
  toHex,
  deriveSessionKeys10,
  deriveSessionKeys11,
  deriveJoinServerKeys,
  deriveRootWorSKey,
  deriveWorSessionKeys,
  type DataFrame,
  type DataMType,
} from "../src/lorawan/index.js";
import { ChirpError } from "../src/errors.js";

// deterministic PRNG (mulberry32) so failures reproduce
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));
  return { next, int, bytes, bool: () => next() < 0.5 };
}

const MTYPES: DataMType[] = ["UnconfirmedDataUp", "UnconfirmedDataDown", "ConfirmedDataUp", "ConfirmedDataDown"];
const LP_MTYPE: Record<string, string> = {
  UnconfirmedDataUp: "Unconfirmed Data Up",
  UnconfirmedDataDown: "Unconfirmed Data Down",
  ConfirmedDataUp: "Confirmed Data Up",
  ConfirmedDataDown: "Confirmed Data Down",
  JoinRequest: "Join Request",
  JoinAccept: "Join Accept",
  RejoinRequest: "Rejoin Request",
  Proprietary: "Proprietary",
};
const B = (u: Uint8Array) => Buffer.from(u);
/** lora-packet's FCntMSBytes: the upper 16 bits, little-endian. */
const msbLe = (fCnt32: number) => Buffer.from([(fCnt32 >>> 16) & 0xff, (fCnt32 >>> 24) & 0xff]);
const msbBe = (fCnt32: number) => Buffer.from([(fCnt32 >>> 24) & 0xff, (fCnt32 >>> 16) & 0xff]);

describe("differential: lora-packet", () => {
  it("2000 random 1.0 data frames built by us: lora-packet parses, verifies and decrypts them alike", () => {
    const r = rng(1);
    let beDisagrees = 0;
    let beCases = 0;
    for (let i = 0; i < 2000; i++) {
      const mtype = MTYPES[r.int(4)]!;
      const up = mtype.endsWith("Up");
      const nwkSKey = r.bytes(16);
      const appSKey = r.bytes(16);
      const fCnt = r.int(8) === 0 ? r.int(0x10000) : (r.int(0x10000) * 0x10000 + r.int(0x10000)) >>> 0;
      const fPort = r.int(5) === 0 ? null : r.int(256);
      const fOpts = fPort === 0 ? new Uint8Array(0) : r.bytes(r.int(16));
      const payload = fPort === null ? new Uint8Array(0) : r.bytes(r.int(60));
      const fCtrl = {
        adr: r.bool(),
        ack: r.bool(),
        adrAckReq: up && r.bool(),
        classB: up && r.bool(),
        fPending: !up && r.bool(),
      };
      const devAddr = (r.int(0x10000) * 0x10000 + r.int(0x10000)) >>> 0;
      const keys = { nwkSKey, appSKey };
      const bytes = buildDataFrame({ mtype, devAddr, fCtrl, fCnt, fOpts, fPort, payload }, keys);

      const p = lp.fromWire(B(bytes));
      expect(p.getMType()).toBe(LP_MTYPE[mtype]);
      expect(p.DevAddr!.toString("hex")).toBe(devAddr.toString(16).padStart(8, "0"));
      expect(p.getFCnt()).toBe(fCnt & 0xffff);
      expect(p.getFPort()).toBe(fPort);
      expect(p.getFCtrlADR()).toBe(fCtrl.adr);
      expect(p.getFCtrlACK()).toBe(fCtrl.ack);
      if (up) expect(p.getFCtrlADRACKReq()).toBe(fCtrl.adrAckReq);
      else expect(p.getFCtrlFPending()).toBe(fCtrl.fPending);
      expect(toHex(p.FOpts!)).toBe(toHex(fOpts));
      const ours = parseFrame(bytes) as DataFrame;
      expect(toHex(p.FRMPayload!)).toBe(toHex(ours.frmPayload));
      expect(lp.verifyMIC(p, B(nwkSKey), undefined, msbLe(fCnt))).toBe(true);
      if (payload.length > 0) expect(toHex(lp.decrypt(p, B(appSKey), B(nwkSKey), msbLe(fCnt)))).toBe(toHex(payload));
      if (fCnt >>> 16 && (fCnt >>> 16) % 257 !== 0) {
        // big-endian upper bytes (the natural reading of the README) disagree
        beCases++;
        if (!lp.verifyMIC(p, B(nwkSKey), undefined, msbBe(fCnt))) beDisagrees++;
      }
    }
    expect(beCases).toBeGreaterThan(1000);
    expect(beDisagrees).toBe(beCases);
  });

  it("2000 random 1.0 data frames built by lora-packet: we parse, verify and decrypt them alike", () => {
    const r = rng(2);
    for (let i = 0; i < 2000; i++) {
      const mtype = MTYPES[r.int(4)]!;
      const up = mtype.endsWith("Up");
      const nwkSKey = r.bytes(16);
      const appSKey = r.bytes(16);
      const fCnt = (r.int(0x10000) * 0x10000 + r.int(0x10000)) >>> 0;
      const fPort = r.int(256);
      const payload = r.bytes(1 + r.int(60)); // lora-packet computes the MIC only when it encrypts
      const fOpts = fPort === 0 ? new Uint8Array(0) : r.bytes(r.int(16));
      const devAddr = r.bytes(4);
      const fl = { ADR: r.bool(), ACK: r.bool(), ADRACKReq: up && r.bool(), FPending: r.bool() };
      const p = lp.fromFields(
        {
          MType: LP_MTYPE[mtype],
          DevAddr: B(devAddr),
          FCtrl: fl,
          FCnt: fCnt & 0xffff,
          FOpts: B(fOpts),
          FPort: fPort,
          payload: B(payload),
        },
        B(appSKey),
        B(nwkSKey),
        undefined,
        msbLe(fCnt),
      );
      const bytes = new Uint8Array(p.getPHYPayload()!);
      const d = decodeFrame(bytes, { keys: { nwkSKey, appSKey }, fCnt32: fCnt });
      expect(d.mtype).toBe(mtype);
      if (d.kind !== "data") throw new Error("not a data frame");
      expect(d.devAddr.toString(16).padStart(8, "0")).toBe(toHex(devAddr));
      expect(d.fCnt).toBe(fCnt & 0xffff);
      expect(d.fPort).toBe(fPort);
      expect(toHex(d.fOpts)).toBe(toHex(fOpts));
      expect(d.fCtrl!.adr).toBe(fl.ADR);
      expect(d.fCtrl!.ack).toBe(fl.ACK);
      if (up) {
        expect(d.fCtrl!.adrAckReq).toBe(fl.ADRACKReq);
        expect(d.fCtrl!.classB).toBe(fl.FPending); // same bit 4: FPending on downlinks, ClassB on uplinks
      } else expect(d.fCtrl!.fPending).toBe(fl.FPending);
      expect(d.micOk).toBe(true);
      expect(toHex(d.payload)).toBe(toHex(payload));
      // with the reconstructed counter too
      expect(decodeFrame(bytes, { keys: { nwkSKey, appSKey }, lastFCnt: Math.max(0, fCnt - r.int(1000)) }).micOk).toBe(
        true,
      );
    }
  });

  it("500 join requests each way agree (MIC with AppKey)", () => {
    const r = rng(3);
    for (let i = 0; i < 500; i++) {
      const appKey = r.bytes(16);
      const joinEui = toHex(r.bytes(8));
      const devEui = toHex(r.bytes(8));
      const devNonce = r.int(0x10000);
      const ours = buildJoinRequest({ joinEui, devEui, devNonce }, { appKey });
      const p = lp.fromWire(B(ours));
      expect(p.getMType()).toBe("Join Request");
      expect(p.AppEUI!.toString("hex")).toBe(joinEui);
      expect(p.DevEUI!.toString("hex")).toBe(devEui);
      expect(p.DevNonce!.readUInt16BE(0)).toBe(devNonce);
      expect(lp.verifyMIC(p, undefined, B(appKey))).toBe(true);
      const theirs = lp.fromFields(
        {
          MType: "Join Request",
          AppEUI: Buffer.from(joinEui, "hex"),
          DevEUI: Buffer.from(devEui, "hex"),
          DevNonce: Buffer.from(devNonce.toString(16).padStart(4, "0"), "hex"),
        },
        undefined,
        undefined,
        B(appKey),
      );
      const tb = new Uint8Array(theirs.getPHYPayload()!);
      expect(toHex(tb)).toBe(toHex(ours));
      expect(verifyMic(parseFrame(tb), { appKey })).toBe(true);
    }
  });

  it("300 join accepts (with and without CFList) built by us decrypt and verify in lora-packet", () => {
    const r = rng(4);
    for (let i = 0; i < 300; i++) {
      const appKey = r.bytes(16);
      const cf = r.bool()
        ? {
            type: 0 as const,
            frequencies: [867100000, 867300000, 867500000, 867700000, 867900000].map((f) => f + 100 * r.int(100)),
          }
        : null;
      const ours = buildJoinAccept(
        {
          joinNonce: r.int(0x1000000),
          netId: r.int(0x1000000),
          devAddr: r.int(0x7fffffff),
          dlSettings: r.int(128),
          rxDelay: r.int(16),
          cfList: cf,
        },
        { appKey },
      );
      const p = lp.fromWire(B(ours));
      const plain = lp.decryptJoinAccept(p, B(appKey));
      expect(toHex(plain)).toBe(toHex(decryptJoinAccept(ours, { appKey }).plaintext));
      expect(lp.verifyMIC(lp.fromWire(plain), undefined, B(appKey))).toBe(true);
    }
  });

  it("500 1.1 uplinks: dual MIC agrees (ConfFCnt, TxDr, TxCh), except where lora-packet uses ConfFCnt without ACK on FPort 0", () => {
    const r = rng(5);
    let fport0Mismatch = 0;
    let fport0Cases = 0;
    for (let i = 0; i < 500; i++) {
      const k = { fNwkSIntKey: r.bytes(16), sNwkSIntKey: r.bytes(16), nwkSEncKey: r.bytes(16), appSKey: r.bytes(16) };
      const fCnt = (r.int(0x10000) * 0x10000 + r.int(0x10000)) >>> 0;
      const ack = r.bool();
      const fPort = r.int(4) === 0 ? 0 : 1 + r.int(255);
      const confFCnt = 1 + r.int(0xffff);
      const txDr = r.int(16);
      const txCh = r.int(256);
      const o = { version: "1.1" as const, confFCnt, txDr, txCh };
      const bytes = buildDataFrame(
        {
          mtype: "UnconfirmedDataUp",
          devAddr: r.int(0x7fffffff),
          fCtrl: { ack },
          fCnt,
          fPort,
          payload: r.bytes(1 + r.int(30)),
        },
        k,
        o,
      );
      expect(decodeFrame(bytes, { ...o, keys: k, fCnt32: fCnt }).micOk).toBe(true);
      // lora-packet's ConfFCnt argument is big-endian, then TxDr, TxCh
      const arg = Buffer.from([confFCnt >> 8, confFCnt & 0xff, txDr, txCh]);
      const ok = lp.verifyMIC(lp.fromWire(B(bytes)), B(k.fNwkSIntKey), B(k.sNwkSIntKey), msbLe(fCnt), arg);
      if (fPort === 0 && !ack) {
        fport0Cases++;
        if (!ok) fport0Mismatch++;
      } else expect(ok).toBe(true);
    }
    expect(fport0Cases).toBeGreaterThan(20);
    expect(fport0Mismatch).toBe(fport0Cases); // lora-packet is wrong there (LoRaWAN 1.1 section 4.4)
  });

  it("500 1.1 frames with FOpts: lora-packet decrypts FOpts (errata A block) and checks downlink MICs alike", () => {
    const r = rng(8);
    for (let i = 0; i < 500; i++) {
      const mtype = MTYPES[r.int(4)]!;
      const up = mtype.endsWith("Up");
      const k = { fNwkSIntKey: r.bytes(16), sNwkSIntKey: r.bytes(16), nwkSEncKey: r.bytes(16), appSKey: r.bytes(16) };
      const fCnt = (r.int(0x10000) * 0x10000 + r.int(0x10000)) >>> 0;
      const fPort = r.int(3) === 0 ? null : 1 + r.int(255);
      const fOpts = r.bytes(1 + r.int(15));
      const ack = r.bool();
      const confFCnt = r.int(0x10000);
      const o = { version: "1.1" as const, confFCnt, txDr: r.int(16), txCh: r.int(256) };
      const bytes = buildDataFrame(
        {
          mtype,
          devAddr: r.int(0x7fffffff),
          fCtrl: { ack },
          fCnt,
          fOpts,
          fPort,
          payload: fPort === null ? undefined : r.bytes(r.int(20)),
        },
        k,
        o,
      );
      expect(decodeFrame(bytes, { ...o, keys: k, fCnt32: fCnt })).toMatchObject({
        micOk: true,
        fOpts,
        fOptsDecrypted: true,
      });
      const p = lp.fromWire(B(bytes));
      expect(toHex(p.decryptFOpts(B(k.nwkSEncKey), undefined, msbLe(fCnt)))).toBe(toHex(fOpts));
      if (!up) {
        // lora-packet takes the downlink ConfFCnt as two little-endian bytes (and uses it even without ACK)
        const conf = ack ? Buffer.from([confFCnt & 0xff, confFCnt >> 8]) : Buffer.alloc(2);
        expect(lp.verifyMIC(lp.fromWire(B(bytes)), undefined, B(k.sNwkSIntKey), msbLe(fCnt), conf)).toBe(true);
      }
    }
  });

  it("rejoin requests: types 0/2 agree; lora-packet reads type 1's RJcount1 from the wrong bytes", () => {
    const r = rng(6);
    let wrong = 0;
    for (let i = 0; i < 300; i++) {
      const t = ([0, 1, 2] as const)[i % 3]!;
      const spec = {
        rejoinType: t,
        netId: r.int(0x1000000),
        joinEui: toHex(r.bytes(8)),
        devEui: toHex(r.bytes(8)),
        rjCount: r.int(0x10000),
      };
      const keys = { sNwkSIntKey: r.bytes(16), jsIntKey: r.bytes(16) };
      const bytes = buildRejoinRequest(spec, keys);
      const ours = parseFrame(bytes) as any;
      expect(verifyMic(ours, keys)).toBe(true);
      const p = lp.fromWire(B(bytes)) as any;
      expect(p.getMType()).toBe("Rejoin Request");
      if (t !== 1) {
        expect(p.RJCount0.readUInt16BE(0)).toBe(spec.rjCount);
        expect(lp.verifyMIC(p, B(keys.sNwkSIntKey))).toBe(true);
      } else {
        expect(ours.rjCount).toBe(spec.rjCount);
        expect(lp.verifyMIC(p, undefined, B(keys.jsIntKey))).toBe(true);
        if (p.RJCount1.readUInt16BE(0) !== spec.rjCount) wrong++;
      }
    }
    expect(wrong).toBeGreaterThan(90); // (bytes 13..15 of the frame are DevEUI bytes)
  });

  it("key derivation agrees on 300 random inputs (1.0, 1.1, JS keys, WOR keys)", () => {
    const r = rng(9);
    for (let i = 0; i < 300; i++) {
      const appKey = r.bytes(16);
      const nwkKey = r.bytes(16);
      const netId = r.bytes(3);
      const joinNonce = r.bytes(3);
      const devNonce = r.bytes(2);
      const joinEui = r.bytes(8);
      const devEui = r.bytes(8);
      const devAddr = r.bytes(4);
      // lora-packet takes these fields big-endian (display order)
      const k10 = lp.generateSessionKeys10(B(appKey), B(netId), B(joinNonce), B(devNonce));
      const o10 = deriveSessionKeys10(appKey, {
        joinNonce: toHex(joinNonce),
        netId: toHex(netId),
        devNonce: toHex(devNonce),
      });
      expect(toHex(o10.nwkSKey)).toBe(k10.NwkSKey.toString("hex"));
      expect(toHex(o10.appSKey)).toBe(k10.AppSKey.toString("hex"));
      const k11 = lp.generateSessionKeys11(B(appKey), B(nwkKey), B(joinEui), B(joinNonce), B(devNonce));
      const o11 = deriveSessionKeys11(nwkKey, appKey, {
        joinNonce: toHex(joinNonce),
        joinEui: toHex(joinEui),
        devNonce: toHex(devNonce),
      });
      expect(toHex(o11.fNwkSIntKey)).toBe(k11.FNwkSIntKey.toString("hex"));
      expect(toHex(o11.sNwkSIntKey)).toBe(k11.SNwkSIntKey.toString("hex"));
      expect(toHex(o11.nwkSEncKey)).toBe(k11.NwkSEncKey.toString("hex"));
      expect(toHex(o11.appSKey)).toBe(k11.AppSKey.toString("hex"));
      const js = lp.generateJSKeys(B(nwkKey), B(devEui));
      const ojs = deriveJoinServerKeys(nwkKey, toHex(devEui));
      expect(toHex(ojs.jsIntKey)).toBe(js.JSIntKey.toString("hex"));
      expect(toHex(ojs.jsEncKey)).toBe(js.JSEncKey.toString("hex"));
      const root = lp.generateWORKey(B(nwkKey)).RootWorSKey;
      expect(toHex(deriveRootWorSKey(nwkKey))).toBe(root.toString("hex"));
      const wor = lp.generateWORSessionKeys(root, B(devAddr));
      const owor = deriveWorSessionKeys(new Uint8Array(root), toHex(devAddr));
      expect(toHex(owor.worSIntKey)).toBe(wor.WorSIntKey.toString("hex"));
      expect(toHex(owor.worSEncKey)).toBe(wor.WorSEncKey.toString("hex"));
    }
  });

  it("malformed frames: lora-packet accepts an FOpts overrun and throws untyped errors on short frames; we throw ChirpError", () => {
    const overrun = Uint8Array.from(Buffer.from("80040302010fff0401020304", "hex"));
    expect(() => lp.fromWire(B(overrun))).not.toThrow();
    expect(() => parseFrame(overrun)).toThrow(expect.objectContaining({ code: "FOPTS_OVERRUN" }));
    const r = rng(7);
    let lpUntyped = 0;
    for (let i = 0; i < 500; i++) {
      const b = r.bytes(r.int(12));
      b[0] = (b[0]! & 0xfc) | 0; // major 0
      try {
        parseFrame(b);
      } catch (e) {
        expect(e).toBeInstanceOf(ChirpError);
      }
      try {
        lp.fromWire(B(b));
      } catch (e) {
        if (!(e instanceof ChirpError)) lpUntyped++;
      }
    }
    expect(lpUntyped).toBeGreaterThan(0);
  });
});
