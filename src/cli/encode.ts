// `chirp encode`: payload -> symbol values (--symbols) or a modulated IQ file (-o).
import { writeFileSync } from "node:fs";
import { ChirpError } from "../errors.js";
import { encodeFrame } from "../phy/encoder.js";
import { modulateFrame, frameLayout } from "../phy/modulator.js";
import { oversamplingFor, timeOnAir, type Engine } from "../phy/params.js";
import { checkFormat, formatFromFileName, writeIq } from "../io/formats.js";
import { choiceFlag, numberFlag, parseCommand, type Help } from "./args.js";
import { hexPayload, phyHelp, phyOptions, phyParamsFromFlags } from "./phyFlags.js";

export const summary = "encode a payload into LoRa symbols or a modulated IQ file";

const help: Help = {
  name: "encode",
  summary,
  usage: "--sf N --payload HEX (--symbols | --rate HZ -o FILE) [options]",
  options: [
    ...phyHelp,
    ["--payload HEX", "payload bytes in hex (0..255 bytes; at least 1 with CRC on)"],
    ["--symbols", "print the frame's symbol values (after the preamble, header block included) as JSON"],
    ["--rate HZ", "sample rate, an integer multiple (1..64) of the bandwidth"],
    ["-o, --output FILE", "write the modulated frame (preamble, sync, 2.25 downchirps, payload)"],
    ["--format cf32|cs16|cu8|cs8", "sample format (default: from the file extension, else cf32)"],
    ["--engine wasm|js", "engine (default wasm)"],
  ],
  examples: [
    "chirp encode --sf 7 --cr 1 --bw 125000 --rate 500000 --payload deadbeef -o frame.cf32",
    "chirp encode --sf 9 --payload 48656c6c6f --symbols",
  ],
};

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(argv, help, {
    ...phyOptions,
    payload: { type: "string" },
    symbols: { type: "boolean" },
    rate: { type: "string" },
    output: { type: "string", short: "o" },
    format: { type: "string" },
    engine: { type: "string" },
  }, false);
  if (!p) return 0;
  const v = p.values;
  const params = phyParamsFromFlags(v);
  if (v.payload === undefined) throw new ChirpError("BAD_PARAMETER", "--payload is required (hex bytes, e.g. deadbeef)", { parameter: "--payload" });
  const payload = hexPayload(v.payload);
  const engine = choiceFlag<Engine>("engine", v.engine, ["wasm", "js"], "wasm");
  if (v.symbols && v.output !== undefined) {
    throw new ChirpError("BAD_PARAMETER", "give either --symbols (print symbol values) or -o FILE (write IQ samples), not both", { parameter: "--symbols", allowed: "--symbols or -o FILE" });
  }
  if (v.symbols) {
    process.stdout.write(JSON.stringify(Array.from(encodeFrame(payload, params, { engine }))) + "\n");
    return 0;
  }
  const out = v.output as string | undefined;
  if (!out) throw new ChirpError("BAD_PARAMETER", "give -o FILE to write IQ samples, or --symbols to print symbol values", { parameter: "--output" });
  if (v.rate === undefined) {
    throw new ChirpError("BAD_PARAMETER", `--rate HZ is required with -o: the sample rate, an integer multiple (1..64) of the bandwidth ${params.bandwidth} Hz`, { parameter: "--rate", allowed: "an integer multiple (1..64) of the bandwidth" });
  }
  const k = oversamplingFor(numberFlag("rate", v.rate), params.bandwidth);
  const format = checkFormat(v.format ?? formatFromFileName(out) ?? "cf32", "--format");
  const iq = modulateFrame(payload, params, { oversampling: k, engine });
  const { bytes, clipped } = writeIq(iq, format);
  try {
    writeFileSync(out, bytes);
  } catch (e) {
    throw new ChirpError("IO_ERROR", `cannot write ${out}: ${(e as Error).message}`, { cause: e });
  }
  const layout = frameLayout(params, payload.length, k);
  const toa = timeOnAir(params, payload.length);
  process.stderr.write(
    `wrote ${out}: ${layout.totalSamples} ${format} samples at ${k * params.bandwidth} S/s (${k} per chip), ` +
      `${toa.payloadSymbols} payload symbols, ${(toa.seconds * 1000).toFixed(3)} ms on air` +
      (clipped ? `, ${clipped} values clipped` : "") + "\n",
  );
  return 0;
}
