// The front end's per-block work, behind one interface with two implementations: Wasm kernels
// (assembly/dsp/{convert,nco,fir,resample}.ts) on buffers allocated once in Wasm memory, and the
// js twins (src/engines/js/*) on typed arrays. Positions are in complex samples.
import { phyWasm } from "../wasm/phy.js";
import { f32, type WasmBase } from "../wasm/instantiate.js";
import type { SampleFormat } from "./formats.js";
import { convertCs16, convertCs8, convertCu8, checkFinite } from "../engines/js/convert.js";
import { NCO_BLOCK, ncoMix, ncoTable } from "../engines/js/nco.js";
import { firDecimate } from "../engines/js/fir.js";
import { resampleBlock } from "../engines/js/resample.js";
import type { PolyphaseFilter } from "./fir.js";
import type { IqCorrector } from "./iqcorrect.js";

interface DspExports extends WasmBase {
  convert_cs16(src: number, dst: number, n: number): void;
  convert_cu8(src: number, dst: number, n: number): void;
  convert_cs8(src: number, dst: number, n: number): void;
  convert_cf32_check(ptr: number, nFloats: number): number;
  nco_mix(x: number, n: number, table: number, cyclesPerSample: number, index0: number): void;
  fir_decimate(
    x: number,
    nIn: number,
    h2: number,
    m: number,
    decim: number,
    newest0: number,
    out: number,
    maxOut: number,
  ): number;
  fir_halfband(
    x: number,
    nIn: number,
    h2: number,
    even: number,
    centre: number,
    m: number,
    newest0: number,
    out: number,
    maxOut: number,
    scratch: number,
  ): number;
  resample_block(
    x: number,
    nIn: number,
    base: number,
    h2: number,
    m: number,
    phases: number,
    ratio: number,
    t0: number,
    nOut0: number,
    out: number,
    maxOut: number,
  ): number;
}
export const dspWasm = phyWasm as unknown as DspExports;

export interface FrontendKernels {
  /** Writes n samples of raw bytes (exactly n * bytesPerSample) at hist position `at`; returns the first non-finite float's index or -1. */
  writeBytes(src: Uint8Array, format: SampleFormat, at: number, n: number): number;
  /** Copies n cf32 samples from Wasm memory (wasm engine only); returns as writeBytes. */
  writePtr(ptr: number, at: number, n: number): number;
  /** Reads one float of the history (for error messages). */
  histFloat(i: number): number;
  mix(at: number, n: number, cyclesPerSample: number, index0: number): void;
  /** DC removal and IQ imbalance correction of n history samples at `at`, in place. */
  iqCorrect(at: number, n: number, c: IqCorrector): void;
  /**
   * Filters and decimates the history; the outputs go to position outAt of the output buffer, or of
   * `into`'s history when given (the next stage of a cascade, the same engine).
   */
  decimate(nIn: number, decim: number, newest0: number, outAt: number, maxOut: number, into?: FrontendKernels): number;
  resample(nIn: number, base: number, ratio: number, t0: number, nOut0: number, outAt: number, maxOut: number): number;
  /** Moves hist[from, from+count) to hist[0, count). */
  shift(from: number, count: number): void;
  /** Zeroes the first n history samples. */
  clear(n: number): void;
  ensureOut(nComplex: number): void;
  /** The first n output samples (a view). */
  outView(n: number): Float32Array;
  outPtr(): number;
  dispose(): void;
}

/**
 * A linear-phase halfband low-pass (cutoff a quarter of the input rate, taps reversed, m a
 * multiple of 4): the taps at odd positions other than the centre (m/2 - 1) are zeros of the sinc,
 * rounded to about 1e-17 of the centre tap, so a kernel may skip them, and the even taps are
 * symmetric (h[q] = h[m - 2 - q], as the windowed-sinc design makes them), so a kernel may add the
 * mirrored samples first and multiply once.
 */
export function isHalfband(f: PolyphaseFilter): boolean {
  if (f.phases !== 1 || f.m % 4 !== 0 || f.m < 8) return false;
  const c = f.table[f.m / 2 - 1]!;
  for (let q = 1; q < f.m; q += 2)
    if (q !== f.m / 2 - 1 && !(Math.abs(f.table[q]!) <= 1e-9 * Math.abs(c))) return false;
  for (let q = 0; q < f.m - 1; q += 2) if (f.table[q] !== f.table[f.m - 2 - q]) return false;
  return true;
}

/** The pass-through "filter" (two taps, the newest sample's 1): its output is a copy. */
function isIdentity(f: PolyphaseFilter): boolean {
  return f.m === 2 && f.phases === 1 && f.table[0] === 0 && f.table[1] === 1;
}

export class WasmKernels implements FrontendKernels {
  private readonly mod = dspWasm;
  private hist: number;
  private stage: number;
  private taps: number;
  /** Halfband filters (decimation by 2): the first half of the even taps, for fir_halfband; 0 otherwise. */
  private even = 0;
  /** fir_halfband's parity-split samples (histCapacity + m + 2 of them). */
  private split = 0;
  private out = 0;
  private outCap = 0;
  /** The mixer's phasor table (made for ncoCps on the first mix). */
  private nco = 0;
  private ncoCps = Number.NaN;
  private disposed = false;
  /** A byte view of the whole Wasm memory, re-made only when the memory has grown (not one per block). */
  private mem = new Uint8Array(0);

  constructor(
    private readonly filter: PolyphaseFilter,
    histCapacity: number,
    block: number,
  ) {
    const mod = this.mod;
    // 2 samples of room past the history: fir_halfband's last loads may reach them (unused lanes)
    this.hist = mod.alloc((histCapacity + 2) * 8);
    this.stage = mod.alloc(block * 4);
    const n = filter.table.length;
    this.taps = mod.alloc(n * 8);
    const t = f32(mod, this.taps, 2 * n);
    for (let i = 0; i < n; i++) t[2 * i] = t[2 * i + 1] = filter.table[i]!;
    if (isHalfband(filter)) {
      this.even = mod.alloc(filter.m);
      const e = f32(mod, this.even, filter.m / 4);
      for (let j = 0; j < filter.m / 4; j++) e[j] = filter.table[2 * j]!;
      this.split = mod.alloc((histCapacity + filter.m + 2) * 8);
    }
  }

  private bytes(): Uint8Array {
    const buffer = this.mod.memory.buffer;
    if (this.mem.buffer !== buffer) this.mem = new Uint8Array(buffer);
    return this.mem;
  }
  writeBytes(src: Uint8Array, format: SampleFormat, at: number, n: number): number {
    const mod = this.mod;
    const dst = this.hist + at * 8;
    if (format === "cf32") {
      this.bytes().set(src, dst);
      return mod.convert_cf32_check(dst, 2 * n);
    }
    this.bytes().set(src, this.stage);
    if (format === "cs16") mod.convert_cs16(this.stage, dst, n);
    else if (format === "cu8") mod.convert_cu8(this.stage, dst, n);
    else mod.convert_cs8(this.stage, dst, n);
    return -1;
  }
  writePtr(ptr: number, at: number, n: number): number {
    const dst = this.hist + at * 8;
    this.bytes().copyWithin(dst, ptr, ptr + n * 8);
    return this.mod.convert_cf32_check(dst, 2 * n);
  }
  histFloat(i: number): number {
    return f32(this.mod, this.hist + i * 4, 1)[0]!;
  }
  mix(at: number, n: number, cps: number, index0: number): void {
    if (cps !== this.ncoCps) {
      if (!this.nco) this.nco = this.mod.alloc(NCO_BLOCK * 8);
      f32(this.mod, this.nco, 2 * NCO_BLOCK).set(ncoTable(cps));
      this.ncoCps = cps;
    }
    this.mod.nco_mix(this.hist + at * 8, n, this.nco, cps, index0);
  }
  iqCorrect(at: number, n: number, c: IqCorrector): void {
    c.wasm(this.hist + at * 8, n);
  }
  decimate(nIn: number, decim: number, newest0: number, outAt: number, maxOut: number, into?: FrontendKernels): number {
    const f = this.filter;
    const dst = into ? (into as WasmKernels).hist + outAt * 8 : this.out + outAt * 8;
    if (decim === 1 && isIdentity(f)) {
      const count = Math.max(0, Math.min(maxOut, nIn - newest0));
      this.bytes().copyWithin(dst, this.hist + newest0 * 8, this.hist + (newest0 + count) * 8);
      return count;
    }
    if (decim === 2 && this.even)
      return this.mod.fir_halfband(
        this.hist,
        nIn,
        this.taps,
        this.even,
        f.table[f.m / 2 - 1]!,
        f.m,
        newest0,
        dst,
        maxOut,
        this.split,
      );
    return this.mod.fir_decimate(this.hist, nIn, this.taps, this.filter.m, decim, newest0, dst, maxOut);
  }
  resample(nIn: number, base: number, ratio: number, t0: number, nOut0: number, outAt: number, maxOut: number): number {
    const f = this.filter;
    return this.mod.resample_block(
      this.hist,
      nIn,
      base,
      this.taps,
      f.m,
      f.phases,
      ratio,
      t0,
      nOut0,
      this.out + outAt * 8,
      maxOut,
    );
  }
  shift(from: number, count: number): void {
    this.bytes().copyWithin(this.hist, this.hist + from * 8, this.hist + (from + count) * 8);
  }
  clear(n: number): void {
    this.bytes().fill(0, this.hist, this.hist + n * 8);
  }
  ensureOut(nComplex: number): void {
    if (nComplex <= this.outCap) return;
    // Grow geometrically so a stream of slightly larger chunks does not reallocate every time.
    const cap = Math.max(nComplex, Math.ceil(this.outCap * 1.5), 1024);
    if (this.out) this.mod.free(this.out);
    this.out = this.mod.alloc(cap * 8);
    this.outCap = cap;
  }
  outView(n: number): Float32Array {
    return f32(this.mod, this.out, 2 * n);
  }
  outPtr(): number {
    return this.out;
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of [this.hist, this.stage, this.taps, this.even, this.split, this.out, this.nco])
      if (p) this.mod.free(p);
  }
}

export class JsKernels implements FrontendKernels {
  private readonly hist: Float32Array;
  private readonly histBytes: Uint8Array;
  /** The raw block staged for conversion, with a view per format (made once). */
  private readonly stageBytes: Uint8Array;
  private readonly stage16: Int16Array;
  private readonly stage8: Int8Array;
  private out = new Float32Array(0);
  private nco: Float32Array = new Float32Array(0);
  private ncoCps = Number.NaN;

  constructor(
    private readonly filter: PolyphaseFilter,
    histCapacity: number,
    block: number,
  ) {
    this.hist = new Float32Array(histCapacity * 2);
    this.histBytes = new Uint8Array(this.hist.buffer);
    const stage = new ArrayBuffer(block * 4);
    this.stageBytes = new Uint8Array(stage);
    this.stage16 = new Int16Array(stage);
    this.stage8 = new Int8Array(stage);
  }

  writeBytes(src: Uint8Array, format: SampleFormat, at: number, n: number): number {
    if (format === "cf32") {
      this.histBytes.set(src, at * 8);
      return checkFinite(this.hist, at * 2, 2 * n);
    }
    this.stageBytes.set(src);
    if (format === "cs16") convertCs16(this.stage16, 0, this.hist, at * 2, n);
    else if (format === "cu8") convertCu8(this.stageBytes, 0, this.hist, at * 2, n);
    else convertCs8(this.stage8, 0, this.hist, at * 2, n);
    return -1;
  }
  writePtr(): number {
    throw new Error("unreachable: pushPtr is checked by the front end");
  }
  histFloat(i: number): number {
    return this.hist[i]!;
  }
  mix(at: number, n: number, cps: number, index0: number): void {
    if (cps !== this.ncoCps) {
      this.nco = ncoTable(cps);
      this.ncoCps = cps;
    }
    ncoMix(this.hist, at * 2, n, this.nco, cps, index0);
  }
  iqCorrect(at: number, n: number, c: IqCorrector): void {
    c.js(this.hist, at, n);
  }
  decimate(nIn: number, decim: number, newest0: number, outAt: number, maxOut: number, into?: FrontendKernels): number {
    const dst = into ? (into as JsKernels).hist : this.out;
    if (decim === 1 && isIdentity(this.filter)) {
      const count = Math.max(0, Math.min(maxOut, nIn - newest0));
      dst.set(this.hist.subarray(2 * newest0, 2 * (newest0 + count)), outAt * 2);
      return count;
    }
    return firDecimate(this.hist, 0, nIn, this.filter.table, this.filter.m, decim, newest0, dst, outAt * 2, maxOut);
  }
  resample(nIn: number, base: number, ratio: number, t0: number, nOut0: number, outAt: number, maxOut: number): number {
    const f = this.filter;
    return resampleBlock(
      this.hist,
      0,
      nIn,
      base,
      f.table,
      f.m,
      f.phases,
      ratio,
      t0,
      nOut0,
      this.out,
      outAt * 2,
      maxOut,
    );
  }
  shift(from: number, count: number): void {
    this.hist.copyWithin(0, from * 2, (from + count) * 2);
  }
  clear(n: number): void {
    this.hist.fill(0, 0, n * 2);
  }
  ensureOut(nComplex: number): void {
    if (2 * nComplex <= this.out.length) return;
    this.out = new Float32Array(2 * Math.max(nComplex, Math.ceil(this.out.length * 0.75), 1024));
  }
  outView(n: number): Float32Array {
    return this.out.subarray(0, 2 * n);
  }
  outPtr(): number {
    return -1;
  }
  dispose(): void {}
}
