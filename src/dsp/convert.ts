/** Raw IQ sample formats -> interleaved float32 (cf32), with NaN/Inf detection. */
import { checkOptions } from "../check.js";
import { ChirpError, badParameter } from "../errors.js";
import {
  asBytes,
  inputFormat,
  nonFiniteError,
  BYTES_PER_SAMPLE,
  type SampleFormat,
  type SampleInput,
} from "./formats.js";
import { dspWasm } from "./kernels.js";
import { u8, f32 } from "../wasm/instantiate.js";
import { checkFinite, convertCs16, convertCs8, convertCu8 } from "../engines/js/convert.js";

/**
 * Converts samples to a new interleaved Float32Array: cs16 / 32767, cs8 / 127 (the scales of src/io), cu8 (x - 127.5) / 127.5.
 * A Float32Array is checked and copied; a Uint8Array is read as raw bytes of `format` (default cu8).
 * Throws ChirpError BAD_INPUT for a partial sample or a NaN/Inf value (naming the sample).
 */
export function convert(
  input: SampleInput,
  format?: SampleFormat,
  opts: { engine?: "wasm" | "js" } = {},
): Float32Array {
  checkOptions("opts", opts);
  if (opts.engine !== undefined && opts.engine !== "wasm" && opts.engine !== "js")
    badParameter("engine", opts.engine, "'wasm' or 'js'");
  const fmt = inputFormat(input, format);
  const bytes = asBytes(input);
  const bps = BYTES_PER_SAMPLE[fmt];
  if (bytes.length % bps !== 0) {
    throw new ChirpError(
      "BAD_INPUT",
      `${bytes.length} bytes is not a whole number of ${fmt} samples (${bps} bytes each)`,
    );
  }
  const n = bytes.length / bps;
  const out = new Float32Array(2 * n);
  if (n === 0) return out;
  if ((opts.engine ?? "wasm") === "js") {
    const stage = new Uint8Array(bytes); // aligned copy
    if (fmt === "cf32") out.set(new Float32Array(stage.buffer));
    else if (fmt === "cs16") convertCs16(new Int16Array(stage.buffer), 0, out, 0, n);
    else if (fmt === "cu8") convertCu8(stage, 0, out, 0, n);
    else convertCs8(new Int8Array(stage.buffer), 0, out, 0, n);
    const bad = fmt === "cf32" ? checkFinite(out, 0, 2 * n) : -1;
    if (bad >= 0) throw nonFiniteError(bad >> 1, bad & 1, out[bad]!);
    return out;
  }
  const mod = dspWasm;
  const dst = mod.alloc(n * 8);
  const src = fmt === "cf32" ? dst : mod.alloc(bytes.length);
  try {
    u8(mod, src, bytes.length).set(bytes);
    if (fmt === "cs16") mod.convert_cs16(src, dst, n);
    else if (fmt === "cu8") mod.convert_cu8(src, dst, n);
    else if (fmt === "cs8") mod.convert_cs8(src, dst, n);
    out.set(f32(mod, dst, 2 * n));
    const bad = fmt === "cf32" ? mod.convert_cf32_check(dst, 2 * n) : -1;
    if (bad >= 0) throw nonFiniteError(bad >> 1, bad & 1, out[bad]!);
    return out;
  } finally {
    mod.free(dst);
    if (src !== dst) mod.free(src);
  }
}
