// TEMPORARY front end until src/dsp createFrontend (helper "rxdsp") lands: raw samples -> float32,
// optional channel mix, low-pass FIR and integer decimation to r samples per chip, streaming.
// Same shape as the contract's createFrontend so the receiver switches by changing one import.
import { toFloat32, type IqFormat } from "../io/formats.js";
import { badParameter } from "../errors.js";

export interface AdapterOptions {
  sampleRate: number;
  bandwidth: number;
  outputOversampling: number;
  frequencyOffsetHz?: number;
}

export interface FrontendLike {
  outputRate: number;
  /** Input samples per output sample. */
  ratio: number;
  /** Group delay in output samples. */
  delaySamples: number;
  push(iq: Float32Array): Float32Array;
  reset(): void;
}

/** Kaiser-windowed sinc low-pass, cutoff fc (cycles/sample), odd length. */
function lowpass(fc: number, taps: number, beta: number): Float64Array {
  const h = new Float64Array(taps);
  const mid = (taps - 1) / 2;
  const i0 = (x: number): number => { let s = 1, t = 1; for (let k = 1; k < 30; k++) { t *= (x / (2 * k)) ** 2; s += t; } return s; };
  let sum = 0;
  for (let i = 0; i < taps; i++) {
    const x = i - mid;
    const sinc = x === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * x) / (Math.PI * x);
    const w = i0(beta * Math.sqrt(1 - (x / mid) ** 2)) / i0(beta);
    h[i] = sinc * w;
    sum += h[i]!;
  }
  for (let i = 0; i < taps; i++) h[i] = h[i]! / sum;
  return h;
}

export function createFrontendAdapter(o: AdapterOptions): FrontendLike {
  const ratio = o.sampleRate / (o.outputOversampling * o.bandwidth);
  const d = Math.round(ratio);
  if (Math.abs(ratio - d) > 1e-9 || d < 1) badParameter("sampleRate", o.sampleRate, `an integer multiple of bandwidth * ${o.outputOversampling} (until the resampling front end lands)`);
  const outputRate = o.sampleRate / d;
  // pass +-0.75 BW (carrier offsets up to a quarter of the bandwidth), stop where aliases would
  // fold back into +-0.75 BW after decimation
  const fs = o.sampleRate, bw = o.bandwidth;
  const pass = 0.75 * bw, stop = Math.min(outputRate - pass, fs / 2);
  const taps = d === 1 ? 1 : Math.max(15, 2 * Math.ceil((60 - 8) / (2.285 * 2 * Math.PI * ((stop - pass) / fs)) / 2) + 1);
  const h = d === 1 ? new Float64Array([1]) : lowpass((pass + stop) / 2 / fs, taps, 5.65);
  const hist = new Float32Array(2 * (taps - 1));
  let phase = 0; // input samples to skip before the next output
  const mixStep = o.frequencyOffsetHz ? (-2 * Math.PI * o.frequencyOffsetHz) / fs : 0;
  let mixPhase = 0;
  let out = new Float32Array(0);
  let ext = new Float32Array(0);
  return {
    outputRate, ratio: d, delaySamples: (taps - 1) / 2 / d,
    reset() { hist.fill(0); phase = 0; mixPhase = 0; },
    push(iq: Float32Array): Float32Array {
      const nIn = iq.length >> 1;
      const need = 2 * (taps - 1 + nIn);
      if (ext.length < need) ext = new Float32Array(need);
      ext.set(hist, 0);
      if (mixStep) {
        for (let i = 0; i < nIn; i++) {
          const c = Math.cos(mixPhase), s = Math.sin(mixPhase);
          const re = iq[2 * i]!, im = iq[2 * i + 1]!;
          ext[2 * (taps - 1 + i)] = re * c - im * s;
          ext[2 * (taps - 1 + i) + 1] = re * s + im * c;
          mixPhase += mixStep;
          if (mixPhase > Math.PI) mixPhase -= 2 * Math.PI; else if (mixPhase < -Math.PI) mixPhase += 2 * Math.PI;
        }
      } else ext.set(iq, 2 * (taps - 1));
      const total = taps - 1 + nIn;
      const nOut = phase < nIn ? Math.floor((nIn - 1 - phase) / d) + 1 : 0;
      if (out.length < 2 * nOut) out = new Float32Array(2 * nOut);
      for (let j = 0; j < nOut; j++) {
        const end = taps - 1 + phase + j * d; // newest input sample of this output
        let re = 0, im = 0;
        for (let t = 0; t < taps; t++) {
          const idx = end - t;
          re += h[t]! * ext[2 * idx]!;
          im += h[t]! * ext[2 * idx + 1]!;
        }
        out[2 * j] = re;
        out[2 * j + 1] = im;
      }
      phase = phase + nOut * d - nIn;
      hist.set(ext.subarray(2 * (total - (taps - 1)), 2 * total), 0);
      return out.subarray(0, 2 * nOut);
    },
  };
}

/** Interleaved float32 of a typed chunk in the given format. */
export function toF32(samples: Float32Array | Int16Array | Uint8Array | Int8Array, format: IqFormat, out?: Float32Array): Float32Array {
  if (samples instanceof Float32Array && format === "cf32") return samples;
  return toFloat32(samples, format, out);
}
