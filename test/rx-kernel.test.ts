// Per-symbol kernel: exact timing and carrier correction at any fractional position, both engines.
import { describe, expect, it } from "vitest";
import { modulateSymbols } from "../src/phy/index.js";
import { createRxSymbolJs } from "../src/engines/js/rx-symbol.js";
import { createRxSymbolWasm } from "../src/engines/wasm/rx-symbol.js";
import {
  demodArgs,
  LLR_FULL,
  MARGIN,
  MEASURE_BIN,
  MEASURE_SPECTRUM,
  NONE,
  type SymbolResult,
} from "../src/rx/kernel.js";
import { SYMBOL_RESULT_FIELDS, SYMBOL_RESULT_SIZE } from "../src/wasm/generated/rx-abi.js";
import { phyWasm } from "../src/wasm/phy.js";
import { ChirpError } from "../src/errors.js";
import { createFrontend } from "../src/dsp/index.js";
import { resolveParams } from "../src/phy/params.js";
import { crcBlindClear, crcBlindRisk, validCodewords } from "../src/rx/confidence.js";
import { encodeFrame } from "../src/phy/index.js";

function kernelWith(sf: number, r: number, iq: Float32Array, engine: string) {
  const k = (engine === "js" ? createRxSymbolJs : createRxSymbolWasm)({ sf, r, capacity: iq.length / 2 + 8 });
  k.write(0, iq);
  return k;
}

describe.each(["js", "wasm"])("rx symbol kernel (%s)", (engine) => {
  it("demodulates every symbol at fractional timing with no bias (r = 2)", () => {
    const sf = 7,
      n = 128,
      os = 16;
    const syms = [0, 1, 2, 10, 30, 63, 64, 65, 100, 120, 126, 127];
    const iq = modulateSymbols([...syms, 0, 0], { sf, bandwidth: 125000, cr: 1 }, { oversampling: os, engine: "js" });
    for (const delay of [0, 3, 5, 8, 11]) {
      // delay by `delay` samples at 16x (delay/16 chips), then filter and decimate to 2x
      const shifted = new Float32Array(iq.length + 2 * (64 * os + delay));
      shifted.set(iq, 2 * (64 * os + delay));
      const fe = createFrontend({
        sampleRate: 125000 * os,
        bandwidth: 250000,
        outputOversampling: 1,
        transition: 0.25,
        engine: "js",
      });
      const out = fe.push(shifted).slice();
      const k = kernelWith(sf, 2, out, engine);
      syms.forEach((s, i) => {
        // symbol i starts at input (64*os + delay + i*n*os), output = input/ratio + delay
        const pos = (64 * os + delay + i * n * os) / fe.ratio + fe.delaySamples;
        k.demod(demodArgs(pos, 0));
        expect(k.result.bin).toBe(s);
        expect(Math.abs(k.result.frac)).toBeLessThan(0.02);
        expect(Math.abs(k.result.slope)).toBeLessThan(0.04);
      });
    }
  });
});

describe.each(["js", "wasm"])("rx symbol kernel measure modes (%s)", (engine) => {
  // SF7 at r = 2 takes the Wasm kernel's table (bin 0 of a downchirp as one dot product), SF10 at
  // r = 2 (a window over BIN_TABLE_MAX_M) and an upchirp bin the full path
  it.each([
    [7, 2, true, 0],
    [10, 2, true, 0],
    [8, 1, true, 0],
    [7, 2, false, 5],
  ])(
    "SF%i r = %i (down %s, bin %i): MEASURE_BIN reads what the full demod reads at the bin, MEASURE_SPECTRUM all but the slope",
    (sf, r, down, bin) => {
      const n = 1 << sf,
        m = n * r;
      const iq = modulateSymbols([0, 0, 0, 0], { sf, bandwidth: 125000, cr: 1 }, { oversampling: r, engine: "js" });
      const noisy = new Float32Array(iq.length + 4 * MARGIN).map(
        (_, i) => 0.5 * Math.sin(i * 12.9898) * Math.cos(i * 78.233),
      );
      iq.forEach((v, i) => {
        noisy[2 * MARGIN + i] = noisy[2 * MARGIN + i]! + v;
      });
      const k = kernelWith(sf, r, noisy, engine);
      for (const [pos, cfo] of [
        [MARGIN + 0.3, 0.2],
        [MARGIN + m + 7.55, -3.4],
        [MARGIN + 2 * m - 11.02, 9.9],
      ] as const) {
        k.demod(demodArgs(pos, cfo, { atBin: bin, down }));
        const full = { ...k.result };
        k.demod(demodArgs(pos, cfo, { atBin: bin, down, measure: MEASURE_BIN }));
        const one = { ...k.result };
        const tol = 1e-5 * Math.hypot(full.re, full.im) + 1e-6;
        expect(Math.abs(one.re - full.re)).toBeLessThan(tol);
        expect(Math.abs(one.im - full.im)).toBeLessThan(tol);
        expect(Math.abs(one.peak - full.peak)).toBeLessThan(3 * tol * Math.sqrt(full.peak) + 1e-6);
        expect([one.bin, one.mean, one.frac, one.slope, one.far, one.band]).toEqual([bin, 0, 0, 0, 0, 0]);
        k.demod(demodArgs(pos, cfo, { atBin: bin, down, measure: MEASURE_SPECTRUM }));
        expect({ ...k.result, slope: full.slope }).toEqual(full);
        expect(k.result.slope).toBe(0);
      }
      for (const bad of [{ atBin: NONE }, { keep: 0 }, { prev: 1 }, { frame: k.frameStore(1) }])
        expect(() => k.demod(demodArgs(MARGIN, 0, { atBin: 0, measure: MEASURE_BIN, ...bad }))).toThrow(ChirpError);
      k.dispose();
    },
  );
});

describe("rx symbol kernel ABI", () => {
  it("the result record has the size the Wasm module has, and both engines fill every field alike", () => {
    expect(phyWasm.SYMBOL_RESULT_BYTES.value).toBe(SYMBOL_RESULT_SIZE);
    const sf = 8,
      r = 2;
    const iq = modulateSymbols(
      [0, 0, 0, 77, 200, 3, 0, 0],
      { sf, bandwidth: 125000, cr: 1 },
      { oversampling: r, engine: "js" },
    );
    // the symbols from buffer index MARGIN on, with a little deterministic noise
    const noisy = new Float32Array(iq.length + 4 * MARGIN).map(
      (_, i) => 0.3 * Math.sin(i * 12.9898) * Math.cos(i * 78.233),
    );
    iq.forEach((v, i) => {
      noisy[2 * MARGIN + i] = noisy[2 * MARGIN + i]! + v;
    });
    const results = (["js", "wasm"] as const).map((engine) => {
      const k = kernelWith(sf, r, noisy, engine);
      const out: SymbolResult[] = [];
      const m = 256 * r;
      const store = k.frameStore(3);
      // a preamble pair with keep/prev (diff), a payload symbol with LLRs, a measured bin, a downchirp
      k.demod(demodArgs(MARGIN + 0.3, 0.2, { keep: 0 }));
      out.push({ ...k.result });
      k.demod(demodArgs(MARGIN + m + 0.3, 0.2, { keep: 1, prev: 0 }));
      out.push({ ...k.result });
      k.demod(
        demodArgs(MARGIN + 3 * m + 0.3, 0.2, { llrMode: LLR_FULL, frame: store, index: 1, amplitude: 200, noise: 30 }),
      );
      out.push({ ...k.result });
      k.demod(demodArgs(MARGIN + 4 * m + 0.3, 0.2, { atBin: 199, down: true }));
      out.push({ ...k.result });
      k.foldedWindow(MARGIN + m, false, 1);
      k.foldedWindow(MARGIN, false, 0);
      k.pairPeak();
      out.push({ ...k.result });
      const acc = k.searchAccumulator();
      for (let j = 0; j < 4; j++) k.search(acc, MARGIN + j * m);
      out.push({ ...k.result });
      const { symbols, llr } = store.copy(0, 3);
      k.dispose();
      expect(() => k.demod(demodArgs(MARGIN, 0))).toThrow(ChirpError);
      return { out, llr, symbols };
    });
    const [js, wasm] = results;
    expect(js!.out[1]!.diff).toBeGreaterThan(0);
    expect(js!.out[2]!.bin).toBe(77);
    js!.out.forEach((a, i) => {
      for (const f of SYMBOL_RESULT_FIELDS)
        expect(Math.abs(a[f] - wasm!.out[i]![f]), `${i} ${f}`).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(a[f])));
    });
    for (let j = 0; j < 3 * sf; j++)
      expect(Math.abs(js!.llr[j]! - wasm!.llr[j]!)).toBeLessThan(1e-2 * Math.max(1, Math.abs(js!.llr[j]!)));
    expect(js!.llr.subarray(sf, 2 * sf).some((v) => v !== 0)).toBe(true);
    // demod kept the hard decision in the store, at the index given only
    for (const e of [js!, wasm!]) expect(Array.from(e.symbols)).toEqual([0, 77, 0]);
  });
});

describe("frame stores count valid codewords where the symbols are (validCodewords)", () => {
  it("the Wasm store's counts are the js function's, for every SF, CR, rate and length", () => {
    let seed = 7;
    const rand = (m: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % m;
    };
    let checked = 0,
      valid = 0,
      invalid = 0;
    for (let sf = 5; sf <= 12; sf++) {
      const capacity = 70;
      const kernels = [
        createRxSymbolJs({ sf, r: 1, capacity: 4096 }),
        createRxSymbolWasm({ sf, r: 1, capacity: 4096 }),
      ];
      const stores = kernels.map((k) => k.frameStore(capacity));
      const syms = new Uint16Array(capacity);
      for (let trial = 0; trial < 12; trial++) {
        const params = resolveParams({ sf, bandwidth: 125000, cr: 1 + rand(4), ldro: rand(2) === 1 ? "on" : "off" });
        const headerFull = rand(3) === 0;
        const p = { ...params, headerFullRate: headerFull };
        // mostly valid codewords: symbols of an encoded frame, some of them changed
        const n = 1 << sf;
        for (let i = 0; i < capacity; i++) syms[i] = rand(4) === 0 ? rand(n) : (1 + 4 * rand(n >> 2)) % n;
        (Reflect.get(stores[0]!, "symbols") as Uint16Array).set(syms);
        const at = phyWasm.rxframe_symbols(Reflect.get(stores[1]!, "ptr") as number);
        new Uint16Array(phyWasm.memory.buffer, at, capacity).set(syms);
        for (const count of [0, 7, 8, 13, 25, 40, capacity]) {
          const cr = 1 + rand(4);
          const want = validCodewords(syms.subarray(0, count), p, cr);
          for (const s of stores) expect(s.validCodewords(count, p, cr)).toEqual(want);
          checked++;
          valid += want.firstValid + want.restValid;
          invalid += want.first + want.rest - want.firstValid - want.restValid;
        }
      }
      for (const k of kernels) k.dispose();
    }
    expect(checked).toBe(8 * 12 * 7);
    // both kinds were counted
    expect(valid).toBeGreaterThan(100);
    expect(invalid).toBeGreaterThan(100);
  });
});

describe("frame stores test whether the CRC is blind where the symbols are (crcBlindClear)", () => {
  it("the Wasm store's verdict is the js function's, on clean, weak and misread frames", () => {
    let seed = 11;
    const rand = (m: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % m;
    };
    let clear = 0,
      notClear = 0;
    for (const sf of [5, 7, 8, 10, 12]) {
      const kernels = [
        createRxSymbolJs({ sf, r: 1, capacity: 4096 }),
        createRxSymbolWasm({ sf, r: 1, capacity: 4096 }),
      ];
      const capacity = 600;
      const stores = kernels.map((k) => k.frameStore(capacity));
      for (let trial = 0; trial < 16; trial++) {
        const params = resolveParams({
          sf,
          bandwidth: 125000,
          cr: 1 + rand(4),
          ldro: rand(2) === 1 ? "on" : "off",
          explicitHeader: rand(4) !== 0,
          ...(sf <= 6 && rand(2) === 1 ? { framing: "sx126x" as const } : {}),
        });
        const payload = new Uint8Array(1 + rand(40)).map(() => rand(256));
        const symbols = encodeFrame(payload, params);
        const llr = new Float32Array(symbols.length * sf).map(() => (rand(2) ? 1 : -1) * (40 + rand(40)));
        const kind = trial % 4;
        // 0: clean; 1: one weak LLR; 2: one symbol misread; 3: a weak LLR far from the CRC's blocks
        const at = rand(symbols.length);
        if (kind === 1) llr[at * sf + rand(sf - 2)] = 3;
        if (kind === 2) symbols[at] = (symbols[at]! + 1 + rand((1 << sf) - 1)) % (1 << sf);
        if (kind === 3) llr[rand(8) * sf] = 5;
        const count = symbols.length;
        (Reflect.get(stores[0]!, "symbols") as Uint16Array).set(symbols);
        (Reflect.get(stores[0]!, "llr") as Float32Array).set(llr);
        const ptr = Reflect.get(stores[1]!, "ptr") as number;
        new Uint16Array(phyWasm.memory.buffer, phyWasm.rxframe_symbols(ptr), count).set(symbols);
        new Float32Array(phyWasm.memory.buffer, phyWasm.rxframe_llr(ptr), count * sf).set(llr);
        const want = crcBlindClear(symbols, llr, payload, params, params.cr);
        for (const s of stores)
          expect(s.crcBlindClear(count, payload, params, params.cr), `SF${sf} trial ${trial}`).toBe(want);
        // and crcBlindRisk, which starts with the same test, is 0 exactly when it passes
        if (want) expect(crcBlindRisk(symbols, llr, payload, params, params.cr)).toBe(0);
        if (want) clear++;
        else notClear++;
      }
      for (const k of kernels) k.dispose();
    }
    expect(clear).toBeGreaterThan(10);
    expect(notClear).toBeGreaterThan(10);
  });
});
