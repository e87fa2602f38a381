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

/**
 * The decoded frame as plain JSON values: byte strings as hex, DevAddr and NetID as big-endian
 * hex (as people print them); undefined fields left out. Session keys appear only when the decode
 * was asked to derive them.
 */
export function decodedFrameToJson(d: DecodedFrame): { [k: string]: Json } {
  const o: { [k: string]: Json } = { mtype: d.mtype, major: d.major };
  switch (d.kind) {
    case "data": {
      const f = d.fCtrl;
      o.direction = d.direction;
      o.devAddr = hexOfUint(d.devAddr, 4);
      o.fCtrl = { raw: f.raw, adr: f.adr, ack: f.ack, fOptsLen: f.fOptsLen, ...(d.direction === "up" ? { adrAckReq: f.adrAckReq, classB: f.classB } : { fPending: f.fPending }) };
      o.fCnt = d.fCnt;
      o.fCnt32 = d.fCnt32;
      o.fPort = d.fPort;
      o.fOpts = toHex(d.fOpts);
      o.macCommands = d.macCommands.map((c) => ({ cid: c.cid, name: c.name, payload: toHex(c.payload), fields: c.fields, ...(c.unknown ? { unknown: true } : {}) }));
      if (d.macCommandsError) o.macCommandsError = d.macCommandsError;
      break;
    }
    case "join-request":
      o.joinEui = d.joinEui;
      o.devEui = d.devEui;
      o.devNonce = d.devNonce;
      break;
    case "rejoin-request":
      o.rejoinType = d.rejoinType;
      if (d.netId !== undefined) o.netId = hexOfUint(d.netId, 3);
      if (d.joinEui !== undefined) o.joinEui = d.joinEui;
      o.devEui = d.devEui;
      o.rjCount = d.rjCount;
      break;
    case "join-accept":
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
      if (d.joinAcceptError) o.joinAcceptError = d.joinAcceptError;
      if (d.sessionKeys) o.sessionKeys = Object.fromEntries(Object.entries(d.sessionKeys).map(([k, v]) => [k, toHex(v)]));
      break;
    case "proprietary":
      break;
  }
  if ("payload" in d) {
    o.payloadHex = toHex(d.payload);
    o.payloadDecrypted = d.payloadDecrypted;
  }
  o.mic = toHex(d.mic);
  o.micOk = d.micOk;
  return o;
}
