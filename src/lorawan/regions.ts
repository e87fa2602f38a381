/**
 * LoRaWAN regional channel plans: uplink channels, data rates (DR <-> SF/bandwidth), maximum
 * payload sizes and duty cycles of eight regions, from LoRaWAN Regional Parameters RP002-1.0.4,
 * whose chapter 2 has one section 2.N per band with the same subsections in each: 2.N.2 "Channel
 * Frequencies", 2.N.3 "Data Rate and End-Device Output Power Encoding", 2.N.6 "Maximum Payload
 * Size" (M, the largest MACPayload, not repeater compatible). Each region below cites its three.
 * Values cross-checked against The Things Stack's pkg/band/*_rp2_v1_0_4.go, LoRaMac-node's
 * Region*.h (N = M - 8) and, for downlink M, ChirpStack's lrwn/src/region/*.rs (RP002_1_0_4).
 * Only LoRa data rates are named here (FSK and LR-FHSS data rates are listed with their kind, for
 * completeness of the DR numbering).
 */
import { ChirpError, badParameter, checkInt } from "../errors.js";
import { checkArray, checkNumber } from "../check.js";

export type RegionName = "eu868" | "us915" | "au915" | "cn470" | "as923" | "kr920" | "in865" | "ru864";
export const REGION_NAMES: readonly RegionName[] = [
  "eu868",
  "us915",
  "au915",
  "cn470",
  "as923",
  "kr920",
  "in865",
  "ru864",
];

export interface DataRate {
  dr: number;
  kind: "lora" | "fsk" | "lr-fhss";
  /** LoRa only. */
  sf?: number;
  /** LoRa bandwidth, Hz (LoRa only). */
  bandwidth?: number;
  uplink: boolean;
  downlink: boolean;
  /** M: the largest MACPayload in bytes (PHYPayload = M + 5), when the region defines it for this DR. */
  maxMacPayload?: number;
  /**
   * M under a 400 ms uplink dwell time (UplinkDwellTime = 1), in regions whose payload table has a
   * second column for it (AU915, AS923); null where that column says N/A (DR0/DR1: even the
   * smallest frame lasts longer than 400 ms). US915 has one table, already dwell-limited.
   */
  maxMacPayloadDwell?: number | null;
}

export interface UplinkChannel {
  /** The channel number of the plan (US915: 0..63 at 125 kHz, 64..71 at 500 kHz). */
  index: number;
  frequencyHz: number;
  bandwidth: number;
  minDr: number;
  maxDr: number;
}

export interface Region {
  name: RegionName;
  /** The RP002 name of the band. */
  band: string;
  dataRates: DataRate[];
  /** Every uplink channel the plan defines (fixed plans), or its default channels (dynamic plans). */
  channels: UplinkChannel[];
  /** Fixed-plan sub-bands: `count` groups of 8 channels (plus one 500 kHz channel each in US915/AU915). */
  subbands?: number;
  /** Duty cycle limit on the default channels (fraction), where the region has one. */
  dutyCycle?: number;
  /** Largest time on air of an uplink, ms (US915: 400 ms dwell time). */
  dwellTimeMs?: number;
  /** RX2 default frequency and data rate. */
  rx2: { frequencyHz: number; dr: number };
  /** How a join accept's CFList is read: five extra channel frequencies (dynamic plans) or channel masks (fixed). */
  cfList: "frequencies" | "channel-mask";
}

const lora = (
  dr: number,
  sf: number,
  bandwidth: number,
  maxMacPayload: number | undefined,
  dir: "up" | "down" | "both" = "both",
): DataRate => {
  const d: DataRate = { dr, kind: "lora", sf, bandwidth, uplink: dir !== "down", downlink: dir !== "up" };
  if (maxMacPayload !== undefined) d.maxMacPayload = maxMacPayload;
  return d;
};
const fsk = (dr: number, maxMacPayload?: number): DataRate => ({
  dr,
  kind: "fsk",
  uplink: true,
  downlink: true,
  ...(maxMacPayload ? { maxMacPayload } : {}),
});
const lrfhss = (dr: number): DataRate => ({ dr, kind: "lr-fhss", uplink: true, downlink: false });

/** DR0..DR5 = SF12..SF7 at 125 kHz with the given M per DR: the common 125 kHz table. */
const sf12to7 = (m: (number | undefined)[]): DataRate[] =>
  [12, 11, 10, 9, 8, 7].map((sf, dr) => lora(dr, sf, 125000, m[dr]));

/** Adds the 400 ms dwell-time column of a payload table, M per DR from DR0 (null: N/A). */
const withDwell = (rates: DataRate[], m: (number | null)[]): DataRate[] =>
  rates.map((d) => (d.dr < m.length && d.uplink ? { ...d, maxMacPayloadDwell: m[d.dr] } : d));

const ch = (index: number, mhz: number, bandwidth: number, minDr: number, maxDr: number): UplinkChannel => ({
  index,
  frequencyHz: Math.round(mhz * 1e6),
  bandwidth,
  minDr,
  maxDr,
});

function fixedPlan(first125: number, first500: number, dr500: number, maxDr125: number): UplinkChannel[] {
  const out: UplinkChannel[] = [];
  for (let n = 0; n < 64; n++) out.push(ch(n, first125 + 0.2 * n, 125000, 0, maxDr125));
  for (let n = 0; n < 8; n++) out.push(ch(64 + n, first500 + 1.6 * n, 500000, dr500, dr500));
  return out;
}

/** DR8..DR13, the 500 kHz downlink rates US915 and AU915 share (RP002-1.0.4 2.5.3 and 2.8.3; M from 2.5.6 and 2.8.6). */
const downlink500 = () => [
  lora(8, 12, 500000, 61, "down"),
  lora(9, 11, 500000, 137, "down"),
  lora(10, 10, 500000, 250, "down"),
  lora(11, 9, 500000, 250, "down"),
  lora(12, 8, 500000, 250, "down"),
  lora(13, 7, 500000, 250, "down"),
];

const REGIONS: Record<RegionName, () => Region> = {
  // EU863-870: three default channels, DR0..5 at 125 kHz, DR6 SF7/250 kHz, DR7 FSK, DR8..11 LR-FHSS; 1 % duty cycle (g1 band)
  // channels: RP002-1.0.4 2.4.2 EU863-870 Channel Frequencies
  // data rates: RP002-1.0.4 2.4.3 EU863-870 Data Rate and End-Device Output Power Encoding
  // M: RP002-1.0.4 2.4.6 EU863-870 Maximum Payload Size
  eu868: () => ({
    name: "eu868",
    band: "EU863-870",
    dataRates: [
      ...sf12to7([59, 59, 59, 123, 250, 250]),
      lora(6, 7, 250000, 250),
      fsk(7, 250),
      lrfhss(8),
      lrfhss(9),
      lrfhss(10),
      lrfhss(11),
    ],
    channels: [ch(0, 868.1, 125000, 0, 5), ch(1, 868.3, 125000, 0, 5), ch(2, 868.5, 125000, 0, 5)],
    dutyCycle: 0.01,
    rx2: { frequencyHz: 869_525_000, dr: 0 },
    cfList: "frequencies",
  }),
  // US902-928: 64 x 125 kHz (902.3 + 0.2n MHz, DR0..3) + 8 x 500 kHz (903.0 + 1.6n MHz, DR4); 400 ms dwell time
  // channels: RP002-1.0.4 2.5.2 US902-928 Channel Frequencies
  // data rates: RP002-1.0.4 2.5.3 US902-928 Data Rate and End-Device Output Power Encoding
  // M: RP002-1.0.4 2.5.6 US902-928 Maximum Payload Size (one table: DR0 19, DR1 61, DR2 133, DR3/DR4 250)
  us915: () => ({
    name: "us915",
    band: "US902-928",
    dataRates: [
      lora(0, 10, 125000, 19, "up"),
      lora(1, 9, 125000, 61, "up"),
      lora(2, 8, 125000, 133, "up"),
      lora(3, 7, 125000, 250, "up"),
      lora(4, 8, 500000, 250, "up"),
      lrfhss(5),
      lrfhss(6),
      ...downlink500(),
    ],
    channels: fixedPlan(902.3, 903.0, 4, 3),
    subbands: 8,
    dwellTimeMs: 400,
    rx2: { frequencyHz: 923_300_000, dr: 8 },
    cfList: "channel-mask",
  }),
  // AU915-928: 64 x 125 kHz (915.2 + 0.2n MHz, DR0..5) + 8 x 500 kHz (915.9 + 1.6n MHz, DR6); end-devices
  // start with UplinkDwellTime = 1 (400 ms) until a TxParamSetupReq lifts it (LoRaMac-node
  // AU915_DEFAULT_UPLINK_DWELL_TIME, The Things Stack BootDwellTime)
  // channels: RP002-1.0.4 2.8.2 AU915-928 Channel Frequencies
  // data rates: RP002-1.0.4 2.8.3 AU915-928 Data Rate and End-Device Output Power Encoding
  // M: RP002-1.0.4 2.8.6 AU915-928 Maximum Payload Size (UplinkDwellTime = 0 and = 1 columns)
  au915: () => ({
    name: "au915",
    band: "AU915-928",
    dataRates: withDwell(
      [
        ...sf12to7([59, 59, 59, 123, 250, 250]).map((d) => ({ ...d, downlink: false })),
        lora(6, 8, 500000, 250, "up"),
        lrfhss(7),
        ...downlink500(),
      ],
      [null, null, 19, 61, 133, 250, 250],
    ),
    channels: fixedPlan(915.2, 915.9, 6, 5),
    subbands: 8,
    dwellTimeMs: 400,
    rx2: { frequencyHz: 923_300_000, dr: 8 },
    cfList: "channel-mask",
  }),
  // CN470-510: 96 x 125 kHz uplink channels 470.3 + 0.2n MHz (DR0..5), downlink 500.3 + 0.2n; the plan of
  // LoRaWAN RP 1.0.3 and ChirpStack's cn470. RP002-1.0.4 2.9 replaced it with 20/26 MHz antenna plans
  // (other channels, and M from DR1: 31, 94, 172, 250), not modelled here; so the tables cited are 1.0.3's:
  // channels: LoRaWAN Regional Parameters v1.0.3revA 2.7.2 CN470-510 Channel Frequencies
  // data rates: v1.0.3revA 2.7.3 CN470-510 Data Rate and End-point Output Power encoding
  // M: v1.0.3revA 2.7.6 CN470-510 Maximum payload size
  cn470: () => ({
    name: "cn470",
    band: "CN470-510",
    dataRates: [...sf12to7([59, 59, 59, 123, 250, 250]), lora(6, 7, 500000, 250), fsk(7, 250)],
    channels: Array.from({ length: 96 }, (_, n) => ch(n, 470.3 + 0.2 * n, 125000, 0, 5)),
    subbands: 12,
    rx2: { frequencyHz: 505_300_000, dr: 0 },
    cfList: "channel-mask",
  }),
  // AS923(-1): two default channels 923.2 / 923.4 MHz; DR6 SF7/250 kHz, DR7 FSK; the dwell time is
  // set per country, so none is assumed (maxMacPayload is the DwellTime = 0 column)
  // channels: RP002-1.0.4 2.10.2 AS923 Channel Frequencies
  // data rates: RP002-1.0.4 2.10.3 AS923 Data Rate and End-Device Output Power Encoding
  // M: RP002-1.0.4 2.10.6 AS923 Maximum Payload Size (DwellTime = 0 and = 1 columns)
  as923: () => ({
    name: "as923",
    band: "AS923-1",
    dataRates: withDwell(
      [...sf12to7([59, 59, 123, 123, 250, 250]), lora(6, 7, 250000, 250), fsk(7, 250)],
      [null, null, 19, 61, 133, 250, 250, 250],
    ),
    channels: [ch(0, 923.2, 125000, 0, 5), ch(1, 923.4, 125000, 0, 5)],
    rx2: { frequencyHz: 923_200_000, dr: 2 },
    cfList: "frequencies",
  }),
  // KR920-923: three default channels 922.1 / 922.3 / 922.5 MHz, DR0..5; listen before talk, no duty cycle
  // channels: RP002-1.0.4 2.11.2 KR920-923 Channel Frequencies
  // data rates: RP002-1.0.4 2.11.3 KR920-923 Data Rate and End-Device Output Power Encoding
  // M: RP002-1.0.4 2.11.6 KR920-923 Maximum Payload Size
  kr920: () => ({
    name: "kr920",
    band: "KR920-923",
    dataRates: sf12to7([59, 59, 59, 123, 250, 250]),
    channels: [ch(0, 922.1, 125000, 0, 5), ch(1, 922.3, 125000, 0, 5), ch(2, 922.5, 125000, 0, 5)],
    rx2: { frequencyHz: 921_900_000, dr: 0 },
    cfList: "frequencies",
  }),
  // IN865-867: three default channels 865.0625 / 865.4025 / 865.985 MHz; DR7 FSK; no duty cycle
  // channels: RP002-1.0.4 2.12.2 IN865-867 Channel Frequencies
  // data rates: RP002-1.0.4 2.12.3 IN865-867 Data Rate and End-Device Output Power Encoding
  // M: RP002-1.0.4 2.12.6 IN865-867 Maximum Payload Size
  in865: () => ({
    name: "in865",
    band: "IN865-867",
    dataRates: [...sf12to7([59, 59, 59, 123, 250, 250]), fsk(7, 250)],
    channels: [ch(0, 865.0625, 125000, 0, 5), ch(1, 865.4025, 125000, 0, 5), ch(2, 865.985, 125000, 0, 5)],
    rx2: { frequencyHz: 866_550_000, dr: 2 },
    cfList: "frequencies",
  }),
  // RU864-870: two default channels 868.9 / 869.1 MHz; DR6 SF7/250 kHz, DR7 FSK; 1 % duty cycle
  // channels: RP002-1.0.4 2.13.2 RU864-870 Channel Frequencies
  // data rates: RP002-1.0.4 2.13.3 RU864-870 Data Rate and End-Device Output Power Encoding
  // M: RP002-1.0.4 2.13.6 RU864-870 Maximum Payload Size
  ru864: () => ({
    name: "ru864",
    band: "RU864-870",
    dataRates: [...sf12to7([59, 59, 59, 123, 250, 250]), lora(6, 7, 250000, 250), fsk(7, 250)],
    channels: [ch(0, 868.9, 125000, 0, 5), ch(1, 869.1, 125000, 0, 5)],
    dutyCycle: 0.01,
    rx2: { frequencyHz: 869_100_000, dr: 0 },
    cfList: "frequencies",
  }),
};

/**
 * Checks that `x` is a Region as getRegion returns it (its fields of the right types): the
 * functions taking a region read them, and a hand-made or damaged one is BAD_PARAMETER.
 */
export function checkRegion(x: unknown): Region {
  const r = x as Region;
  const isObj = (o: unknown) => typeof o === "object" && o !== null;
  const num = (v: unknown) => typeof v === "number" && Number.isFinite(v);
  if (
    !isObj(x) ||
    typeof r.name !== "string" ||
    typeof r.band !== "string" ||
    !Array.isArray(r.dataRates) ||
    !r.dataRates.every((d) => isObj(d) && num(d.dr) && (d.kind !== "lora" || (num(d.sf) && num(d.bandwidth)))) ||
    !Array.isArray(r.channels) ||
    !r.channels.every(
      (c) => isObj(c) && num(c.frequencyHz) && num(c.bandwidth) && num(c.index) && num(c.minDr) && num(c.maxDr),
    ) ||
    (r.subbands !== undefined && !(Number.isInteger(r.subbands) && r.subbands > 0))
  ) {
    badParameter("region", x, "a Region returned by getRegion");
  }
  return r;
}

/** A region's plan (BAD_PARAMETER naming the allowed names for anything else). */
export function getRegion(name: unknown): Region {
  if (typeof name !== "string" || !(REGION_NAMES as readonly string[]).includes(name.toLowerCase()))
    badParameter("region", name, REGION_NAMES.join(", "));
  return REGIONS[name.toLowerCase() as RegionName]();
}

/**
 * The uplink channels a gateway listens on: a fixed plan's sub-band N (1-based: 8 x 125 kHz channels
 * 8(N-1)..8N-1, and in US915/AU915 the 500 kHz channel 64 + N - 1), or a dynamic plan's default channels.
 */
export function regionChannels(region: Region, subband?: number): UplinkChannel[] {
  checkRegion(region);
  if (subband === undefined) {
    if (region.subbands)
      badParameter(
        "subband",
        subband,
        `a sub-band 1..${region.subbands} (${region.name} has ${region.channels.length} channels; a gateway hears 8 at a time)`,
      );
    return region.channels;
  }
  if (!region.subbands)
    badParameter("subband", subband, `nothing: ${region.name} has no sub-bands (its default channels are used)`);
  if (!Number.isInteger(subband) || subband < 1 || subband > region.subbands)
    badParameter("subband", subband, `1..${region.subbands}`);
  const first = 8 * (subband - 1);
  return region.channels.filter(
    (c) => (c.index >= first && c.index < first + 8) || (c.bandwidth === 500000 && c.index === 64 + subband - 1),
  );
}

/** The data rate of an uplink at (sf, bandwidth) in the region, or undefined when it has none. */
export function uplinkDataRate(region: Region, sf: number, bandwidth: number): DataRate | undefined {
  checkRegion(region);
  checkInt("sf", sf, 5, 12);
  checkNumber("bandwidth", bandwidth, Number.MIN_VALUE, Infinity, "a positive number of Hz");
  return region.dataRates.find((d) => d.uplink && d.kind === "lora" && d.sf === sf && d.bandwidth === bandwidth);
}

/** A data rate by number (throws BAD_PARAMETER for one the region does not define, or that is not LoRa). */
export function dataRate(
  region: Region,
  dr: number,
  direction: "up" | "down" = "up",
): DataRate & { sf: number; bandwidth: number } {
  checkRegion(region);
  checkInt("dr", dr, 0, 15);
  if (direction !== "up" && direction !== "down") badParameter("direction", direction, '"up" or "down"');
  const d = region.dataRates.find((x) => x.dr === dr && (direction === "up" ? x.uplink : x.downlink));
  if (d?.kind !== "lora") {
    const lr = region.dataRates
      .filter((x) => x.kind === "lora" && (direction === "up" ? x.uplink : x.downlink))
      .map((x) => `DR${x.dr}`);
    badParameter("dr", dr, `a LoRa ${direction}link data rate of ${region.name}: ${lr.join(", ")}`);
  }
  return d as DataRate & { sf: number; bandwidth: number };
}

/** Semtech's data rate name, e.g. "SF7BW125". */
export function datrName(sf: number, bandwidth: number): string {
  checkInt("sf", sf, 5, 12);
  checkNumber("bandwidth", bandwidth, Number.MIN_VALUE, Infinity, "a positive number of Hz");
  return `SF${sf}BW${Math.round(bandwidth / 1000)}`;
}

/** The SFs of the uplink data rates of each bandwidth the channels carry: the receivers a gateway needs. */
export function receiverPlan(
  region: Region,
  channels: UplinkChannel[],
): { bandwidth: number; sfs: number[]; channels: UplinkChannel[] }[] {
  checkRegion(region);
  checkArray("channels", channels, 1024, "an array of channels (regionChannels)");
  channels.forEach((c, i) => {
    if (
      typeof c !== "object" ||
      c === null ||
      typeof c.bandwidth !== "number" ||
      typeof c.minDr !== "number" ||
      typeof c.maxDr !== "number"
    )
      badParameter(`channels[${i}]`, c, "a channel { frequencyHz, bandwidth, minDr, maxDr }");
  });
  const byBw = new Map<number, UplinkChannel[]>();
  for (const c of channels) byBw.set(c.bandwidth, [...(byBw.get(c.bandwidth) ?? []), c]);
  return [...byBw.entries()].map(([bandwidth, chs]) => {
    const sfs = new Set<number>();
    for (const c of chs) {
      for (const d of region.dataRates)
        if (d.uplink && d.kind === "lora" && d.bandwidth === bandwidth && d.dr >= c.minDr && d.dr <= c.maxDr)
          sfs.add(d.sf!);
    }
    return { bandwidth, sfs: [...sfs].sort((a, b) => a - b), channels: chs };
  });
}

/** The channel of the plan at `frequencyHz` (within 1 kHz), if any. */
export function channelAt(region: Region, frequencyHz: number, bandwidth?: number): UplinkChannel | undefined {
  checkRegion(region);
  checkNumber("frequencyHz", frequencyHz);
  if (bandwidth !== undefined)
    checkNumber("bandwidth", bandwidth, Number.MIN_VALUE, Infinity, "a positive number of Hz");
  return region.channels.find(
    (c) => Math.abs(c.frequencyHz - frequencyHz) < 1000 && (bandwidth === undefined || c.bandwidth === bandwidth),
  );
}

/** Throws when a region name is combined with an incompatible request; used by the CLI. */
export function checkRegionName(raw: unknown): RegionName {
  if (typeof raw !== "string")
    throw new ChirpError("BAD_PARAMETER", "--region needs a name", {
      parameter: "--region",
      allowed: REGION_NAMES.join(", "),
    });
  try {
    return getRegion(raw).name;
  } catch {
    throw new ChirpError("BAD_PARAMETER", `--region ${raw} is not a region chirpkit knows`, {
      parameter: "--region",
      allowed: REGION_NAMES.join(", "),
    });
  }
}
