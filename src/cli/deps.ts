// TEMPORARY adapter: the receiver (src/rx) and the channel simulator (src/sim) are being built by
// other helpers. Until they land, the CLI loads them at run time, so that it builds and lands
// without them (a command that needs one says so and exits 2). The types are the agreed contract
// (CONTRACTS.md); once both modules are on main this file becomes static re-exports.
import { ChirpError } from "../errors.js";
import type { Ldro, PhyParams } from "../phy/index.js";

export interface ReceiverOptions {
  sampleRate: number;
  bandwidth: number;
  sf: number;
  format?: "cf32" | "cs16" | "cu8" | "cs8";
  centerFrequency?: number;
  frequencyOffsetHz?: number;
  explicitHeader?: boolean;
  implicit?: { payloadLength: number; cr: number; crc: boolean };
  syncWord?: number | "any";
  ldro?: Ldro;
  preambleLength?: number;
  engine?: "wasm" | "js";
}

export interface Frame {
  startSample: number;
  sf: number;
  bandwidth: number;
  cr: number;
  explicitHeader: boolean;
  payloadLength: number;
  crc: boolean;
  crcOk: boolean | null;
  headerOk: boolean;
  payload: Uint8Array;
  payloadHex: string;
  cfoHz: number;
  snrDb: number;
  syncWord: number;
  truncated?: boolean;
  [more: string]: unknown;
}

export interface Receiver {
  push(samples: Float32Array | Int16Array | Uint8Array | Int8Array): Frame[];
  flush(): Frame[];
}

export interface SimFrame {
  payload?: Uint8Array | string;
  payloadLength?: number;
  params: PhyParams;
  snrDb?: number;
  cfoHz?: number;
  sfoPpm?: number;
  frequencyOffsetHz?: number;
  gapSamples?: number;
}

export interface SimulateOptions {
  frames: SimFrame[];
  sampleRate?: number;
  snrDb?: number;
  cfoHz?: number;
  sfoPpm?: number;
  centerFrequency?: number;
  delay?: number;
  leadSamples?: number;
  gapSamples?: number | [number, number];
  tailSamples?: number;
  seed?: number;
  engine?: "wasm" | "js";
}

export interface SimTruth {
  startSample: number;
  endSample: number;
  payloadHex: string;
  payload: Uint8Array;
  payloadLength: number;
  sf: number;
  bandwidth: number;
  cr: number;
  explicitHeader: boolean;
  crc: boolean;
  syncWord: number;
  symbols: Uint16Array;
  cfoHz: number;
  sfoPpm: number;
  frequencyOffsetHz: number;
  snrDb: number;
  truncated: boolean;
}

export interface SimulateResult {
  iq: Float32Array;
  sampleRate: number;
  noiseVariance: number;
  truth: SimTruth[];
}

async function load<T>(spec: string, what: string): Promise<T> {
  try {
    return (await import(spec)) as T;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" && String((e as Error).message).includes(spec.replace(/^\.\.\//, ""))) {
      throw new ChirpError("ENGINE_UNAVAILABLE", `${what} is not part of this build yet`);
    }
    throw e;
  }
}

// Paths held in variables so that TypeScript does not resolve them at build time.
const rxPath = "../rx/index.js";
const simPath = "../sim/index.js";

export async function createReceiver(o: ReceiverOptions): Promise<Receiver> {
  const m = await load<{ createReceiver(o: ReceiverOptions): Receiver }>(rxPath, "the receiver (src/rx)");
  return m.createReceiver(o);
}

export async function simulate(o: SimulateOptions): Promise<SimulateResult> {
  const m = await load<{ simulate(o: SimulateOptions): SimulateResult }>(simPath, "the channel simulator (src/sim)");
  return m.simulate(o);
}

export interface SerPoint {
  snrDb: number;
  ser: number;
  errors: number;
  symbols: number;
}

export interface SerSweepOptions {
  sf: number;
  bandwidth?: number;
  sampleRate?: number;
  snrDbs: number[];
  symbols?: number;
  seed?: number;
  engine?: "wasm" | "js";
}

/** Symbol error rate with known timing (the demodulator against theory), from src/sim. */
export async function serSweep(o: SerSweepOptions): Promise<SerPoint[]> {
  const m = await load<{ serSweep?(o: SerSweepOptions): SerPoint[] }>(simPath, "the channel simulator (src/sim)");
  if (!m.serSweep) throw new ChirpError("ENGINE_UNAVAILABLE", "serSweep is not part of this build yet");
  return m.serSweep(o);
}
