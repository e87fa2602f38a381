// A new export needs a line in VALID below (valid arguments for it); the first test lists those missing.
// Every public export of every subpath, called with valid arguments in which one argument (or one
// field of an options object) is replaced by a hostile value: null, undefined, a Symbol, a BigInt,
// NaN, an object that only claims a huge length, a detached buffer, a DataView, a sparse array,
// duplicate channels... The answer must be a ChirpError or a result, never another exception.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as root from "../src/index.js";
import * as phy from "../src/phy/index.js";
import * as rx from "../src/rx/index.js";
import * as sim from "../src/sim/index.js";
import * as io from "../src/io/index.js";
import * as lorawan from "../src/lorawan/index.js";
import * as lpp from "../src/lpp/index.js";
import * as crypto from "../src/crypto/index.js";
import * as viz from "../src/viz/index.js";
import * as errors from "../src/errors.js";
import { ChirpError } from "../src/errors.js";

function detachedBytes(): Uint8Array {
  const b = new ArrayBuffer(16);
  const u = new Uint8Array(b);
  structuredClone(b, { transfer: [b] });
  return u;
}
function detachedFloats(): Float32Array {
  const b = new ArrayBuffer(32);
  const u = new Float32Array(b);
  structuredClone(b, { transfer: [b] });
  return u;
}

const HOSTILE: [string, () => unknown][] = [
  ["undefined", () => undefined],
  ["null", () => null],
  ["Symbol", () => Symbol("s")],
  ["BigInt", () => 10n],
  ["NaN", () => NaN],
  ["Infinity", () => Infinity],
  ["-1", () => -1],
  ["1.5", () => 1.5],
  ["2^53", () => 2 ** 53],
  ["''", () => ""],
  ["'abc'", () => "abc"],
  ["{}", () => ({})],
  ["[]", () => []],
  ["[0, 0]", () => [0, 0]],
  // biome-ignore lint/suspicious/noSparseArray: a sparse array is the hostile input
  ["sparse", () => [1, , 3]],
  ["{length: 1e9}", () => ({ length: 1e9 })],
  ["detached Uint8Array", detachedBytes],
  ["detached Float32Array", detachedFloats],
  ["DataView", () => new DataView(new ArrayBuffer(16))],
  ["Object.create(null)", () => Object.create(null)],
  ["function", () => () => 1],
  [
    "throwing toString",
    () => ({
      toString: () => {
        throw new Error("toString");
      },
      valueOf: () => {
        throw new Error("valueOf");
      },
    }),
  ],
];

const bw = 125e3;
// the parallel decoders' workers run the built module (a Node worker cannot load the TypeScript sources)
const workerUrl = new URL("../dist/rx/worker.js", import.meta.url);
const P = () => ({ sf: 7, bandwidth: bw, cr: 1 });
const K = "000102030405060708090a0b0c0d0e0f";
const key = () => lorawan.fromHex(K);
const keys = () => ({ nwkSKey: K, appSKey: K, appKey: K });
const dataFrame = () =>
  lorawan.buildDataFrame(
    { mtype: "UnconfirmedDataUp", devAddr: 1, fCnt: 1, fPort: 1, payload: Uint8Array.of(1, 2) },
    keys(),
  );
const iq = (n = 512) => new Float32Array(2 * n).map((_, i) => Math.sin(i));
const syms = () => phy.encodeFrame(Uint8Array.of(1, 2, 3), P());
const metaDoc = () => io.buildSigmfMeta({ format: "cf32", sampleRate: 250e3 });
const sigmfInfo = () => io.parseSigmfMeta(io.stringifySigmf(metaDoc()));
const tar = () =>
  io.buildTar([
    { name: "a.sigmf-meta", data: new TextEncoder().encode(io.stringifySigmf(metaDoc())) },
    { name: "a.sigmf-data", data: new Uint8Array(16) },
  ]);
const loraTap = () => ({ frequencyHz: 868.1e6, bandwidth: bw, sf: 7, snrDb: 3, syncWord: 0x34 });

// Valid arguments for every function export (by name; the same function under two subpaths is called once).
const VALID: Record<string, () => unknown[]> = {
  ChirpError: () => ["BAD_INPUT", "message", { parameter: "p", allowed: "a" }],
  convert: () => [new Uint8Array(8), "cu8", { engine: "js" }],
  createFft: () => [64, "js"],
  createFrontend: () => [{ sampleRate: 250e3, bandwidth: bw }],
  createGatewayReceiver: () => [
    { sampleRate: 250e3, centerFrequency: 868.1e6, channels: [868.1e6], bandwidth: bw, sf: 7 },
  ],
  createReceiver: () => [{ sampleRate: 250e3, bandwidth: bw, sf: 7 }],
  decodeFrame: () => [syms(), P(), { engine: "js" }],
  decodeFrameSoft: () => [new Float32Array(7 * syms().length), syms().length, P(), { engine: "js" }],
  decodeGateway: () => [
    iq(),
    { sampleRate: 250e3, centerFrequency: 868.1e6, channels: [868.1e6], bandwidth: bw, sf: 7 },
  ],
  decodeHeader: () => [syms(), P()],
  decodeRecording: () => [iq(), { sampleRate: 250e3, bandwidth: bw, sf: 7 }],
  terminateIdleWorkers: () => [],
  decodeRecordingParallel: () => [iq(), { sampleRate: 250e3, bandwidth: bw, sf: 7, workers: 1, workerUrl }],
  decodeGatewayParallel: () => [
    iq(),
    {
      sampleRate: 250e3,
      centerFrequency: 868.1e6,
      channels: [868.1e6],
      bandwidth: bw,
      sfs: [7],
      workers: 1,
      workerUrl,
    },
  ],
  demodulateSymbols: () => [phy.modulateSymbols([1, 2, 3], P(), { oversampling: 1 }), P(), { oversampling: 1 }],
  encodeFrame: () => [Uint8Array.of(1, 2, 3), P(), { engine: "js" }],
  frameLayout: () => [P(), 3, 1],
  frameSymbolCount: () => [{ payloadLength: 3, cr: 1, crc: true }, P()],
  isSx1280Bandwidth: () => [203125],
  ldroAuto: () => [12, bw],
  modulateFrame: () => [Uint8Array.of(1), P(), { oversampling: 1 }],
  modulateSymbols: () => [[1, 2, 3], P(), { oversampling: 1 }],
  oversamplingFor: () => [250e3, bw],
  payloadSymbolCount: () => [P(), 3],
  resolveParams: () => [P()],
  symbolToWord: () => [5, 7, false],
  syncSymbols: () => [0x34, 128, "sx127x"],
  syncWordByte: () => [0x34],
  syncWordRegister: () => [0x34],
  timeOnAir: () => [P(), 3],
  Rng: () => [1],
  imageRejectionDb: () => [0.01, 1],
  iqImbalanceCoefficients: () => [0.01, 1],
  perSweep: () => [{ sf: 7, snrDbs: [0], frames: 1, seed: 1 }],
  perSweepPoints: () => [{ sf: 7, snrDbs: [0], frames: 1, seed: 1 }],
  phaseNoiseStepVariance: () => [-80, 1e4, 250e3],
  serSweep: () => [{ sf: 7, snrDbs: [0], symbols: 20, seed: 1 }],
  simulate: () => [{ frames: [{ payloadLength: 3, params: P() }], sampleRate: 250e3, snrDb: 10, seed: 1 }],
  annotationToJson: () => [{ sampleStart: 0, sampleCount: 10, label: "x" }],
  buildSigmfMeta: () => [{ format: "cf32", sampleRate: 250e3, annotations: [{ sampleStart: 0 }] }],
  buildTar: () => [[{ name: "a", data: Uint8Array.of(1) }], 0],
  checkFormat: () => ["cf32", "format"],
  checkSigmfAgainstData: () => [sigmfInfo(), 64, 8],
  datatypeFromFormat: () => ["cs16"],
  findSigmfMembers: () => [io.listTar(tar())],
  formatFromDatatype: () => ["ci16_le"],
  formatFromFileName: () => ["a.cs16"],
  isIqFormat: () => ["cf32"],
  listTar: () => [tar()],
  loraTapHeader: () => [loraTap()],
  loraTapPacket: () => [loraTap(), Uint8Array.of(1)],
  parseLoraTap: () => [io.loraTapPacket(loraTap(), Uint8Array.of(1))],
  parseSigmfMeta: () => [io.stringifySigmf(metaDoc())],
  parseTarHeader: () => [tar().subarray(0, 512)],
  pcapGlobalHeader: () => [270],
  pcapRecord: () => [1, Uint8Array.of(1)],
  readIq: () => [new Uint8Array(8), "cs16", new Float32Array(4)],
  readPcap: () => [
    (() => {
      const h = io.pcapGlobalHeader();
      const r = io.pcapRecord(1, Uint8Array.of(1));
      const o = new Uint8Array(h.length + r.length);
      o.set(h);
      o.set(r, h.length);
      return o;
    })(),
  ],
  readSigmfArchive: () => [tar()],
  sampleCount: () => [16, "cs16", "data"],
  scanTar: () => {
    const t = tar();
    return [(o: number, l: number) => t.subarray(o, o + l), t.length];
  },
  sigmfPair: () => ["a.sigmf-meta"],
  stringifySigmf: () => [metaDoc()],
  toFloat32: () => [new Int16Array(4), "cs16", new Float32Array(4)],
  typedView: () => [new Uint8Array(8), "cs16"],
  withAnnotations: () => [metaDoc(), [{ sampleStart: 1 }], "chirpkit"],
  writeIq: () => [new Float32Array(4), "cs16", { scale: 1 }],
  buildBeacon: () => [{ time: 1000, infoDesc: 0, latitude: 1, longitude: 2 }],
  buildDataFrame: () => [
    { mtype: "UnconfirmedDataUp", devAddr: 1, fCnt: 1, fPort: 1, payload: Uint8Array.of(1) },
    keys(),
    { version: "1.0" },
  ],
  buildFrame: () => [
    { mtype: "JoinRequest", joinEui: "0102030405060708", devEui: "0102030405060708", devNonce: 1 },
    keys(),
  ],
  buildJoinAccept: () => [{ joinNonce: 1, netId: 2, devAddr: 3 }, keys()],
  buildJoinRequest: () => [{ joinEui: "0102030405060708", devEui: "0102030405060708", devNonce: 1 }, keys()],
  buildMacCommands: () => [[{ name: "LinkCheckReq" }], "commands"],
  buildRejoinRequest: () => [{ rejoinType: 0, netId: 1, devEui: "0102030405060708", rjCount: 1 }, { sNwkSIntKey: K }],
  checkMic: () => [lorawan.parseFrame(dataFrame()), keys()],
  computeJoinAcceptMic: () => [new Uint8Array(13).fill(1), K],
  computeMic: () => [lorawan.parseFrame(dataFrame()), keys()],
  computePingOffset: () => [1000, 1, 32],
  constantTimeEqual: () => [Uint8Array.of(1), Uint8Array.of(1)],
  crc16Xmodem: () => [Uint8Array.of(1, 2, 3), 0, 3],
  createSessions: () => [[{ devAddr: 1, keys: keys() }]],
  cryptFOpts: () => [key(), "up", 1, 1, Uint8Array.of(1)],
  cryptFrmPayload: () => [key(), "up", 1, 1, Uint8Array.of(1)],
  decodeCFList: () => [new Uint8Array(16)],
  decodedFrameToJson: () => [lorawan.decodeFrame(dataFrame(), { keys: keys() })],
  decryptFOpts: () => [lorawan.parseFrame(dataFrame()), keys()],
  decryptJoinAccept: () => [lorawan.buildJoinAccept({ joinNonce: 1, netId: 2, devAddr: 3 }, keys()), keys()],
  decryptPayload: () => [lorawan.parseFrame(dataFrame()), keys()],
  deriveJoinServerKeys: () => [K, "0102030405060708"],
  deriveRootWorSKey: () => [K],
  deriveSessionKeys10: () => [K, { joinNonce: 1, netId: 2, devNonce: 3 }],
  deriveSessionKeys11: () => [K, K, { joinNonce: 1, joinEui: "0102030405060708", devNonce: 3 }],
  deriveWorSessionKeys: () => [K, 1],
  encodeCFList: () => [{ type: 0, frequencies: [867100000] }],
  fromHex: () => ["0102", "hex"],
  isUplink: () => ["JoinRequest"],
  macCommandTable: () => [],
  parseBeacon: () => [lorawan.buildBeacon({ time: 1000, infoDesc: 0, latitude: 1, longitude: 2 })],
  parseFrame: () => [dataFrame()],
  parseJoinAcceptPlaintext: () => [
    lorawan.decryptJoinAccept(lorawan.buildJoinAccept({ joinNonce: 1, netId: 2, devAddr: 3 }, keys()), keys())
      .plaintext,
    keys(),
  ],
  parseMacCommands: () => [Uint8Array.of(2), "up"],
  reconstructFCnt: () => [5, 3],
  resolveFCnt: () => [5, { lastFCnt: 3 }],
  toHex: () => [Uint8Array.of(1, 2)],
  verifyMic: () => [lorawan.parseFrame(dataFrame()), keys()],
  decodeLpp: () => [lpp.encodeLpp([{ channel: 1, type: "temperature", value: 20 }]), {}],
  decodeLppDownlink: () => [Uint8Array.of(1, 0, 100)],
  encodeLpp: () => [[{ channel: 1, type: "temperature", value: 20 }], {}],
  encodeLppDownlink: () => [[{ channel: 1, value: 1 }], {}],
  lppTable: () => [{}],
  aesCmac: () => [key(), Uint8Array.of(1)],
  aesCmac4: () => [key(), null, Uint8Array.of(1, 2), 0, 2],
  aesDecryptBlock: () => [key(), new Uint8Array(16)],
  aesEcbDecrypt: () => [key(), new Uint8Array(32)],
  aesEcbEncrypt: () => [key(), new Uint8Array(32)],
  aesEncryptBlock: () => [key(), new Uint8Array(16)],
  aesExpandKey: () => [key()],
  cmacSubkeys: () => [key()],
  ctrXor: () => [key(), new Uint8Array(16), Uint8Array.of(1, 2)],
  colormap: () => [new Float32Array([0, -50, -100]), -100, 0],
  computeSpectrogram: () => [iq(256), { fftSize: 64, hop: 32 }],
  badParameter: () => ["p", 1, "allowed"],
  checkInt: () => ["p", 3, 0, 10],
  showValue: () => [1],
  "lorawan.decodeFrame": () => [dataFrame(), { keys: keys(), lastFCnt: 0 }],
  decodeCollisions: () => [iq(), { sampleRate: 250e3, bandwidth: bw, sf: 7, maxPasses: 2 }],
  decodeGatewayCollisions: () => [
    iq(),
    { sampleRate: 250e3, centerFrequency: 868.1e6, channels: [868.1e6], bandwidth: bw, sfs: [7], maxPasses: 2 },
  ],
  getRegion: () => ["eu868"],
  regionChannels: () => [lorawan.getRegion("us915"), 2],
  dataRate: () => [lorawan.getRegion("eu868"), 5, "up"],
  uplinkDataRate: () => [lorawan.getRegion("eu868"), 7, bw],
  receiverPlan: () => [lorawan.getRegion("eu868"), lorawan.regionChannels(lorawan.getRegion("eu868"))],
  channelAt: () => [lorawan.getRegion("eu868"), 868.1e6, bw],
  datrName: () => [7, bw],
  explainFrame: () => [lorawan.getRegion("eu868"), lorawan.decodeFrame(dataFrame(), { keys: keys() })],
  explainMacCommand: () => [
    lorawan.getRegion("eu868"),
    lorawan.parseMacCommands(Uint8Array.of(0x03, 0x50, 0xff, 0x00, 0x01), "down")[0],
  ],
  explainJoinAccept: () => [
    lorawan.getRegion("eu868"),
    { raw: 0, optNeg: false, rx1DrOffset: 0, rx2DataRate: 0 },
    null,
  ],
  linkAdrChannels: () => [lorawan.getRegion("eu868"), 7, 0],
  describeDataRate: () => [lorawan.getRegion("eu868"), 5, "up"],
  createChannelReceiver: () => [{ sampleRate: 250e3, bandwidth: bw, sfs: [7, 8] }],
  candidateBandwidths: () => [bw, 250e3],
  detectChirpShape: () => [iq(2048), 250e3, bw],
  createExchange: () => [[{ devAddr: 1, keys: keys() }], { showSessionKeys: false }],
};
const validFor = (f: unknown, label: string) =>
  (VALID[label.replace(/^root\./, "")] ?? VALID[(f as { name: string }).name])!();

// cancelFrame is a building block of decodeCollisions that takes the channel's internal
// PolyphaseFilter, which no public function returns: it cannot be called with valid arguments.
const NOT_CALLABLE = new Set(["cancelFrame"]);

const SUBPATHS = { root, phy, rx, sim, io, lorawan, lpp, crypto, viz, errors } as Record<
  string,
  Record<string, unknown>
>;
const functions = new Map<unknown, string>();
for (const [sub, m] of Object.entries(SUBPATHS)) {
  for (const [name, v] of Object.entries(m))
    if (typeof v === "function" && !functions.has(v) && !NOT_CALLABLE.has(name)) functions.set(v, `${sub}.${name}`);
}

// Functions whose contract is to throw (badParameter always throws its ChirpError).
const ALWAYS_THROWS = new Set(["badParameter"]);

/** What promises (the parallel decoders) settled with other than a result or a ChirpError. */
const pending: Promise<string | null>[] = [];

function call(f: unknown, args: unknown[]): unknown {
  const fn = f as (...a: unknown[]) => unknown;
  const isClass = /^class\b/.test(Function.prototype.toString.call(fn));
  const r = isClass ? new (fn as unknown as new (...a: unknown[]) => unknown)(...args) : fn(...args);
  if (r instanceof Promise) {
    const name = (f as { name: string }).name;
    pending.push(
      r.then(
        () => null,
        (e) => (e instanceof ChirpError ? null : `${name}: ${e instanceof Error ? e.message : String(e)}`),
      ),
    );
  }
  // generators (perSweepPoints): take the first value
  if (
    r &&
    typeof (r as Generator).next === "function" &&
    typeof (r as Generator)[Symbol.iterator] === "function" &&
    !Array.isArray(r)
  )
    (r as Generator).next();
  // objects with a life cycle: feed them a little and free them
  if (
    r &&
    typeof r === "object" &&
    typeof (r as { push?: unknown }).push === "function" &&
    typeof (r as { flush?: unknown }).flush === "function"
  ) {
    const o = r as { push(x: unknown): unknown; flush(): unknown; dispose?(): void };
    o.push(iq(64));
    o.flush();
    o.dispose?.();
  }
  return r;
}

function typedOrResult(label: string, f: unknown, args: unknown[]): void {
  try {
    call(f, args);
  } catch (e) {
    if (e instanceof ChirpError) {
      // the error itself is well formed: a known code and a message that is a string
      expect(typeof e.message, label).toBe("string");
      expect(typeof e.code, label).toBe("string");
      return;
    }
    throw new Error(`${label}: ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`);
  }
}

// HOSTILE_ALL=1: every case once, all failures listed (for development)
if (process.env.HOSTILE_ALL) {
  it("lists every case that throws something else than a ChirpError", () => {
    const fails = new Map<string, string>();
    const run = (label: string, f: unknown, args: unknown[], what: string) => {
      try {
        typedOrResult(label, f, args);
      } catch (e) {
        const m = String((e as Error).message);
        const k = `${label}: ${m.replace(/^.*?: /, "").slice(0, 100)}`;
        if (!fails.has(k)) fails.set(k, what);
      }
    };
    for (const [f, label] of functions) {
      const n = validFor(f, label).length;
      for (let p = 0; p <= n; p++)
        for (const [hname, make] of HOSTILE) {
          const args = validFor(f, label);
          args[p] = make();
          run(label, f, args, `argument ${p} = ${hname}`);
        }
      validFor(f, label).forEach((a, p) => {
        if (!a || typeof a !== "object" || ArrayBuffer.isView(a) || Array.isArray(a)) return;
        for (const k of Object.keys(a))
          for (const [hname, make] of HOSTILE) {
            const args = validFor(f, label);
            (args[p] as Record<string, unknown>)[k] = make();
            run(label, f, args, `argument ${p}.${k} = ${hname}`);
          }
      });
    }
    console.log([...fails].map(([k, v]) => `${k}   <- ${v}`).join("\n"));
    expect(fails.size).toBe(0);
  }, 600_000);
}

describe("every public export answers hostile arguments with a ChirpError or a result", () => {
  it("has valid arguments for every export (so the suite covers all of them)", () => {
    const missing = [...functions.entries()]
      .filter(([f, label]) => !VALID[label] && !VALID[(f as { name: string }).name])
      .map(([, n]) => n);
    expect(missing).toEqual([]);
    // and those valid calls succeed
    for (const [f, label] of functions) {
      const name = (f as { name: string }).name;
      if (ALWAYS_THROWS.has(name)) continue;
      expect(() => call(f, validFor(f, label)), label).not.toThrow();
    }
  });

  it("one argument replaced by a hostile value", () => {
    const all = [...functions.entries()];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: all.length - 1 }),
        fc.nat(),
        fc.integer({ min: 0, max: HOSTILE.length - 1 }),
        (fi, pos, hi) => {
          const [f, label] = all[fi]!;
          const args = validFor(f, label);
          const p = pos % (args.length + 1);
          const [hname, make] = HOSTILE[hi]!;
          args[p] = make();
          typedOrResult(`${label} with argument ${p} = ${hname}`, f, args);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it("one field of an options or spec object replaced by a hostile value", () => {
    const withObjects: [unknown, string, number, string][] = [];
    for (const [f, label] of functions) {
      const args = validFor(f, label);
      args.forEach((a, p) => {
        if (a && typeof a === "object" && !ArrayBuffer.isView(a) && !Array.isArray(a))
          for (const k of Object.keys(a)) withObjects.push([f, label, p, k]);
      });
    }
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: withObjects.length - 1 }),
        fc.integer({ min: 0, max: HOSTILE.length - 1 }),
        (i, hi) => {
          const [f, label, p, k] = withObjects[i]!;
          const args = validFor(f, label);
          const [hname, make] = HOSTILE[hi]!;
          (args[p] as Record<string, unknown>)[k] = make();
          typedOrResult(`${label} with argument ${p}.${k} = ${hname}`, f, args);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it("promises (the parallel decoders) settle with a result or a ChirpError", async () => {
    const failures = (await Promise.all(pending)).filter((x) => x !== null);
    expect(failures).toEqual([]);
  });
});
