// Any value a JavaScript caller may pass to the public functions (nulls, numbers, odd objects,
// typed arrays) gives a ChirpError or a result, never a TypeError or RangeError.
import { expect, it } from "vitest";
import fc from "fast-check";
import * as L from "../src/lorawan/index.js";
import * as P from "../src/lpp/index.js";
import * as C from "../src/crypto/index.js";
import { ChirpError } from "../src/errors.js";
const bad: string[] = [];
function only(name: string, f: () => unknown) {
  try {
    f();
  } catch (e) {
    if (!(e instanceof ChirpError)) bad.push(name + ": " + String(e).slice(0, 120));
  }
}
it("public functions given arbitrary arguments throw only ChirpError", () => {
  const any = fc.anything({ withTypedArray: true, withNullPrototype: false });
  fc.assert(
    fc.property(any, any, any, any, (a, b, c, d) => {
      only("buildDataFrame", () =>
        L.buildDataFrame(
          {
            mtype: "UnconfirmedDataUp",
            devAddr: a as any,
            fCnt: 1,
            fOpts: b as any,
            fPort: c as any,
            payload: d as any,
          },
          { nwkSKey: "00".repeat(16), appSKey: "00".repeat(16) },
        ),
      );
      only("buildDataFrame2", () => L.buildDataFrame(a as any, b as any, c as any));
      only("buildFrame", () => L.buildFrame(a as any, b as any, c as any));
      only("buildJoinAccept", () =>
        L.buildJoinAccept(
          { joinNonce: a as any, netId: b as any, devAddr: c as any, cfList: d as any },
          { appKey: "00".repeat(16) },
        ),
      );
      only("buildRejoin", () =>
        L.buildRejoinRequest({
          rejoinType: a as any,
          netId: b as any,
          devEui: c as any,
          rjCount: d as any,
          joinEui: b as any,
        }),
      );
      only("buildMac", () => L.buildMacCommands(a as any));
      only("buildMac2", () => L.buildMacCommands([{ name: "LinkADRReq", fields: a as any }]));
      only("parseMac", () => L.parseMacCommands(a as any, b as any));
      only("decodeFrame", () => L.decodeFrame(a as any, b as any));
      only("parseFrame", () => L.parseFrame(a as any));
      only("encodeLpp", () => P.encodeLpp(a as any, b as any));
      only("encodeLpp2", () => P.encodeLpp([{ channel: 1, type: a as any, value: b as any }]));
      only("decodeLpp", () => P.decodeLpp(a as any, b as any));
      only("aes", () => C.aesEncryptBlock(a as any, b as any));
      only("cmac", () => C.aesCmac(a as any, b as any));
      only("derive", () => L.deriveSessionKeys10(a as any, b as any));
      only("derive11", () => L.deriveSessionKeys11(a as any, b as any, c as any));
      only("fcnt", () => L.reconstructFCnt(a as any, b as any));
      only("beacon", () => L.buildBeacon(a as any, b as any));
      only("parseBeacon", () => L.parseBeacon(a as any, b as any));
      only("ping", () => L.computePingOffset(a as any, b as any, c as any));
      only("sessions", () => L.createSessions(a as any));
      only("decryptJA", () => L.decryptJoinAccept(a as any, b as any, c as any));
      only("verifyMic", () => L.verifyMic(L.parseFrame("40f17dbe4900020001954378762b11ff0d"), a as any, b as any));
      only("lppDown", () => P.encodeLppDownlink(a as any));
      only("computeMic", () => L.computeMic(a as any, b as any, c as any));
      only("decryptPayload", () => L.decryptPayload(a as any, b as any, c as any));
      only("decryptFOpts", () => L.decryptFOpts(a as any, b as any, c as any));
      only("decryptJAobj", () =>
        L.decryptJoinAccept(
          { kind: "join-accept", bytes: new Uint8Array(17), mic: new Uint8Array(4), encrypted: a } as any,
          { appKey: "00".repeat(16) },
        ),
      );
      only("cryptFrm", () => L.cryptFrmPayload(a as any, b as any, c as any, d as any, a as any));
      only("macBuildCid", () => L.buildMacCommands([{ cid: a as any, direction: b as any, payload: c as any }]));
      only("lppDecodeOpts", () => P.decodeLpp(new Uint8Array([1, 103, 0, 1]), a as any));
      only("decodeFrameOpts", () =>
        L.decodeFrame("40f17dbe4900020001954378762b11ff0d", {
          keys: { nwkSKey: "00".repeat(16) },
          fCnt32: a as any,
          lastFCnt: b as any,
          confFCnt: c as any,
          fOptsVariant: d as any,
        }),
      );
    }),
    { numRuns: 2000 },
  );
  expect([...new Set(bad)].slice(0, 10)).toEqual([]);
});
