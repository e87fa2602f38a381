// `chirp encode`: payload -> symbol values (--symbols) or a modulated IQ file (-o).
import { ChirpError } from "../errors.js";
import { encodeFrame } from "../phy/encoder.js";
import { modulateFrame, frameLayout } from "../phy/modulator.js";
import { oversamplingFor, timeOnAir, type Engine, type ResolvedParams } from "../phy/params.js";
import { checkFormat } from "../io/formats.js";
import type { SigmfAnnotation } from "../io/index.js";
import { choiceFlag, numberFlag, optNumber, parseCommand, type Help } from "./args.js";
import { chooseOutputFormat, writeRecording } from "./writer.js";
import { hexPayload, phyHelp, phyOptions, phyParamsFromFlags, withFlagNames } from "./phyFlags.js";
import { badParameter } from "../errors.js";
import { hex } from "../hex.js";

/** Library parameter names that come from --payload. */
const PAYLOAD = { "payload length": "--payload", payloadLength: "--payload", payload: "--payload" };

export const summary = "encode a payload into LoRa symbols or a modulated IQ file";

const help: Help = {
  name: "encode",
  summary,
  usage: "--sf N --payload HEX (--symbols | --rate HZ -o FILE) [options]",
  options: [
    ...phyHelp,
    ["--iq normal|inverted", "IQ polarity (default normal; inverted = the complex conjugate, as LoRaWAN downlinks)"],
    ["--payload HEX", "payload bytes in hex (0..255 bytes; at least 1 with CRC on)"],
    ["--symbols", "print the frame's symbol values (after the preamble, header block included) as JSON"],
    ["--rate HZ", "sample rate, an integer multiple (1..64) of the bandwidth"],
    [
      "-o, --output FILE",
      "write the modulated frame (preamble, sync, 2.25 downchirps, payload) with SigMF metadata: NAME (-> NAME.sigmf-data + .sigmf-meta), NAME.sigmf (archive) or NAME.cs16 etc. (raw + NAME.sigmf-meta)",
    ],
    ["--format cf32|cs16|cu8|cs8", "sample format (default: from the file extension, else cf32)"],
    ["--center F", "centre frequency written to the SigMF metadata (Hz, e.g. 868.1M)"],
    ["--engine wasm|js", "engine (default wasm)"],
  ],
  examples: [
    "chirp encode --sf 7 --cr 1 --bw 125000 --rate 500000 --payload deadbeef -o frame.cf32",
    "chirp encode --sf 9 --bw 125k --rate 250k --center 868.1M --payload 48656c6c6f -o hello.sigmf",
    "chirp encode --sf 9 --payload 48656c6c6f --symbols",
  ],
};

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(
    argv,
    help,
    {
      ...phyOptions,
      iq: { type: "string" },
      payload: { type: "string" },
      symbols: { type: "boolean" },
      rate: { type: "string" },
      output: { type: "string", short: "o" },
      format: { type: "string" },
      center: { type: "string" },
      engine: { type: "string" },
    },
    false,
  );
  if (!p) return 0;
  const v = p.values;
  const params = phyParamsFromFlags(v);
  if (v.payload === undefined)
    throw new ChirpError("BAD_PARAMETER", "--payload is required (hex bytes, e.g. deadbeef)", {
      parameter: "--payload",
    });
  const payload = hexPayload(v.payload);
  // SX1276: a zero payload length is not permitted with CRC on (see checkPayloadLength)
  if (params.crc && payload.length === 0)
    badParameter("--payload", "(empty)", "1..255 bytes with CRC on (0..255 with --no-crc)");
  const engine = choiceFlag<Engine>("engine", v.engine, ["wasm", "js"], "wasm");
  if (v.symbols && v.output !== undefined) {
    throw new ChirpError(
      "BAD_PARAMETER",
      "give either --symbols (print symbol values) or -o FILE (write IQ samples), not both",
      { parameter: "--symbols", allowed: "--symbols or -o FILE" },
    );
  }
  if (v.symbols) {
    process.stdout.write(
      JSON.stringify(Array.from(withFlagNames(() => encodeFrame(payload, params, { engine }), PAYLOAD))) + "\n",
    );
    return 0;
  }
  const out = v.output as string | undefined;
  if (!out)
    throw new ChirpError("BAD_PARAMETER", "give -o FILE to write IQ samples, or --symbols to print symbol values", {
      parameter: "--output",
    });
  if (v.rate === undefined) {
    throw new ChirpError(
      "BAD_PARAMETER",
      `--rate HZ is required with -o: the sample rate, an integer multiple (1..64) of the bandwidth ${params.bandwidth} Hz`,
      { parameter: "--rate", allowed: "an integer multiple (1..64) of the bandwidth" },
    );
  }
  const k = withFlagNames(() => oversamplingFor(numberFlag("rate", v.rate), params.bandwidth));
  const format = chooseOutputFormat(out, v.format !== undefined ? checkFormat(v.format, "--format") : undefined);
  const center = optNumber("center", v.center);
  const iq = withFlagNames(() => modulateFrame(payload, params, { oversampling: k, engine }), PAYLOAD);
  const sampleRate = k * params.bandwidth;
  const w = writeRecording(out, iq, {
    format,
    sampleRate,
    ...(center !== undefined ? { centerFrequency: center } : {}),
    description: `chirpkit encode: one LoRa frame, SF${params.sf}, ${params.bandwidth} Hz, CR 4/${4 + params.cr}, ${payload.length} byte payload, ${params.framing} framing${params.invertIq ? ", inverted IQ" : ""}`,
    annotations: [frameAnnotation(payload, params, k, center)],
  });
  const clipped = w.clipped;
  const layout = frameLayout(params, payload.length, k);
  const toa = timeOnAir(params, payload.length);
  process.stderr.write(
    `wrote ${w.data}${w.meta !== w.data ? ` (metadata ${w.meta})` : ""}: ${layout.totalSamples} ${format} samples at ${sampleRate} S/s (${k} per chip), ` +
      `${toa.payloadSymbols} payload symbols, ${(toa.seconds * 1000).toFixed(3)} ms on air` +
      (clipped ? `, ${clipped} values clipped` : "") +
      "\n",
  );
  return 0;
}

/** The SigMF annotation of the encoded frame: where it is, what was sent and with which parameters. */
export function frameAnnotation(
  payload: Uint8Array,
  params: ResolvedParams,
  oversampling: number,
  center?: number,
): SigmfAnnotation {
  const layout = frameLayout(params, payload.length, oversampling);
  const payloadHex = hex(payload);
  const a: SigmfAnnotation = {
    sampleStart: 0,
    sampleCount: layout.totalSamples,
    label: `LoRa SF${params.sf} ${params.crc ? "CRC on" : "no CRC"} ${payload.length} B`,
    comment: payloadHex,
    extra: {
      "chirpkit:payload_hex": payloadHex,
      "chirpkit:sf": params.sf,
      "chirpkit:bandwidth": params.bandwidth,
      "chirpkit:cr": params.cr,
      "chirpkit:explicit_header": params.explicitHeader,
      "chirpkit:crc": params.crc,
      "chirpkit:ldro": params.ldroOn,
      "chirpkit:sync_word": params.syncWord,
      "chirpkit:preamble_length": params.preambleLength,
      "chirpkit:framing": params.framing,
      "chirpkit:invert_iq": params.invertIq,
    },
  };
  if (center !== undefined) {
    a.freqLowerEdge = center - params.bandwidth / 2;
    a.freqUpperEdge = center + params.bandwidth / 2;
  }
  return a;
}
