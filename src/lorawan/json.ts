// A JSON-ready view of a decoded frame (hex strings instead of byte arrays), as printed by
// `chirp lorawan --json`; also handy for logs and the demo.
import { hexOfUint, toHex } from "./bytes.js";
import type { DecodedFrame } from "./decode.js";
import type { CFList } from "./join.js";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function cfListJson(c: CFList | null): Json {
  if (!c) return null;
  if ("frequencies" in c) return { type: 0, frequencies: c.frequencies };
  if ("chMasks" in c) return { type: 1, chMasks: c.chMasks };
  return { type: c.type, raw: toHex(c.raw) };
}

/** The decoded frame as plain JSON values (undefined fields left out). */
export function decodedFrameToJson(d: DecodedFrame): { [k: string]: Json } {
  const o: { [k: string]: Json } = { mtype: d.mtype, major: d.major };
  if (d.direction) o.direction = d.direction;
  if (d.devAddr !== undefined) o.devAddr = d.devAddr;
  if (d.fCtrl) {
    const f = d.fCtrl;
    o.fCtrl = { raw: f.raw, adr: f.adr, ack: f.ack, fOptsLen: f.fOptsLen, ...(d.direction === "up" ? { adrAckReq: f.adrAckReq, classB: f.classB } : { fPending: f.fPending }) };
  }
  if (d.fCnt !== undefined) o.fCnt = d.fCnt;
  if (d.fCnt32 !== undefined) o.fCnt32 = d.fCnt32;
  if (d.fPort !== undefined) o.fPort = d.fPort;
  if (d.fOpts !== undefined) o.fOpts = d.fOpts;
  o.macCommands = d.macCommands.map((c) => ({ cid: c.cid, name: c.name, payload: toHex(c.payload), fields: c.fields, ...(c.unknown ? { unknown: true } : {}) }));
  if (d.macCommandsError) o.macCommandsError = d.macCommandsError;
  if (d.payloadHex !== undefined) o.payloadHex = d.payloadHex;
  o.payloadDecrypted = d.payloadDecrypted;
  o.mic = d.mic;
  o.micOk = d.micOk;
  if (d.joinEui !== undefined) o.joinEui = d.joinEui;
  if (d.devEui !== undefined) o.devEui = d.devEui;
  if (d.devNonce !== undefined) o.devNonce = d.devNonce;
  if (d.rejoinType !== undefined) o.rejoinType = d.rejoinType;
  if (d.netId !== undefined) o.netId = d.netId;
  if (d.rjCount !== undefined) o.rjCount = d.rjCount;
  if (d.joinAccept) {
    const j = d.joinAccept;
    o.joinAccept = {
      joinNonce: j.joinNonce,
      netId: hexOfUint(j.netId, 3),
      devAddr: hexOfUint(j.devAddr, 4),
      dlSettings: { raw: j.dlSettings.raw, optNeg: j.dlSettings.optNeg, rx1DrOffset: j.dlSettings.rx1DrOffset, rx2DataRate: j.dlSettings.rx2DataRate },
      rxDelay: j.rxDelay,
      rxDelaySeconds: j.rxDelaySeconds,
      cfList: cfListJson(j.cfList),
      mic: toHex(j.mic),
      micOk: j.micOk,
      plaintextHex: toHex(j.plaintext),
    };
  }
  if (d.sessionKeys) o.sessionKeys = Object.fromEntries(Object.entries(d.sessionKeys).map(([k, v]) => [k, toHex(v)]));
  return o;
}
