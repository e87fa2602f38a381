// `--pcap FILE`: decoded frames as LoRaTap packets in a pcap file (src/io/loratap.ts), written as
// they complete so a live run can be followed with `tail -c +1 -f FILE | wireshark -k -i -`.
import { closeSync, openSync, writeSync } from "node:fs";
import { ChirpError } from "../errors.js";
import { loraTapPacket, pcapGlobalHeader, pcapRecord } from "../io/index.js";
import { writeFailure } from "./writer.js";
import type { FrameSink, FrameTime } from "./outputs.js";

export function openPcap(path: string, time: FrameTime): FrameSink {
  let fd: number;
  try {
    fd = openSync(path, "w");
    writeSync(fd, pcapGlobalHeader());
  } catch (e) {
    throw new ChirpError("BAD_PARAMETER", `--pcap cannot write ${path}: ${writeFailure(e)}`, { parameter: "--pcap" });
  }
  let written = 0;
  return {
    frame(f) {
      // LoRaTap v0 has no CRC flag: only frames whose bytes are good data (CRC ok, or no CRC) go in.
      if (f.truncated || !f.headerOk || f.crcOk === false) return;
      const packet = loraTapPacket(
        { frequencyHz: time.channelHz(f) ?? 0, bandwidth: f.bandwidth, sf: f.sf, snrDb: f.snrDb, syncWord: f.syncWord },
        f.payload,
      );
      writeSync(fd, pcapRecord(time.startS(f), packet));
      written++;
    },
    async close() {
      closeSync(fd);
      return `wrote ${written} frame(s) to ${path}`;
    },
  };
}
