// Cayenne LPP decoding: repeated [channel][type][value big-endian]; malformed input is a typed
// ChirpError (TOO_SHORT for a value cut short, BAD_INPUT for an unknown type), never a guess.
import { ChirpError } from "../errors.js";
import { lppTable, type LppOptions } from "./types.js";
import { checkOptions } from "./encode.js";

export interface LppReading {
  channel: number;
  type: number;
  name: string;
  /** A number, or an array for vector types (accelerometer, gyrometer, colour, gps). */
  value: number | number[];
  unit: string;
}

function readBe(b: Uint8Array, off: number, n: number, signed: boolean): number {
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + b[off + i]!;
  if (signed && v >= 2 ** (8 * n - 1)) v -= 2 ** (8 * n);
  return v;
}

/** Decodes an uplink LPP payload into readings (in payload order; a channel may repeat). */
export function decodeLpp(bytes: Uint8Array, o: LppOptions = {}): LppReading[] {
  if (!(bytes instanceof Uint8Array))
    throw new ChirpError("BAD_PARAMETER", "LPP payload must be a Uint8Array", { parameter: "bytes" });
  checkOptions(o);
  const table = lppTable(o);
  const out: LppReading[] = [];
  let i = 0;
  while (i < bytes.length) {
    if (i + 2 > bytes.length)
      throw new ChirpError("TOO_SHORT", `LPP: channel ${bytes[i]} at offset ${i} has no type byte`);
    const channel = bytes[i]!;
    const type = bytes[i + 1]!;
    const d = table.get(type);
    if (!d && type === 240)
      throw new ChirpError(
        "BAD_INPUT",
        `LPP: type 240 (ElectronicCats polyline, variable length) on channel ${channel} is not supported`,
        { parameter: "type" },
      );
    if (!d)
      throw new ChirpError(
        "BAD_INPUT",
        `LPP: unknown type ${type} (0x${type.toString(16).padStart(2, "0")}) on channel ${channel} at offset ${i + 1}`,
        { parameter: "type" },
      );
    let size = 0;
    for (const comp of d.components) size += comp.bytes;
    if (i + 2 + size > bytes.length) {
      throw new ChirpError(
        "TOO_SHORT",
        `LPP: ${d.name} on channel ${channel} needs ${size} bytes, ${bytes.length - i - 2} left`,
      );
    }
    let off = i + 2;
    const vals: number[] = [];
    for (const comp of d.components) {
      vals.push(readBe(bytes, off, comp.bytes, comp.signed) / comp.divisor);
      off += comp.bytes;
    }
    out.push({ channel, type, name: d.name, value: vals.length === 1 ? vals[0]! : vals, unit: d.unit });
    i = off;
  }
  return out;
}

/**
 * Decodes The Things Network's untyped downlink LPP: [channel][int16 big-endian / 100] repeated,
 * ending at the data or at a 0xFF channel byte (go-cayenne-lib decoder).
 */
export function decodeLppDownlink(bytes: Uint8Array): { channel: number; value: number }[] {
  if (!(bytes instanceof Uint8Array))
    throw new ChirpError("BAD_PARAMETER", "LPP payload must be a Uint8Array", { parameter: "bytes" });
  const out: { channel: number; value: number }[] = [];
  let i = 0;
  while (i < bytes.length && bytes[i] !== 0xff) {
    if (i + 3 > bytes.length)
      throw new ChirpError(
        "TOO_SHORT",
        `LPP downlink: channel ${bytes[i]} needs 2 value bytes, ${bytes.length - i - 1} left`,
      );
    out.push({ channel: bytes[i]!, value: readBe(bytes, i + 1, 2, true) / 100 });
    i += 3;
  }
  return out;
}
