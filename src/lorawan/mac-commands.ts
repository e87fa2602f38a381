// MAC commands (LoRaWAN 1.0.4 section 5 and 1.1 section 5, Class B commands of 1.0.4 / TS001
// section 14 including the deprecated 1.0.2 BeaconTimingReq/Ans, Class C DeviceModeInd/Conf),
// uplink and downlink: the meaning of a CID depends on the direction. Each command is a table of
// little-endian bit fields, so parsing and building are the same description read both ways;
// region-dependent values are kept raw (DataRate, TXPower, ChMask) next to their
// region-independent meaning (frequency in Hz, delays in seconds, duty cycle, EIRP in dBm).
import { ChirpError } from "../errors.js";
import { badParameter, checkInt, showValue as show } from "../errors.js";
import { checkArrayOfObjects, checkBytes } from "./bytes.js";
import type { Direction } from "./types.js";
import { hex, hexReversed } from "../hex.js";

/**
 * [name, byte offset, byte count (little-endian), bit shift, bit width, kind]; kind "signed" for
 * two's complement, "hex" for a byte string (given and returned as hex in wire order).
 */
type FieldDef = readonly [string, number, number, number, number, ("signed" | "hex")?];

interface CommandDef {
  cid: number;
  name: string;
  /** Payload length; for variable-length commands the minimum, with `varLen` giving the total. */
  len: number;
  varLen?: (p: Uint8Array, at: number) => number;
  fields: readonly FieldDef[];
  /** Region-independent meaning derived from the raw fields (and the payload bytes). */
  meaning?: (
    f: Record<string, number | boolean | string>,
    p: Uint8Array,
  ) => Record<string, number | string | boolean | null>;
}

export type MacFields = Record<string, number | string | boolean | null>;

export interface MacCommand {
  cid: number;
  name: string;
  direction: Direction;
  /** The bytes after the CID. */
  payload: Uint8Array;
  /** Raw fields and their derived meaning. */
  fields: MacFields;
  /** Set on an unknown (or proprietary, CID >= 0x80) command: parsing stops there, the rest is `payload`. */
  unknown?: true;
}

const bit = (name: string, b: number): FieldDef => [name, 0, 1, b, 1];
const u8 = (name: string, off = 0): FieldDef => [name, off, 1, 0, 8];
const freq = (off: number): FieldDef => ["frequency", off, 3, 0, 24];
// Frequencies are 24-bit counts of 100 Hz; LoRa 2.4 GHz counts 200 Hz steps (Semtech, "Physical
// layer proposal 2.4 GHz", frequency encoding in MAC commands), so a count of 12,000,000 or more
// (>= 1.2 GHz in 100 Hz steps: no sub-GHz band) is read that way, as ChirpStack's lrwn does.
export function macFrequencyHz(raw: number): number {
  return raw >= 12_000_000 ? raw * 200 : raw * 100;
}
const hz = (f: Record<string, number | boolean | string>) => ({ frequencyHz: macFrequencyHz(f.frequency as number) });
// TxParamSetupReq MaxEIRP index -> dBm (LoRaWAN 1.0.4 section 5.12 table)
const MAX_EIRP = [8, 10, 12, 13, 14, 16, 18, 20, 21, 24, 26, 27, 29, 30, 33, 36];
const DEVICE_CLASS = (c: number) => (c === 0 ? "A" : c === 1 ? "RFU" : c === 2 ? "C" : "RFU");

// Relay commands (LoRaWAN TS011 relay specification, CIDs 0x40..0x46); bit layouts as in
// ChirpStack's lrwn maccommand.rs. RelayConfReq's channel settings and RelayConfAns stay raw.
const RELAY_UPLINK: CommandDef[] = [
  { cid: 0x40, name: "RelayConfAns", len: 1, fields: [u8("status")] },
  {
    cid: 0x41,
    name: "EndDeviceConfAns",
    len: 1,
    fields: [bit("backoffAck", 3), bit("secondChIdxAck", 2), bit("secondChDrAck", 1), bit("secondChFreqAck", 0)],
  },
  {
    cid: 0x42,
    name: "FilterListAns",
    len: 1,
    fields: [bit("combinedRulesAck", 2), bit("filterListLenAck", 1), bit("filterListActionAck", 0)],
  },
  { cid: 0x43, name: "UpdateUplinkListAns", len: 0, fields: [] },
  { cid: 0x44, name: "CtrlUplinkListAns", len: 5, fields: [bit("uplinkListIdxAck", 0), ["wFCnt", 1, 4, 0, 32]] },
  { cid: 0x45, name: "ConfigureFwdLimitAns", len: 0, fields: [] },
  {
    cid: 0x46,
    name: "NotifyNewEndDeviceReq",
    len: 6,
    fields: [
      ["devAddr", 0, 4, 0, 32],
      ["worSnr", 4, 2, 0, 5],
      ["worRssi", 4, 2, 5, 7],
    ],
    meaning: (f) => ({ snrDb: (f.worSnr as number) - 20, rssiDbm: -(f.worRssi as number) - 15 }),
  },
];
const RELAY_DOWNLINK: CommandDef[] = [
  {
    cid: 0x40,
    name: "RelayConfReq",
    len: 5,
    fields: [
      ["channelSettings", 0, 2, 0, 16],
      ["secondChFrequency", 2, 3, 0, 24],
    ],
    meaning: (f) => ({ secondChFrequencyHz: macFrequencyHz(f.secondChFrequency as number) }),
  },
  {
    cid: 0x41,
    name: "EndDeviceConfReq",
    len: 6,
    fields: [
      ["relayModeActivation", 0, 1, 2, 2],
      ["smartEnableLevel", 0, 1, 0, 2],
      ["secondChAckOffset", 1, 2, 0, 3],
      ["secondChDr", 1, 2, 3, 4],
      ["secondChIdx", 1, 2, 7, 2],
      ["backoff", 1, 2, 9, 6],
      ["secondChFrequency", 3, 3, 0, 24],
    ],
    meaning: (f) => ({ secondChFrequencyHz: macFrequencyHz(f.secondChFrequency as number) }),
  },
  {
    cid: 0x42,
    name: "FilterListReq",
    len: 2,
    // the first byte's low 5 bits give the length of the EUI bytes that follow (0..16)
    varLen: (p, at) => 2 + (p[at]! & 0x1f),
    fields: [
      ["filterListEuiLength", 0, 1, 0, 5],
      ["filterListAction", 0, 1, 5, 2],
      ["filterListIdx", 0, 2, 7, 4],
    ],
    meaning: (_f, p) => ({
      filterListEui: hexReversed(p, 2),
    }),
  },
  {
    cid: 0x43,
    name: "UpdateUplinkListReq",
    len: 26,
    fields: [
      ["uplinkListIdx", 0, 1, 0, 4],
      ["reloadRate", 1, 1, 0, 6],
      ["bucketSize", 1, 1, 6, 2],
      ["devAddr", 2, 4, 0, 32],
      ["wFCnt", 6, 4, 0, 32],
      ["rootWorSKey", 10, 16, 0, 0, "hex"],
    ],
  },
  {
    cid: 0x44,
    name: "CtrlUplinkListReq",
    len: 1,
    fields: [
      ["uplinkListIdx", 0, 1, 0, 4],
      ["ctrlUplinkAction", 0, 1, 4, 1],
    ],
  },
  {
    cid: 0x45,
    name: "ConfigureFwdLimitReq",
    len: 5,
    fields: [
      ["overallReloadRate", 0, 4, 0, 7],
      ["globalUplinkReloadRate", 0, 4, 7, 7],
      ["notifyReloadRate", 0, 4, 14, 7],
      ["joinReqReloadRate", 0, 4, 21, 7],
      ["resetLimitCounter", 0, 4, 28, 2],
      ["overallLimitSize", 4, 1, 0, 2],
      ["globalUplinkLimitSize", 4, 1, 2, 2],
      ["notifyLimitSize", 4, 1, 4, 2],
      ["joinReqLimitSize", 4, 1, 6, 2],
    ],
  },
];

const UPLINK: CommandDef[] = [
  { cid: 0x01, name: "ResetInd", len: 1, fields: [["minor", 0, 1, 0, 4]] },
  { cid: 0x02, name: "LinkCheckReq", len: 0, fields: [] },
  {
    cid: 0x03,
    name: "LinkADRAns",
    len: 1,
    fields: [bit("powerAck", 2), bit("dataRateAck", 1), bit("channelMaskAck", 0)],
  },
  { cid: 0x04, name: "DutyCycleAns", len: 0, fields: [] },
  {
    cid: 0x05,
    name: "RxParamSetupAns",
    len: 1,
    fields: [bit("rx1DrOffsetAck", 2), bit("rx2DataRateAck", 1), bit("channelAck", 0)],
  },
  {
    cid: 0x06,
    name: "DevStatusAns",
    len: 2,
    fields: [u8("battery"), ["margin", 1, 1, 0, 6, "signed"]],
    // 0 = external power, 255 = cannot measure, 1..254 = level (1.0.4 section 5.5)
    meaning: (f) => ({
      batteryLevel: f.battery === 0 ? "external" : f.battery === 255 ? "unknown" : (f.battery as number) / 254,
      marginDb: f.margin as number,
    }),
  },
  { cid: 0x07, name: "NewChannelAns", len: 1, fields: [bit("dataRateRangeOk", 1), bit("channelFrequencyOk", 0)] },
  { cid: 0x08, name: "RxTimingSetupAns", len: 0, fields: [] },
  { cid: 0x09, name: "TxParamSetupAns", len: 0, fields: [] },
  { cid: 0x0a, name: "DlChannelAns", len: 1, fields: [bit("uplinkFrequencyExists", 1), bit("channelFrequencyOk", 0)] },
  { cid: 0x0b, name: "RekeyInd", len: 1, fields: [["minor", 0, 1, 0, 4]] },
  { cid: 0x0c, name: "ADRParamSetupAns", len: 0, fields: [] },
  { cid: 0x0d, name: "DeviceTimeReq", len: 0, fields: [] },
  { cid: 0x0f, name: "RejoinParamSetupAns", len: 1, fields: [bit("timeOk", 0)] },
  {
    cid: 0x10,
    name: "PingSlotInfoReq",
    len: 1,
    fields: [["periodicity", 0, 1, 0, 3]],
    meaning: (f) => ({
      pingPeriodSeconds: 2 ** (f.periodicity as number),
      pingSlotsPerBeacon: 2 ** (7 - (f.periodicity as number)),
    }),
  },
  { cid: 0x11, name: "PingSlotChannelAns", len: 1, fields: [bit("dataRateOk", 1), bit("channelFrequencyOk", 0)] },
  { cid: 0x12, name: "BeaconTimingReq", len: 0, fields: [] },
  { cid: 0x13, name: "BeaconFreqAns", len: 1, fields: [bit("beaconFrequencyOk", 0)] },
  {
    cid: 0x20,
    name: "DeviceModeInd",
    len: 1,
    fields: [u8("class")],
    meaning: (f) => ({ deviceClass: DEVICE_CLASS(f.class as number) }),
  },
  ...RELAY_UPLINK,
];

const DOWNLINK: CommandDef[] = [
  { cid: 0x01, name: "ResetConf", len: 1, fields: [["minor", 0, 1, 0, 4]] },
  { cid: 0x02, name: "LinkCheckAns", len: 2, fields: [u8("margin"), u8("gwCnt", 1)] },
  {
    cid: 0x03,
    name: "LinkADRReq",
    len: 4,
    fields: [
      ["dataRate", 0, 1, 4, 4],
      ["txPower", 0, 1, 0, 4],
      ["chMask", 1, 2, 0, 16],
      ["chMaskCntl", 3, 1, 4, 3],
      ["nbTrans", 3, 1, 0, 4],
    ],
  },
  {
    cid: 0x04,
    name: "DutyCycleReq",
    len: 1,
    fields: [["maxDCycle", 0, 1, 0, 4]],
    meaning: (f) => ({ dutyCycle: 1 / 2 ** (f.maxDCycle as number) }),
  },
  {
    cid: 0x05,
    name: "RxParamSetupReq",
    len: 4,
    fields: [["rx1DrOffset", 0, 1, 4, 3], ["rx2DataRate", 0, 1, 0, 4], freq(1)],
    meaning: hz,
  },
  { cid: 0x06, name: "DevStatusReq", len: 0, fields: [] },
  {
    cid: 0x07,
    name: "NewChannelReq",
    len: 5,
    fields: [u8("chIndex"), freq(1), ["maxDr", 4, 1, 4, 4], ["minDr", 4, 1, 0, 4]],
    meaning: hz,
  },
  {
    cid: 0x08,
    name: "RxTimingSetupReq",
    len: 1,
    fields: [["delay", 0, 1, 0, 4]],
    meaning: (f) => ({ delaySeconds: Math.max(1, f.delay as number) }),
  },
  {
    cid: 0x09,
    name: "TxParamSetupReq",
    len: 1,
    fields: [bit("downlinkDwellTime", 5), bit("uplinkDwellTime", 4), ["maxEirp", 0, 1, 0, 4]],
    meaning: (f) => ({
      maxEirpDbm: MAX_EIRP[f.maxEirp as number]!,
      uplinkDwellTimeMs: f.uplinkDwellTime ? 400 : null,
      downlinkDwellTimeMs: f.downlinkDwellTime ? 400 : null,
    }),
  },
  { cid: 0x0a, name: "DlChannelReq", len: 4, fields: [u8("chIndex"), freq(1)], meaning: hz },
  { cid: 0x0b, name: "RekeyConf", len: 1, fields: [["minor", 0, 1, 0, 4]] },
  {
    cid: 0x0c,
    name: "ADRParamSetupReq",
    len: 1,
    fields: [
      ["limitExp", 0, 1, 4, 4],
      ["delayExp", 0, 1, 0, 4],
    ],
    meaning: (f) => ({ adrAckLimit: 2 ** (f.limitExp as number), adrAckDelay: 2 ** (f.delayExp as number) }),
  },
  {
    cid: 0x0d,
    name: "DeviceTimeAns",
    len: 5,
    fields: [["seconds", 0, 4, 0, 32], u8("fractional", 4)],
    // seconds since the GPS epoch, fractional in 1/256 s (1.0.4 section 5.10)
    meaning: (f) => ({ gpsTimeSeconds: (f.seconds as number) + (f.fractional as number) / 256 }),
  },
  {
    cid: 0x0e,
    name: "ForceRejoinReq",
    len: 2,
    fields: [
      ["period", 0, 2, 11, 3],
      ["maxRetries", 0, 2, 8, 3],
      ["rejoinType", 0, 2, 4, 3],
      ["dataRate", 0, 2, 0, 4],
    ],
    // delay before the first retransmission: 32 s * 2^Period (+ random 0..32 s), 1.1 section 5.13
    meaning: (f) => ({ periodSeconds: 32 * 2 ** (f.period as number) }),
  },
  {
    cid: 0x0f,
    name: "RejoinParamSetupReq",
    len: 1,
    fields: [
      ["maxTimeN", 0, 1, 4, 4],
      ["maxCountN", 0, 1, 0, 4],
    ],
    meaning: (f) => ({
      maxTimeSeconds: 2 ** ((f.maxTimeN as number) + 10),
      maxCount: 2 ** ((f.maxCountN as number) + 4),
    }),
  },
  { cid: 0x10, name: "PingSlotInfoAns", len: 0, fields: [] },
  { cid: 0x11, name: "PingSlotChannelReq", len: 4, fields: [freq(0), ["dataRate", 3, 1, 0, 4]], meaning: hz },
  {
    cid: 0x12,
    name: "BeaconTimingAns",
    len: 3,
    fields: [["delay", 0, 2, 0, 16], u8("channel", 2)],
    // 1.0.2 Class B (deprecated): delay in 30 ms units until the next beacon
    meaning: (f) => ({ delayMs: 30 * (f.delay as number) }),
  },
  { cid: 0x13, name: "BeaconFreqReq", len: 3, fields: [freq(0)], meaning: hz },
  {
    cid: 0x20,
    name: "DeviceModeConf",
    len: 1,
    fields: [u8("class")],
    meaning: (f) => ({ deviceClass: DEVICE_CLASS(f.class as number) }),
  },
  ...RELAY_DOWNLINK,
];

const TABLE: Record<Direction, Map<number, CommandDef>> = {
  up: new Map(UPLINK.map((d) => [d.cid, d])),
  down: new Map(DOWNLINK.map((d) => [d.cid, d])),
};
const BY_NAME = new Map<string, { def: CommandDef; direction: Direction }>();
for (const d of UPLINK) BY_NAME.set(d.name, { def: d, direction: "up" });
for (const d of DOWNLINK) BY_NAME.set(d.name, { def: d, direction: "down" });

/** Every known command: CID, name, direction and payload length. */
export function macCommandTable(): {
  cid: number;
  name: string;
  direction: Direction;
  length: number;
  variableLength: boolean;
  fields: string[];
}[] {
  return [...UPLINK.map((d) => ({ d, dir: "up" as const })), ...DOWNLINK.map((d) => ({ d, dir: "down" as const }))].map(
    ({ d, dir }) => ({
      cid: d.cid,
      name: d.name,
      direction: dir,
      length: d.len,
      variableLength: !!d.varLen,
      fields: d.fields.map((f) => f[0]),
    }),
  );
}

function readLe(b: Uint8Array, off: number, n: number): number {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + b[off + i]!;
  return v;
}

function decodeFields(def: CommandDef, p: Uint8Array): MacFields {
  const raw: Record<string, number | boolean | string> = {};
  for (const [name, off, n, shift, width, kind] of def.fields) {
    if (kind === "hex") {
      raw[name] = hex(p, off, off + n);
      continue;
    }
    let v = Math.floor(readLe(p, off, n) / 2 ** shift) % 2 ** width;
    if (kind === "signed" && v >= 2 ** (width - 1)) v -= 2 ** width;
    raw[name] = width === 1 ? v === 1 : v;
  }
  return def.meaning ? { ...raw, ...def.meaning(raw, p) } : raw;
}

/**
 * Parses a sequence of MAC commands (FOpts, or a decrypted FPort 0 payload) with the CID table of
 * `direction`. An unknown CID ends parsing: it and the remaining bytes become one entry marked
 * `unknown`. A command cut short throws ChirpError TOO_SHORT.
 */
export function parseMacCommands(bytes: Uint8Array, direction: Direction): MacCommand[] {
  checkBytes("bytes", bytes);
  if (direction !== "up" && direction !== "down") badParameter("direction", direction, '"up" or "down"');
  const out: MacCommand[] = [];
  const table = TABLE[direction];
  let i = 0;
  while (i < bytes.length) {
    const cid = bytes[i]!;
    const def = table.get(cid);
    if (!def) {
      out.push({
        cid,
        name: cid >= 0x80 ? "Proprietary" : "Unknown",
        direction,
        payload: bytes.slice(i + 1),
        fields: {},
        unknown: true,
      });
      break;
    }
    let len = def.len;
    if (def.varLen && i + 1 + len <= bytes.length) len = def.varLen(bytes, i + 1);
    if (i + 1 + len > bytes.length) {
      throw new ChirpError(
        "TOO_SHORT",
        `${def.name} (CID 0x${cid.toString(16).padStart(2, "0")}) needs ${len} bytes, ${bytes.length - i - 1} left`,
      );
    }
    const payload = bytes.slice(i + 1, i + 1 + len);
    out.push({ cid, name: def.name, direction, payload, fields: decodeFields(def, payload) });
    i += 1 + len;
  }
  return out;
}

/** A command to build: by name (direction implied) or by CID and direction; raw payload or fields. */
export interface MacCommandSpec {
  name?: string;
  cid?: number;
  direction?: Direction;
  /** Raw fields by name (booleans for single bits); missing fields are 0. */
  fields?: Record<string, number | boolean | string | null>;
  /** The payload bytes as they are (instead of fields); required for unknown CIDs. */
  payload?: Uint8Array;
}

function findDef(c: MacCommandSpec): { def: CommandDef | undefined; direction: Direction; cid: number } {
  if (c.name !== undefined) {
    const e = typeof c.name === "string" ? BY_NAME.get(c.name) : undefined;
    if (!e)
      throw new ChirpError("BAD_PARAMETER", `unknown MAC command ${show(c.name)}`, {
        parameter: "name",
        allowed: "a LoRaWAN MAC command name",
      });
    return { def: e.def, direction: e.direction, cid: e.def.cid };
  }
  if (c.cid === undefined || c.direction === undefined)
    throw new ChirpError("BAD_PARAMETER", "a MAC command needs a name, or a cid and a direction", { parameter: "cid" });
  if (c.direction !== "up" && c.direction !== "down") badParameter("direction", c.direction, '"up" or "down"');
  checkInt("cid", c.cid, 0, 255);
  return { def: TABLE[c.direction].get(c.cid), direction: c.direction, cid: c.cid };
}

/** Encodes MAC commands into bytes (for FOpts or an FPort 0 payload). */
export function buildMacCommands(cmds: MacCommandSpec[], name = "commands"): Uint8Array {
  if (typeof name !== "string") badParameter("name", name, "a string naming the commands in errors");
  checkArrayOfObjects(name, cmds);
  const parts: number[] = [];
  for (const c of cmds) {
    const { def, cid } = findDef(c);
    parts.push(cid);
    if (c.payload !== undefined) {
      checkBytes(`${def?.name ?? "command"}.payload`, c.payload);
      const want = def?.varLen && c.payload.length >= def.len ? def.varLen(c.payload, 0) : def?.len;
      if (def && c.payload.length !== want)
        throw new ChirpError("BAD_PARAMETER", `${def.name} payload is ${def.len} bytes`, {
          parameter: "payload",
          allowed: `${def.len} bytes`,
        });
      parts.push(...c.payload);
      continue;
    }
    if (!def)
      throw new ChirpError("BAD_PARAMETER", `CID 0x${cid.toString(16)} is unknown: give its payload bytes`, {
        parameter: "payload",
      });
    if (def.varLen)
      throw new ChirpError("BAD_PARAMETER", `${def.name} has a variable length: give its payload bytes`, {
        parameter: "payload",
      });
    const p = new Array<number>(def.len).fill(0);
    for (const [name, off, n, shift, width, kind] of def.fields) {
      if (c.fields !== undefined && (typeof c.fields !== "object" || c.fields === null))
        badParameter(`${def.name}.fields`, c.fields, "an object");
      const given = c.fields?.[name];
      const signed = kind === "signed";
      if (kind === "hex") {
        const h = typeof given === "string" ? given : "";
        if (!/^[0-9a-fA-F]*$/.test(h) || h.length !== 2 * n) {
          throw new ChirpError("BAD_PARAMETER", `${def.name}.${name} must be ${n} bytes of hex`, {
            parameter: `${def.name}.${name}`,
            allowed: `${2 * n} hex digits`,
          });
        }
        for (let k = 0; k < n; k++) p[off + k] = parseInt(h.substr(2 * k, 2), 16);
        continue;
      }
      let v = typeof given === "boolean" ? (given ? 1 : 0) : typeof given === "number" ? given : 0;
      const lo = signed ? -(2 ** (width - 1)) : 0;
      const hi = signed ? 2 ** (width - 1) - 1 : 2 ** width - 1;
      if (!Number.isInteger(v) || v < lo || v > hi) {
        throw new ChirpError("BAD_PARAMETER", `${def.name}.${name} = ${show(given)} is out of range`, {
          parameter: `${def.name}.${name}`,
          allowed: `${lo}..${hi}`,
        });
      }
      if (v < 0) v += 2 ** width;
      // add the field into the little-endian bytes it occupies
      let word = v * 2 ** shift;
      for (let k = 0; k < n; k++) {
        p[off + k]! += word % 256;
        word = Math.floor(word / 256);
      }
    }
    parts.push(...p);
  }
  return Uint8Array.from(parts);
}
