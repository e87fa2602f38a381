// A throwing onProgress callback: push throws its error, and the frames completed in that push are
// not lost (they come with the next push or flush).
import { describe, expect, it } from "vitest";
import { simulate } from "../src/sim/index.js";
import { createGatewayReceiver, createReceiver, decodeRecording, type Frame } from "../src/rx/index.js";

const bw = 125e3;
const params = { sf: 7, bandwidth: bw, cr: 1 };
const key = (f: Frame) => `${f.payloadHex} ${f.crcOk}`;

describe("onProgress that throws", () => {
  const sim = simulate({
    frames: Array.from({ length: 3 }, () => ({ payloadLength: 10, params })),
    sampleRate: 2 * bw,
    snrDb: 10,
    leadSamples: 1500,
    gapSamples: 800,
    tailSamples: 4000,
    seed: 7,
  });
  const want = decodeRecording(sim.iq, { sampleRate: 2 * bw, bandwidth: bw, sf: 7 }).map(key);

  it("the receiver keeps the frames of that push for the next push or flush", () => {
    expect(want.filter((k) => k.endsWith("true"))).toHaveLength(3);
    let calls = 0;
    const rx = createReceiver({
      sampleRate: 2 * bw,
      bandwidth: bw,
      sf: 7,
      onProgress: () => {
        if (calls++ === 0) throw new Error("progress bar broke");
      },
    });
    expect(() => rx.push(sim.iq)).toThrow("progress bar broke");
    expect([...rx.flush()].map(key)).toEqual(want);
  });

  it("the gateway receiver too", () => {
    const opts = { sampleRate: 2 * bw, centerFrequency: 868.1e6, channels: [868.1e6], bandwidth: bw, sf: 7 };
    const gwWant = (() => {
      const g = createGatewayReceiver(opts);
      return [...g.push(sim.iq), ...g.flush()].map(key);
    })();
    expect(gwWant.filter((k) => k.endsWith("true"))).toHaveLength(3);
    let calls = 0;
    const gw = createGatewayReceiver({
      ...opts,
      onProgress: () => {
        if (calls++ === 0) throw new Error("progress bar broke");
      },
    });
    expect(() => gw.push(sim.iq)).toThrow("progress bar broke");
    expect([...gw.push(new Float32Array(0)), ...gw.flush()].map(key)).toEqual(gwWant);
  });
});
