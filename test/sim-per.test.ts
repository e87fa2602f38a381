// perSweep: the receiver (chirpkit/rx) on simulated recordings, matched against the ground truth.
import { describe, expect, it } from "vitest";
import { perSweep, perSweepPoints } from "../src/sim/index.js";
import { ChirpError } from "../src/errors.js";

describe("perSweep", () => {
  it("receives every frame at high SNR and none far below the noise (SF7, 4x, offsets)", () => {
    const seen: number[] = [];
    const pts = perSweep({
      sf: 7,
      sampleRate: 500_000,
      snrDbs: [5, -25],
      frames: 6,
      framesPerRecording: 3,
      cfoHz: [-3000, 3000],
      sfoPpm: [-10, 10],
      seed: 2,
      onPoint: (p) => seen.push(p.snrDb),
    });
    expect(seen).toEqual([5, -25]);
    const [hi, lo] = pts;
    expect(hi).toMatchObject({ snrDb: 5, per: 0, ser: 0, frames: 6, received: 6, missed: 0, corrupted: 0 });
    expect(hi!.symbols).toBeGreaterThan(6 * 20);
    expect(lo!.per).toBe(1);
    expect(lo!.received).toBe(0);
  });

  it("yields points one at a time and validates its options", () => {
    const it = perSweepPoints({ sf: 7, snrDbs: [10], frames: 1, sampleRate: 250_000 });
    const first = it.next();
    expect(first.done).toBe(false);
    expect(first.value!.frames).toBe(1);
    expect(() => perSweep({ sf: 7, snrDbs: [0], frames: 0 })).toThrow(ChirpError);
    expect(() => perSweep({ sf: 13, snrDbs: [0] })).toThrow(/sf/);
    expect(() => perSweep({ sf: 7, snrDbs: [Number.NaN] })).toThrow(/snrDbs/);
  });
});
