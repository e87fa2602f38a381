/**
 * Seeded deterministic random numbers for the simulator: xoshiro128** (Blackman & Vigna,
 * "Scrambled linear pseudorandom number generators", 2018) seeded through splitmix32, and
 * Gaussian pairs by Marsaglia's polar method (also in Wasm: assembly/dsp/noise.ts, the same stream).
 * Same seed, same recording, on every platform and with either engine.
 */
import { checkNumber } from "../check.js";
import { phyWasm } from "../wasm/phy.js";
import type { WasmBase } from "../wasm/instantiate.js";

const dspWasm = phyWasm as unknown as WasmBase & {
  noise_add(x: number, n: number, sigma: number, state: number): void;
};

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    checkNumber("seed", seed, -Infinity, Infinity, "a finite number (used modulo 2^32)");
    let x = seed >>> 0;
    const split = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = split();
    this.s1 = split();
    this.s2 = split();
    this.s3 = split();
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    const r = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r;
  }

  /** Uniform in [0, 1) with 53 bits. */
  uniform(): number {
    return ((this.nextU32() >>> 5) * 67108864 + (this.nextU32() >>> 6)) / 9007199254740992;
  }

  /** A standard normal N(0, 1) value (Marsaglia's polar method; the pair's second value is discarded, so the stream stays simple). */
  gaussian(): number {
    const inv = 1 / 2147483648;
    let u: number, v: number, s: number;
    do {
      u = (this.nextU32() | 0) * inv;
      v = (this.nextU32() | 0) * inv;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    return u * Math.sqrt((-2 * Math.log(s)) / s);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /**
   * Adds complex Gaussian noise of variance `variance` (E|n|^2) to interleaved I/Q in place.
   * engine 'wasm' runs the same generator in assembly/dsp/noise.ts (same stream; values equal up
   * to the last bit of the logarithm), about twice as fast.
   */
  addComplexNoise(
    iq: Float32Array,
    variance: number,
    from = 0,
    to = iq.length / 2,
    engine: "wasm" | "js" = "js",
  ): void {
    if (engine === "wasm") {
      this.addComplexNoiseWasm(iq, variance, from, to);
      return;
    }
    const sigma = Math.sqrt(variance / 2);
    const inv = 1 / 2147483648;
    for (let i = from; i < to; i++) {
      // Marsaglia's polar method: a pair of independent N(0,1) values per complex sample, no trig.
      let u: number, v: number, s: number;
      do {
        u = (this.nextU32() | 0) * inv;
        v = (this.nextU32() | 0) * inv;
        s = u * u + v * v;
      } while (s >= 1 || s === 0);
      const f = sigma * Math.sqrt((-2 * Math.log(s)) / s);
      iq[2 * i] += u * f;
      iq[2 * i + 1] += v * f;
    }
  }

  private addComplexNoiseWasm(iq: Float32Array, variance: number, from: number, to: number): void {
    const mod = dspWasm;
    const block = 16384;
    const buf = mod.alloc(block * 8 + 16);
    const state = buf + block * 8;
    try {
      const st = new Uint32Array(mod.memory.buffer, state, 4);
      st[0] = this.s0;
      st[1] = this.s1;
      st[2] = this.s2;
      st[3] = this.s3;
      const sigma = Math.sqrt(variance / 2);
      for (let i = from; i < to; i += block) {
        const n = Math.min(block, to - i);
        new Float32Array(mod.memory.buffer, buf, 2 * n).set(iq.subarray(2 * i, 2 * (i + n)));
        mod.noise_add(buf, n, sigma, state);
        iq.set(new Float32Array(mod.memory.buffer, buf, 2 * n), 2 * i);
      }
      const end = new Uint32Array(mod.memory.buffer, state, 4);
      this.s0 = end[0]!;
      this.s1 = end[1]!;
      this.s2 = end[2]!;
      this.s3 = end[3]!;
    } finally {
      mod.free(buf);
    }
  }

  /** Random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.nextU32() >>> 24;
    return out;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
