// Cayenne LPP: every vector of ../shared/vectors/cayenne-lpp.json (decode, re-encode, the
// documented divergences as options, malformed input as typed errors).
import { describe, expect, it } from "vitest";
import { describeShared, readSharedJson } from "./shared.js";
import {
  decodeLpp,
  decodeLppDownlink,
  encodeLpp,
  encodeLppDownlink,
  LPP_TYPES,
  type LppReading,
} from "../src/lpp/index.js";
import { fromHex, toHex } from "../src/lorawan/index.js";
import { ChirpError } from "../src/errors.js";

function expectReadings(got: LppReading[], want: { channel: number; type: number; value: number | number[] }[]): void {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => {
    const g = got[i]!;
    expect(g.channel).toBe(w.channel);
    expect(g.type).toBe(w.type);
    if (Array.isArray(w.value)) {
      expect(Array.isArray(g.value)).toBe(true);
      (w.value as number[]).forEach((x, k) => expect((g.value as number[])[k]).toBeCloseTo(x, 9));
    } else expect(g.value as number).toBeCloseTo(w.value, 9);
  });
}

const ERROR_CODES: Record<string, string> = {
  "ttn-lib-short-gps-error": "TOO_SHORT",
  "ttn-lib-unknown-type-error": "BAD_INPUT",
  "ec-decoder-unknown-type": "BAD_INPUT",
  "ec-decoder-overflow": "TOO_SHORT",
};

describeShared("cayenne-lpp.json", () => {
  const V = readSharedJson("vectors", "cayenne-lpp.json");

  it("our type table matches the published one (type, name, size, resolution, signedness)", () => {
    for (const t of V.type_table) {
      const ours = LPP_TYPES.find((d) => d.type === t.lpp_type)!;
      expect(ours, t.name).toBeDefined();
      expect(ours.name).toBe(t.name);
      expect(ours.components.reduce((s, c) => s + c.bytes, 0)).toBe(t.data_size_bytes);
      expect(ours.components.length).toBe(t.components);
      ours.components.forEach((c, k) => {
        expect(1 / c.divisor).toBeCloseTo(t.resolution[k], 12);
        expect(c.signed).toBe(t.signed[k]);
      });
      expect(t.ipso_object - 3200).toBe(t.lpp_type);
    }
  });

  for (const v of V.vectors) {
    it(v.id, () => {
      const bytes = fromHex(v.hex);
      if (v.expect_error) {
        let err: unknown;
        try {
          decodeLpp(bytes);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(ChirpError);
        expect((err as ChirpError).code).toBe(ERROR_CODES[v.id]);
        return;
      }
      if (v.expected_downlink) {
        expect(decodeLppDownlink(bytes)).toEqual(v.expected_downlink);
        expect(toHex(encodeLppDownlink(v.expected_downlink))).toBe(v.hex);
        const x = v.extra_downlink_vector;
        expect(decodeLppDownlink(fromHex(x.hex))).toEqual(x.expected);
        expect(toHex(encodeLppDownlink(x.expected))).toBe(x.hex.replace(/ff$/, ""));
        return;
      }
      if (v.expected_ttn_legacy) {
        expectReadings(decodeLpp(bytes, { table: "ttn-legacy" }), v.expected_ttn_legacy);
        expect(toHex(encodeLpp(v.expected_ttn_legacy, { table: "ttn-legacy" }))).toBe(v.hex);
        // with the extended table the same bytes decode without error but misaligned
        const ext = decodeLpp(bytes);
        expect(ext.map((r) => r.channel)).not.toEqual(v.expected_ttn_legacy.map((r: any) => r.channel));
        return;
      }
      const got = decodeLpp(bytes);
      expectReadings(got, v.expected);
      for (const r of got) {
        const d = LPP_TYPES.find((t) => t.type === r.type)!;
        expect(r.name).toBe(d.name);
        expect(r.unit).toBe(d.unit);
      }
      // re-encoding the decoded readings reproduces the bytes (values are exact multiples)
      expect(toHex(encodeLpp(got))).toBe(v.hex);
      if (v.id === "ttn-lib-uplink-all-v1-types") {
        // encoder truncates toward zero in the Go library
        expect(
          toHex(
            encodeLpp([{ channel: 7, type: "temperature", value: v.encoder_inputs.temperature }], {
              rounding: "trunc",
            }),
          ),
        ).toBe("0767ff64");
        expect(toHex(encodeLpp([{ channel: 8, type: "relative_humidity", value: 49.65 }], { rounding: "trunc" }))).toBe(
          "0868" + v.encoder_inputs.humidity_encoder_byte,
        );
      }
      if (v.id === "mydevices-node-multi-floor-rounding") {
        const inp = v.encoder_inputs;
        const readings = [
          { channel: 13, type: 2, value: inp.analog_in },
          { channel: 99, type: 103, value: inp.temperature },
          { channel: 10, type: 0, value: inp.digital_in },
        ];
        expect(toHex(encodeLpp(readings, { rounding: "floor" }))).toBe(v.hex); // myDevices Node floors
        expect(toHex(encodeLpp(readings, { rounding: "trunc" })).slice(0, 8)).toBe("0d02fadf");
        expect(toHex(encodeLpp(readings)).slice(0, 8)).toBe("0d02fadf"); // default: nearest
      }
      if (v.id === "ec-gps-truncation") {
        const gps = [{ channel: 1, type: "gps", value: [42.3519, -87.9094, 10] }];
        expect(toHex(encodeLpp(gps, { rounding: "trunc", float32Input: true }))).toBe(v.hex); // C++ float truncation: 0x06765E
        expect(toHex(encodeLpp(gps, { rounding: "trunc" }))).toBe("018806765ff2960a0003e8"); // in double precision 423519 exactly
        expect(toHex(encodeLpp(gps))).toBe("018806765ff2960a0003e8"); // nearest: the myDevices doc bytes
      }
    });
  }
});

describe("LPP options and errors", () => {
  it("voltage and current signedness is an option (libraries disagree)", () => {
    const b = fromHex("0174ff380275ff38");
    expect(decodeLpp(b).map((r) => r.value)).toEqual([653.36, 65.336]);
    const s = decodeLpp(b, { voltageSigned: true, currentSigned: true });
    expect(s[0]!.value).toBeCloseTo(-2, 9);
    expect(s[1]!.value).toBeCloseTo(-0.2, 9);
    expect(() => encodeLpp([{ channel: 1, type: "voltage", value: -2 }])).toThrow(ChirpError);
    expect(toHex(encodeLpp([{ channel: 1, type: "voltage", value: -2 }], { voltageSigned: true }))).toBe("0174ff38");
  });
  it("out-of-range values, unknown types and bad channels are BAD_PARAMETER", () => {
    for (const bad of [
      { channel: 1, type: "temperature", value: 5000 },
      { channel: 1, type: "nope", value: 1 },
      { channel: 256, type: 0, value: 1 },
      { channel: 1, type: "gps", value: [1, 2] },
      { channel: 1, type: "temperature", value: NaN },
    ]) {
      expect(() => encodeLpp([bad as any])).toThrow(expect.objectContaining({ code: "BAD_PARAMETER" }));
    }
  });
  it("type 240 (polyline) is refused with a typed error naming it", () => {
    expect(() => decodeLpp(fromHex("01f00be30000000000000000"))).toThrow(
      expect.objectContaining({ code: "BAD_INPUT", message: expect.stringContaining("polyline") }),
    );
  });
  it("a lone channel byte is TOO_SHORT", () => {
    expect(() => decodeLpp(fromHex("03"))).toThrow(expect.objectContaining({ code: "TOO_SHORT" }));
    expect(decodeLpp(new Uint8Array(0))).toEqual([]);
  });
  it("every type round-trips through encode/decode at its extremes", () => {
    for (const d of LPP_TYPES) {
      for (const pick of ["min", "max"] as const) {
        const value = d.components.map((c) => {
          const bits = 8 * c.bytes;
          const raw =
            pick === "min" ? (c.signed ? -(2 ** (bits - 1)) : 0) : c.signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
          return raw / c.divisor;
        });
        const enc = encodeLpp([{ channel: 7, type: d.type, value: value.length === 1 ? value[0]! : value }]);
        const dec = decodeLpp(enc);
        expect(dec).toHaveLength(1);
        expect(dec[0]!.name).toBe(d.name);
        const got = Array.isArray(dec[0]!.value) ? dec[0]!.value : [dec[0]!.value];
        got.forEach((g, k) => expect(g).toBeCloseTo(value[k]!, 9));
      }
    }
  });
});
