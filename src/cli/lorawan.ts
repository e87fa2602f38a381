// `chirp lorawan HEX`: parse a LoRaWAN PHYPayload, verify its MIC, decrypt it and decode its MAC
// commands (and, with --lpp, its Cayenne LPP payload). Exit status 0, or 1 when a MIC was
// checked and does not verify; 2 for bad input (typed errors).
import { readFileSync } from "node:fs";
import { formatHelp, parseCli, type Help } from "./args.js";
import { ChirpError, badParameter } from "../errors.js";
import {
  decodeFrame,
  decodedFrameToJson,
  fromHex,
  parseFrame,
  toHex,
  type DecodedFrame,
  type LoRaWANKeys,
} from "../lorawan/index.js";
import { keyOf } from "../lorawan/bytes.js";
import { decodeCounted } from "../lorawan/session.js";
import { decodeLpp, type LppReading } from "../lpp/index.js";
import { getRegion, type Region } from "../lorawan/regions.js";
import { explainFrame, explainText } from "../lorawan/regional.js";

/** --region: MAC commands and join-accept settings explained in that plan's channels and data rates. */
let region: Region | undefined;

export const summary = "parse, verify and decrypt LoRaWAN frames (--keys for several devices, --json, --lpp)";

const KEY_FLAGS: Record<string, keyof LoRaWANKeys> = {
  nwkskey: "nwkSKey",
  appskey: "appSKey",
  appkey: "appKey",
  nwkkey: "nwkKey",
  fnwksintkey: "fNwkSIntKey",
  snwksintkey: "sNwkSIntKey",
  nwksenckey: "nwkSEncKey",
  jsintkey: "jsIntKey",
  jsenckey: "jsEncKey",
};

const help: Help = {
  name: "lorawan",
  summary: "parse LoRaWAN PHYPayloads, verify the MIC and decrypt what the keys allow",
  usage:
    "HEX [HEX...] [options]   or   chirp lorawan - [options] < frames   (one hex frame or chirp decode --json line per line)",
  options: [
    [
      "--keys FILE",
      "keys of several devices (JSON, see below): each frame gets its device's keys by DevAddr (or DevEUI for joins)",
    ],
    ["--lorawan-version 1.0|1.1", "LoRaWAN version (default 1.0; a device in --keys may say its own)"],
    ["--nwkskey K --appskey K", "1.0 session keys"],
    ["--fnwksintkey K --snwksintkey K --nwksenckey K", "1.1 network session keys"],
    ["--appkey K --nwkkey K --jsintkey K --jsenckey K", "root / join server keys"],
    ["--fcnt32 N", "full 32-bit frame counter (MIC and keystream use all 32 bits)"],
    ["--last-fcnt N", "reconstruct the 32-bit counter from the last one accepted"],
    ["--conf-fcnt N --tx-dr N --tx-ch N", "1.1 uplink MIC inputs (ConfFCnt only with ACK)"],
    [
      "--join-eui E --dev-nonce N --join-req-type N",
      "join-accept context: the request's DevNonce (and JoinEUI) check a 1.1 OptNeg MIC and derive the session keys",
    ],
    [
      "--show-session-keys",
      "print the session keys derived from a join accept whose MIC verified (secrets: never printed without this flag)",
    ],
    ["--fopts-variant errata|original", "1.1 FOpts encryption A block (default errata)"],
    ["--base64", "the frame is given in base64 instead of hex"],
    ["--lpp", "decode the (decrypted) payload as Cayenne LPP (not when the MIC fails)"],
    [
      "--region R",
      "explain LinkADRReq, NewChannelReq, RxParamSetupReq, DLSettings and CFList in a plan: eu868 us915 au915 cn470 as923 kr920 in865 ru864",
    ],
    ["--json", "one JSON object per frame instead of text"],
  ],
  notes: [
    'Keys are 32 hex digits; no key is ever echoed in a message. A keys file is {"devices": [{"name": "bin-1",',
    '"devAddr": "26011f01", "nwkSKey": K, "appSKey": K}, ...]} (1.1: fNwkSIntKey, sNwkSIntKey, nwkSEncKey and',
    '"version": "1.1"; joins: devEui with appKey/nwkKey); chirp demo writes one beside its recording.',
    "Exit status 1 when a MIC does not verify (or, with several frames, a line cannot be decoded or a frame is a",
    "replay: its counter is not above the last one accepted for its DevAddr). Nothing is decoded from a frame",
    "whose MIC fails.",
  ],
  examples: [
    "chirp lorawan 40f17dbe4900020001954378762b11ff0d --nwkskey 44024241ed4ce9a68c6a8bc055233fd3 --appskey ec925802ae430ca77fd3dd73cb2cc588",
    "chirp lorawan QPF9vkkAAgABlUN4disR/w0= --base64 --json",
    "chirp decode chirp-demo/recording.sigmf-meta --sf 7-10 --sync 0x34 --json | chirp lorawan - --keys chirp-demo/keys.json --lpp",
  ],
};

/** One device of a keys file: its identity, its keys, and optionally its LoRaWAN version. */
interface KeyedDevice {
  name?: string;
  devAddr?: string;
  devEui?: string;
  version?: "1.0" | "1.1";
  keys: LoRaWANKeys;
}

const KEY_FIELDS: (keyof LoRaWANKeys)[] = Object.values(KEY_FLAGS);

/** Reads a keys file: {"devices": [{name?, devAddr?, devEui?, version?, nwkSKey?, appSKey?, ...}]}. */
export function readKeysFile(path: string): KeyedDevice[] {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    if ((e as { code?: string }).code) throw e;
    badParameter(
      "--keys",
      path,
      'a JSON file: {"devices": [{"devAddr": "26011f01", "nwkSKey": K, "appSKey": K}, ...]}',
    );
  }
  const list = (doc as { devices?: unknown })?.devices;
  if (!Array.isArray(list)) badParameter("--keys", path, 'a JSON object with a "devices" array');
  return list.map((d, i) => {
    const where = `--keys ${path}: devices[${i}]`;
    if (typeof d !== "object" || d === null) badParameter(where, typeof d, "an object");
    const o = d as Record<string, unknown>;
    const dev: KeyedDevice = { keys: {} };
    if (o.name !== undefined) dev.name = String(o.name);
    for (const id of ["devAddr", "devEui"] as const) {
      if (o[id] === undefined) continue;
      const hex = String(o[id]).toLowerCase();
      const digits = id === "devAddr" ? 8 : 16;
      if (!new RegExp(`^[0-9a-f]{${digits}}$`).test(hex))
        badParameter(`${where}.${id}`, "(not shown)", `${digits} hex digits`);
      dev[id] = hex;
    }
    if (!dev.devAddr && !dev.devEui)
      badParameter(where, "no devAddr or devEui", "a devAddr (data frames) or a devEui (joins)");
    if (o.version !== undefined) {
      if (o.version !== "1.0" && o.version !== "1.1") badParameter(`${where}.version`, o.version, "1.0 or 1.1");
      dev.version = o.version;
    }
    for (const k of KEY_FIELDS) {
      if (o[k] === undefined) continue;
      // the value is never echoed: a malformed key must not end up in a log
      if (typeof o[k] !== "string" || !/^[0-9a-fA-F]{32}$/.test(o[k] as string))
        badParameter(`${where}.${k}`, "(not shown)", "32 hex digits");
      dev.keys[k] = fromHex(o[k] as string, `${where}.${k}`);
    }
    return dev;
  });
}

/** The device of a keys file that a frame belongs to (by DevAddr, or DevEUI for join requests). */
function deviceOf(bytes: Uint8Array, devices: KeyedDevice[] | undefined): KeyedDevice | undefined {
  if (!devices) return undefined;
  let f: ReturnType<typeof parseFrame>;
  try {
    f = parseFrame(bytes);
  } catch {
    return undefined; // decodeFrame reports what is wrong with the frame
  }
  const r = f as unknown as { devAddr?: unknown; devEui?: unknown };
  const hex = (v: unknown, digits: number) =>
    typeof v === "number"
      ? (v >>> 0).toString(16).padStart(digits, "0")
      : typeof v === "string"
        ? v.toLowerCase()
        : undefined;
  const addr = hex(r.devAddr, 8);
  const eui = hex(r.devEui, 16);
  return devices.find((d) => (addr !== undefined && d.devAddr === addr) || (eui !== undefined && d.devEui === eui));
}

function fromBase64(s: string): Uint8Array {
  const t = s.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4 !== 0) badParameter("--base64", s, "base64 text");
  return Uint8Array.from(atob(t), (c) => c.charCodeAt(0));
}

function intFlag(name: string, raw: unknown, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const s = String(raw).trim();
  const v = /^0x[0-9a-f]+$/i.test(s) ? parseInt(s, 16) : /^\d+$/.test(s) ? Number(s) : NaN;
  if (!Number.isInteger(v) || v < 0 || v > max) badParameter(`--${name}`, s, `an integer from 0 to ${max}`);
  return v;
}

function lppText(r: LppReading): string {
  const v = Array.isArray(r.value) ? `[${r.value.join(", ")}]` : String(r.value);
  return `  ch ${r.channel} ${r.name}: ${v}${r.unit ? " " + r.unit : ""}`;
}

function hex32(v: number): string {
  return v.toString(16).padStart(8, "0");
}

function text(d: DecodedFrame, lpp: LppReading[] | undefined, lppError: string | undefined, replay: boolean): string {
  const L: string[] = [`${d.mtype} (LoRaWAN R${d.major + 1})`];
  const mic = d.micOk === null ? "not checked (no key)" : d.micOk ? "OK" : "MISMATCH";
  let micHex = toHex(d.mic);
  switch (d.kind) {
    case "data": {
      const f = d.fCtrl;
      const flags =
        [f.adr && "ADR", f.adrAckReq && "ADRACKReq", f.ack && "ACK", f.classB && "ClassB", f.fPending && "FPending"]
          .filter(Boolean)
          .join(" ") || "-";
      L.push(
        `  DevAddr   ${hex32(d.devAddr)}`,
        `  FCtrl     ${flags} (FOptsLen ${f.fOptsLen})`,
        `  FCnt      ${d.fCnt}${d.fCnt32 !== d.fCnt ? ` (32-bit ${d.fCnt32})` : ""}${replay ? " REPLAY (not above the last counter accepted)" : ""}`,
      );
      L.push(`  FPort     ${d.fPort ?? "none"}`);
      if (d.fOpts.length) L.push(`  FOpts     ${toHex(d.fOpts)}${d.fOptsDecrypted ? "" : " (encrypted)"}`);
      break;
    }
    case "join-request":
      L.push(`  JoinEUI   ${d.joinEui}`, `  DevEUI    ${d.devEui}`, `  DevNonce  ${d.devNonce}`);
      break;
    case "rejoin-request":
      if (d.joinEui !== undefined) L.push(`  JoinEUI   ${d.joinEui}`);
      L.push(`  DevEUI    ${d.devEui}`);
      L.push(
        `  Rejoin    type ${d.rejoinType}, RJcount ${d.rjCount}${d.netId !== undefined ? `, NetID ${d.netId.toString(16).padStart(6, "0")}` : ""}`,
      );
      break;
    case "join-accept": {
      const j = d.joinAccept;
      if (j) {
        L.push(
          `  JoinNonce ${j.joinNonce}`,
          `  NetID     ${j.netId.toString(16).padStart(6, "0")}`,
          `  DevAddr   ${hex32(j.devAddr)}`,
        );
        L.push(
          `  DLSettings OptNeg ${j.dlSettings.optNeg}, RX1DROffset ${j.dlSettings.rx1DrOffset}, RX2DataRate ${j.dlSettings.rx2DataRate}`,
        );
        L.push(`  RxDelay   ${j.rxDelaySeconds} s`);
        for (const [k, v] of Object.entries(d.sessionKeys ?? {})) L.push(`  ${k.padEnd(11)} ${toHex(v)} (derived)`);
        if (j.cfList)
          L.push(
            `  CFList    ${JSON.stringify("frequencies" in j.cfList ? j.cfList.frequencies : "chMasks" in j.cfList ? j.cfList.chMasks : "raw")}`,
          );
        micHex = toHex(j.mic);
      }
      if (d.joinAcceptError) L.push(`  JoinAccept ${d.joinAcceptError}`);
      break;
    }
    case "proprietary":
      break;
  }
  if ("payload" in d && !(d.kind === "join-accept" && !d.payloadDecrypted)) {
    const p = d.payload;
    const printable = d.payloadDecrypted && p.length > 0 && p.every((c) => c >= 0x20 && c < 0x7f);
    const shown = printable ? ` "${String.fromCharCode(...p)}"` : "";
    L.push(`  Payload   ${toHex(p) || "(empty)"}${shown}${d.payloadDecrypted ? "" : " (encrypted: give the key)"}`);
  }
  if (d.kind === "data") {
    for (const c of d.macCommands) {
      const fields = Object.entries(c.fields)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ");
      L.push(`  MAC ${c.name} (0x${c.cid.toString(16).padStart(2, "0")})${fields ? " " + fields : ""}`);
    }
    if (d.macCommandsError) L.push(`  MAC       ${d.macCommandsError}`);
  }
  L.push(`  MIC       ${micHex} ${mic}`);
  if (lpp) {
    L.push("  Cayenne LPP:");
    for (const r of lpp) L.push(lppText(r));
  }
  if (lppError) L.push(`  Cayenne LPP: ${lppError}`);
  return L.join("\n");
}

/** One input line: a hex (or base64) frame, or a JSON object with payloadHex (as `chirp decode --json` prints). */
function frameOfLine(line: string, base64: boolean): Uint8Array {
  const t = line.trim();
  if (t.startsWith("{")) {
    let o: unknown;
    try {
      o = JSON.parse(t);
    } catch {
      badParameter("line", t.slice(0, 40), "a hex frame or a JSON object with payloadHex");
    }
    const hex = (o as { payloadHex?: unknown }).payloadHex;
    if (typeof hex !== "string") badParameter("payloadHex", hex, "a hex string");
    return fromHex(hex, "payloadHex");
  }
  return base64 ? fromBase64(t) : fromHex(t, "HEX");
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, {
    "lorawan-version": { type: "string" },
    keys: { type: "string" },
    ...Object.fromEntries(Object.keys(KEY_FLAGS).map((k) => [k, { type: "string" as const }])),
    fcnt32: { type: "string" },
    "last-fcnt": { type: "string" },
    "conf-fcnt": { type: "string" },
    "tx-dr": { type: "string" },
    "tx-ch": { type: "string" },
    "join-eui": { type: "string" },
    "dev-nonce": { type: "string" },
    "join-req-type": { type: "string" },
    "fopts-variant": { type: "string" },
    "show-session-keys": { type: "boolean" },
    lpp: { type: "boolean" },
    region: { type: "string" },
    json: { type: "boolean" },
    base64: { type: "boolean" },
  });
  if (values.help) {
    process.stdout.write(formatHelp(help));
    return 0;
  }
  if (positionals.length === 0)
    throw new ChirpError(
      "BAD_PARAMETER",
      "chirp lorawan takes a HEX frame, several, or - for one per line on stdin (see --help)",
      { parameter: "HEX" },
    );
  region = values.region === undefined ? undefined : getRegion(values.region);
  const version = (values["lorawan-version"] as string | undefined) ?? "1.0";
  if (version !== "1.0" && version !== "1.1") badParameter("--lorawan-version", version, "1.0 or 1.1");
  const devices = values.keys === undefined ? undefined : readKeysFile(String(values.keys));
  const variant = (values["fopts-variant"] as string | undefined) ?? "errata";
  if (variant !== "errata" && variant !== "original") badParameter("--fopts-variant", variant, "errata or original");
  const keys: LoRaWANKeys = {};
  for (const [flag, name] of Object.entries(KEY_FLAGS)) {
    if (values[flag] === undefined) continue;
    keys[name] = keyOf(String(values[flag]), `--${flag}`);
  }
  const base = {
    keys,
    version: version as "1.0" | "1.1",
    fOptsVariant: variant as "errata" | "original",
    fCnt32: intFlag("fcnt32", values.fcnt32, 0xffffffff),
    lastFCnt: intFlag("last-fcnt", values["last-fcnt"], 0xffffffff),
    confFCnt: intFlag("conf-fcnt", values["conf-fcnt"], 0xffffffff),
    txDr: intFlag("tx-dr", values["tx-dr"], 255),
    txCh: intFlag("tx-ch", values["tx-ch"], 255),
    joinEui: values["join-eui"] as string | undefined,
    devNonce: intFlag("dev-nonce", values["dev-nonce"], 0xffff),
    joinReqType: intFlag("join-req-type", values["join-req-type"], 255),
    deriveSessionKeys: !!values["show-session-keys"],
  };
  const base64 = !!values.base64;

  // One frame: errors are the command's errors (exit status 2).
  if (positionals.length === 1 && positionals[0] !== "-") {
    const bytes = frameOfLine(positionals[0]!, base64);
    const dev = deviceOf(bytes, devices);
    const d = decodeFrame(bytes, withDevice(base, dev));
    print(d, !!values.lpp, !!values.json, undefined, false, dev?.name);
    return d.micOk === false ? 1 : 0;
  }

  // Several frames (arguments, or lines on stdin): counters are followed per DevAddr and direction
  // from frames whose MIC verified; a bad line is reported and the stream goes on.
  if (base.fCnt32 !== undefined)
    badParameter("--fcnt32", base.fCnt32, "one frame only (several frames follow their counters)");
  const lines = positionals.length === 1 ? (await readStdin()).split(/\r?\n/) : positionals;
  const last = new Map<string, number>();
  let status = 0;
  lines.forEach((line, n) => {
    if (!line.trim() || line.trim().startsWith("#")) return;
    try {
      const bytes = frameOfLine(line, base64);
      const f = parseFrame(bytes);
      const dev = deviceOf(bytes, devices);
      if (f.kind !== "data") {
        const d = decodeFrame(bytes, { ...withDevice(base, dev), lastFCnt: undefined });
        if (d.micOk === false) status = 1;
        print(d, !!values.lpp, !!values.json, n + 1, false, dev?.name);
        return;
      }
      const key = `${f.devAddr}:${f.direction}:${version === "1.1" && f.direction === "down" && f.fPort !== null && f.fPort > 0 ? "a" : "n"}`;
      const { d, replay } = decodeCounted(f, last.get(key) ?? base.lastFCnt, withDevice(base, dev));
      if (d.micOk === true && !replay) last.set(key, d.fCnt32);
      if (d.micOk === false || replay) status = 1;
      print(d, !!values.lpp, !!values.json, n + 1, replay, dev?.name);
    } catch (e) {
      if (!(e instanceof ChirpError)) throw e;
      status = 1;
      if (values.json)
        process.stdout.write(JSON.stringify({ line: n + 1, error: { code: e.code, message: e.message } }) + "\n");
      else process.stdout.write(`line ${n + 1}: ${e.code}: ${e.message}\n\n`);
    }
  });
  return status;
}

/** The command's options with a keys-file device's keys (and version) over the flags' ones. */
function withDevice<T extends { keys: LoRaWANKeys; version: "1.0" | "1.1" }>(base: T, dev: KeyedDevice | undefined): T {
  if (!dev) return base;
  return { ...base, keys: { ...base.keys, ...dev.keys }, version: dev.version ?? base.version };
}

function print(d: DecodedFrame, withLpp: boolean, json: boolean, line?: number, replay = false, device?: string): void {
  let lpp: LppReading[] | undefined;
  let lppError: string | undefined;
  if (withLpp) {
    if (d.micOk === false) lppError = "not decoded: the MIC does not verify";
    else if (d.kind !== "data" || !d.payloadDecrypted || d.fPort === 0 || d.payload.length === 0)
      lppError = "no decrypted application payload to decode";
    else {
      try {
        lpp = decodeLpp(d.payload);
      } catch (e) {
        if (!(e instanceof ChirpError)) throw e;
        lppError = `${e.code}: ${e.message}`;
      }
    }
  }
  if (json) {
    const o = decodedFrameToJson(d);
    if (line !== undefined) o.line = line;
    if (replay) o.replay = true;
    if (device !== undefined) o.device = device;
    if (withLpp)
      o.lpp = lpp
        ? lpp.map((r) => ({ channel: r.channel, type: r.type, name: r.name, value: r.value, unit: r.unit }))
        : null;
    if (lppError) o.lppError = lppError;
    const regional =
      region && d.micOk !== false ? explainFrame(region, d as Parameters<typeof explainFrame>[1]) : undefined;
    if (regional) o.regional = regional as never;
    process.stdout.write(JSON.stringify(o) + "\n");
  } else {
    const t = text(d, lpp, lppError, replay).split("\n");
    const regional =
      region && d.micOk !== false ? explainFrame(region, d as Parameters<typeof explainFrame>[1]) : undefined;
    if (regional) t.push(...explainText(regional));
    if (device !== undefined) t.splice(1, 0, `  Device    ${device}`);
    process.stdout.write(
      (line !== undefined ? `line ${line}: ` : "") + t.join("\n") + "\n" + (line !== undefined ? "\n" : ""),
    );
  }
}
