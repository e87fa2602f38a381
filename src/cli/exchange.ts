// LoRaWAN conversations on air, for `chirp simulate --lorawan-exchange`, `chirp demo` and
// `chirp decode --appkey/--keys`: the frames of an OTAA join and the data that follows in both
// directions (made with chirpkit/lorawan, sent as LoRa frames: uplinks with normal IQ and a
// payload CRC, downlinks with inverted IQ and none, LoRaWAN 1.0.4 section 4 and RP002 "downlinks
// ... without CRC"), and the decoding side that follows them through createExchange.
import { readFileSync } from "node:fs";
import { ChirpError, badParameter } from "../errors.js";
import {
  buildDataFrame,
  buildJoinAccept,
  buildJoinRequest,
  createExchange,
  decodedFrameToJson,
  deriveSessionKeys10,
  fromHex,
  toHex,
  type Exchange,
  type ExchangeDevice,
  type ExchangeFrame,
  type Json,
  type MacCommandSpec,
} from "../lorawan/index.js";
import { encodeLpp, type LppInput } from "../lpp/index.js";
import type { SimFrame } from "../sim/index.js";
import type { Frame } from "../rx/index.js";
import { fixed } from "./table.js";

/** A device of a simulated conversation (OTAA, LoRaWAN 1.0.x). */
export interface ConversationDevice {
  name: string;
  devEui: string;
  joinEui: string;
  appKey: string;
  /** Assigned by the network in its join accept. */
  devAddr: string;
  sf: number;
  /** Crystal error: carrier offset ppm x centre frequency and the same clock offset. */
  ppm: number;
  snrDb: number;
  /** Cayenne LPP readings of its k-th uplink. */
  readings: (k: number) => LppInput[];
}

/** What a frame of the conversation is, for tests and the demo's truth. */
export interface ConversationStep {
  device: string;
  direction: "up" | "down";
  mtype: string;
  fCnt?: number;
  /** The PHYPayload sent. */
  bytes: Uint8Array;
  what: string;
}

export interface Conversation {
  frames: SimFrame[];
  steps: ConversationStep[];
}

const NET_ID = 0x000013;
const sfParams = (sf: number, invertIq: boolean) => ({
  sf,
  bandwidth: 125000,
  cr: 1,
  syncWord: 0x34,
  invertIq,
  // LoRaWAN downlinks carry no payload CRC (RP002-1.0.4 section 2, "the downlink ... CRC off")
  crc: !invertIq,
});

/**
 * The frames of each device's join (request, accept after RX1's delay) and then `uplinks` rounds of
 * data, round robin: every 4th uplink confirmed and ACKed by a downlink, an ADR downlink
 * (LinkADRReq) after each device's second uplink, answered by LinkADRAns in its next uplink.
 * `gapSamples` is the silence before each frame (the real 1 s RX1 delay is shortened to it).
 */
export function lorawanConversation(
  devices: ConversationDevice[],
  opts: {
    uplinks: number;
    gapSamples: number;
    joinNonce?: number;
    /** Which uplinks are confirmed (default every 4th of each device) and which get an ADR answer (default each device's second). */
    confirmed?: (device: string, k: number) => boolean;
    adr?: (device: string, k: number) => boolean;
  },
): Conversation {
  const frames: SimFrame[] = [];
  const steps: ConversationStep[] = [];
  const state = devices.map((d, i) => {
    const devNonce = 0x2a00 + 17 * i;
    const joinNonce = (opts.joinNonce ?? 0x0b1a00) + i;
    const keys = deriveSessionKeys10(d.appKey, { joinNonce, netId: NET_ID, devNonce });
    return { d, devNonce, joinNonce, keys, fCntUp: 0, fCntDown: 0, adrAns: false };
  });
  const add = (
    s: (typeof state)[number],
    direction: "up" | "down",
    bytes: Uint8Array,
    mtype: string,
    what: string,
    fCnt?: number,
  ) => {
    const { d } = s;
    frames.push({
      params: sfParams(d.sf, direction === "down"),
      payload: bytes,
      snrDb: d.snrDb,
      sfoPpm: direction === "up" ? d.ppm : 0.5,
      cfoHz: direction === "up" ? d.ppm * 868.1 : 0.5 * 868.1,
      gapSamples: opts.gapSamples,
    });
    steps.push({ device: d.name, direction, mtype, bytes, what, ...(fCnt !== undefined ? { fCnt } : {}) });
  };
  for (const s of state) {
    const { d } = s;
    add(
      s,
      "up",
      buildJoinRequest({ joinEui: d.joinEui, devEui: d.devEui, devNonce: s.devNonce }, { appKey: d.appKey }),
      "JoinRequest",
      `join request, DevNonce ${s.devNonce}`,
    );
    const ja = buildJoinAccept(
      {
        joinNonce: s.joinNonce,
        netId: NET_ID,
        devAddr: d.devAddr,
        dlSettings: { rx1DrOffset: 0, rx2DataRate: 0 },
        rxDelay: 1,
      },
      { appKey: d.appKey },
    );
    add(s, "down", ja, "JoinAccept", `join accept, DevAddr ${d.devAddr}`);
  }
  for (let k = 0; k < opts.uplinks; k++) {
    for (const s of state) {
      const { d, keys } = s;
      const confirmed = opts.confirmed ? opts.confirmed(d.name, k) : k % 4 === 3;
      const fOpts: MacCommandSpec[] = s.adrAns
        ? [{ name: "LinkADRAns", direction: "up", fields: { powerAck: true, dataRateAck: true, channelMaskAck: true } }]
        : [];
      s.adrAns = false;
      const up = buildDataFrame(
        {
          mtype: confirmed ? "ConfirmedDataUp" : "UnconfirmedDataUp",
          devAddr: d.devAddr,
          fCtrl: { adr: true },
          fCnt: s.fCntUp,
          fPort: 1,
          fOpts,
          payload: encodeLpp(d.readings(k)),
        },
        { nwkSKey: keys.nwkSKey, appSKey: keys.appSKey },
      );
      add(
        s,
        "up",
        up,
        confirmed ? "ConfirmedDataUp" : "UnconfirmedDataUp",
        `uplink ${s.fCntUp}${confirmed ? " (confirmed)" : ""}${fOpts.length ? " + LinkADRAns" : ""}`,
        s.fCntUp,
      );
      s.fCntUp++;
      const adr = opts.adr ? opts.adr(d.name, k) : k === 1;
      if (confirmed || adr) {
        const down = buildDataFrame(
          {
            mtype: "UnconfirmedDataDown",
            devAddr: d.devAddr,
            fCtrl: { ack: confirmed, adr: true },
            fCnt: s.fCntDown,
            // LinkADRReq: DR5 (SF7), TX power index 1, channels 0..2, NbTrans 1
            fOpts: adr
              ? [
                  {
                    name: "LinkADRReq",
                    direction: "down",
                    fields: { dataRate: 5, txPower: 1, chMask: 7, chMaskCntl: 0, nbTrans: 1 },
                  },
                ]
              : [],
          },
          { nwkSKey: keys.nwkSKey, appSKey: keys.appSKey },
        );
        add(
          s,
          "down",
          down,
          "UnconfirmedDataDown",
          [confirmed ? "ACK" : "", adr ? "LinkADRReq" : ""].filter(Boolean).join(" + "),
          s.fCntDown,
        );
        s.fCntDown++;
        if (adr) s.adrAns = true;
      }
    }
  }
  return { frames, steps };
}

/** The keys file of a conversation's devices (as `chirp decode --keys` reads it). */
export function conversationKeysFile(devices: ConversationDevice[]): {
  devices: { name: string; devEui: string; appKey: string }[];
} {
  return { devices: devices.map((d) => ({ name: d.name, devEui: d.devEui, appKey: d.appKey })) };
}

// --- the decoding side ------------------------------------------------------------------------

export { exchangeHelp, exchangeSpec } from "./decodeFlags.js";

/** The exchange the flags ask for (null without --appkey/--keys). */
export function exchangeFromFlags(v: Record<string, unknown>): Exchange | null {
  const devices: ExchangeDevice[] = [];
  if (v.appkey !== undefined) {
    const k = String(v.appkey);
    // never echo the value: it is a key
    if (!/^[0-9a-fA-F]{32}$/.test(k)) badParameter("--appkey", "(not shown)", "32 hex digits");
    devices.push({ appKey: k.toLowerCase() });
  }
  if (v.keys !== undefined) devices.push(...readExchangeKeys(String(v.keys)));
  if (devices.length === 0) return null;
  return createExchange(devices, { showSessionKeys: !!v["show-session-keys"] });
}

function readExchangeKeys(path: string): ExchangeDevice[] {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    if ((e as { code?: string }).code)
      throw new ChirpError("IO_ERROR", `--keys ${path}: ${(e as Error).message}`, { parameter: "--keys" });
    badParameter("--keys", path, 'a JSON file {"devices": [...]}');
  }
  const list = (doc as { devices?: unknown })?.devices;
  if (!Array.isArray(list)) badParameter("--keys", path, 'a JSON object with a "devices" array');
  const key = (x: unknown, where: string): Uint8Array => {
    if (typeof x !== "string" || !/^[0-9a-fA-F]{32}$/.test(x)) badParameter(where, "(not shown)", "32 hex digits");
    return fromHex(x, where);
  };
  return list.map((d, i) => {
    const where = `--keys ${path}: devices[${i}]`;
    if (typeof d !== "object" || d === null) badParameter(where, typeof d, "an object");
    const o = d as Record<string, unknown>;
    const dev: ExchangeDevice = {};
    if (o.name !== undefined) dev.name = String(o.name);
    if (o.devEui !== undefined) {
      if (typeof o.devEui !== "string" || !/^[0-9a-fA-F]{16}$/.test(o.devEui))
        badParameter(`${where}.devEui`, o.devEui, "16 hex digits");
      dev.devEui = o.devEui.toLowerCase();
    }
    if (o.appKey !== undefined) dev.appKey = key(o.appKey, `${where}.appKey`);
    if (o.devAddr !== undefined) {
      if (typeof o.devAddr !== "string" || !/^[0-9a-fA-F]{8}$/.test(o.devAddr))
        badParameter(`${where}.devAddr`, o.devAddr, "8 hex digits");
      dev.devAddr = o.devAddr.toLowerCase();
      dev.keys = { nwkSKey: key(o.nwkSKey, `${where}.nwkSKey`), appSKey: key(o.appSKey, `${where}.appSKey`) };
    }
    if (dev.appKey === undefined && dev.devAddr === undefined)
      badParameter(where, "no appKey or devAddr", "an appKey (with its devEui) or a devAddr with nwkSKey and appSKey");
    return dev;
  });
}

/** The LoRaWAN view of a radio frame, or null when it carries no frame to decode. */
export function lorawanOf(f: Frame, ex: Exchange): ExchangeFrame | { error: string } | null {
  if (!f.headerOk || f.truncated || f.crcOk === false || f.payload.length === 0) return null;
  try {
    return ex.decode(f.payload);
  } catch (e) {
    if (e instanceof ChirpError) return { error: `${e.code}: ${e.message}` };
    throw e;
  }
}

/** JSON of a LoRaWAN decode: the frame's fields, its device, whether it is a replay, what the exchange made of it. */
export function lorawanJson(d: ExchangeFrame | { error: string }): { [k: string]: Json } {
  if ("error" in d) return { error: d.error };
  const o = decodedFrameToJson(d);
  o.micOk = d.micOk;
  o.device = d.device;
  o.replay = d.replay;
  o.event = d.exchange.kind;
  if (d.exchange.devAddr) o.sessionDevAddr = d.exchange.devAddr;
  if (d.kind === "data") o.payloadHex = d.payloadDecrypted ? toHex(d.payload) : null;
  return o;
}

/** The columns of the LoRaWAN table printed after the radio frames. */
export function lorawanColumns(rate: number) {
  type Row = { f: Frame; d: ExchangeFrame | { error: string } };
  const what = ({ d }: Row): string => {
    if ("error" in d) return d.error;
    if (d.kind === "join-request") return `DevEUI ${d.devEui} DevNonce ${d.devNonce}`;
    if (d.kind === "join-accept") {
      if (d.exchange.kind === "joined") return `session DevAddr ${d.exchange.devAddr}`;
      return d.micOk === true
        ? "its join request was not heard: no session keys"
        : "no known AppKey verifies it: nothing derived";
    }
    if (d.kind === "data") {
      const mac = d.macCommands.map((c) => c.name).join(",");
      const flags = [d.fCtrl.ack ? "ACK" : "", mac].filter(Boolean).join(" ");
      const pay = d.payloadDecrypted ? toHex(d.payload) : d.payload.length ? "(encrypted)" : "";
      return [flags, pay].filter(Boolean).join(" ");
    }
    return "";
  };
  return [
    { header: "time s", get: ({ f }: Row) => fixed(f.startSample / rate, 4) },
    { header: "dir", get: ({ f }: Row) => (f.invertIq ? "down" : "up") },
    { header: "message", get: ({ d }: Row) => ("error" in d ? "-" : d.mtype) },
    { header: "device", get: ({ d }: Row) => ("error" in d ? "-" : (d.device ?? "?")) },
    { header: "FCnt", get: ({ d }: Row) => ("error" in d || d.kind !== "data" ? "" : d.fCnt32) },
    {
      header: "MIC",
      get: ({ d }: Row) =>
        "error" in d ? "-" : d.micOk === null ? "?" : d.micOk ? (d.replay ? "replay" : "ok") : "BAD",
    },
    { header: "content", get: what, align: "left" as const },
  ];
}
