// `--forward udp://HOST:PORT`: decoded frames go to a LoRaWAN network server (ChirpStack's gateway
// bridge, The Things Stack's UDP gateway endpoint) as if from a gateway running Semtech's packet
// forwarder. Protocol version 2 (Lora-net/packet_forwarder PROTOCOL.TXT, sections 3-5):
//
//   PUSH_DATA  [2, token hi, token lo, 0x00, gateway EUI (8)] + {"rxpk":[...]}  gateway -> server
//   PUSH_ACK   [2, same token, 0x01]                                              server -> gateway
//   PULL_DATA  [2, token hi, token lo, 0x02, gateway EUI (8)]  keep-alive, opens the downlink route
//   PULL_ACK   [2, same token, 0x04]
//   PULL_RESP  [2, token, 0x03] + {"txpk":{...}}   answered with TX_ACK [2, token, 0x05, EUI] +
//              {"txpk_ack":{"error":"TX_FREQ"}}: a receive-only SDR cannot transmit.
//
// Acknowledgements are only for link quality (PROTOCOL.TXT section 1: no retries), so a missing ACK
// is counted and reported at the end, never retried or fatal.
import { createSocket, type Socket } from "node:dgram";
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { getRandomValues } from "node:crypto";
import { ChirpError, badParameter } from "../errors.js";
import type { ChannelFrame } from "./decode.js";
import type { FrameSink, FrameTime } from "./outputs.js";

export const PROTOCOL_VERSION = 2;
export const PUSH_DATA = 0x00;
export const PUSH_ACK = 0x01;
export const PULL_DATA = 0x02;
export const PULL_RESP = 0x03;
export const PULL_ACK = 0x04;
export const TX_ACK = 0x05;
/** packet_forwarder's default keepalive_interval (global_conf.json), seconds. */
export const KEEPALIVE_S = 10;
/** How long close() waits for outstanding PUSH_ACKs, ms. */
const ACK_WAIT_MS = 1000;

/** Parses udp://HOST:PORT (HOST a name, an IPv4 address or a bracketed IPv6 address). */
export function parseUdpUrl(raw: string): { host: string; port: number } {
  const m = /^udp:\/\/(\[[0-9a-fA-F:.]+\]|[^:/[\]]+):(\d{1,5})\/?$/.exec(raw);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 1 && port <= 65535))
    badParameter(
      "--forward",
      raw,
      "udp://HOST:PORT, e.g. udp://localhost:1700 (the network server's Semtech UDP port)",
    );
  return { host: m[1]!.replace(/^\[|\]$/g, ""), port };
}

/** A gateway EUI: 16 hex digits (dashes or colons between bytes allowed) -> 8 bytes. */
export function parseEui(raw: string | undefined): Uint8Array {
  if (raw === undefined) return new Uint8Array(8);
  const hex = raw.replace(/[-:]/g, "");
  if (!/^[0-9a-fA-F]{16}$/.test(hex))
    badParameter("--gateway-eui", raw, "16 hex digits (8 bytes), e.g. 0016c001ff10a235");
  return Uint8Array.from(hex.match(/../g)!, (b) => parseInt(b, 16));
}

/** ISO 8601 'compact' UTC time with microseconds, as PROTOCOL.TXT's rxpk.time ("2013-03-31T16:21:17.528002Z"). */
export function rxpkTime(unixS: number): string {
  const us = Math.round(unixS * 1e6);
  const whole = Math.floor(us / 1e6);
  const frac = String(us - whole * 1e6).padStart(6, "0");
  return new Date(whole * 1000).toISOString().replace(/\.\d{3}Z$/, `.${frac}Z`);
}

const base64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");

/** PROTOCOL.TXT 4: stat 1 = CRC OK, -1 = CRC failed, 0 = no CRC. */
export function rxpkStat(f: Pick<ChannelFrame, "crcOk">): 1 | -1 | 0 {
  return f.crcOk === null ? 0 : f.crcOk ? 1 : -1;
}

/** One rxpk object (PROTOCOL.TXT 4) for a frame. */
export function rxpk(f: ChannelFrame, time: FrameTime, chan: number): Record<string, unknown> {
  const freqHz = time.channelHz(f);
  if (freqHz === undefined)
    throw new ChirpError(
      "BAD_PARAMETER",
      "--forward needs the recording's centre frequency (--center F or SigMF core:frequency)",
      { parameter: "--center" },
    );
  return {
    time: rxpkTime(time.endS(f)),
    // the concentrator's microsecond counter at "RX finished", here microseconds since the stream began
    tmst: Math.round((time.endS(f) - time.originS) * 1e6) % 2 ** 32,
    freq: Math.round(freqHz) / 1e6,
    chan,
    rfch: 0,
    stat: rxpkStat(f),
    modu: "LORA",
    datr: `SF${f.sf}BW${Math.round(f.bandwidth / 1000)}`,
    codr: `4/${4 + (f.cr ?? 1)}`,
    // an uncalibrated SDR knows levels relative to full scale, not dBm: dBFS, rounded
    rssi: Math.round(Number.isFinite(f.signalDb) ? f.signalDb : 0),
    lsnr: Math.round(f.snrDb * 10) / 10,
    size: f.payload.length,
    data: base64(f.payload),
  };
}

function header(type: number, token: number, eui?: Uint8Array): Uint8Array {
  const h = new Uint8Array(eui ? 12 : 4);
  h[0] = PROTOCOL_VERSION;
  h[1] = token >> 8;
  h[2] = token & 0xff;
  h[3] = type;
  if (eui) h.set(eui, 4);
  return h;
}

function withJson(h: Uint8Array, json: unknown): Uint8Array {
  const body = new TextEncoder().encode(JSON.stringify(json));
  const out = new Uint8Array(h.length + body.length);
  out.set(h);
  out.set(body, h.length);
  return out;
}

export function pushData(token: number, eui: Uint8Array, packets: Record<string, unknown>[]): Uint8Array {
  return withJson(header(PUSH_DATA, token, eui), { rxpk: packets });
}

export function pullData(token: number, eui: Uint8Array): Uint8Array {
  return header(PULL_DATA, token, eui);
}

export interface ForwarderStats {
  pushed: number;
  pushAcked: number;
  pulls: number;
  pullAcked: number;
  skippedBadCrc: number;
  /** Datagrams from the server that were not an ACK of ours (wrong version, unknown token or type). */
  ignored: number;
  downlinksRefused: number;
  socketErrors: number;
}

export async function openForwarder(
  url: string,
  time: FrameTime,
  o: { gatewayEui?: string | undefined; badCrc?: boolean; keepaliveS?: number } = {},
): Promise<FrameSink & { stats: ForwarderStats }> {
  const { host, port } = parseUdpUrl(url);
  const eui = parseEui(o.gatewayEui);
  if (time.centerFrequency === undefined)
    throw new ChirpError(
      "BAD_PARAMETER",
      "--forward needs the recording's centre frequency (--center F or SigMF core:frequency)",
      { parameter: "--center" },
    );
  let address = host;
  if (!isIP(host)) {
    try {
      address = (await lookup(host)).address;
    } catch {
      throw new ChirpError("IO_ERROR", `--forward: cannot resolve host ${host}`, { parameter: "--forward" });
    }
  }
  const sock: Socket = createSocket(isIP(address) === 6 ? "udp6" : "udp4");
  await new Promise<void>((resolve, reject) => {
    sock.once("error", reject);
    sock.connect(port, address, () => {
      sock.off("error", reject);
      resolve();
    });
  }).catch((e: unknown) => {
    throw new ChirpError("IO_ERROR", `--forward cannot reach ${host}:${port}: ${(e as Error).message}`, {
      parameter: "--forward",
    });
  });
  // never what keeps the process alive (an error elsewhere ends the run; close() waits on a timer)
  sock.unref();
  const stats: ForwarderStats = {
    pushed: 0,
    pushAcked: 0,
    pulls: 0,
    pullAcked: 0,
    skippedBadCrc: 0,
    ignored: 0,
    downlinksRefused: 0,
    socketErrors: 0,
  };
  const pendingPush = new Set<number>();
  const pendingPull = new Set<number>();
  let lastError = "";
  let onAck: (() => void) | undefined;
  const rnd = new Uint16Array(1);
  const token = () => (getRandomValues(rnd), rnd[0]!);
  const send = (b: Uint8Array) => sock.send(b);

  // ICMP port unreachable etc. surface here on a connected socket: count, never crash the decode
  sock.on("error", (e) => {
    stats.socketErrors++;
    lastError = e.message;
  });
  sock.on("message", (msg: Buffer) => {
    if (msg.length < 4 || msg[0] !== PROTOCOL_VERSION) return void stats.ignored++;
    const tok = (msg[1]! << 8) | msg[2]!;
    const type = msg[3]!;
    if (type === PUSH_ACK && pendingPush.delete(tok)) stats.pushAcked++;
    else if (type === PULL_ACK && pendingPull.delete(tok)) stats.pullAcked++;
    else if (type === PULL_RESP) {
      stats.downlinksRefused++;
      send(withJson(header(TX_ACK, tok, eui), { txpk_ack: { error: "TX_FREQ" } }));
    } else stats.ignored++;
    onAck?.();
  });
  const pull = () => {
    const t = token();
    pendingPull.add(t);
    stats.pulls++;
    send(pullData(t, eui));
  };
  pull();
  const keepalive = setInterval(pull, (o.keepaliveS ?? KEEPALIVE_S) * 1000);
  keepalive.unref();

  return {
    stats,
    frame(f: ChannelFrame) {
      if (f.truncated || !f.headerOk) return;
      if (f.crcOk === false && !o.badCrc) return void stats.skippedBadCrc++;
      const chans = time.channels ?? [];
      const hz = time.channelHz(f);
      const chan = Math.max(0, chans.indexOf(hz ?? NaN));
      const t = token();
      pendingPush.add(t);
      stats.pushed++;
      send(pushData(t, eui, [rxpk(f, time, chan)]));
    },
    async close() {
      clearInterval(keepalive);
      if (pendingPush.size > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ACK_WAIT_MS);
          onAck = () => {
            if (pendingPush.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          };
        });
      }
      await new Promise<void>((resolve) => sock.close(() => resolve()));
      const bad = stats.skippedBadCrc
        ? `; ${stats.skippedBadCrc} with a failed CRC not sent (--forward-bad-crc sends them)`
        : "";
      const err = stats.socketErrors ? `; ${stats.socketErrors} socket error(s), last: ${lastError}` : "";
      return `forwarded ${stats.pushed} frame(s) to ${host}:${port}, ${stats.pushAcked} acknowledged (PUSH_ACK); keep-alives ${stats.pullAcked}/${stats.pulls} acknowledged${bad}${err}`;
    },
  };
}
