// Collision decoding (src/rx/collide.ts): capture and successive interference cancellation on the
// shared same-SF collision captures (pairs at 0..10 dB, both orders, overlapping in preamble,
// header and payload), the EU868 gateway capture (still 12/12, nothing false), and simulated
// recordings (a gateway channel with two same-SF frames 5 dB apart; a clean recording unchanged).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  decodeCollisions,
  decodeGatewayCollisions,
  decodeRecording,
  type Frame,
  type GatewayOptions,
} from "../src/rx/index.js";
import { simulate } from "../src/sim/index.js";
import { ChirpError } from "../src/errors.js";
import { describeShared, readSharedJson, sharedPath } from "./shared.js";

interface CollisionCapture {
  file: string;
  sampleRate: number;
  bandwidth: number;
  sf: number;
  syncWord: string;
  powerDifferenceDb: number;
  pairs: { pairId: string; order: string; secondStartsIn: string }[];
  frames: {
    payloadHex: string;
    startSample: number;
    endSample: number;
    pairId: string;
    role: string;
    weaker: boolean;
  }[];
}

function readCs16(...parts: string[]): Int16Array {
  const raw = readFileSync(sharedPath(...parts));
  const bytes = new Uint8Array(raw.byteLength);
  bytes.set(raw);
  return new Int16Array(bytes.buffer);
}

describeShared("collision captures: capture and cancellation", () => {
  const captures = readSharedJson<{ captures: CollisionCapture[] }>("captures", "collisions", "manifest.json").captures;
  for (const c of captures) {
    it(`${c.file}: the stronger frame of every pair${c.powerDifferenceDb >= 3 ? " and the weaker" : ""} decoded, nothing false`, () => {
      const frames = decodeCollisions(readCs16("captures", "collisions", c.file), {
        sampleRate: c.sampleRate,
        bandwidth: c.bandwidth,
        sf: c.sf,
        syncWord: parseInt(c.syncWord, 16),
      });
      const good = frames.filter((f) => f.crcOk === true);
      const symbol = (2 ** c.sf * c.sampleRate) / c.bandwidth;
      const find = (t: CollisionCapture["frames"][number]): Frame[] =>
        good.filter((f) => f.payloadHex === t.payloadHex && Math.abs(f.startSample - t.startSample) < symbol / 2);
      let weakerDecoded = 0;
      for (const t of c.frames) {
        const mine = find(t);
        if (!t.weaker || c.powerDifferenceDb >= 3)
          expect(mine, `${t.pairId} ${t.role}${t.weaker ? " (weaker)" : ""}`).toHaveLength(1);
        if (t.weaker && mine.length === 1) weakerDecoded++;
        // every frame of a pair overlaps the other
        for (const f of mine) expect(f.collided).toBe(true);
      }
      // nothing good that is not in the manifest, and no frame twice
      for (const f of good)
        expect(
          c.frames.filter((t) => t.payloadHex === f.payloadHex && Math.abs(f.startSample - t.startSample) < symbol / 2),
        ).toHaveLength(1);
      // what the plain receiver misses came out of a cancellation (a frame under another)
      const plain = decodeRecording(readCs16("captures", "collisions", c.file), {
        sampleRate: c.sampleRate,
        bandwidth: c.bandwidth,
        sf: c.sf,
        syncWord: parseInt(c.syncWord, 16),
      }).filter((f) => f.crcOk === true);
      if (plain.length < c.frames.length) expect(good.some((f) => f.cancelled)).toBe(true);
      else expect(good.every((f) => !f.cancelled)).toBe(true);
      if (c.powerDifferenceDb > 0 && c.powerDifferenceDb < 3) expect(weakerDecoded).toBeGreaterThanOrEqual(3);
    });
  }
  it("the plain receiver loses frames of those pairs (what capture and cancellation add)", () => {
    const c = captures.find((x) => x.file === "coll_sf7_d6.cs16")!;
    const plain = decodeRecording(readCs16("captures", "collisions", c.file), {
      sampleRate: c.sampleRate,
      bandwidth: c.bandwidth,
      sf: c.sf,
      syncWord: 0x34,
    }).filter((f) => f.crcOk);
    expect(plain.length).toBeLessThan(c.frames.length);
  });
});

describeShared("collision decoding on the EU868 3-channel gateway capture", () => {
  interface GatewayCapture {
    file: string;
    sampleRate: number;
    centerFrequency: number;
    bandwidth: number;
    syncWord: string;
    channelsHz: number[];
    frames: { payloadHex: string; sf: number; frequencyHz: number; startSample: number }[];
  }
  const c = readSharedJson<{ captures: GatewayCapture[] }>("captures", "gateway", "manifest.json").captures[0]!;
  it("still 12/12 with the right channel and SF, nothing false", () => {
    const opts: GatewayOptions = {
      sampleRate: c.sampleRate,
      centerFrequency: c.centerFrequency,
      channels: c.channelsHz,
      sfs: [7, 8, 9, 10, 11, 12],
      bandwidth: c.bandwidth,
      syncWord: parseInt(c.syncWord, 16),
    };
    const frames = decodeGatewayCollisions(readCs16("captures", "gateway", c.file), opts).filter(
      (f) => f.crcOk === true,
    );
    const chip = c.sampleRate / c.bandwidth;
    const near = (f: (typeof frames)[number], t: GatewayCapture["frames"][number]): boolean =>
      f.sf === t.sf && f.channelHz === t.frequencyHz && Math.abs(f.startSample - t.startSample) <= 6 + 2 * chip;
    for (const t of c.frames)
      expect(
        frames.filter((f) => near(f, t) && f.payloadHex === t.payloadHex),
        `SF${t.sf} ${t.frequencyHz}`,
      ).toHaveLength(1);
    expect(frames).toHaveLength(12);
  });
});

describe("collision decoding (simulated)", () => {
  const B = 125_000;
  it("a gateway channel with two same-SF frames 5 dB apart (the weaker first, the stronger inside its payload): both decoded, on both engines", () => {
    const p = { sf: 8, bandwidth: B, cr: 1, syncWord: 0x34 };
    const fs = 1e6;
    const sim = simulate({
      frames: [
        { payloadLength: 20, params: p, frequencyOffsetHz: -200_000, snrDb: 5, cfoHz: 1200, sfoPpm: -3 },
        {
          payloadLength: 14,
          params: p,
          frequencyOffsetHz: -200_000,
          snrDb: 10,
          cfoHz: -4100,
          sfoPpm: 6,
          gapSamples: -30_000,
        },
        { payloadLength: 10, params: { ...p, sf: 7 }, frequencyOffsetHz: 200_000, snrDb: 3, startSample: 20_000 },
      ],
      sampleRate: fs,
      snrDb: 10,
      leadSamples: 30_000,
      tailSamples: 30_000,
      seed: 17,
    });
    expect(sim.truth[0]!.overlaps).toEqual([1]);
    const opts: GatewayOptions = {
      sampleRate: fs,
      centerFrequency: 868.3e6,
      channels: [868.1e6, 868.3e6, 868.5e6],
      sfs: [7, 8, 9],
      bandwidth: B,
      syncWord: 0x34,
    };
    for (const engine of ["wasm", "js"] as const) {
      const frames = decodeGatewayCollisions(sim.iq, { ...opts, engine }).filter((f) => f.crcOk === true);
      expect(frames.map((f) => f.payloadHex).sort()).toEqual(sim.truth.map((t) => t.payloadHex).sort());
      const [weak, strong] = [0, 1].map((i) => frames.find((f) => f.payloadHex === sim.truth[i]!.payloadHex)!);
      expect(weak!.channelHz).toBe(868.1e6);
      expect(weak!.collided && strong!.collided).toBe(true);
      expect(weak!.cancelled).toBe(true);
      expect(strong!.cancelled).toBe(false);
    }
    // the plain gateway loses the weaker one (and the stronger, which started while it was busy)
    const plain = decodeGatewayCollisions(sim.iq, { ...opts, maxPasses: 1 }).filter((f) => f.crcOk === true);
    expect(plain.some((f) => f.payloadHex === sim.truth[0]!.payloadHex)).toBe(false);
  });

  it("a recording without collisions decodes exactly as decodeRecording does, flagged neither collided nor cancelled", () => {
    const p = { sf: 7, bandwidth: B, cr: 2 };
    const sim = simulate({
      frames: Array.from({ length: 4 }, () => ({ payloadLength: 12, params: p })),
      sampleRate: 2 * B,
      snrDb: 0,
      gapSamples: 3000,
      leadSamples: 2000,
      tailSamples: 2000,
      cfoHz: 2000,
      sfoPpm: 4,
      seed: 3,
    });
    const o = { sampleRate: 2 * B, bandwidth: B, sf: 7 };
    const plain = decodeRecording(sim.iq, o);
    const coll = decodeCollisions(sim.iq, o);
    expect(coll.map((f) => [f.payloadHex, f.startSample, f.crcOk])).toEqual(
      plain.map((f) => [f.payloadHex, f.startSample, f.crcOk]),
    );
    expect(coll.every((f) => f.collided === false && f.cancelled === false)).toBe(true);
  });

  it("three frames piled up (10, 6 and 2 dB): cancellation repeats while frames come out", () => {
    const p = { sf: 7, bandwidth: B, cr: 1 };
    const sim = simulate({
      frames: [
        { payloadLength: 24, params: p, snrDb: 2, cfoHz: 3000 },
        { payloadLength: 16, params: p, snrDb: 6, cfoHz: -2500, sfoPpm: 5, gapSamples: -9000 },
        { payloadLength: 8, params: p, snrDb: 12, cfoHz: 900, sfoPpm: -7, gapSamples: -5000 },
      ],
      sampleRate: 2 * B,
      snrDb: 12,
      leadSamples: 3000,
      tailSamples: 3000,
      seed: 23,
    });
    const got = decodeCollisions(sim.iq, { sampleRate: 2 * B, bandwidth: B, sf: 7 }).filter((f) => f.crcOk);
    expect(got.map((f) => f.payloadHex).sort()).toEqual(sim.truth.map((t) => t.payloadHex).sort());
    expect(got.filter((f) => f.cancelled).length).toBeGreaterThanOrEqual(1);
  });

  it("maxPasses is checked", () => {
    const o = { sampleRate: B, bandwidth: B, sf: 7 };
    for (const maxPasses of [0, 9, 1.5]) {
      let e: unknown;
      try {
        decodeCollisions(new Float32Array(0), { ...o, maxPasses });
      } catch (x) {
        e = x;
      }
      expect(e).toBeInstanceOf(ChirpError);
      expect((e as ChirpError).parameter).toBe("maxPasses");
    }
  });
});

describeShared("chirp decode --collisions", () => {
  it("decodes all ten frames of a 6 dB collision capture (collided, cancelled in the JSON); refuses a stream", async () => {
    const { chirp, lines } = await import("./cli-run.js");
    const file = sharedPath("captures", "collisions", "coll_sf7_d6.cs16");
    const r = chirp(["decode", file, "--rate", "250k", "--sf", "7", "--sync", "0x34", "--collisions", "--json"]);
    expect(r.status).toBe(0);
    const frames = lines(r.stdout);
    expect(frames.filter((f) => f.crcOk === true)).toHaveLength(10);
    expect(frames.every((f) => f.collided === true)).toBe(true);
    expect(frames.filter((f) => f.cancelled === true).length).toBeGreaterThanOrEqual(1);
    const bad = chirp(["decode", "-", "--format", "cs16", "--rate", "250k", "--sf", "7", "--collisions"]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--collisions decodes one file/);
  });
});
