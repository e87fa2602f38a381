// `chirp toa --region R --dr N`: a LoRaWAN data rate's SF and bandwidth, and what the region allows
// of a frame at that rate: the largest MACPayload, the duty cycle's off-time, the dwell time.
import { ChirpError } from "../errors.js";
import { dataRate, getRegion, REGION_NAMES, type DataRate, type Region } from "../lorawan/regions.js";
import { intFlag } from "./args.js";

export function regionDataRate(
  v: Record<string, unknown>,
): { region: Region; dr: DataRate & { sf: number; bandwidth: number } } | undefined {
  if (v.region === undefined && v.dr === undefined) return undefined;
  if (v.region === undefined || v.dr === undefined)
    throw new ChirpError("BAD_PARAMETER", "--region and --dr go together (e.g. --region eu868 --dr 0)", {
      parameter: v.region === undefined ? "--region" : "--dr",
    });
  for (const k of ["sf", "bw"] as const) {
    if (v[k] !== undefined)
      throw new ChirpError(
        "BAD_PARAMETER",
        `--${k} and --dr cannot be combined: the data rate sets the SF and bandwidth`,
        { parameter: `--${k}` },
      );
  }
  const region = regionFlag(v.region);
  const n = intFlag("dr", v.dr, 0, 15);
  try {
    return { region, dr: dataRate(region, n) };
  } catch (e) {
    throw new ChirpError(
      "BAD_PARAMETER",
      `--dr ${n}: ${(e as Error).message.replace(/^dr = \d+ is not allowed; allowed: /, "allowed: ")}`,
      { parameter: "--dr" },
    );
  }
}

/** The region's limits for a frame of `length` bytes (the PHYPayload) lasting `seconds` on air. */
export function regionLimits(
  region: Region,
  dr: DataRate,
  length: number,
  seconds: number,
): { lines: string[]; json: Record<string, unknown> } {
  const lines = [`${region.band} DR${dr.dr}   SF${dr.sf} / ${dr.bandwidth! / 1000} kHz`];
  const json: Record<string, unknown> = {};
  // Under the region's dwell time a second payload column applies where the table has one (AU915)
  const dwellM = region.dwellTimeMs !== undefined ? dr.maxMacPayloadDwell : undefined;
  if (dwellM === null) {
    json.maxPhyPayload = null;
    lines.push(
      `max payload     none: DR${dr.dr} cannot be used under the ${region.dwellTimeMs} ms dwell time (M = ${dr.maxMacPayload} B without it)`,
    );
  } else if (dr.maxMacPayload !== undefined) {
    const m = dwellM ?? dr.maxMacPayload;
    // PHYPayload = MHDR (1) + MACPayload + MIC (4)
    const maxPhy = m + 5;
    json.maxPhyPayload = maxPhy;
    const other =
      dwellM !== undefined && dwellM !== dr.maxMacPayload ? `; ${dr.maxMacPayload} B without the dwell time` : "";
    lines.push(
      `max payload     ${maxPhy} B PHYPayload (MACPayload M = ${m} B${other}): ${length <= maxPhy ? "fits" : `${length} B is too long`}`,
    );
  }
  if (region.dutyCycle !== undefined) {
    // a transmission of T seconds at duty cycle d must be followed by T (1/d - 1) seconds of silence
    const off = seconds * (1 / region.dutyCycle - 1);
    const perHour = Math.floor((3600 * region.dutyCycle) / seconds);
    json.dutyCycle = region.dutyCycle;
    json.offTimeSeconds = +off.toFixed(3);
    json.framesPerHour = perHour;
    lines.push(
      `duty cycle      ${region.dutyCycle * 100} %: at least ${off.toFixed(2)} s off after each frame, at most ${perHour} such frames per hour`,
    );
  } else
    lines.push(
      `duty cycle      none in ${region.band}${region.name === "kr920" ? " (listen before talk instead)" : ""}`,
    );
  if (region.dwellTimeMs !== undefined) {
    json.dwellTimeSeconds = region.dwellTimeMs / 1000;
    lines.push(
      `dwell time      ${region.dwellTimeMs} ms per uplink: ${seconds * 1000 <= region.dwellTimeMs ? "within it" : "over it"}`,
    );
  }
  return { lines, json };
}

/** The region a `--region` flag names (`chirp toa` and `chirp decode`), or a typed error listing the known ones. */
export function regionFlag(value: unknown): Region {
  try {
    return getRegion(value);
  } catch {
    throw new ChirpError("BAD_PARAMETER", `--region ${String(value)} is not a region chirpkit knows`, {
      parameter: "--region",
      allowed: REGION_NAMES.join(", "),
    });
  }
}
