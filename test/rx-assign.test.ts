// Peak assignment (src/rx/assign.ts, the kernels' peaks): two same-SF frames at near-equal power
// whose tones share the windows, each decoded by taking in every window the tone on its own grid,
// on one channel and on a gateway channel.
import { describe, expect, it } from "vitest";
import { modulateSymbols } from "../src/phy/index.js";
import { createRxSymbolJs } from "../src/engines/js/rx-symbol.js";
import { createRxSymbolWasm } from "../src/engines/wasm/rx-symbol.js";
import { demodArgs, MARGIN, PEAKS_MAX } from "../src/rx/kernel.js";
import { decodeCollisions, decodeGateway, decodeGatewayCollisions, decodeRecording } from "../src/rx/index.js";
import { assignPeaks } from "../src/rx/assign.js";
import { Rng, simulate, type SimulateOptions } from "../src/sim/index.js";

const B = 125_000;
const params = { sf: 7, bandwidth: B, cr: 1, syncWord: 0x34 };
const rx = { sampleRate: 2 * B, bandwidth: B, sf: 7, syncWord: 0x34 };
const phy = { ...params, crc: true, explicitHeader: true, ldro: "auto" as const, preambleLength: 8 };

/** Two 16-byte SF7 frames at 250 kS/s, each with its own crystal error (bench/collisions.mjs's cells). */
function pair(
  a: { snrDb: number; ppm: number; start: number },
  b: { snrDb: number; ppm: number; start: number },
  seed: number,
): SimulateOptions {
  const frame = (x: typeof a) => ({
    payloadLength: 16,
    params,
    snrDb: x.snrDb,
    cfoHz: x.ppm * 868.1,
    sfoPpm: x.ppm,
    startSample: x.start,
  });
  return { frames: [frame(a), frame(b)], sampleRate: 2 * B, snrDb: 10, tailSamples: 4000, seed };
}

describe.each(["js", "wasm"])("peaks kernel (%s)", (engine) => {
  it("lists the strongest tones with their fractional offsets and coherence: a tone on its bin ~1, one 0.35 bin off less", () => {
    const sf = 7,
      n = 128,
      r = 2;
    const a = modulateSymbols([40], { sf, bandwidth: B, cr: 1 }, { oversampling: r, engine: "js" });
    const b = modulateSymbols([90], { sf, bandwidth: B, cr: 1 }, { oversampling: r, engine: "js" });
    const iq = new Float32Array(a.length + 4 * MARGIN);
    for (let i = 0; i < a.length / 2; i++) {
      // b: 2 dB stronger and 0.35 bin above its bin (a carrier offset of 0.35 BW / n)
      const ph = (2 * Math.PI * 0.35 * i) / (n * r),
        g = 10 ** (2 / 20);
      const br = b[2 * i]!,
        bi = b[2 * i + 1]!;
      iq[2 * (i + MARGIN)] = a[2 * i]! + g * (br * Math.cos(ph) - bi * Math.sin(ph));
      iq[2 * (i + MARGIN) + 1] = a[2 * i + 1]! + g * (br * Math.sin(ph) + bi * Math.cos(ph));
    }
    const k = (engine === "js" ? createRxSymbolJs : createRxSymbolWasm)({ sf, r, capacity: iq.length / 2 });
    try {
      k.write(0, iq);
      k.demod(demodArgs(MARGIN, 0));
      const out = new Float64Array(4 * PEAKS_MAX);
      const have = k.peaks(PEAKS_MAX, out);
      expect(have).toBeGreaterThanOrEqual(2);
      for (let j = 1; j < have; j++) expect(out[4 * j + 1]!).toBeLessThanOrEqual(out[4 * (j - 1) + 1]!);
      const at = (bin: number) => [0, 1].find((j) => out[4 * j] === bin)!;
      const ja = at(40),
        jb = at(90);
      expect(ja).toBeDefined();
      expect(jb).toBeDefined();
      expect(Math.abs(out[4 * ja + 2]!)).toBeLessThan(0.03);
      expect(out[4 * ja + 3]!).toBeGreaterThan(0.97);
      expect(Math.abs(out[4 * jb + 2]! - 0.35)).toBeLessThan(0.05);
      expect(out[4 * jb + 3]!).toBeLessThan(0.8);
      // the argmax the receiver takes is b's, 2 dB up
      expect(k.result.bin).toBe(90);
    } finally {
      k.dispose();
    }
  });
});

describe("peak assignment in decodeCollisions", () => {
  // two pairs of bench/collisions.mjs that capture and cancellation alone lose entirely (neither
  // frame's CRC passes, so nothing is cancelled).
  // Both synchronised, their windows 1.5 chips apart, 0 dB: in one window the two tones fall within
  // a bin of each other and both frames lose that symbol (one symbol error each, CR 4/5)
  const equal = pair({ snrDb: 10, ppm: -2.292, start: 4214 }, { snrDb: 10, ppm: -6.635, start: 6515.05 }, 185814805);
  // the stronger starts 6 symbols into the weaker's preamble, 0.25 chip off its grid, 1 dB up: its
  // header fails under the weaker's symbols, and the weaker's clock estimate is pulled away
  const near = pair({ snrDb: 9, ppm: -8.939, start: 4017 }, { snrDb: 10, ppm: -2.253, start: 5553.5 }, 10983709);

  for (const [name, spec] of [
    ["0 dB, both synchronised, windows 1.5 chips apart", equal],
    ["1 dB, the stronger inside the weaker's preamble on nearly its grid", near],
  ] as const) {
    it(`${name}: the receiver loses both, decodeCollisions gives both, on both engines`, () => {
      const sim = simulate(spec);
      const want = sim.truth.map((t) => t.payloadHex).sort();
      const plain = decodeRecording(sim.iq, rx).filter((f) => f.crcOk);
      expect(plain).toEqual([]);
      for (const engine of ["wasm", "js"] as const) {
        const frames = decodeCollisions(sim.iq, { ...rx, engine });
        expect(
          frames
            .filter((f) => f.crcOk)
            .map((f) => f.payloadHex)
            .sort(),
        ).toEqual(want);
        // nothing else reported: no failed frame left where a good one was found
        expect(frames).toHaveLength(2);
        for (const f of frames) expect(f.collided).toBe(true);
      }
    });
  }

  it("the 0 dB pair on a gateway channel (1 MS/s, 200 kHz below the centre): decodeGateway loses both, decodeGatewayCollisions gives both, on both engines", () => {
    const k = 4; // 1 MS/s against the 250 kS/s of the pair above
    const sim = simulate({
      ...equal,
      frames: equal.frames.map((f) => ({ ...f, startSample: f.startSample! * k, frequencyOffsetHz: -200_000 })),
      sampleRate: 1e6,
      tailSamples: 16_000,
    });
    const opts = {
      sampleRate: 1e6,
      centerFrequency: 868.3e6,
      channels: [868.1e6, 868.3e6, 868.5e6],
      sfs: [7, 8],
      bandwidth: B,
      syncWord: 0x34,
    };
    const want = sim.truth.map((t) => t.payloadHex).sort();
    for (const engine of ["wasm", "js"] as const) {
      expect(decodeGateway(sim.iq, { ...opts, engine }).filter((f) => f.crcOk)).toEqual([]);
      const frames = decodeGatewayCollisions(sim.iq, { ...opts, engine }).filter((f) => f.crcOk);
      expect(frames.map((f) => f.payloadHex).sort()).toEqual(want);
      for (const f of frames) expect(f.channelHz).toBe(868.1e6);
    }
  });

  it("tries nothing where no other frame's tones are (a clean frame) and finds nothing on noise", () => {
    const sim = simulate({
      frames: [{ payloadLength: 16, params, snrDb: 10 }],
      sampleRate: 2 * B,
      snrDb: 10,
      seed: 5,
    });
    const [f] = decodeRecording(sim.iq, rx);
    expect(f?.crcOk).toBe(true);
    // as if its CRC had failed: no window holds another tone, so nothing is assigned
    const g = assignPeaks({
      iq: sim.iq,
      sampleRate: 2 * B,
      channelOffsetHz: 0,
      frame: { ...f!, crcOk: false },
      params: phy,
      engine: "wasm",
      minConfidence: 0,
    });
    expect(g).toBeNull();
    const rng = new Rng(3);
    const noise = new Float32Array(2 * 400_000).map(() => rng.gaussian());
    expect(decodeCollisions(noise, rx)).toEqual([]);
  });
});
