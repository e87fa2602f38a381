// Demodulation of symbols whose start is known exactly (no CFO/timing recovery: that is the
// receiver's job, chirpkit/rx): dechirp with the base downchirp at one sample per chip, FFT, argmax.
import { checkView } from "../check.js";
import { ChirpError } from "../errors.js";
import {
  checkEngine,
  checkOversampling,
  resolved,
  type Engine,
  type PhyParams,
  type ResolvedParams,
} from "./params.js";
import { dechirpJs } from "../engines/js/dechirp.js";
import { dechirpWasm } from "../engines/wasm/dechirp.js";

export interface DemodulateOptions {
  /** Samples per chip of iq, 1..64. */
  oversampling: number;
  engine?: Engine;
}

/**
 * Symbol values of the whole symbols in iq (interleaved I/Q at k samples per chip, aligned); a
 * trailing partial symbol is ignored. Non-finite samples are a BAD_INPUT error. At k > 1 it keeps
 * every k-th sample without filtering: right for clean signals, but noise then folds in and costs
 * 10 log10(k) dB; bring noisy signals to 1 sample per chip with the front end (chirpkit/dsp) first.
 */
export function demodulateSymbols(
  iq: Float32Array,
  p: PhyParams | ResolvedParams,
  opts: DemodulateOptions,
): Uint16Array {
  const r = resolved(p);
  const k = checkOversampling(opts?.oversampling);
  checkView("iq", iq, [Float32Array], "a Float32Array of interleaved I/Q");
  const count = Math.floor(iq.length / (2 * r.n * k));
  const { bins, bad } =
    checkEngine(opts.engine) === "js" ? dechirpJs(iq, count, r.n, k) : dechirpWasm(iq, count, r.n, k);
  if (bad >= 0) {
    throw new ChirpError(
      "BAD_INPUT",
      `iq symbol ${bad} (samples ${bad * r.n * k}..${(bad + 1) * r.n * k - 1}) holds NaN, Infinity or values too large for float32 power`,
      { parameter: "iq" },
    );
  }
  return bins;
}
