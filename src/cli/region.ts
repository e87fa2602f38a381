// `chirp decode --region R [--subband N]`: the gateway receiver listens on a LoRaWAN regional
// plan's uplink channels (src/lorawan/regions.ts) with each channel's bandwidth and the SFs of the
// data rates allowed there, and names each frame's data rate. Channels of different bandwidths
// (US915/AU915: 125 and 500 kHz) get one gateway receiver per bandwidth over the same samples.
import { ChirpError } from "../errors.js";
import { createGatewayReceiver, type GatewayFrame, type GatewayOptions } from "./deps.js";
import {
  datrName,
  receiverPlan,
  regionChannels,
  uplinkDataRate,
  type Region,
  type UplinkChannel,
} from "../lorawan/regions.js";
import { intFlag } from "./args.js";
import { regionFlag } from "./toaRegion.js";
import { requireRate, streamSamples, type Recording } from "./recording.js";
import { withRxSettings, type RxFlags } from "./rxflags.js";
import type { ChannelFrame, DecodeRunOptions } from "./decode.js";
import { createProgress } from "./progress.js";

export { regionHelp, regionSpec } from "./decodeFlags.js";

export interface RegionSetting {
  region: Region;
  subband?: number;
  channels: UplinkChannel[];
  /** One entry per bandwidth: its channels and SFs. */
  plan: { bandwidth: number; sfs: number[]; channels: UplinkChannel[] }[];
}

/** A frame of a regional decode: the plan's channel number and the frame's data rate. */
export type RegionFrame = ChannelFrame & { channelIndex: number; dataRate?: string; datr: string };

/** Reads --region/--subband into rx (channels, SFs, sync word); returns false when --region is absent. */
export function applyRegion(v: Record<string, unknown>, rx: RxFlags, sfGiven: boolean): boolean {
  if (v.region === undefined) {
    if (v.subband !== undefined)
      throw new ChirpError("BAD_PARAMETER", "--subband only with --region us915|au915|cn470", {
        parameter: "--subband",
      });
    return false;
  }
  const region = regionFlag(v.region);
  for (const k of ["bw", "channel", "offset"] as const) {
    if (v[k] !== undefined)
      throw new ChirpError(
        "BAD_PARAMETER",
        `--${k} and --region cannot be combined: the region's plan sets the channels and their bandwidths`,
        { parameter: `--${k}` },
      );
  }
  const subband = v.subband !== undefined ? intFlag("subband", v.subband, 1, region.subbands ?? 1) : undefined;
  if (subband !== undefined && !region.subbands)
    throw new ChirpError(
      "BAD_PARAMETER",
      `--subband: ${region.name} has no sub-bands (a gateway listens on its default channels)`,
      { parameter: "--subband" },
    );
  if (subband === undefined && region.subbands)
    throw new ChirpError(
      "BAD_PARAMETER",
      `--region ${region.name} needs --subband 1..${region.subbands}: a gateway hears 8 of its ${region.channels.length} channels at a time`,
      { parameter: "--subband", allowed: `1..${region.subbands}` },
    );
  const channels = regionChannels(region, subband);
  const plan = receiverPlan(region, channels)
    .map((g) => ({ ...g, sfs: sfGiven ? g.sfs.filter((sf) => rx.sfs.includes(sf)) : g.sfs }))
    .filter((g) => g.sfs.length > 0);
  if (plan.length === 0)
    throw new ChirpError(
      "BAD_PARAMETER",
      `--sf ${rx.sfs.join(",")}: none of ${region.name}'s uplink data rates on these channels uses it`,
      { parameter: "--sf" },
    );
  rx.region = { region, channels, plan, ...(subband !== undefined ? { subband } : {}) };
  rx.sfs = [...new Set(plan.flatMap((g) => g.sfs))].sort((a, b) => a - b);
  rx.channels = channels.map((c) => c.frequencyHz);
  // LoRaWAN public networks use sync word 0x34
  if (rx.base.syncWord === undefined) rx.base.syncWord = 0x34;
  return true;
}

/** Checks that the recording holds every channel of the plan, with the margin the gateway's channel filter needs. */
export function checkCoverage(setting: RegionSetting, rec: Recording): { rate: number; center: number } {
  const rate = requireRate(rec);
  const name = `--region ${setting.region.name}${setting.subband !== undefined ? ` --subband ${setting.subband}` : ""}`;
  if (rec.centerFrequency === undefined) {
    throw new ChirpError(
      "BAD_PARAMETER",
      `${name} needs the recording's centre frequency (--center F or SigMF core:frequency)`,
      { parameter: "--center" },
    );
  }
  const center = rec.centerFrequency;
  // the gateway's channel filter passes +-bandwidth around each channel: that much must lie inside
  const lo = Math.min(...setting.channels.map((c) => c.frequencyHz - c.bandwidth));
  const hi = Math.max(...setting.channels.map((c) => c.frequencyHz + c.bandwidth));
  const outside = setting.channels.filter((c) => Math.abs(c.frequencyHz - center) > rate / 2 - c.bandwidth + 1e-6);
  if (outside.length > 0) {
    const mhz = (x: number) => (x / 1e6).toFixed(4);
    const list = outside.map((c) => `${c.index} (${mhz(c.frequencyHz)} MHz, ${c.bandwidth / 1000} kHz)`).join(", ");
    throw new ChirpError(
      "BAD_PARAMETER",
      `${name}: channel(s) ${list} are not inside the recording (${mhz(center)} MHz +- ${rate / 2e6} MHz at ${rate / 1e6} MS/s, less each channel's bandwidth for its filter); the plan needs a rate of at least ${(hi - lo) / 1e6} MS/s centred at ${mhz((lo + hi) / 2)} MHz`,
      { parameter: "--region", allowed: `a recording covering ${mhz(lo)} .. ${mhz(hi)} MHz` },
    );
  }
  return { rate, center };
}

/** Decodes a recording (or stream) on a regional plan: one gateway receiver per bandwidth. */
export async function decodeRegion(rec: Recording, rx: RxFlags, opts: DecodeRunOptions): Promise<ChannelFrame[]> {
  const setting = rx.region!;
  const { rate, center } = checkCoverage(setting, rec);
  const groups = setting.plan.map((g) => {
    const o: GatewayOptions = {
      sampleRate: rate,
      centerFrequency: center,
      channels: g.channels.map((c) => c.frequencyHz),
      sfs: g.sfs,
      bandwidth: g.bandwidth,
      format: rec.format,
    };
    // per-SF sync words (--sync 0x34,5-6:0x12) for the SFs of this bandwidth only
    const perSf = Object.entries(rx.syncWords ?? {}).filter(([sf]) => g.sfs.includes(Number(sf)));
    if (perSf.length) o.syncWords = Object.fromEntries(perSf);
    return { g, gw: createGatewayReceiver(withRxSettings(o, rx)) };
  });
  const frames: ChannelFrame[] = [];
  const take = (fs: GatewayFrame[], channels: UplinkChannel[]) => {
    for (const gf of fs) {
      const { channelIndex, channelHz, frequencyHz, ...f } = gf;
      const dr = uplinkDataRate(setting.region, f.sf, f.bandwidth);
      const out: RegionFrame = {
        ...f,
        channelOffsetHz: channelHz - center,
        channelHz,
        frequencyHz,
        channelIndex: channels[channelIndex]!.index,
        datr: datrName(f.sf, f.bandwidth),
      };
      if (dr) out.dataRate = `DR${dr.dr}`;
      opts.onFrame?.(out);
      if (opts.keep !== false) frames.push({ ...out, symbols: new Uint16Array(0) });
    }
  };
  const progress = createProgress("decode", rec.samples, { quiet: opts.quiet ?? false });
  try {
    for await (const { view, first } of opts.source ?? streamSamples(rec, opts.chunkSamples ?? 1 << 16)) {
      for (const { g, gw } of groups) take(gw.push(view), g.channels);
      progress.update(first + view.length / 2);
    }
    for (const { g, gw } of groups) take(gw.flush(), g.channels);
    if (opts.stats) for (const { gw } of groups) opts.stats.detections += gw.stats.detections;
  } finally {
    // free the receivers' Wasm memory
    for (const { gw } of groups) gw.dispose();
  }
  progress.done();
  return frames.sort((a, b) => a.startSample - b.startSample || (a.channelOffsetHz ?? 0) - (b.channelOffsetHz ?? 0));
}
