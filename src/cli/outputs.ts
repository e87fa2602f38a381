// Where `chirp decode` sends frames besides its table or JSON lines: --csv (stdout), --pcap FILE
// (LoRaTap for Wireshark) and --forward udp://HOST:PORT (Semtech UDP packet forwarder). Each is a
// sink that takes frames as they complete and is closed once at the end (flush, summary).
import { ChirpError } from "../errors.js";
import type { ChannelFrame } from "./decode.js";
import type { Recording } from "./recording.js";
import type { OptionSpec } from "./args.js";

export const outputSpec = {
  csv: { type: "boolean" },
  pcap: { type: "string" },
  forward: { type: "string" },
  "gateway-eui": { type: "string" },
  "forward-bad-crc": { type: "boolean" },
} as const satisfies OptionSpec;

export const outputHelp: [string, string][] = [
  ["--csv", "one comma-separated line per frame on stdout (header line first)"],
  ["--pcap FILE", "also write the frames to FILE as LoRaTap pcap (Wireshark dissects the LoRaWAN)"],
  ["--forward udp://HOST:PORT", "also send the frames to a LoRaWAN network server as a Semtech UDP packet forwarder"],
  ["--gateway-eui EUI", "the gateway EUI the forwarder announces (16 hex digits; default 0000000000000000)"],
  ["--forward-bad-crc", "forward frames whose CRC failed too (stat -1); default: only good ones"],
];

/** Absolute times and channel frequencies of frames of one recording or stream. */
export interface FrameTime {
  /** Unix time of sample 0, seconds (SigMF core:datetime, else the wall clock when decoding started). */
  originS: number;
  sampleRate: number;
  startS(f: ChannelFrame): number;
  endS(f: ChannelFrame): number;
  /** The channel's centre frequency, Hz, when the recording's centre is known. */
  channelHz(f: ChannelFrame): number | undefined;
  /** The recording's centre frequency, Hz, when known. */
  centerFrequency?: number;
  /** The receiver's channel list (Hz), when known: a frame's rxpk.chan is its index there. */
  channels?: number[];
}

export interface FrameSink {
  frame(f: ChannelFrame): void;
  /** Flushes and closes; returns a summary line for stderr, if any. */
  close(): Promise<string | undefined>;
}

/** The first capture's core:datetime as Unix seconds (undefined when absent or unreadable). */
function recordingStart(rec: Pick<Recording, "sigmf">): number | undefined {
  const dt = rec.sigmf?.info.doc.captures?.[0]?.["core:datetime"];
  if (typeof dt !== "string") return undefined;
  const ms = Date.parse(dt);
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : undefined;
}

export function frameTime(
  rec: Pick<Recording, "sigmf" | "centerFrequency">,
  sampleRate: number,
  o: { originS?: number; channels?: number[] } = {},
): FrameTime {
  const origin = o.originS ?? recordingStart(rec) ?? Date.now() / 1000;
  const center = rec.centerFrequency;
  return {
    ...(o.channels ? { channels: o.channels } : {}),
    ...(center !== undefined ? { centerFrequency: center } : {}),
    originS: origin,
    sampleRate,
    startS: (f) => origin + f.startSample / sampleRate,
    endS: (f) => origin + (Number.isFinite(f.endSample) ? f.endSample : f.startSample) / sampleRate,
    channelHz: (f) => f.channelHz ?? (center !== undefined ? center + (f.channelOffsetHz ?? 0) : undefined),
  };
}

export interface Outputs {
  /** --csv: stdout carries CSV lines instead of the table. */
  csv: boolean;
  frame(f: ChannelFrame): void;
  /** Closes every sink; their summaries go to stderr unless quiet. */
  close(quiet?: boolean): Promise<void>;
}

/** Opens the sinks the flags ask for (each checks its own flags before any decoding). */
export async function openOutputs(v: Record<string, unknown>, time: FrameTime): Promise<Outputs> {
  if (v.csv && v.json)
    throw new ChirpError("BAD_PARAMETER", "give --json or --csv, not both", {
      parameter: "--csv",
      allowed: "--json or --csv",
    });
  if (v["gateway-eui"] !== undefined && v.forward === undefined)
    throw new ChirpError("BAD_PARAMETER", "--gateway-eui only with --forward udp://HOST:PORT", {
      parameter: "--gateway-eui",
    });
  if (v["forward-bad-crc"] && v.forward === undefined)
    throw new ChirpError("BAD_PARAMETER", "--forward-bad-crc only with --forward udp://HOST:PORT", {
      parameter: "--forward-bad-crc",
    });
  const sinks: FrameSink[] = [];
  if (v.csv) sinks.push((await import("./csv.js")).openCsv(process.stdout, time));
  if (typeof v.pcap === "string") sinks.push((await import("./pcap.js")).openPcap(v.pcap, time));
  if (typeof v.forward === "string") {
    const { openForwarder } = await import("./forward.js");
    sinks.push(
      await openForwarder(v.forward, time, {
        gatewayEui: v["gateway-eui"] as string | undefined,
        badCrc: !!v["forward-bad-crc"],
      }),
    );
  }
  return {
    csv: !!v.csv,
    frame(f) {
      for (const s of sinks) s.frame(f);
    },
    async close(quiet = false) {
      for (const s of sinks) {
        const line = await s.close();
        if (line && !quiet) process.stderr.write(`${line}\n`);
      }
    },
  };
}

/** Flags that only a single-recording decode takes (a batch has no one stream to send them). */
export function rejectInBatch(v: Record<string, unknown>): void {
  for (const k of ["pcap", "forward", "csv", "region"] as const) {
    if (v[k] !== undefined && v[k] !== false)
      throw new ChirpError(
        "BAD_PARAMETER",
        `--${k} decodes one recording or stream at a time, not a batch (several files, a directory or --resume)`,
        { parameter: `--${k}` },
      );
  }
}
