// Modulator: frame -> complex baseband at k samples per chip (sample rate k * bandwidth):
// preamble upchirps, two sync-word symbols, 2.25 downchirps, (SX126x framing at SF5/SF6: two
// upchirps,) payload symbols; continuous phase, unit amplitude, interleaved float32 I/Q; with
// invertIq the complex conjugate (what a LoRaWAN gateway sends downlinks with).
import { ChirpError } from "../errors.js";
import {
  syncSymbols,
  checkEngine,
  checkOversampling,
  checkSymbols,
  payloadSymbolCount,
  resolved,
  type Engine,
  type PhyParams,
  type ResolvedParams,
} from "./params.js";
import { checkPayload, encodeFrame } from "./encoder.js";
import { conjugateJs, downchirpsJs, modulateSymbolsJs } from "../engines/js/modulator.js";
import { modulateFrameWasm, modulateSymbolsWasm } from "../engines/wasm/modulator.js";

export interface ModulateOptions {
  /** Samples per chip, 1..64. */
  oversampling: number;
  engine?: Engine;
  /**
   * Where to write the samples (at least 2 * samples floats; e.g. a subarray of a longer
   * recording). The result is then a view on it, and no new array is allocated.
   */
  out?: Float32Array;
}

/** The caller's output array (checked), or a new one; `floats` = 2 * complex samples. */
function outputFor(opts: ModulateOptions, floats: number): Float32Array {
  const out = opts.out;
  if (out === undefined) return new Float32Array(floats);
  if (!(out instanceof Float32Array) || out.length < floats) {
    throw new ChirpError(
      "BAD_PARAMETER",
      `out must be a Float32Array of at least ${floats} values (interleaved I/Q), got ${out instanceof Float32Array ? out.length : typeof out}`,
      { parameter: "out", allowed: `a Float32Array of length >= ${floats}` },
    );
  }
  return out.subarray(0, floats);
}

export interface FrameLayout {
  /** [start, end) sample offsets of each part. */
  preamble: [number, number];
  sync: [number, number];
  downchirps: [number, number];
  /** The two upchirps after the downchirps with SX126x framing at SF5/SF6 (empty otherwise). */
  extra: [number, number];
  /** The header block: the first 8 symbols after the downchirps and extra upchirps (present in implicit mode too). */
  header: [number, number];
  payload: [number, number];
  totalSamples: number;
}

/** Longest frame we generate in one piece (2^27 complex samples = 1 GiB as cf32). */
export { syncSymbols } from "./params.js";

export const MAX_SAMPLES = 2 ** 27;

export function frameLayout(p: PhyParams | ResolvedParams, payloadLength: number, oversampling: number): FrameLayout {
  const r = resolved(p);
  const k = checkOversampling(oversampling);
  const sym = r.n * k;
  const count = payloadSymbolCount(r, payloadLength);
  const a = r.preambleLength * sym;
  const b = a + 2 * sym;
  const c = b + (9 * sym) / 4;
  const x = c + r.extraSymbols * sym;
  const d = x + 8 * sym;
  const e = x + count * sym;
  if (e > MAX_SAMPLES) {
    throw new ChirpError(
      "BAD_PARAMETER",
      `the frame would be ${e} samples (over ${MAX_SAMPLES}, 1 GiB of cf32): lower preambleLength or oversampling`,
      { parameter: "oversampling", allowed: "a frame of at most 2^27 samples" },
    );
  }
  return {
    preamble: [0, a],
    sync: [a, b],
    downchirps: [b, c],
    extra: [c, x],
    header: [x, d],
    payload: [d, e],
    totalSamples: e,
  };
}

/** Chirps for the given symbol values, back to back (count * 2^sf * k complex samples); conjugated with invertIq. */
export function modulateSymbols(
  symbols: ArrayLike<number>,
  p: PhyParams | ResolvedParams,
  opts: ModulateOptions,
): Float32Array {
  const r = resolved(p);
  const k = checkOversampling(opts?.oversampling);
  checkSymbols(symbols, r.n);
  if (symbols.length * r.n * k > MAX_SAMPLES) {
    throw new ChirpError(
      "BAD_PARAMETER",
      `${symbols.length} symbols would be over ${MAX_SAMPLES} samples: modulate them in parts`,
      { parameter: "symbols" },
    );
  }
  const engine = checkEngine(opts.engine);
  const out = outputFor(opts, 2 * symbols.length * r.n * k);
  if (engine === "js") {
    modulateSymbolsJs(symbols, r.n, k, out);
    if (r.invertIq) conjugateJs(out);
  } else modulateSymbolsWasm(symbols, r.n, k, r.invertIq, out);
  return out;
}

/** The whole frame as IQ (in opts.out when given); see frameLayout for where each part starts. */
export function modulateFrame(payload: Uint8Array, p: PhyParams | ResolvedParams, opts: ModulateOptions): Float32Array {
  const r = resolved(p);
  const k = checkOversampling(opts?.oversampling);
  const engine = checkEngine(opts.engine);
  checkPayload(payload);
  const layout = frameLayout(r, payload.length, k);
  const sync = syncSymbols(r.syncWord, r.n, r.framing);
  const out = outputFor(opts, 2 * layout.totalSamples);
  if (engine === "wasm") {
    modulateFrameWasm(payload, r, k, sync, out);
    return out;
  }
  const symbols = encodeFrame(payload, r, { engine });
  const head = new Uint16Array(r.preambleLength + 2);
  head.set(sync, r.preambleLength);
  modulateSymbolsJs(head, r.n, k, out, 0);
  downchirpsJs(r.n, k, layout.downchirps[1] - layout.downchirps[0], out, layout.downchirps[0]);
  modulateSymbolsJs(new Uint16Array(r.extraSymbols), r.n, k, out, layout.extra[0]);
  modulateSymbolsJs(symbols, r.n, k, out, layout.header[0]);
  if (r.invertIq) conjugateJs(out);
  return out;
}
