// Following whole LoRaWAN 1.0.x conversations in a stream of frames (a recording heard in both
// directions): a join request (uplink, MIC under the AppKey) -> its join accept (downlink,
// decrypted with the AppKey; LoRaWAN 1.0.4 section 6.2.3) -> session keys derived from it only
// when its MIC verifies (section 6.2.5) -> data uplinks and downlinks MIC-checked and decrypted
// with those keys, the frame counters tracked per direction (section 4.3.1.5, via createSessions).
// Devices with session keys already (ABP) are listed with their DevAddr and keys.
import { ChirpError } from "../errors.js";
import { checkArrayOfObjects, checkObject, hexOfUint, uintOf } from "./bytes.js";
import { decodeFrame, type DecodedFrame, type DecodedJoinAccept } from "./decode.js";
import { parseFrame } from "./frame.js";
import { createSessions, type SessionCounters, type SessionFrame, type Sessions } from "./session.js";
import type { LoRaWANKeys } from "./types.js";

/** A device the exchange knows: OTAA (devEui and appKey) and/or a session (devAddr and its keys). */
export interface ExchangeDevice {
  /** A label reported with its frames (default: the DevEUI or DevAddr hex). */
  name?: string;
  /** Big-endian hex; omitted with an appKey: the AppKey is tried for every join request. */
  devEui?: string;
  appKey?: Uint8Array | string;
  /** A session that exists before the recording (ABP, or a join not heard). */
  devAddr?: number | string;
  keys?: LoRaWANKeys;
}

/** What the exchange made of a frame, beyond its decode. */
export interface ExchangeEvent {
  /**
   * join-request: a request from a known device (its DevNonce kept for the answer);
   * joined: a join accept whose MIC verified under a pending request's AppKey, and the session it
   * opens; join-accept-unmatched: a join accept that answers no request heard from a known device
   * under its AppKey (micOk false: no known AppKey verifies it; true: it verifies but its request,
   * whose DevNonce the keys need, was not heard); nothing is derived from it. data: a frame of a
   * known session; unknown: no device or session for it.
   */
  kind: "join-request" | "joined" | "join-accept-unmatched" | "data" | "unknown";
  /** The device's name (or DevEUI / DevAddr hex), when known. */
  device: string | null;
  /** DevAddr hex of the session (joined, data). */
  devAddr?: string;
}

export type ExchangeFrame = SessionFrame & { exchange: ExchangeEvent };

export interface ExchangeOptions {
  /** Keep the derived session keys in the join accept's decode (`sessionKeys`); default false: they are secrets. */
  showSessionKeys?: boolean;
}

export interface Exchange {
  /** Decodes the next frame of the conversation (in time order). */
  decode(bytes: Uint8Array | string): ExchangeFrame;
  /** The frame counters of a session, by DevAddr. */
  counters(devAddr: number | string): SessionCounters | undefined;
  /** The sessions open now: DevAddr hex -> device name. */
  sessions(): Map<string, string>;
}

interface Pending {
  device: ExchangeDevice;
  appKey: Uint8Array | string;
  name: string;
  devNonce: number;
  joinEui: string;
}

const hexKey = (k: Uint8Array | string | undefined, where: string): Uint8Array | string => {
  if (k === undefined) throw new ChirpError("BAD_PARAMETER", `${where} is missing`, { parameter: where });
  if (typeof k === "string" ? !/^[0-9a-fA-F]{32}$/.test(k) : !(k instanceof Uint8Array) || k.length !== 16) {
    // never echo the value: it is a key
    throw new ChirpError("BAD_PARAMETER", `${where} must be 16 bytes (32 hex digits)`, {
      parameter: where,
      allowed: "16 bytes or 32 hex digits",
    });
  }
  return k;
};

export function createExchange(devices: ExchangeDevice[], options: ExchangeOptions = {}): Exchange {
  checkArrayOfObjects("devices", devices);
  checkObject("options", options);
  const otaa: { device: ExchangeDevice; devEui: string | null; appKey: Uint8Array | string }[] = [];
  const sessions = new Map<number, { name: string; s: Sessions }>();
  devices.forEach((d, i) => {
    if (d.appKey !== undefined) {
      const devEui = d.devEui === undefined ? null : String(d.devEui).toLowerCase();
      if (devEui !== null && !/^[0-9a-f]{16}$/.test(devEui))
        throw new ChirpError("BAD_PARAMETER", `devices[${i}].devEui must be 16 hex digits`, {
          parameter: `devices[${i}].devEui`,
        });
      otaa.push({ device: d, devEui, appKey: hexKey(d.appKey, `devices[${i}].appKey`) });
    }
    if (d.devAddr !== undefined) {
      if (d.keys === undefined)
        throw new ChirpError("BAD_PARAMETER", `devices[${i}] has a devAddr but no keys`, {
          parameter: `devices[${i}].keys`,
        });
      const addr = uintOf(d.devAddr, 4, `devices[${i}].devAddr`);
      const name = d.name ?? hexOfUint(addr, 4);
      sessions.set(addr, { name, s: createSessions([{ devAddr: addr, keys: d.keys, name }]) });
    }
    if (d.appKey === undefined && d.devAddr === undefined) {
      throw new ChirpError(
        "BAD_PARAMETER",
        `devices[${i}] needs an appKey (joins) or a devAddr with keys (a session)`,
        { parameter: `devices[${i}]` },
      );
    }
  });
  // join requests waiting for their accept, newest first (a device may ask again before an answer)
  let pending: Pending[] = [];

  const plain = (bytes: Uint8Array, kind: ExchangeEvent["kind"], device: string | null = null): ExchangeFrame => ({
    ...decodeFrame(bytes),
    device,
    replay: false,
    exchange: { kind, device },
  });

  function joinRequest(bytes: Uint8Array): ExchangeFrame {
    const f = parseFrame(bytes);
    if (f.kind !== "join-request") throw new ChirpError("BAD_FRAME", "not a join request");
    const devEui = f.devEui.toLowerCase();
    // this DevEUI's own AppKey first, then the AppKeys given for any DevEUI
    const candidates = [...otaa.filter((o) => o.devEui === devEui), ...otaa.filter((o) => o.devEui === null)];
    if (candidates.length === 0) return plain(bytes, "unknown");
    let first: DecodedFrame | null = null;
    for (const c of candidates) {
      const d = decodeFrame(bytes, { keys: { appKey: c.appKey } });
      first ??= d;
      if (d.micOk !== true) continue;
      const name = c.device.name ?? devEui;
      pending = [
        { device: c.device, appKey: c.appKey, name, devNonce: f.devNonce, joinEui: f.joinEui },
        ...pending.filter((p) => p.device !== c.device || p.devNonce === f.devNonce),
      ];
      return { ...d, device: name, replay: false, exchange: { kind: "join-request", device: name } };
    }
    // no AppKey verifies it (micOk false): its answer is still tried under them, so that a wrong
    // AppKey shows as a join accept whose MIC fails
    const c = candidates[0]!;
    const name = c.device.name ?? devEui;
    for (const o of candidates)
      pending = [
        { device: o.device, appKey: o.appKey, name: o.device.name ?? devEui, devNonce: f.devNonce, joinEui: f.joinEui },
        ...pending,
      ];
    return { ...first!, device: name, replay: false, exchange: { kind: "join-request", device: name } };
  }

  function joinAccept(bytes: Uint8Array): ExchangeFrame {
    let first: DecodedJoinAccept | null = null;
    for (const p of pending) {
      const d = decodeFrame(bytes, {
        keys: { appKey: p.appKey },
        devNonce: p.devNonce,
        joinEui: p.joinEui,
        deriveSessionKeys: true,
      }) as DecodedJoinAccept;
      first ??= d;
      if (d.micOk !== true || !d.joinAccept || !d.sessionKeys) continue;
      const { nwkSKey, appSKey } = d.sessionKeys;
      if (!nwkSKey || !appSKey) continue;
      const addr = d.joinAccept.devAddr;
      // a new session: its counters start again (LoRaWAN 1.0.4 section 6.2.5)
      sessions.set(addr, {
        name: p.name,
        s: createSessions([{ devAddr: addr, keys: { nwkSKey, appSKey }, name: p.name }]),
      });
      pending = pending.filter((q) => q.device !== p.device);
      const out: DecodedJoinAccept = { ...d };
      if (!options.showSessionKeys) delete out.sessionKeys;
      return {
        ...out,
        device: p.name,
        replay: false,
        exchange: { kind: "joined", device: p.name, devAddr: hexOfUint(addr, 4) },
      };
    }
    // no request heard, or none whose AppKey verifies it: checked under every known AppKey, nothing derived
    if (!first) {
      for (const o of otaa) {
        const d = decodeFrame(bytes, { keys: { appKey: o.appKey } }) as DecodedJoinAccept;
        if (!first || d.micOk === true) first = d;
        if (d.micOk === true) break;
      }
    }
    const d: DecodedJoinAccept = first ? { ...first } : (decodeFrame(bytes) as DecodedJoinAccept);
    delete d.sessionKeys;
    return { ...d, device: null, replay: false, exchange: { kind: "join-accept-unmatched", device: null } };
  }

  return {
    decode(input) {
      const bytes = typeof input === "string" ? decodeFrame(input).frame.bytes : input;
      const f = parseFrame(bytes);
      if (f.kind === "join-request") return joinRequest(bytes);
      if (f.kind === "join-accept") return joinAccept(bytes);
      if (f.kind !== "data") return plain(bytes, "unknown");
      const entry = sessions.get(f.devAddr);
      if (!entry) return plain(bytes, "unknown");
      const d = entry.s.decode(bytes);
      return { ...d, exchange: { kind: "data", device: entry.name, devAddr: hexOfUint(f.devAddr, 4) } };
    },
    counters(devAddr) {
      return sessions.get(uintOf(devAddr, 4, "devAddr"))?.s.counters(devAddr);
    },
    sessions() {
      return new Map([...sessions].map(([a, v]) => [hexOfUint(a, 4), v.name]));
    },
  };
}
