// Frames in flight: the search runs while frames are being demodulated, so a frame that starts
// inside another is still found; a frame in flight seen again by the search is not reported twice.
import { describe, expect, it } from "vitest";
import { simulate } from "../src/sim/index.js";
import { decodeRecording, createReceiver, createChannelReceiver, type Frame } from "../src/rx/index.js";
import { modulateFrame } from "../src/phy/index.js";

const bw = 125e3,
  rate = 2 * bw,
  sf = 7,
  n = 128,
  L = 8;
const params = { sf, bandwidth: bw, cr: 1 };
/** Samples from a frame's start to the start of its payload (preamble, sync, header block). */
const toPayload = (L + 4.25 + 8) * n * 2;

describe.each(["wasm", "js"] as const)("frames in flight (%s)", (engine) => {
  it("decodes a frame that starts during another's payload, 6 dB stronger (and the first when it can)", () => {
    const first = 2000;
    const sim = simulate({
      frames: [
        { payloadLength: 40, params, snrDb: 4, cfoHz: 2100, startSample: first },
        // 20 symbols into the first frame's payload
        { payloadLength: 12, params, snrDb: 10, cfoHz: -3700, startSample: first + toPayload + 20 * 2 * n + 77 },
      ],
      sampleRate: rate,
      sfoPpm: 5,
      tailSamples: 3000,
      seed: 21,
    });
    const frames = decodeRecording(sim.iq, { sampleRate: rate, bandwidth: bw, sf, engine });
    const second = frames.filter((f) => f.crcOk && f.payloadHex === sim.truth[1]!.payloadHex);
    expect(second).toHaveLength(1);
    expect(Math.abs(second[0]!.startSample - sim.truth[1]!.startSample)).toBeLessThan(4);
    expect(Math.abs(second[0]!.cfoHz + 3700)).toBeLessThan(100);
    // the first frame is reported once (its payload is under the stronger frame: CRC verdict either way)
    const firsts = frames.filter((f) => Math.abs(f.startSample - first) < 4);
    expect(firsts).toHaveLength(1);
    if (firsts[0]!.crcOk) expect(firsts[0]!.payloadHex).toBe(sim.truth[0]!.payloadHex);
    // nothing else reported as good
    expect(frames.filter((f) => f.crcOk).every((f) => sim.truth.some((t) => t.payloadHex === f.payloadHex))).toBe(true);
  });

  it("decodes a frame 10 dB stronger that starts in the last symbols of another's preamble (its own grid, not that frame seen again)", () => {
    // the stronger frame's preamble lies where the weaker one's preamble and sync are expected: a
    // detection there was taken for the weaker frame seen again, and both were lost
    const first = 4219;
    const sim = simulate({
      frames: [
        {
          payloadLength: 16,
          params: { ...params, syncWord: 0x34 },
          snrDb: 0,
          cfoHz: -2951,
          sfoPpm: -3.4,
          startSample: first,
        },
        {
          payloadLength: 16,
          params: { ...params, syncWord: 0x34 },
          snrDb: 10,
          cfoHz: 4393,
          sfoPpm: 5.06,
          startSample: first + 7.804 * 2 * n,
        },
      ],
      sampleRate: rate,
      snrDb: 10,
      tailSamples: 4000,
      seed: 2780303846,
    });
    const frames = decodeRecording(sim.iq, { sampleRate: rate, bandwidth: bw, sf, syncWord: 0x34, engine });
    const strong = frames.filter((f) => f.crcOk && f.payloadHex === sim.truth[1]!.payloadHex);
    expect(strong).toHaveLength(1);
    expect(Math.abs(strong[0]!.startSample - sim.truth[1]!.startSample)).toBeLessThan(4);
    expect(frames.filter((f) => f.crcOk).every((f) => sim.truth.some((t) => t.payloadHex === f.payloadHex))).toBe(true);
  });

  it("a false frame whose header claims 255 bytes does not hide a real frame under it", () => {
    // the garbage frame: a preamble, sync word and a good header block claiming 255 bytes, then
    // nothing (its payload is the noise), as a false detection with a plausible header would be
    const fake = modulateFrame(new Uint8Array(255).fill(0x5a), params, { oversampling: 2, engine: "js" });
    const start = 3000;
    const real = start + toPayload + 60 * 2 * n + 31; // 60 symbols into the claimed payload
    const sim = simulate({
      frames: [{ payloadLength: 16, params, startSample: real, cfoHz: 1500 }],
      sampleRate: rate,
      snrDb: 3,
      leadSamples: 0,
      tailSamples: 2000,
      seed: 5,
    });
    const iq = sim.iq;
    for (let i = 0; i < 2 * toPayload; i++) iq[2 * start + i] = iq[2 * start + i]! + fake[i]!;
    const rx = createReceiver({ sampleRate: rate, bandwidth: bw, sf, engine });
    const frames: Frame[] = [...rx.push(iq), ...rx.flush()];
    rx.dispose();
    const good = frames.filter((f) => f.crcOk);
    expect(good.map((f) => f.payloadHex)).toEqual([sim.truth[0]!.payloadHex]);
    // the garbage frame: its header read, its payload never good data
    const garbage = frames.filter((f) => Math.abs(f.startSample - start) < 4);
    expect(garbage).toHaveLength(1);
    expect(garbage[0]!.payloadLength).toBe(255);
    expect(garbage[0]!.crcOk === true).toBe(false);
  });

  it("reports a frame once although the search sees its preamble again and again", () => {
    const sim = simulate({
      frames: [
        { payloadLength: 10, params },
        { payloadLength: 30, params },
      ],
      sampleRate: rate,
      snrDb: 20,
      cfoHz: 800,
      leadSamples: 1000,
      gapSamples: 500,
      tailSamples: 1000,
      seed: 8,
      preambleLength: undefined,
    } as Parameters<typeof simulate>[0]);
    const long = decodeRecording(sim.iq, { sampleRate: rate, bandwidth: bw, sf, engine });
    expect(long.map((f) => [f.payloadHex, f.crcOk])).toEqual(sim.truth.map((t) => [t.payloadHex, true]));
  });

  it("takes no frame's own symbols for a preamble: one detection per frame", () => {
    // a value repeated a few symbols apart (every 16-byte CR 4/5 header block here), or a run (the
    // padding of a last block), is a steady tone to the search, on a grid of its own
    const sim = simulate({
      frames: Array.from({ length: 20 }, () => ({ payloadLength: 16, params })),
      sampleRate: rate,
      snrDb: 5,
      cfoHz: 5000,
      sfoPpm: 6,
      gapSamples: 1200,
      seed: 3,
    });
    const rx = createReceiver({ sampleRate: rate, bandwidth: bw, sf, engine });
    const frames = [...rx.push(sim.iq), ...rx.flush()];
    expect(frames.map((f) => [f.payloadHex, f.crcOk])).toEqual(sim.truth.map((t) => [t.payloadHex, true]));
    expect(rx.stats.detections).toBe(20);
    expect(rx.stats.syncWordRejects).toBe(0);
    rx.dispose();
  });

  it.each([7, 8])(
    "decodes a frame on the grid of the frame in flight that starts %i symbols after it (equal power)",
    (at) => {
      // its preamble lies on the first frame's grid, over its sync, downchirps and header: not that
      // frame's preamble seen again (its windows do not reach into it)
      for (const seed of [1, 2]) {
        const first = 3000;
        const sim = simulate({
          frames: [
            { payloadLength: 16, params: { ...params, syncWord: 0x34 }, snrDb: 10, cfoHz: 1500, startSample: first },
            {
              payloadLength: 16,
              params: { ...params, syncWord: 0x34 },
              snrDb: 10,
              cfoHz: 1500,
              startSample: first + at * 2 * n + 1,
            },
          ],
          sampleRate: rate,
          snrDb: 10,
          tailSamples: 3000,
          seed,
        });
        const frames = decodeRecording(sim.iq, { sampleRate: rate, bandwidth: bw, sf, syncWord: 0x34, engine });
        for (const t of sim.truth)
          expect(frames.filter((f) => f.crcOk && f.payloadHex === t.payloadHex)).toHaveLength(1);
      }
    },
  );
});

describe.each(["wasm", "js"] as const)("collided in the streaming receiver (%s)", (engine) => {
  // A: 24 bytes, 4 dB; B: 12 bytes, 12 dB, starting 3 symbols before A's end (so B is detected
  // only after A is complete); C: well clear of both
  const sim = simulate({
    frames: [
      { payloadLength: 24, params, snrDb: 4, cfoHz: 1800, startSample: 2000 },
      { payloadLength: 12, params, snrDb: 12, cfoHz: -2600, gapSamples: -3 * 2 * n },
      { payloadLength: 10, params, snrDb: 10, cfoHz: 500, gapSamples: 6000 },
    ],
    sampleRate: rate,
    sfoPpm: 4,
    tailSamples: 3000,
    seed: 31,
  });
  const o = { sampleRate: rate, bandwidth: bw, sf, engine };

  it("frames overlapping another reported frame are collided (the earlier too), the others not; none cancelled; any chunking", () => {
    expect(sim.truth[0]!.overlaps).toEqual([1]);
    for (const chunk of [sim.iq.length, 2 * 1000, 2 * 37]) {
      const rx = createReceiver(o);
      const frames: Frame[] = [];
      for (let i = 0; i < sim.iq.length; i += chunk) frames.push(...rx.push(sim.iq.subarray(i, i + chunk)));
      frames.push(...rx.flush());
      rx.dispose();
      const [a, b, c] = sim.truth.map((t) => frames.find((f) => Math.abs(f.startSample - t.startSample) < 4));
      expect(b?.crcOk && c?.crcOk, `chunk ${chunk}`).toBe(true);
      expect(a, `chunk ${chunk}`).toBeDefined();
      expect([a!.collided, b!.collided, c!.collided]).toEqual([true, true, false]);
      expect(frames.every((f) => f.cancelled === false)).toBe(true);
      expect(frames.map((f) => f.startSampleExact)).toEqual(
        frames.map((f) => f.startSampleExact).sort((x, y) => x - y),
      );
    }
  });

  it("a frame comes out of push once the stream is a preamble and sync past its end, not only at flush", () => {
    const rx = createReceiver(o);
    const c = sim.truth[2]!;
    const upTo = c.startSample - 2000; // A and B ended 6000 samples before C
    const early = rx.push(sim.iq.subarray(0, 2 * upTo));
    expect(early).toHaveLength(2);
    early.forEach((f, i) => expect(Math.abs(f.startSample - sim.truth[i]!.startSample)).toBeLessThan(4));
    const rest = [...rx.push(sim.iq.subarray(2 * upTo)), ...rx.flush()];
    rx.dispose();
    expect(rest.filter((f) => f.crcOk).map((f) => f.payloadHex)).toEqual([c.payloadHex]);
  });

  it("across spreading factors on one channel: an SF7 frame under an SF9 frame, both collided", () => {
    const s2 = simulate({
      frames: [
        { payloadLength: 20, params: { ...params, sf: 9 }, snrDb: 6, cfoHz: 1000, startSample: 3000 },
        { payloadLength: 8, params, snrDb: 6, cfoHz: -1500, startSample: 3000 + 20 * 2 * 512 },
        { payloadLength: 8, params, snrDb: 6, cfoHz: -1500, gapSamples: 40000 },
      ],
      sampleRate: rate,
      tailSamples: 3000,
      seed: 4,
    });
    const rx = createChannelReceiver({ sampleRate: rate, bandwidth: bw, sfs: [7, 9], engine });
    // each call returns its frames in time order; the SF7 frame under the SF9 one ends first
    const frames = [...rx.push(s2.iq), ...rx.flush()]
      .filter((f) => f.crcOk)
      .sort((a, b) => a.startSampleExact - b.startSampleExact);
    rx.dispose();
    expect(frames.map((f) => [f.sf, f.payloadHex, f.collided])).toEqual([
      [9, s2.truth[0]!.payloadHex, true],
      [7, s2.truth[1]!.payloadHex, true],
      [7, s2.truth[2]!.payloadHex, false],
    ]);
  });
});
