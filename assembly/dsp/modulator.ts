// LoRa modulator: symbol s is the base upchirp cyclically shifted by s chips (s*k samples), times
// the constant e^{-2 pi i c_s}, c_s = (s^2 - N s) / (2N), which starts every symbol at phase 0.
// Every full chirp ends at a whole number of cycles (and so does the quarter downchirp for N >= 32),
// so concatenated symbols are phase-continuous without carrying a phase across calls, and a
// repeated symbol (the preamble) is a plain copy of the first one.
import { downchirpTable, upchirpTable } from "./chirp";

/** Writes count symbols (u16 values at syms) as count * n * k complex f32 samples at out. */
export function modulator_symbols(syms: usize, count: i32, n: i32, k: i32, out: usize): void {
  const base = upchirpTable(n, k);
  const len = n * k;
  for (let j = 0; j < count; j++) {
    writeSymbol(base, <i32>load<u16>(syms + (<usize>j << 1)) & (n - 1), n, k, out + (<usize>j * <usize>len << 3));
  }
}

/**
 * Writes a whole frame at out: `preamble` upchirps, the sync symbols sync0 and sync1, 2.25 base
 * downchirps, `extra` upchirps (2 with SX126x framing at SF5/SF6), then the count payload symbols
 * at syms (u16). The caller sizes out from frameLayout.
 */
export function modulator_frame(syms: usize, count: i32, preamble: i32, sync0: i32, sync1: i32, extra: i32, n: i32, k: i32, out: usize): void {
  const base = upchirpTable(n, k);
  const len = n * k;
  const bytes = <usize>len << 3;
  let at = out;
  for (let j = 0; j < preamble; j++, at += bytes) memory.copy(at, base, bytes); // symbol 0 = the base chirp
  writeSymbol(base, sync0 & (n - 1), n, k, at);
  at += bytes;
  writeSymbol(base, sync1 & (n - 1), n, k, at);
  at += bytes;
  const down = (9 * len) / 4; // 2.25 downchirps
  modulator_downchirps(n, k, down, at);
  at += <usize>down << 3;
  // The quarter downchirp ends on a whole cycle for N >= 32 (see above), so the extra upchirps
  // start at phase 0 like every symbol.
  for (let j = 0; j < extra; j++, at += bytes) memory.copy(at, base, bytes);
  modulator_symbols(syms, count, n, k, at);
}

/** Inverted IQ: conjugates `samples` complex f32 samples in place (negates every Q), four floats per vector. */
export function iq_conjugate(iq: usize, samples: i32): void {
  const sign = f32x4(1, -1, 1, -1);
  const pairs = samples >> 1;
  for (let m = 0; m < pairs; m++) {
    const o = iq + (<usize>m << 4);
    v128.store(o, f32x4.mul(v128.load(o), sign));
  }
  if (samples & 1) {
    const o = iq + (<usize>(samples - 1) << 3);
    store<f32>(o, -load<f32>(o, 4), 4);
  }
}

@inline function writeSymbol(base: usize, s: i32, n: i32, k: i32, dst: usize): void {
  const len = n * k;
  const twoN = <i64>2 * <i64>n;
  let num = (<i64>s * <i64>s - <i64>n * <i64>s) % twoN;
  if (num < 0) num += twoN;
  const a = -2.0 * Math.PI * (<f64>num / <f64>twoN);
  const cr = <f32>Math.cos(a), ci = <f32>Math.sin(a);
  const shift = s * k;
  // samples m < len - shift read base[m + shift]; the rest wrap to base[m + shift - len]
  rotateCopy(base + (<usize>shift << 3), dst, len - shift, cr, ci);
  rotateCopy(base, dst + (<usize>(len - shift) << 3), shift, cr, ci);
}

/** dst[m] = src[m] * (cr + i ci) for count complex samples, two per SIMD vector. */
@inline function rotateCopy(src: usize, dst: usize, count: i32, cr: f32, ci: f32): void {
  const vr = f32x4.splat(cr);
  const vi = f32x4(-ci, ci, -ci, ci);
  const pairs = count >> 1;
  for (let m = 0; m < pairs; m++) {
    const o = <usize>m << 4;
    const x = v128.load(src + o);
    v128.store(dst + o, f32x4.add(f32x4.mul(x, vr), f32x4.mul(v128.shuffle<f32>(x, x, 1, 0, 3, 2), vi)));
  }
  if (count & 1) {
    const o = <usize>(count - 1) << 3;
    const xr = load<f32>(src + o), xi = load<f32>(src + o, 4);
    store<f32>(dst + o, xr * cr - xi * ci);
    store<f32>(dst + o, xr * ci + xi * cr, 4);
  }
}

/** Writes `samples` samples of repeated base downchirps (e.g. 2.25 * n * k for the SFD). */
export function modulator_downchirps(n: i32, k: i32, samples: i32, out: usize): void {
  const base = downchirpTable(n, k);
  const len = n * k;
  for (let m = 0; m < samples; m += len) {
    const c = min(len, samples - m);
    memory.copy(out + (<usize>m << 3), base, <usize>c << 3);
  }
}
