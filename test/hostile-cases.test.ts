// The reliability review's reproductions, one test each: untyped throws and silent wrong answers
// outside the core, now a ChirpError (naming the parameter) or the right result.
import { describe, expect, it } from "vitest";
import { ChirpError, badParameter, showValue } from "../src/errors.js";
import { buildTar, readIq, sampleCount, toFloat32, writeIq } from "../src/io/index.js";
import { aesCmac } from "../src/crypto/index.js";
import { convert, createFrontend } from "../src/index.js";
import { buildJoinRequest, fromHex, toHex } from "../src/lorawan/index.js";
import { simulate } from "../src/sim/index.js";
import { colormap } from "../src/viz/index.js";
import { createReceiver, decodeGateway, decodeRecording } from "../src/rx/index.js";
import { modulateSymbols } from "../src/phy/index.js";

function thrown(f: () => unknown): ChirpError {
  try {
    f();
  } catch (e) {
    if (e instanceof ChirpError) return e;
    throw new Error(`not a ChirpError: ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`);
  }
  throw new Error("returned instead of throwing");
}
function detached<T extends ArrayBufferView>(make: (b: ArrayBuffer) => T): T {
  const b = new ArrayBuffer(64);
  const v = make(b);
  structuredClone(b, { transfer: [b] });
  return v;
}

const bw = 125e3;
const P = { sf: 7, bandwidth: bw, cr: 1 };
const gatewaySim = () =>
  simulate({
    frames: [{ payloadLength: 8, params: P }],
    sampleRate: 500e3,
    snrDb: 10,
    leadSamples: 2000,
    tailSamples: 4000,
    seed: 3,
  });

describe("io", () => {
  it("buildTar(undefined), buildTar([null]) and a member with a detached buffer are BAD_PARAMETER", () => {
    expect(thrown(() => buildTar(undefined as never))).toMatchObject({ code: "BAD_PARAMETER", parameter: "files" });
    expect(thrown(() => buildTar([null] as never))).toMatchObject({ code: "BAD_PARAMETER", parameter: "files[0]" });
    expect(thrown(() => buildTar([{ name: "a", data: detached((b) => new Uint8Array(b)) }]))).toMatchObject({
      code: "BAD_PARAMETER",
      parameter: "files[0].data",
    });
    expect(buildTar([{ name: "a", data: Uint8Array.of(1) }]).length).toBe(512 * 4);
  });
  it("readIq(null) and writeIq(null) are BAD_PARAMETER", () => {
    expect(thrown(() => readIq(null as never, "cs16"))).toMatchObject({ code: "BAD_PARAMETER", parameter: "bytes" });
    expect(thrown(() => writeIq(null as never, "cs16"))).toMatchObject({ code: "BAD_PARAMETER", parameter: "iq" });
    expect(thrown(() => writeIq(new Float32Array(2), "cs16", null as never))).toMatchObject({
      code: "BAD_PARAMETER",
      parameter: "opts",
    });
  });
  it("sampleCount(Symbol()) and sampleCount(16, Symbol()) are BAD_PARAMETER", () => {
    expect(thrown(() => sampleCount(Symbol("n") as never, "cs16"))).toMatchObject({
      code: "BAD_PARAMETER",
      parameter: "byteLength",
    });
    expect(thrown(() => sampleCount(16, Symbol("f") as never))).toMatchObject({
      code: "BAD_PARAMETER",
      parameter: "format",
    });
    expect(sampleCount(16, "cs16")).toBe(4);
  });
  it("writeIq refuses NaN instead of writing 0", () => {
    const e = thrown(() => writeIq(Float32Array.of(0.5, NaN), "cs16"));
    expect(e).toMatchObject({ code: "BAD_INPUT", parameter: "iq" });
    expect(e.message).toMatch(/iq\[1\].*NaN/);
    expect(thrown(() => writeIq(Float32Array.of(Infinity, 0), "cu8")).code).toBe("BAD_INPUT");
  });
  it("an input that only claims a huge length ({ length: 1e9 }) is refused without allocating", () => {
    expect(thrown(() => toFloat32({ length: 1e9 } as never, "cf32"))).toMatchObject({
      code: "BAD_PARAMETER",
      parameter: "view",
    });
    expect(thrown(() => colormap({ length: 1e9 } as never, 0, 1))).toMatchObject({
      code: "BAD_PARAMETER",
      parameter: "db",
    });
    expect(thrown(() => modulateSymbols({ length: 1e9 } as never, P, { oversampling: 1 })).code).toBe("BAD_PARAMETER");
  });
});

describe("crypto, dsp, lorawan, sim, viz", () => {
  it("aesCmac(key, null) is BAD_PARAMETER", () => {
    expect(thrown(() => aesCmac(new Uint8Array(16), null as never))).toMatchObject({
      code: "BAD_PARAMETER",
      parameter: "message",
    });
  });
  it("createFrontend(undefined) and convert(x, format, null) are BAD_PARAMETER", () => {
    expect(thrown(() => createFrontend(undefined as never))).toMatchObject({
      code: "BAD_PARAMETER",
      parameter: "options",
    });
    expect(thrown(() => convert(new Uint8Array(4), "cu8", null as never))).toMatchObject({
      code: "BAD_PARAMETER",
      parameter: "opts",
    });
  });
  it('toHex(null) and toHex("abc") are BAD_PARAMETER, not "undefinedundefinedundefined"', () => {
    expect(thrown(() => toHex(null as never))).toMatchObject({ code: "BAD_PARAMETER", parameter: "bytes" });
    expect(thrown(() => toHex("abc" as never))).toMatchObject({ code: "BAD_PARAMETER", parameter: "bytes" });
    expect(toHex(Uint8Array.of(0xab, 1))).toBe("ab01");
  });
  it("buildJoinRequest with null keys is BAD_PARAMETER, not a frame with an all-zero MIC", () => {
    const spec = { joinEui: "0102030405060708", devEui: "0102030405060708", devNonce: 1 };
    expect(thrown(() => buildJoinRequest(spec, null as never))).toMatchObject({
      code: "BAD_PARAMETER",
      parameter: "keys",
    });
    // without keys (undefined) the MIC is zeros, as documented
    expect(toHex(buildJoinRequest(spec).subarray(19))).toBe("00000000");
    expect(toHex(buildJoinRequest(spec, { appKey: fromHex("00".repeat(16)) }).subarray(19))).not.toBe("00000000");
  });
  it("simulate({ frames: [null] }) names frames[0]", () => {
    expect(thrown(() => simulate({ frames: [null as never] }))).toMatchObject({
      code: "BAD_PARAMETER",
      parameter: "frames[0]",
    });
    expect(
      // biome-ignore lint/suspicious/noSparseArray: a sparse array is the hostile input
      thrown(() => simulate({ frames: [{ params: P, payloadLength: 1 }, , { params: P, payloadLength: 1 }] as never }))
        .parameter,
    ).toBe("frames[1]");
  });
  it("colormap(null) is BAD_PARAMETER", () => {
    expect(thrown(() => colormap(null as never, 0, 1))).toMatchObject({ code: "BAD_PARAMETER", parameter: "db" });
    expect(thrown(() => colormap([0, Symbol("x") as never], 0, 1))).toMatchObject({
      code: "BAD_PARAMETER",
      parameter: "db[1]",
    });
  });
});

describe("receivers", () => {
  it("decodeGateway with duplicate channels ([f, f]) is BAD_PARAMETER, not every frame twice", () => {
    const sim = gatewaySim();
    const o = { sampleRate: 500e3, centerFrequency: 868.1e6, bandwidth: bw, sfs: [7] };
    expect(decodeGateway(sim.iq, { ...o, channels: [868.1e6] }).filter((f) => f.crcOk)).toHaveLength(1);
    expect(thrown(() => decodeGateway(sim.iq, { ...o, channels: [868.1e6, 868.1e6] }))).toMatchObject({
      code: "BAD_PARAMETER",
      parameter: "channels",
    });
    // biome-ignore lint/suspicious/noSparseArray: a sparse array is the hostile input
    expect(thrown(() => decodeGateway(sim.iq, { ...o, channels: [868.1e6, , 868.2e6] as never })).parameter).toBe(
      "channels[1]",
    );
    // biome-ignore lint/suspicious/noSparseArray: a sparse array is the hostile input
    expect(thrown(() => decodeGateway(sim.iq, { ...o, channels: [868.1e6], sfs: [7, , 8] as never })).parameter).toBe(
      "sfs[1]",
    );
  });
  it("a DataView is refused, not read as nothing", () => {
    const dv = new DataView(new ArrayBuffer(4096));
    expect(thrown(() => decodeRecording(dv as never, { sampleRate: 250e3, bandwidth: bw, sf: 7 }))).toMatchObject({
      code: "BAD_INPUT",
      parameter: "samples",
    });
    const rx = createReceiver({ sampleRate: 250e3, bandwidth: bw, sf: 7 });
    expect(thrown(() => rx.push(dv as never)).code).toBe("BAD_INPUT");
    rx.dispose();
    expect(thrown(() => convert(dv as never)).code).toBe("BAD_INPUT");
  });
  it("a detached buffer is refused, not read as an empty recording", () => {
    const d = detached((b) => new Float32Array(b));
    expect(thrown(() => decodeRecording(d, { sampleRate: 250e3, bandwidth: bw, sf: 7 }))).toMatchObject({
      code: "BAD_INPUT",
      parameter: "samples",
    });
    expect(
      thrown(() =>
        readIq(
          detached((b) => new Uint8Array(b)),
          "cs16",
        ),
      ).parameter,
    ).toBe("bytes");
    expect(thrown(() => toHex(detached((b) => new Uint8Array(b)))).parameter).toBe("bytes");
    expect(
      thrown(() =>
        aesCmac(
          new Uint8Array(16),
          detached((b) => new Uint8Array(b)),
        ),
      ).parameter,
    ).toBe("message");
  });
});

describe("error formatting", () => {
  it("never throws itself on a Symbol, a BigInt or an unprintable object", () => {
    expect(thrown(() => badParameter("x", Symbol("s"), "a number")).message).toBe(
      "x = Symbol(s) is not allowed; allowed: a number",
    );
    expect(thrown(() => badParameter("x", 10n, "a number")).message).toBe("x = 10n is not allowed; allowed: a number");
    expect(thrown(() => badParameter(Symbol("p") as never, Object.create(null), 5 as never)).message).toBe(
      "Symbol(p) = [object Object] is not allowed; allowed: 5",
    );
    expect(new ChirpError("BAD_INPUT", Symbol("m") as never, null as never).message).toBe("Symbol(m)");
    const evil = {
      toString: () => {
        throw new Error("no");
      },
    };
    expect(showValue(evil)).toBe("[object Object]");
    expect(showValue(detached((b) => new Uint8Array(b)))).toBe("[object Uint8Array]");
  });
});
