// LoRa modulator: symbol s is the base upchirp cyclically shifted by s chips (s*k samples), times
// the constant e^{-2 pi i c_s}, c_s = (s^2 - N s) / (2N), which starts every symbol at phase 0.
// Every full chirp ends at a whole number of cycles (and so does the quarter downchirp for N >= 32),
// so concatenated symbols are phase-continuous without carrying a phase across calls.
import { downchirpTable, upchirpTable } from "./chirp";

/** Writes count symbols (u16 values at syms) as count * n * k complex f32 samples at out. */
export function modulator_symbols(syms: usize, count: i32, n: i32, k: i32, out: usize): void {
  const base = upchirpTable(n, k);
  const len = n * k;
  const twoN = <i64>2 * <i64>n;
  for (let j = 0; j < count; j++) {
    const s = <i32>load<u16>(syms + (<usize>j << 1)) & (n - 1);
    let num = (<i64>s * <i64>s - <i64>n * <i64>s) % twoN;
    if (num < 0) num += twoN;
    const a = -2.0 * Math.PI * (<f64>num / <f64>twoN);
    const cr = <f32>Math.cos(a), ci = <f32>Math.sin(a);
    const dst = out + (<usize>j * <usize>len << 3);
    const shift = s * k;
    // samples m < len - shift read base[m + shift]; the rest wrap to base[m + shift - len]
    rotateCopy(base + (<usize>shift << 3), dst, len - shift, cr, ci);
    rotateCopy(base, dst + (<usize>(len - shift) << 3), shift, cr, ci);
  }
}

@inline function rotateCopy(src: usize, dst: usize, count: i32, cr: f32, ci: f32): void {
  for (let m = 0; m < count; m++) {
    const o = <usize>m << 3;
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
