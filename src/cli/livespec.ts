// Flags of `chirp decode` that only a live source (stdin, FIFO, rtl-tcp://) takes, and what is one.
import { existsSync, statSync } from "node:fs";
import { ChirpError } from "../errors.js";
import type { OptionSpec } from "./args.js";

export const liveSpec = {
  duration: { type: "string" },
  gain: { type: "string" },
} as const satisfies OptionSpec;

export const liveHelp: [string, string][] = [
  [
    "- | FIFO | /dev/stdin",
    "stream samples from standard input or a named pipe (--format and --rate needed); frames print as they complete",
  ],
  [
    "rtl-tcp://HOST:PORT",
    "stream from an rtl_tcp server (cu8; --center and --rate are sent to it); reconnects when dropped",
  ],
  ["--gain DB", "rtl-tcp: manual tuner gain in dB (default: automatic)"],
  ["--duration S", "stream: stop after S seconds of samples"],
];

export function rejectLiveFlags(v: Record<string, unknown>): void {
  for (const k of ["duration", "gain"] as const) {
    if (v[k] !== undefined)
      throw new ChirpError(
        "BAD_PARAMETER",
        `--${k} only with a stream (-, a FIFO or rtl-tcp://HOST:PORT); a file is decoded whole`,
        { parameter: `--${k}` },
      );
  }
}

/** Whether a decode argument is a stream rather than a file: -, /dev/stdin, a FIFO or rtl-tcp://. */
export function isLiveSource(arg: string): boolean {
  if (arg === "-" || arg === "/dev/stdin" || arg.startsWith("rtl-tcp://")) return true;
  try {
    return existsSync(arg) && statSync(arg).isFIFO();
  } catch {
    return false;
  }
}
