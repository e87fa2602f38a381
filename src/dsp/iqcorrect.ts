/**
 * The front end's first stage for SDR recordings: DC removal and blind IQ imbalance correction.
 *
 * A direct-conversion SDR (RTL-SDR, HackRF, ...) adds a DC offset (LO leakage) and an IQ imbalance:
 * its Q branch has a gain g and a phase error phi against I, Q' = g (Q cos phi - I sin phi), which
 * puts a mirror image of every signal at the opposite frequency (image rejection about 34 dB at
 * 2 %, 2 degrees). Both sit at the SDR's centre, so the stage runs on the raw samples, before the
 * channel mixer.
 *
 *   DC:  a running mean (cumulative over the first 1/alpha samples, then exponential with alpha =
 *        2^-17: a notch of a Hz or less at the centre), subtracted.
 *   IQ:  for a proper (circular) signal, noise and LoRa chirps alike, E[I^2] = E[Q^2] and E[IQ] = 0;
 *        after the imbalance E[Q'^2] / E[I'^2] = g^2 and E[I'Q'] / sqrt(E[I'^2] E[Q'^2]) = -sin phi
 *        (the second-order statistics method, e.g. Tarighat et al., IEEE TSP 2005; Anttila et al.,
 *        "Circularity-based I/Q imbalance compensation", IEEE TCOM 2008). The correction inverts
 *        the model: Q = Q' / (g cos phi) + I tan phi. Estimates are running means with the same
 *        alpha, updated once per block of 1024 samples of the stream (aligned to the absolute
 *        index, so the output does not depend on how the input is cut into chunks) from the block's
 *        sums; each block is corrected with the coefficients of the blocks before it, once 8192
 *        samples have been seen. Per sample that is a vectorised affine map and a few f32 sums,
 *        added into f64 sums every 256 samples (about 10x faster than a per-sample recursion,
 *        measured: docs/benchmarks.md). Each
 *        estimate is applied shrunk by its significance,
 *        max(0, 1 - (3 sigma)^2 / estimate^2) with sigma its statistical error (about 1/sqrt(N) of
 *        the N samples averaged): what cannot be told from zero is not applied, so a clean signal
 *        passes untouched and a real offset (RTL-SDR: tens of sigma) is removed whole.
 *
 * Per-sample work in Wasm (assembly/dsp/iqcorrect.ts) on the front end's history buffer in place;
 * the js twin src/engines/js/iqcorrect.ts is the oracle.
 */
import { badParameter } from "../errors.js";
import { phyWasm } from "../wasm/phy.js";
import { IQ_BLOCK, iqCorrect } from "../engines/js/iqcorrect.js";

const mod = phyWasm;

/** Forgetting factor of the running estimates (time constant 2^17 samples: 0.5 s at 250 kS/s, 55 ms at 2.4 MS/s; the artefacts are static). */
export const IQ_ALPHA = 2 ** -17;
/** Samples seen before the first correction coefficients are applied. */
export const IQ_WARMUP = 8192;
const STATE = 56;
/** Frees a corrector's Wasm state when it is garbage collected without dispose(). */
const registry = new FinalizationRegistry<number>((ptr) => mod.free(ptr));

export interface IqEstimate {
  /** DC offset removed, [re, im] in input units. */
  dc: [number, number];
  /** Q gain over I gain, minus 1 (0.02 = 2 %). */
  gainImbalance: number;
  /** Q phase error, degrees. */
  phaseDeg: number;
  /** Samples seen. */
  samples: number;
  /** Share of the DC estimate being subtracted (0 while it cannot be told from zero, about 1 for a real offset). */
  dcApplied: number;
}

export interface IqCorrector {
  /** Corrects n samples in place: Wasm memory at ptr (wasm engine) or arr[2 off ..] (js). */
  wasm(ptr: number, n: number): void;
  js(arr: Float32Array, off: number, n: number): void;
  estimate(): IqEstimate;
  /** A copy of the whole state: load() continues from it bit for bit (src/rx/parallel.ts: a segment taken over from another thread). */
  save(): Float64Array;
  load(state: Float64Array): void;
  reset(): void;
  dispose(): void;
}

export function createIqCorrector(engine: "wasm" | "js"): IqCorrector {
  return new DcIqCorrector(engine);
}

/**
 * The corrector's state, its steps as methods (one function each for every front end: the optimised
 * code that calls them serves every receiver in the process).
 */
class DcIqCorrector implements IqCorrector {
  private ptr = 0;
  private readonly st: Float64Array | null = null;

  constructor(engine: "wasm" | "js") {
    if (engine === "wasm") this.ptr = mod.alloc(STATE * 8);
    else this.st = new Float64Array(STATE);
    this.reset();
    if (this.ptr) registry.register(this, this.ptr, this);
  }

  private state(): Float64Array {
    return this.st ?? new Float64Array(mod.memory.buffer, this.ptr, STATE);
  }

  reset(): void {
    const s = this.state();
    s.fill(0);
    s[6] = 1; // cQ
    s[8] = IQ_ALPHA;
    s[9] = IQ_WARMUP;
    s[13] = -Math.expm1(IQ_BLOCK * Math.log1p(-IQ_ALPHA)); // a block's weight once settled: 1 - (1 - alpha)^block
  }

  wasm(p: number, n: number): void {
    mod.iq_correct(p, n, this.ptr);
  }

  js(arr: Float32Array, off: number, n: number): void {
    iqCorrect(arr, 2 * off, n, this.st!);
  }

  estimate(): IqEstimate {
    const s = this.state();
    return {
      dc: [s[0]!, s[1]!],
      gainImbalance: s[5]! >= IQ_WARMUP ? s[10]! - 1 : 0,
      phaseDeg: s[5]! >= IQ_WARMUP ? (s[11]! * 180) / Math.PI : 0,
      samples: s[5]!,
      dcApplied: s[12]!,
    };
  }

  /** The state and, last, its engine (the two keep their partial sums differently). */
  save(): Float64Array {
    const out = new Float64Array(STATE + 1);
    out.set(this.state());
    out[STATE] = this.ptr ? 0 : 1;
    return out;
  }

  load(state: Float64Array): void {
    const engine = this.ptr ? 0 : 1;
    if (!(state instanceof Float64Array) || state.length !== STATE + 1 || state[STATE] !== engine)
      badParameter(
        "state",
        state instanceof Float64Array ? `a Float64Array of ${state.length}` : state,
        `a DC/IQ state saved by a front end of the ${engine ? "js" : "wasm"} engine (iqState())`,
      );
    this.state().set(state.subarray(0, STATE));
  }

  dispose(): void {
    if (this.ptr) {
      registry.unregister(this);
      mod.free(this.ptr);
      this.ptr = 0;
    }
  }
}
