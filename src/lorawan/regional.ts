/**
 * What a frame's region-dependent fields mean in a given regional plan: the data rates of
 * LinkADRReq, NewChannelReq, RxParamSetupReq, PingSlotChannelReq and a join accept's DLSettings,
 * the channels a LinkADRReq's ChMask/ChMaskCntl enables, and the channels a CFList defines or
 * enables. Channel-mask rules are those of each region's "LinkAdrReq command" section of RP002-1.0.4
 * (dynamic plans: ChMaskCntl 0 = channels 0..15, 6 = all channels on; US915/AU915: 0..3 = 125 kHz
 * channels 16·n..16·n+15, 4 = 500 kHz channels 64..71, 5 = sub-band blocks, 6/7 = all 125 kHz
 * channels on/off plus the mask on 64..71; CN470: 0..5 = channels 16·n..16·n+15, 6 = all on) and
 * its "Join-Accept CFList" section (type 0: frequencies of the next five channels; type 1 of fixed
 * plans: ChMask0..4 over channels 0..79).
 */
import type { CFList, DLSettings } from "./join.js";
import type { MacCommand } from "./mac-commands.js";
import { checkRegion, datrName, type Region } from "./regions.js";
import { badParameter, checkInt } from "../errors.js";
import { checkArray } from "../check.js";

export interface RegionalDataRate {
  dr: number;
  /** "DR3 (SF7BW125)", or "DR7 (FSK)", or "DR9: not defined in US902-928 uplinks" */
  name: string;
  sf?: number;
  bandwidth?: number;
}

export function describeDataRate(region: Region, dr: number, direction: "up" | "down"): RegionalDataRate {
  checkRegion(region);
  checkInt("dr", dr, 0, 15);
  if (direction !== "up" && direction !== "down") badParameter("direction", direction, '"up" or "down"');
  const d = region.dataRates.find((x) => x.dr === dr && (direction === "up" ? x.uplink : x.downlink));
  if (!d) return { dr, name: `DR${dr}: not defined for ${region.band} ${direction}links` };
  if (d.kind !== "lora") return { dr, name: `DR${dr} (${d.kind === "fsk" ? "FSK" : "LR-FHSS"})` };
  return { dr, name: `DR${dr} (${datrName(d.sf!, d.bandwidth!)})`, sf: d.sf!, bandwidth: d.bandwidth! };
}

const fixed = (r: Region) => r.cfList === "channel-mask";

/** A channel as shown: its number and, when the plan defines it, its frequency. */
function channel(region: Region, index: number): { index: number; frequencyHz?: number; bandwidth?: number } {
  const c =
    fixed(region) || index < region.channels.length ? region.channels.find((x) => x.index === index) : undefined;
  return c ? { index, frequencyHz: c.frequencyHz, bandwidth: c.bandwidth } : { index };
}

const bits = (mask: number, offset: number) =>
  Array.from({ length: 16 }, (_, i) => i)
    .filter((i) => (mask >> i) & 1)
    .map((i) => offset + i);

/** The channels a LinkADRReq's ChMask and ChMaskCntl switch on, and what happens to the others. */
export function linkAdrChannels(
  region: Region,
  chMask: number,
  chMaskCntl: number,
): { enabled: number[] | "all"; scope: string } {
  checkRegion(region);
  checkInt("chMask", chMask, 0, 0xffff);
  checkInt("chMaskCntl", chMaskCntl, 0, 7);
  if (region.name === "us915" || region.name === "au915") {
    if (chMaskCntl <= 3)
      return {
        enabled: bits(chMask, 16 * chMaskCntl),
        scope: `125 kHz channels ${16 * chMaskCntl}..${16 * chMaskCntl + 15}`,
      };
    if (chMaskCntl === 4) return { enabled: bits(chMask & 0xff, 64), scope: "500 kHz channels 64..71" };
    if (chMaskCntl === 5) {
      // each of the 8 low bits enables one sub-band block: 8 x 125 kHz channels and one 500 kHz channel
      const blocks = bits(chMask & 0xff, 0);
      return {
        enabled: blocks.flatMap((b) => [...Array.from({ length: 8 }, (_, i) => 8 * b + i), 64 + b]),
        scope: `sub-band(s) ${blocks.map((b) => b + 1).join(", ") || "none"}`,
      };
    }
    if (chMaskCntl === 6)
      return {
        enabled: [...Array.from({ length: 64 }, (_, i) => i), ...bits(chMask & 0xff, 64)],
        scope: "all 125 kHz channels on; the mask applies to 64..71",
      };
    return { enabled: bits(chMask & 0xff, 64), scope: "all 125 kHz channels off; the mask applies to 64..71" };
  }
  if (region.name === "cn470") {
    if (chMaskCntl <= 5)
      return { enabled: bits(chMask, 16 * chMaskCntl), scope: `channels ${16 * chMaskCntl}..${16 * chMaskCntl + 15}` };
    if (chMaskCntl === 6) return { enabled: "all", scope: "all channels on" };
    return { enabled: [], scope: `ChMaskCntl ${chMaskCntl} is RFU` };
  }
  if (chMaskCntl === 0) return { enabled: bits(chMask, 0), scope: "channels 0..15" };
  if (chMaskCntl === 6) return { enabled: "all", scope: "all defined channels on" };
  return { enabled: [], scope: `ChMaskCntl ${chMaskCntl} is RFU in ${region.band}` };
}

export type Explained = Record<string, unknown>;

/** The regional meaning of one MAC command (undefined for commands without region-dependent fields). */
export function explainMacCommand(region: Region, c: MacCommand): Explained | undefined {
  checkRegion(region);
  if (
    typeof c !== "object" ||
    c === null ||
    typeof c.name !== "string" ||
    typeof c.fields !== "object" ||
    c.fields === null
  )
    badParameter("command", c, "a MacCommand from parseMacCommands or decodeFrame");
  const f = c.fields;
  const n = (k: string) => f[k] as number;
  switch (c.name) {
    case "LinkADRReq": {
      const ch = linkAdrChannels(region, n("chMask"), n("chMaskCntl"));
      return {
        dataRate: describeDataRate(region, n("dataRate"), "up").name,
        scope: ch.scope,
        channels: ch.enabled === "all" ? "all" : ch.enabled.map((i) => channel(region, i)),
      };
    }
    case "NewChannelReq":
      return {
        channel: n("chIndex"),
        frequencyHz: f.frequencyHz,
        dataRates: `${describeDataRate(region, n("minDr"), "up").name} .. ${describeDataRate(region, n("maxDr"), "up").name}`,
        ...(f.frequencyHz === 0 ? { disabled: true } : {}),
      };
    case "RxParamSetupReq":
      return {
        rx2DataRate: describeDataRate(region, n("rx2DataRate"), "down").name,
        rx2FrequencyHz: f.frequencyHz,
        rx1DrOffset: n("rx1DrOffset"),
      };
    case "PingSlotChannelReq":
      return { dataRate: describeDataRate(region, n("dataRate"), "down").name, frequencyHz: f.frequencyHz };
    case "ForceRejoinReq":
      return { dataRate: describeDataRate(region, n("dataRate"), "up").name };
    default:
      return undefined;
  }
}

/** A join accept's DLSettings and CFList in the region's terms. */
export function explainJoinAccept(region: Region, dl: DLSettings, cfList: CFList | null): Explained {
  checkRegion(region);
  if (typeof dl !== "object" || dl === null)
    badParameter("dlSettings", dl, "DLSettings { rx1DrOffset, rx2DataRate } of a join accept");
  checkInt("dlSettings.rx1DrOffset", dl.rx1DrOffset, 0, 7);
  checkInt("dlSettings.rx2DataRate", dl.rx2DataRate, 0, 15);
  if (
    cfList !== null &&
    (typeof cfList !== "object" || (!("frequencies" in cfList) && !("chMasks" in cfList) && !("raw" in cfList)))
  )
    badParameter("cfList", cfList, "a CFList of a join accept, or null");
  if (cfList !== null && "frequencies" in cfList)
    checkArray("cfList.frequencies", cfList.frequencies, 5, "an array of at most 5 frequencies");
  if (cfList !== null && "chMasks" in cfList)
    checkArray("cfList.chMasks", cfList.chMasks, 5, "an array of at most 5 channel masks");
  const out: Explained = {
    rx1DrOffset: dl.rx1DrOffset,
    rx2DataRate: describeDataRate(region, dl.rx2DataRate, "down").name,
  };
  if (cfList) {
    if (cfList.type === 0 && "frequencies" in cfList) {
      if (fixed(region)) out.cfList = `CFListType 0 (frequencies) is not used by ${region.band}, a fixed plan`;
      else {
        // the five frequencies define the channels after the default ones
        const first = region.channels.length;
        out.cfList = cfList.frequencies.map((hz, i) => ({
          index: first + i,
          frequencyHz: hz,
          ...(hz === 0 ? { disabled: true } : {}),
        }));
      }
    } else if (cfList.type === 1 && "chMasks" in cfList) {
      if (!fixed(region)) out.cfList = `CFListType 1 (channel masks) is not used by ${region.band}, a dynamic plan`;
      else
        out.cfList = {
          enabled: cfList.chMasks
            .flatMap((m, i) => bits(m, 16 * i))
            .filter((i) => i < region.channels.length)
            .map((i) => channel(region, i)),
        };
    } else out.cfList = `CFListType ${cfList.type} is RFU`;
  }
  return out;
}

/** Everything region-dependent in a decoded frame: its MAC commands (FOpts or FPort 0) and join-accept settings. */
export function explainFrame(
  region: Region,
  d: { kind: string; macCommands?: MacCommand[]; joinAccept?: { dlSettings: DLSettings; cfList: CFList | null } },
): Explained | undefined {
  checkRegion(region);
  if (typeof d !== "object" || d === null) badParameter("decoded", d, "a DecodedFrame returned by decodeFrame");
  if (d.macCommands !== undefined)
    checkArray("decoded.macCommands", d.macCommands, 1 << 12, "an array of MAC commands");
  if (d.joinAccept !== undefined && (typeof d.joinAccept !== "object" || d.joinAccept === null))
    badParameter("decoded.joinAccept", d.joinAccept, "join-accept fields from decodeFrame");
  const out: Explained = {};
  const macs = (d.macCommands ?? []).flatMap((c) => {
    const e = explainMacCommand(region, c);
    return e ? [{ name: c.name, ...e }] : [];
  });
  if (macs.length) out.macCommands = macs;
  if (d.kind === "join-accept" && d.joinAccept)
    out.joinAccept = explainJoinAccept(region, d.joinAccept.dlSettings, d.joinAccept.cfList);
  return Object.keys(out).length ? { region: region.name, ...out } : undefined;
}

/** The same as indented text lines (for `chirp lorawan --region`). */
export function explainText(e: Explained): string[] {
  const L: string[] = [];
  const mhz = (hz: unknown) => (typeof hz === "number" ? `${(hz / 1e6).toFixed(4)} MHz` : "?");
  const chans = (v: unknown) =>
    v === "all"
      ? "all"
      : Array.isArray(v)
        ? v
            .map((c: { index: number; frequencyHz?: number }) =>
              c.frequencyHz !== undefined ? `${c.index} (${mhz(c.frequencyHz)})` : String(c.index),
            )
            .join(", ") || "none"
        : String(v);
  for (const m of (e.macCommands as Explained[] | undefined) ?? []) {
    const { name, ...rest } = m;
    const parts = Object.entries(rest).map(([k, v]) =>
      k === "channels"
        ? `channels ${chans(v)}`
        : /frequencyHz$/i.test(k)
          ? `${k.replace(/Hz$/, "")} ${mhz(v)}`
          : `${k} ${v}`,
    );
    L.push(`  ${e.region} ${name}: ${parts.join("; ")}`);
  }
  const ja = e.joinAccept as Explained | undefined;
  if (ja) {
    L.push(`  ${e.region} DLSettings: RX1DROffset ${ja.rx1DrOffset}, RX2 ${ja.rx2DataRate}`);
    const cf = ja.cfList;
    if (typeof cf === "string") L.push(`  ${e.region} CFList: ${cf}`);
    else if (Array.isArray(cf))
      L.push(`  ${e.region} CFList: channels ${chans(cf.filter((c: { disabled?: boolean }) => !c.disabled))}`);
    else if (cf) L.push(`  ${e.region} CFList: enabled channels ${chans((cf as { enabled: unknown }).enabled)}`);
  }
  return L;
}
