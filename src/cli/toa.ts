// `chirp toa`: time on air and symbol count (Semtech SX1276 datasheet 4.1.1.7; SX126x framing see phy/params.ts).
import { ChirpError } from "../errors.js";
import { timeOnAir } from "../phy/params.js";
import { intFlag, parseCommand, type Help } from "./args.js";
import { regionDataRate, regionLimits } from "./toaRegion.js";
import { hexPayload, phyHelp, phyOptions, phyParamsFromFlags, withFlagNames } from "./phyFlags.js";

export const summary = "time on air and symbol count of a LoRa frame";

const help: Help = {
  name: "toa",
  summary,
  usage: "--sf N (--length BYTES | --payload HEX) [options] [--json]",
  options: [
    ...phyHelp,
    ["--length N", "payload length in bytes 0..255"],
    ["--payload HEX", "or the payload itself (its length is used)"],
    [
      "--region R --dr N",
      "the SF and bandwidth of a LoRaWAN data rate (eu868 us915 au915 cn470 as923 kr920 in865 ru864), with its payload limit and duty cycle",
    ],
    ["--json", "print one JSON object"],
  ],
  examples: [
    "chirp toa --region eu868 --dr 0 --length 51",
    "chirp toa --sf 12 --bw 125k --cr 1 --length 51",
    "chirp toa --sf 7 --payload deadbeef --json",
  ],
};

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(
    argv,
    help,
    {
      ...phyOptions,
      length: { type: "string" },
      payload: { type: "string" },
      json: { type: "boolean" },
      region: { type: "string" },
      dr: { type: "string" },
    },
    false,
  );
  if (!p) return 0;
  const reg = regionDataRate(p.values);
  const v = reg ? { ...p.values, sf: String(reg.dr.sf), bw: String(reg.dr.bandwidth) } : p.values;
  const params = phyParamsFromFlags(v);
  let length: number;
  if (v.length !== undefined && v.payload !== undefined) {
    throw new ChirpError("BAD_PARAMETER", "give --length BYTES or --payload HEX, not both", {
      parameter: "--length",
      allowed: "--length or --payload",
    });
  }
  if (v.length !== undefined) length = intFlag("length", v.length, 0, 255);
  else if (v.payload !== undefined) length = hexPayload(v.payload).length;
  else
    throw new ChirpError("BAD_PARAMETER", "give --length BYTES or --payload HEX", {
      parameter: "--length",
      allowed: "0..255",
    });
  const t = withFlagNames(() => timeOnAir(params, length), {
    payloadLength: v.length !== undefined ? "--length" : "--payload",
  });
  const limits = reg ? regionLimits(reg.region, reg.dr, length, t.seconds) : undefined;
  if (v.json) {
    process.stdout.write(
      JSON.stringify({
        ...(limits ? { region: reg!.region.name, dataRate: `DR${reg!.dr.dr}`, ...limits.json } : {}),
        sf: params.sf,
        bandwidth: params.bandwidth,
        cr: params.cr,
        explicitHeader: params.explicitHeader,
        crc: params.crc,
        ldro: params.ldroOn,
        preambleLength: params.preambleLength,
        framing: params.framing,
        payloadLength: length,
        preambleSymbols: t.preambleSymbols,
        payloadSymbols: t.payloadSymbols,
        symbolTime: t.symbolTime,
        seconds: t.seconds,
      }) + "\n",
    );
    return 0;
  }
  const ms = (s: number) => `${(s * 1000).toFixed(3)} ms`;
  process.stdout.write(
    [
      `SF${params.sf}, ${params.bandwidth / 1000} kHz, CR 4/${4 + params.cr}, ${params.explicitHeader ? "explicit" : "implicit"} header, CRC ${params.crc ? "on" : "off"}, LDRO ${params.ldroOn ? "on" : "off"}, ${params.framing} framing, ${length} byte payload`,
      `symbol time     ${ms(t.symbolTime)}`,
      `preamble        ${t.preambleSymbols} symbols (${params.preambleLength} + 2 sync + 2.25 down${params.extraSymbols ? ` + ${params.extraSymbols} up` : ""})  ${ms(t.preambleSymbols * t.symbolTime)}`,
      `payload         ${t.payloadSymbols} symbols (header block included)  ${ms(t.payloadSymbols * t.symbolTime)}`,
      `time on air     ${ms(t.seconds)}`,
      ...(limits ? limits.lines : []),
      "",
    ].join("\n"),
  );
  return 0;
}
