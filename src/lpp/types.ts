import { badParameter } from "../errors.js";
// The Cayenne LPP type table: LPP type = IPSO Smart Object id - 3200; values big-endian.
// Original v1 types from myDevices' cayenne-docs (LORA.md); extended types as in the
// ElectronicCats CayenneLPP library (src/CayenneLPP.h); "load" (122) from smlng/pycayennelpp.

export interface LppComponent {
  bytes: number;
  /** Raw integer / divisor = value (e.g. 10 for 0.1 resolution). */
  divisor: number;
  signed: boolean;
}

export interface LppType {
  type: number;
  name: string;
  unit: string;
  /** One entry for scalars; several (x/y/z, lat/lon/alt, r/g/b) for vectors. */
  components: LppComponent[];
  /** Names of the components of a vector value. */
  componentNames?: string[];
}

const c = (bytes: number, divisor: number, signed: boolean): LppComponent => ({ bytes, divisor, signed });

export const LPP_TYPES: readonly LppType[] = [
  { type: 0, name: "digital_input", unit: "", components: [c(1, 1, false)] },
  { type: 1, name: "digital_output", unit: "", components: [c(1, 1, false)] },
  { type: 2, name: "analog_input", unit: "", components: [c(2, 100, true)] },
  { type: 3, name: "analog_output", unit: "", components: [c(2, 100, true)] },
  { type: 100, name: "generic_sensor", unit: "", components: [c(4, 1, false)] },
  { type: 101, name: "illuminance", unit: "lx", components: [c(2, 1, false)] },
  { type: 102, name: "presence", unit: "", components: [c(1, 1, false)] },
  { type: 103, name: "temperature", unit: "°C", components: [c(2, 10, true)] },
  { type: 104, name: "relative_humidity", unit: "%RH", components: [c(1, 2, false)] },
  {
    type: 113,
    name: "accelerometer",
    unit: "g",
    components: [c(2, 1000, true), c(2, 1000, true), c(2, 1000, true)],
    componentNames: ["x", "y", "z"],
  },
  { type: 115, name: "barometric_pressure", unit: "hPa", components: [c(2, 10, false)] },
  { type: 116, name: "voltage", unit: "V", components: [c(2, 100, false)] },
  { type: 117, name: "current", unit: "A", components: [c(2, 1000, false)] },
  { type: 118, name: "frequency", unit: "Hz", components: [c(4, 1, false)] },
  { type: 120, name: "percentage", unit: "%", components: [c(1, 1, false)] },
  { type: 121, name: "altitude", unit: "m", components: [c(2, 1, true)] },
  { type: 122, name: "load", unit: "kg", components: [c(3, 1000, true)] },
  { type: 125, name: "concentration", unit: "ppm", components: [c(2, 1, false)] },
  { type: 128, name: "power", unit: "W", components: [c(2, 1, false)] },
  { type: 130, name: "distance", unit: "m", components: [c(4, 1000, false)] },
  { type: 131, name: "energy", unit: "kWh", components: [c(4, 1000, false)] },
  { type: 132, name: "direction", unit: "°", components: [c(2, 1, false)] },
  { type: 133, name: "unix_time", unit: "s", components: [c(4, 1, false)] },
  {
    type: 134,
    name: "gyrometer",
    unit: "°/s",
    components: [c(2, 100, true), c(2, 100, true), c(2, 100, true)],
    componentNames: ["x", "y", "z"],
  },
  {
    type: 135,
    name: "colour",
    unit: "",
    components: [c(1, 1, false), c(1, 1, false), c(1, 1, false)],
    componentNames: ["r", "g", "b"],
  },
  {
    type: 136,
    name: "gps",
    unit: "°,°,m",
    components: [c(3, 10000, true), c(3, 10000, true), c(3, 100, true)],
    componentNames: ["latitude", "longitude", "altitude"],
  },
  { type: 142, name: "switch", unit: "", components: [c(1, 1, false)] },
];

/**
 * The legacy table of TheThingsNetwork/go-cayenne-lib's cayennelpp sub-package (2017), whose
 * sizes for 116..131 differ from the extended table (cayennelpp/types.go there).
 */
export const TTN_LEGACY_OVERRIDES: readonly LppType[] = [
  { type: 116, name: "voltage", unit: "V", components: [c(2, 100, true)] },
  { type: 117, name: "current", unit: "A", components: [c(2, 100, true)] },
  { type: 118, name: "frequency", unit: "Hz", components: [c(2, 100, true)] },
  { type: 131, name: "energy", unit: "kWh", components: [c(3, 100, false)] },
];

export interface LppOptions {
  /** "extended" (default: ElectronicCats / pycayennelpp sizes) or "ttn-legacy". */
  table?: "extended" | "ttn-legacy";
  /** Read voltage (116) as signed, as ElectronicCats' C++ getTypeSigned() does (default false). */
  voltageSigned?: boolean;
  /** Read current (117) as signed (default false). */
  currentSigned?: boolean;
}

const cache = new Map<string, Map<number, LppType>>();

/** The type table for the given options, by type number. */
export function lppTable(o: LppOptions = {}): Map<number, LppType> {
  if (typeof o !== "object" || o === null || Array.isArray(o))
    badParameter("options", o, "an object { table?, voltageSigned?, currentSigned? }");
  if (o.table !== undefined && o.table !== "extended" && o.table !== "ttn-legacy")
    badParameter("table", o.table, '"extended" or "ttn-legacy"');
  const key = `${o.table ?? "extended"}|${!!o.voltageSigned}|${!!o.currentSigned}`;
  let t = cache.get(key);
  if (t) return t;
  t = new Map(LPP_TYPES.map((d) => [d.type, d]));
  if (o.table === "ttn-legacy") for (const d of TTN_LEGACY_OVERRIDES) t.set(d.type, d);
  for (const [ty, on] of [
    [116, o.voltageSigned],
    [117, o.currentSigned],
  ] as const) {
    const d = t.get(ty)!;
    if (on) t.set(ty, { ...d, components: d.components.map((x) => ({ ...x, signed: true })) });
  }
  cache.set(key, t);
  return t;
}
