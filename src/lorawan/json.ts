// A JSON-ready view of a decoded frame (hex strings instead of byte arrays), as printed by
// `chirp lorawan --json`; also handy for logs and the demo.
import { badParameter } from "../errors.js";
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

const KINDS = ["data", "join-request", "rejoin-request", "join-accept", "proprietary"];
const isBytes = (x: unknown) => x instanceof Uint8Array;
const isUint = (x: unknown, max: number) => typeof x === "number" && Number.isInteger(x) && x >= 0 && x <= max;
const isStr = (x: unknown) => typeof x === "string";
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null;

/** The fields this function reads, checked (a DecodedFrame changed by hand is BAD_PARAMETER, not a TypeError). */
function checkDecoded(d: unknown): asserts d is DecodedFrame {
  const bad = (field: string): never =>
    badParameter(
      field === "" ? "decoded" : `decoded.${field}`,
      field === "" ? d : (d as Record<string, unknown>)[field],
      "a DecodedFrame returned by decodeFrame",
    );
  if (!isObj(d)) bad("");
  const o = d as Record<string, unknown>;
  if (!KINDS.includes(o.kind as string)) bad("kind");
  if (!isStr(o.mtype)) bad("mtype");
  if (!isUint(o.major, 3)) bad("major");
  if (!isBytes(o.mic)) bad("mic");
  if (o.micOk !== true && o.micOk !== false && o.micOk !== null) bad("micOk");
  if ("payload" in o && !isBytes(o.payload)) bad("payload");
  switch (o.kind) {
    case "data": {
      if (o.direction !== "up" && o.direction !== "down") bad("direction");
      if (!isUint(o.devAddr, 0xffffffff)) bad("devAddr");
      const f = o.fCtrl as Record<string, unknown>;
      if (!isObj(f) || !isUint(f.raw, 255) || !isUint(f.fOptsLen, 15)) bad("fCtrl");
      if (!isUint(o.fCnt, 0xffff)) bad("fCnt");
      if (!isUint(o.fCnt32, 0xffffffff)) bad("fCnt32");
      if (o.fPort !== null && !isUint(o.fPort, 255)) bad("fPort");
      if (!isBytes(o.fOpts)) bad("fOpts");
      if (
        !Array.isArray(o.macCommands) ||
        !o.macCommands.every(
          (c) => isObj(c) && isUint(c.cid, 255) && isStr(c.name) && isBytes(c.payload) && isObj(c.fields),
        )
      )
        bad("macCommands");
      if (o.macCommandsError !== undefined && !isStr(o.macCommandsError)) bad("macCommandsError");
      break;
    }
    case "join-request":
      if (!isStr(o.joinEui) || !isStr(o.devEui)) bad(isStr(o.joinEui) ? "devEui" : "joinEui");
      if (!isUint(o.devNonce, 0xffff)) bad("devNonce");
      break;
    case "rejoin-request":
      if (!isUint(o.rejoinType, 2) || !isStr(o.devEui) || !isUint(o.rjCount, 0xffff)) bad("rejoinType");
      if (o.netId !== undefined && !isUint(o.netId, 0xffffff)) bad("netId");
      if (o.joinEui !== undefined && !isStr(o.joinEui)) bad("joinEui");
      break;
    case "join-accept": {
      const j = o.joinAccept as Record<string, unknown> | undefined;
      if (
        j !== undefined &&
        (!isObj(j) ||
          !isUint(j.joinNonce, 0xffffff) ||
          !isUint(j.netId, 0xffffff) ||
          !isUint(j.devAddr, 0xffffffff) ||
          !isObj(j.dlSettings) ||
          !isBytes(j.mic) ||
          !isBytes(j.plaintext))
      )
        bad("joinAccept");
      if (
        o.sessionKeys !== undefined &&
        (!isObj(o.sessionKeys) || !Object.values(o.sessionKeys as object).every(isBytes))
      )
        bad("sessionKeys");
      if (o.joinAcceptError !== undefined && !isStr(o.joinAcceptError)) bad("joinAcceptError");
      break;
    }
  }
}

/**
 * The decoded frame as plain JSON values: byte strings as hex, DevAddr and NetID as big-endian
 * hex (as people print them); undefined fields left out. Session keys appear only when the decode
 * was asked to derive them.
 */
export function decodedFrameToJson(d: DecodedFrame): { [k: string]: Json } {
  checkDecoded(d);
  const o: { [k: string]: Json } = { mtype: d.mtype, major: d.major };
  switch (d.kind) {
    case "data": {
      const f = d.fCtrl;
      o.direction = d.direction;
      o.devAddr = hexOfUint(d.devAddr, 4);
      o.fCtrl = {
        raw: f.raw,
        adr: f.adr,
        ack: f.ack,
        fOptsLen: f.fOptsLen,
        ...(d.direction === "up" ? { adrAckReq: f.adrAckReq, classB: f.classB } : { fPending: f.fPending }),
      };
      o.fCnt = d.fCnt;
      o.fCnt32 = d.fCnt32;
      o.fPort = d.fPort;
      o.fOpts = toHex(d.fOpts);
      o.macCommands = d.macCommands.map((c) => ({
        cid: c.cid,
        name: c.name,
        payload: toHex(c.payload),
        fields: c.fields,
        ...(c.unknown ? { unknown: true } : {}),
      }));
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
          dlSettings: {
            raw: j.dlSettings.raw,
            optNeg: j.dlSettings.optNeg,
            rx1DrOffset: j.dlSettings.rx1DrOffset,
            rx2DataRate: j.dlSettings.rx2DataRate,
          },
          rxDelay: j.rxDelay,
          rxDelaySeconds: j.rxDelaySeconds,
          cfList: cfListJson(j.cfList),
          mic: toHex(j.mic),
          micOk: j.micOk,
          plaintextHex: toHex(j.plaintext),
        };
      }
      if (d.joinAcceptError) o.joinAcceptError = d.joinAcceptError;
      if (d.sessionKeys)
        o.sessionKeys = Object.fromEntries(Object.entries(d.sessionKeys).map(([k, v]) => [k, toHex(v)]));
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
