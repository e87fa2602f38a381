// Cayenne LPP encoding. Libraries round differently (myDevices' Node encoder floors, the C++ and
// Go encoders truncate toward zero); we round to nearest by default and offer the others.
import { ChirpError } from "../errors.js";
import { badParameter, checkInt, showValue as show } from "../errors.js";
import { lppTable, LPP_TYPES, type LppOptions } from "./types.js";

export type LppRounding = "round" | "floor" | "trunc";

export interface LppEncodeOptions extends LppOptions {
  /** Default "round" (half away from zero). */
  rounding?: LppRounding;
  /**
   * Quantize inputs to float32 first, as C/C++ encoders taking `float` do (ElectronicCats:
   * 42.3519f * 10000 truncates to 423518, not 423519).
   */
  float32Input?: boolean;
}

export interface LppInput {
  channel: number;
  /** Type number or name (e.g. 103 or "temperature"). */
  type: number | string;
  value: number | number[];
}

const BY_NAME = new Map(LPP_TYPES.map((d) => [d.name, d.type]));

function checkList(name: string, x: unknown): void {
  if (!Array.isArray(x)) badParameter(name, x === null ? "null" : typeof x, "an array of readings");
  x.forEach((e, i) => {
    if (typeof e !== "object" || e === null) badParameter(`${name}[${i}]`, e === null ? "null" : typeof e, "an object");
  });
}

export function checkOptions(o: unknown): void {
  if (typeof o !== "object" || o === null) badParameter("options", o === null ? "null" : typeof o, "an object");
  const r = (o as LppEncodeOptions).rounding;
  if (r !== undefined && r !== "round" && r !== "floor" && r !== "trunc")
    badParameter("rounding", r, '"round", "floor" or "trunc"');
  const t = (o as LppEncodeOptions).table;
  if (t !== undefined && t !== "extended" && t !== "ttn-legacy") badParameter("table", t, '"extended" or "ttn-legacy"');
}

function roundWith(x: number, r: LppRounding): number {
  // floor and trunc act on the binary product as the libraries do (42.3519 * 1e4 = 423518.99999999994)
  if (r === "floor") return Math.floor(x);
  if (r === "trunc") return Math.trunc(x);
  return Math.sign(x) * Math.round(Math.abs(x));
}

/** Encodes readings; BAD_PARAMETER names the reading whose value does not fit its type. */
export function encodeLpp(readings: LppInput[], o: LppEncodeOptions = {}): Uint8Array {
  checkList("readings", readings);
  checkOptions(o);
  const table = lppTable(o);
  const rounding = o.rounding ?? "round";
  const out: number[] = [];
  readings.forEach((r, idx) => {
    checkInt(`readings[${idx}].channel`, r.channel, 0, 255);
    const type = typeof r.type === "string" ? BY_NAME.get(r.type) : r.type;
    const d = type === undefined ? undefined : table.get(type);
    if (!d)
      throw new ChirpError("BAD_PARAMETER", `readings[${idx}].type ${show(r.type)} is not an LPP type`, {
        parameter: `readings[${idx}].type`,
      });
    const vals = Array.isArray(r.value) ? r.value : [r.value];
    if (vals.length !== d.components.length) {
      throw new ChirpError("BAD_PARAMETER", `${d.name} takes ${d.components.length} value(s), got ${vals.length}`, {
        parameter: `readings[${idx}].value`,
      });
    }
    out.push(r.channel, d.type);
    d.components.forEach((comp, k) => {
      const v = vals[k]!;
      const x = o.float32Input ? Math.fround(v) : v;
      const raw = typeof v === "number" && Number.isFinite(v) ? roundWith(x * comp.divisor, rounding) : NaN;
      const bits = 8 * comp.bytes;
      const lo = comp.signed ? -(2 ** (bits - 1)) : 0;
      const hi = comp.signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
      if (!(raw >= lo && raw <= hi)) {
        throw new ChirpError(
          "BAD_PARAMETER",
          `${d.name} value ${show(v)} does not fit (${lo / comp.divisor}..${hi / comp.divisor})`,
          {
            parameter: `readings[${idx}].value`,
            allowed: `${lo / comp.divisor}..${hi / comp.divisor}`,
          },
        );
      }
      let u = raw < 0 ? raw + 2 ** bits : raw;
      const bytes: number[] = [];
      for (let i = 0; i < comp.bytes; i++) {
        bytes.unshift(u % 256);
        u = Math.floor(u / 256);
      }
      out.push(...bytes);
    });
  });
  return Uint8Array.from(out);
}

/** Encodes TTN's untyped downlink LPP ([channel][int16 / 100]). */
export function encodeLppDownlink(
  values: { channel: number; value: number }[],
  o: { rounding?: LppRounding } = {},
): Uint8Array {
  checkList("values", values);
  checkOptions(o);
  const out: number[] = [];
  values.forEach((v, idx) => {
    checkInt(`values[${idx}].channel`, v.channel, 0, 254);
    const raw = roundWith(v.value * 100, o.rounding ?? "round");
    if (!(raw >= -32768 && raw <= 32767))
      throw new ChirpError("BAD_PARAMETER", `value ${v.value} does not fit -327.68..327.67`, {
        parameter: `values[${idx}].value`,
      });
    const u = raw < 0 ? raw + 65536 : raw;
    out.push(v.channel, u >> 8, u & 0xff);
  });
  return Uint8Array.from(out);
}
