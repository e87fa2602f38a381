// `--csv`: one comma-separated line per frame on stdout (a header line first), written as frames
// complete; fields are numbers, words or hex, so none needs quoting.
import type { FrameSink, FrameTime } from "./outputs.js";
import type { ChannelFrame } from "./decode.js";

export const CSV_COLUMNS = [
  "time_s",
  "sample",
  "channel_hz",
  "frequency_hz",
  "sf",
  "bandwidth",
  "data_rate",
  "cr",
  "length",
  "crc",
  "snr_db",
  "cfo_hz",
  "sync_word",
  "payload_hex",
  "confidence",
] as const;

const num = (x: number | null | undefined, digits: number) =>
  x === null || x === undefined || !Number.isFinite(x) ? "" : digits < 0 ? String(x) : x.toFixed(digits);

/** The frame's verdict in one word: ok, bad (CRC failed), none (no CRC), cut (truncated), header (header checksum failed). */
export function crcWord(f: ChannelFrame): string {
  return f.truncated ? "cut" : !f.headerOk ? "header" : f.crcOk === null ? "none" : f.crcOk ? "ok" : "bad";
}

export function csvRow(f: ChannelFrame, time: FrameTime): string {
  const ch = time.channelHz(f);
  return (
    [
      num(time.startS(f) - time.originS, 6),
      String(f.startSample),
      num(ch, 0),
      num(ch === undefined ? undefined : ch + f.cfoHz, 0),
      String(f.sf),
      String(f.bandwidth),
      (f as { dataRate?: string }).dataRate ?? "",
      f.cr === null ? "" : `4/${4 + f.cr}`,
      num(f.payloadLength, -1),
      crcWord(f),
      num(f.snrDb, 2),
      num(f.cfoHz, 1),
      "0x" + f.syncWord.toString(16).padStart(2, "0"),
      f.payloadHex,
      num(f.confidence, 3),
    ].join(",") + "\n"
  );
}

export function openCsv(out: NodeJS.WritableStream, time: FrameTime): FrameSink {
  out.write(CSV_COLUMNS.join(",") + "\n");
  return {
    frame: (f) => void out.write(csvRow(f, time)),
    close: async () => undefined,
  };
}
