// The receiver's per-symbol kernel, Wasm engine (assembly/rx/symbol.ts): the sample buffer lives
// in Wasm memory, written once per push; each call passes an index, no samples cross the boundary.
import { phyWasm } from "../../wasm/phy.js";
import { interpolatorBank, PHASES, TAPS } from "../js/rx-symbol.js";
import { RES, type RxSymbolConfig, type RxSymbolKernel } from "../../rx/kernel.js";

interface RxKernels {
  rxsym_create(sf: number, r: number, capacity: number, ring: number): number;
  rxsym_free(c: number): void;
  rxsym_buffer(c: number): number;
  rxsym_bank(c: number): number;
  rxsym_words(c: number): number;
  rxsym_result(c: number): number;
  rxsym_llr(c: number): number;
  rxsym_move(c: number, dst: number, src: number, count: number): void;
  rxsym_set_llr_scale(c: number, amp: number, noise: number): void;
  rxsym_search_reset(c: number): void;
  rxsym_search_step(c: number, start: number): number;
  rxsym_folded(c: number, start: number, down: number, accMode: number): void;
  rxsym_demod(c: number, pos: number, down: number, freqBins: number, atBin: number, llrMode: number): void;
}
const k = phyWasm as unknown as RxKernels & typeof phyWasm;

const registry = new FinalizationRegistry<number>((ctx) => k.rxsym_free(ctx));

export function createRxSymbolWasm(cfg: RxSymbolConfig): RxSymbolKernel {
  const { n, r, sf, capacity, ring } = cfg;
  let ctx = k.rxsym_create(sf, r, capacity, ring);
  const token = {};
  registry.register(token, ctx, token);
  // everything is allocated now: later calls never grow memory, so views stay valid until another
  // module allocates; they are re-made cheaply when the buffer was detached
  const bufPtr = k.rxsym_buffer(ctx), resPtr = k.rxsym_result(ctx), llrPtr = k.rxsym_llr(ctx);
  new Float32Array(phyWasm.memory.buffer, k.rxsym_bank(ctx), (PHASES + 1) * TAPS).set(interpolatorBank(r));
  const words = new Int32Array(phyWasm.memory.buffer, k.rxsym_words(ctx), 2 * n);
  words.set(cfg.wordFull, 0);
  words.set(cfg.wordReduced, n);
  let mem = phyWasm.memory.buffer;
  let bufView = new Float32Array(mem, bufPtr, 2 * capacity);
  let resView = new Float64Array(mem, resPtr, RES.SIZE);
  let llrView = new Float32Array(mem, llrPtr, sf);
  const result = new Float64Array(RES.SIZE);
  const views = (): void => {
    if (phyWasm.memory.buffer !== mem) {
      mem = phyWasm.memory.buffer;
      bufView = new Float32Array(mem, bufPtr, 2 * capacity);
      resView = new Float64Array(mem, resPtr, RES.SIZE);
      llrView = new Float32Array(mem, llrPtr, sf);
    }
  };
  const copyResult = (): void => { views(); result.set(resView); };
  return {
    n, r, m: n * r, capacity, result,
    samples() { views(); return bufView; },
    move(dst, src, count) { k.rxsym_move(ctx, dst, src, count); },
    write(at, data) { views(); bufView.set(data, 2 * at); },
    searchReset() { k.rxsym_search_reset(ctx); },
    searchStep(start) { const f = k.rxsym_search_step(ctx, start); copyResult(); return f; },
    folded(start, down, accMode) { k.rxsym_folded(ctx, start, down ? 1 : 0, accMode); copyResult(); },
    setLlrScale(amp, noise) { k.rxsym_set_llr_scale(ctx, amp, noise); },
    demod(pos, down, freqBins, atBin, llrMode, llrOut, llrAt) {
      k.rxsym_demod(ctx, pos, down ? 1 : 0, freqBins, atBin, llrOut ? llrMode : 0);
      copyResult();
      if (llrOut && llrMode > 0) llrOut.set(llrView, llrAt);
    },
    dispose() {
      if (ctx) { registry.unregister(token); k.rxsym_free(ctx); ctx = 0; }
    },
  };
}
