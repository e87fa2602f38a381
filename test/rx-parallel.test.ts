// One recording decoded by several workers (src/rx/parallel.ts): exactly the frames of one receiver
// over the whole recording, on the shared captures (cut for real by an overlap fitted to their
// frames) and on simulated recordings with a frame across, at and beside every cut; errors typed,
// a dying worker rejects instead of hanging. Workers run the built module (dist/rx/worker.js).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ChirpError } from "../src/errors.js";
import { timeOnAir } from "../src/phy/index.js";
import {
  createChannelReceiver,
  decodeGateway,
  decodeGatewayParallel,
  decodeRecording,
  decodeRecordingParallel,
  type Frame,
  type ReceiverOptions,
} from "../src/rx/index.js";
import {
  decodeInWorkers,
  IDLE_WORKER_MS,
  idleWorkerCount,
  jobShape,
  planSegments,
  terminateIdleWorkers,
} from "../src/rx/parallel.js";
import { createSegmentDecoder, type SegmentJob } from "../src/rx/segment.js";
import { type SimFrame, simulate } from "../src/sim/index.js";
import { chirp, lines } from "./cli-run.js";
import { describeShared, loadCapture, readSharedJson, type SharedCapture } from "./shared.js";

const workerUrl = new URL("../dist/rx/worker.js", import.meta.url);

/**
 * Every field of every frame equal, to the last bit: a segment's receiver is placed at its start in
 * the recording (positions, mixer and resampler phases, the search's windows the whole recording's)
 * and its DC/IQ estimates are primed on the samples before it.
 */
function expectSameFrames(got: Frame[], want: Frame[]): void {
  expect(got.map((f) => [f.startSample, f.sf, f.payloadHex])).toEqual(
    want.map((f) => [f.startSample, f.sf, f.payloadHex]),
  );
  got.forEach((g, i) => expect(g, `frame at ${want[i]!.startSample}`).toStrictEqual(want[i]));
}

/**
 * Every discrete field of every frame equal, the continuous estimates to far below what they
 * resolve: where a segment's search grid differs from the whole recording's at its start (a
 * listener's search restarts after each frame, so after a frame before the segment's lead-in
 * its windows lie elsewhere until the next), a frame after the cut may be refined from other
 * windows; the js engine's search sums run on from the stream's start (f64 running sums).
 */
function expectCloseFrames(got: Frame[], want: Frame[]): void {
  expect(got.map((f) => [f.startSample, f.sf, f.payloadHex])).toEqual(
    want.map((f) => [f.startSample, f.sf, f.payloadHex]),
  );
  got.forEach((g, i) => {
    const w = want[i]!;
    const close = (a: number, b: number, tol: number) =>
      Math.abs(a - b) <= tol || a === b || (Number.isNaN(a) && Number.isNaN(b));
    const at = `frame at ${w.startSample}`;
    expect(
      close(g.startSampleExact, w.startSampleExact, 0.05),
      `${at} timing ${g.startSampleExact} ${w.startSampleExact}`,
    ).toBe(true);
    expect(close(g.endSample, w.endSample, 1), at).toBe(true);
    expect(close(g.cfoHz, w.cfoHz, (0.005 * w.bandwidth) / 2 ** w.sf), `${at} cfo ${g.cfoHz} ${w.cfoHz}`).toBe(true);
    expect(close(g.snrDb, w.snrDb, 0.05), at).toBe(true);
    // a 16-byte frame's clock estimate spreads by about 10 ppm (this recording's frames read -4..27
    // at 5 ppm): 1 ppm is still far below what it resolves
    expect(close(g.clockOffsetPpm, w.clockOffsetPpm, 1), `${at} clock ${g.clockOffsetPpm} ${w.clockOffsetPpm}`).toBe(
      true,
    );
    expect(close(g.signalDb, w.signalDb, 0.05), at).toBe(true);
    expect(close(g.noiseDb, w.noiseDb, 0.05), at).toBe(true);
    const discrete = (f: Frame) => ({
      cr: f.cr,
      payloadLength: f.payloadLength,
      crc: f.crc,
      crcOk: f.crcOk,
      headerOk: f.headerOk,
      payload: Array.from(f.payload),
      syncWord: f.syncWord,
      invertIq: f.invertIq,
      framing: f.framing,
      correctedErrors: f.correctedErrors,
      softDecision: f.softDecision,
      truncated: f.truncated,
      symbols: Array.from(f.symbols),
      bandwidth: f.bandwidth,
      explicitHeader: f.explicitHeader,
    });
    expect(discrete(g), at).toEqual(discrete(w));
  });
}

interface Capture extends SharedCapture {
  frames: { payloadHex: string; startSample: number; sf?: number }[];
}

/** An overlap for a recording whose longest frame is known: that frame, the search's windows and a margin. */
function fittedOverlap(seconds: number, sampleRate: number, symbolSamples: number): number {
  return Math.ceil(seconds * sampleRate + 12 * symbolSamples + 16384);
}

describeShared("workers give the frames of one receiver on the shared captures", () => {
  const manifest = readSharedJson<{ captures: Capture[] }>("captures", "manifest.json");
  let segments = 0;
  for (const c of manifest.captures) {
    for (const engine of c.sf <= 8 ? (["wasm", "js"] as const) : (["wasm"] as const)) {
      it(`${c.file} (${engine})`, async () => {
        const samples = loadCapture(c.format, c.file);
        const o: ReceiverOptions = {
          sampleRate: c.sampleRate,
          bandwidth: c.bandwidth,
          sf: c.sf,
          format: c.format,
          syncWord: parseInt(c.syncWord, 16),
          engine,
          ...(c.explicitHeader
            ? {}
            : { explicitHeader: false, implicit: { payloadLength: c.implicitLength!, cr: c.cr, crc: c.crc } }),
        };
        const one = decodeRecording(samples, o);
        expect(one.length).toBeGreaterThan(0);
        // the public call: its overlap (a 255-byte frame) leaves these short captures whole
        expectSameFrames(await decodeRecordingParallel(samples, { ...o, workers: 3, workerUrl }), one);
        // cut for real: an overlap fitted to the capture's longest frame
        const longest = Math.max(...c.frames.map((f) => f.payloadHex.length / 2));
        const toa = timeOnAir(
          { sf: c.sf, bandwidth: c.bandwidth, cr: c.cr, explicitHeader: c.explicitHeader, crc: c.crc },
          longest,
        ).seconds;
        const { sf, ...common } = o;
        const r = await decodeInWorkers(
          { total: samples.length / 2, read: (first, count) => samples.slice(2 * first, 2 * (first + count)) },
          { kind: "channels", channels: [{ ...common, sfs: [sf] }] },
          {
            workers: 3,
            workerUrl,
            overlapSamples: fittedOverlap(toa, c.sampleRate, (2 ** c.sf * c.sampleRate) / c.bandwidth),
          },
        );
        segments += r.segments;
        expectSameFrames(
          r.frames.map((f) => f.frame),
          one,
        );
      });
    }
  }
  it("cut most captures into several segments", () => {
    expect(segments).toBeGreaterThan(2 * manifest.captures.length);
  });

  it("the gateway capture: decodeGatewayParallel, and the gateway job cut in two", async () => {
    const cap = readSharedJson<{
      captures: (Capture & { centerFrequency: number; channelsHz: number[] })[];
    }>("captures", "gateway", "manifest.json").captures[0]!;
    const samples = loadCapture(cap.format, "gateway", cap.file);
    const o = {
      sampleRate: cap.sampleRate,
      centerFrequency: cap.centerFrequency,
      channels: cap.channelsHz,
      sfs: [7, 8, 9, 10, 11, 12],
      syncWord: 0x34,
    };
    const one = decodeGateway(samples, o);
    expect(one.filter((f) => f.crcOk).length).toBe(cap.frames.length);
    const par = await decodeGatewayParallel(samples, { ...o, workers: 2, workerUrl });
    expectSameFrames(par, one);
    expect(par.map((f) => f.channelIndex)).toEqual(one.map((f) => f.channelIndex));
    const toa = Math.max(
      ...cap.frames.map((f) => timeOnAir({ sf: f.sf!, bandwidth: 125e3, cr: cap.cr }, f.payloadHex.length / 2).seconds),
    );
    const r = await decodeInWorkers(
      { total: samples.length / 2, read: (first, count) => samples.slice(2 * first, 2 * (first + count)) },
      { kind: "gateway", options: o },
      // the longest frame and 8 SF12 symbols: cuts fall on whole SF12 symbols (the search's grid)
      { workers: 2, workerUrl, overlapSamples: Math.ceil(toa * cap.sampleRate + 8 * 4096 * 8) },
    );
    expect(r.segments).toBe(2);
    expectSameFrames(
      r.frames.map((f) => f.frame),
      one,
    );
    expect(r.frames.map((f) => f.channel)).toEqual(one.map((f) => f.channelIndex));
  });
});

/** `frames` simulated at 0 dB with a 2.5 kHz carrier and a 5 ppm clock offset. */
function impaired(frames: SimFrame[], sampleRate: number, total: number, seed: number) {
  return simulate({ frames, sampleRate, snrDb: 0, cfoHz: 2500, sfoPpm: 5, lengthSamples: total, seed });
}

/**
 * A simulated recording with one frame placed relative to each cut the plan makes for `workers`
 * (offsets in symbols: negative starts before the cut), plus frames far from any cut.
 */
function acrossCuts(o: ReceiverOptions, workers: number, total: number, offsets: number[], seed: number) {
  const { sf, ...common } = o;
  const job: SegmentJob = { kind: "channels", channels: [{ ...common, sfs: [sf] }] };
  const plan = planSegments(total, workers, jobShape(job));
  expect(plan.cuts.length - 1).toBe(workers);
  const symbol = (2 ** sf * o.sampleRate) / o.bandwidth;
  const params = { sf, bandwidth: o.bandwidth, cr: 1 };
  const frames = plan.cuts.slice(1, -1).map((cut, i) => ({
    params,
    payloadLength: 12 + 3 * i,
    startSample: cut + offsets[i % offsets.length]! * symbol,
  }));
  // one far from the cuts, in the first segment
  frames.push({ params, payloadLength: 20, startSample: Math.round(plan.cuts[1]! / 3) });
  frames.sort((a, b) => a.startSample - b.startSample);
  const sim = impaired(frames, o.sampleRate, total, seed);
  return { iq: sim.iq, truth: sim.truth, plan };
}

describe("workers on recordings with a frame at every cut", () => {
  it("SF7 at 2 samples per chip, 5 workers: frames straddling, just before, at and just after the cuts", async () => {
    const o: ReceiverOptions = { sampleRate: 250e3, bandwidth: 125e3, sf: 7 };
    const { iq, truth } = acrossCuts(o, 5, 1_000_000, [-25, -0.5, 0, 0.3], 11);
    const one = decodeRecording(iq, o);
    expect(one.filter((f) => f.crcOk).map((f) => f.payloadHex)).toEqual(truth.map((t) => t.payloadHex));
    expectSameFrames(await decodeRecordingParallel(iq, { ...o, workers: 5, workerUrl }), one);
    // every segment in a worker, the recording in shared memory (views sent, not copies); the cuts
    // are even either way here (segments too short to be balanced against a lead: balancedCuts)
    const { sf, ...common } = o;
    const shape = jobShape({ kind: "channels", channels: [{ ...common, sfs: [sf] }] });
    expect(planSegments(1_000_000, 5, shape, undefined, 0).cuts).toEqual(planSegments(1_000_000, 5, shape).cuts);
    const shared = new Float32Array(new SharedArrayBuffer(iq.byteLength));
    shared.set(iq);
    expectSameFrames(await decodeRecordingParallel(shared, { ...o, workers: 5, workerUrl, thisThread: false }), one);
  });

  it("SF7 at 1 sample per chip, js engine, 4 workers: frames a symbol either side of the cuts", async () => {
    const o: ReceiverOptions = { sampleRate: 125e3, bandwidth: 125e3, sf: 7, engine: "js" };
    const { iq, truth } = acrossCuts(o, 4, 420_000, [-1, 1, -45], 12);
    const one = decodeRecording(iq, o);
    expect(one.filter((f) => f.crcOk).map((f) => f.payloadHex)).toEqual(truth.map((t) => t.payloadHex));
    expectCloseFrames(await decodeRecordingParallel(iq, { ...o, workers: 4, workerUrl }), one);
  });

  it("SF8 in a 1.024 MS/s recording (resampled), a channel 150 kHz off centre, cs16, 3 workers", async () => {
    const o: ReceiverOptions = {
      sampleRate: 1.024e6,
      bandwidth: 125e3,
      sf: 8,
      frequencyOffsetHz: 150e3,
    };
    const total = 4_200_000;
    const { sf, ...common } = o;
    const plan = planSegments(total, 3, jobShape({ kind: "channels", channels: [{ ...common, sfs: [sf] }] }));
    expect(plan.cuts.length).toBe(4);
    const symbol = (256 * o.sampleRate) / o.bandwidth;
    const params = { sf, bandwidth: o.bandwidth, cr: 2 };
    const sim = simulate({
      frames: [
        { params, payloadLength: 30, startSample: plan.cuts[1]! - 20 * symbol, frequencyOffsetHz: 150e3 },
        { params, payloadLength: 9, startSample: plan.cuts[2]! - 0.2 * symbol, frequencyOffsetHz: 150e3 },
      ],
      sampleRate: o.sampleRate,
      snrDb: 3,
      cfoHz: -4000,
      sfoPpm: -8,
      lengthSamples: total,
      seed: 13,
    });
    const cs16 = new Int16Array(sim.iq.length);
    for (let i = 0; i < cs16.length; i++) cs16[i] = Math.round(sim.iq[i]! * 4096);
    const one = decodeRecording(cs16, o);
    expect(one.filter((f) => f.crcOk).map((f) => f.payloadHex)).toEqual(sim.truth.map((t) => t.payloadHex));
    expectSameFrames(await decodeRecordingParallel(cs16, { ...o, workers: 3, workerUrl }), one);
  });

  it("a channel receiver's options (sfs: SF7 and SF9 on one front end), 3 workers", async () => {
    const o = { sampleRate: 250e3, bandwidth: 125e3, sfs: [7, 9], syncWord: 0x34 };
    const total = 2_400_000;
    const plan = planSegments(total, 3, jobShape({ kind: "channels", channels: [o] }));
    expect(plan.cuts.length).toBe(4);
    const at = (sf: number, cut: number, symbols: number) => ({
      params: { sf, bandwidth: 125e3, cr: 1, syncWord: 0x34 },
      payloadLength: 14,
      startSample: cut + symbols * 2 * 2 ** sf,
    });
    const sim = simulate({
      frames: [
        at(9, plan.cuts[1]!, -10),
        at(7, plan.cuts[1]!, 30),
        at(7, plan.cuts[2]!, -0.4),
        at(9, plan.cuts[2]!, 2),
      ],
      sampleRate: o.sampleRate,
      snrDb: 0,
      cfoHz: 1500,
      sfoPpm: -4,
      lengthSamples: total,
      seed: 14,
    });
    const rx = createChannelReceiver(o);
    const one = [...rx.push(sim.iq), ...rx.flush()].sort((a, b) => a.startSampleExact - b.startSampleExact);
    rx.dispose();
    expect(one.filter((f) => f.crcOk).map((f) => f.sf)).toEqual([9, 7, 7, 9]);
    // the SF9 frame after the second cut: segment 2's SF9 search starts on the grid from sample 0,
    // the whole recording's restarted after the SF9 frame before segment 2's lead-in
    expectCloseFrames(await decodeRecordingParallel(sim.iq, { ...o, workers: 3, workerUrl }), one);
  });

  it("a segment stops reading past its cut once the frames it keeps are out (the same frames)", () => {
    const o: ReceiverOptions = { sampleRate: 250e3, bandwidth: 125e3, sf: 7 };
    const { iq } = acrossCuts(o, 2, 1_000_000, [-2], 15);
    const { sf, ...common } = o;
    const job: SegmentJob = { kind: "channels", channels: [{ ...common, sfs: [sf] }] };
    const plan = planSegments(1_000_000, 2, jobShape(job));
    const keepTo = plan.cuts[1]! + plan.band;
    const d = createSegmentDecoder(job, { offset: 0, prime: 0, keepFrom: -Infinity, keepTo });
    const hi = plan.cuts[1]! + plan.overlap;
    let next = 0;
    while (next < hi && !d.done) {
      const n = Math.min(4096, hi - next);
      d.push(iq.subarray(2 * next, 2 * (next + n)));
      next += n;
    }
    const frames = d.finish().map((f) => f.frame);
    d.dispose();
    // the frame 2 symbols before the cut ends about 40 symbols after it: the overlap is 255 bytes' worth
    expect(next).toBeLessThan(plan.cuts[1]! + plan.overlap / 4);
    expect(next).toBeGreaterThan(plan.cuts[1]!);
    const want = decodeRecording(iq, o).filter((f) => f.startSampleExact < keepTo);
    expect(want.length).toBeGreaterThan(1);
    expectSameFrames(frames, want);
  });

  for (const [engine, channels] of [
    ["wasm", 1],
    ["js", 1],
    ["wasm", 2],
  ] as const)
    it(`a segment's DC/IQ estimates go on from another's snapshot bit for bit (${engine} engine, ${channels === 1 ? "one channel" : "two channels: the wideband stage's"})`, () => {
      // an RTL-SDR's DC offset and IQ imbalance, so the estimates move
      const o: ReceiverOptions = { sampleRate: 250e3, bandwidth: 125e3, sf: 7, engine };
      const total = 1_200_000;
      const sim = simulate({
        frames: [{ params: { sf: 7, bandwidth: 125e3, cr: 1 }, payloadLength: 10, startSample: 900_000 }],
        sampleRate: o.sampleRate,
        snrDb: 5,
        lengthSamples: total,
        sdr: { dcOffset: [0.3, -0.15], iqGainImbalance: 0.02, iqPhaseDeg: 2 },
        seed: 17,
      });
      const { sf, ...common } = o;
      // a second channel 60 kHz up (empty): the two share one wideband DC/IQ stage
      const job: SegmentJob = {
        kind: "channels",
        channels: [
          { ...common, sfs: [sf] },
          ...(channels === 2 ? [{ ...common, sfs: [sf], frequencyOffsetHz: 60e3 }] : []),
        ],
      };
      const push = (d: ReturnType<typeof createSegmentDecoder>, from: number, to: number) => {
        for (let i = from; i < to; i += 50_000) d.push(sim.iq.subarray(2 * i, 2 * Math.min(to, i + 50_000)));
      };
      // one receiver from the start; its estimates at 300 k samples
      const whole = createSegmentDecoder(job, { offset: 0, prime: 0, keepFrom: -Infinity, keepTo: Infinity });
      push(whole, 0, 300_000);
      const snap = whole.iqSnapshot()!;
      expect(snap.at).toBe(300_000);
      push(whole, 300_000, total);
      const wholeFrames = whole.finish();
      const end = whole.iqSnapshot()!;
      whole.dispose();
      expect(end.at).toBe(total);
      expect(Math.hypot(...end.states[0]!.subarray(0, 2))).toBeGreaterThan(0.1);
      // a segment from 0.6 M on: from the snapshot (primed over 300..600 k), or primed from zero over the same samples
      const offset = 600_064;
      const segment = (iqFrom?: typeof snap) => {
        const d = createSegmentDecoder(job, {
          offset,
          prime: offset - 300_000,
          keepFrom: offset,
          keepTo: Infinity,
          ...(iqFrom ? { iqFrom } : {}),
        });
        push(d, 300_000, total);
        const frames = d.finish();
        const state = d.iqSnapshot()!;
        d.dispose();
        return { frames, state };
      };
      const on = segment(snap);
      expect(on.state.at).toBe(total);
      expect(Array.from(on.state.states[0]!)).toEqual(Array.from(end.states[0]!));
      expect(on.frames.filter((f) => f.frame.crcOk).length).toBeGreaterThan(0);
      expectSameFrames(
        on.frames.map((f) => f.frame),
        wholeFrames.map((f) => f.frame),
      );
      const fresh = segment();
      expect(Array.from(fresh.state.states[0]!)).not.toEqual(Array.from(end.states[0]!));
      // a snapshot that does not start where the segment's priming does is refused
      expect(() =>
        createSegmentDecoder(job, {
          offset,
          prime: offset - 200_000,
          keepFrom: offset,
          keepTo: Infinity,
          iqFrom: snap,
        }),
      ).toThrow(expect.objectContaining({ code: "BAD_PARAMETER", parameter: "iqFrom" }));
    });

  it("reports progress: increasing, up to the recording's length", async () => {
    const o: ReceiverOptions = { sampleRate: 125e3, bandwidth: 125e3, sf: 7 };
    const total = 400_000;
    const iq = simulate({
      frames: [{ params: { sf: 7, bandwidth: 125e3, cr: 1 }, payloadLength: 8 }],
      snrDb: 10,
      lengthSamples: total,
    }).iq;
    const seen: number[] = [];
    await decodeRecordingParallel(iq, { ...o, workers: 3, workerUrl, onProgress: (n) => seen.push(n) });
    expect(seen.length).toBeGreaterThan(2);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
    expect(seen.at(-1)).toBe(total);
  });
});

describe("a thread that finishes its segment takes the end of another's", () => {
  const o: ReceiverOptions = { sampleRate: 250e3, bandwidth: 125e3, sf: 7 };
  const { sf, ...common } = o;
  const job: SegmentJob = { kind: "channels", channels: [{ ...common, sfs: [sf] }] };
  const params = { sf, bandwidth: o.bandwidth, cr: 1 };
  const total = 3_000_000;
  // a frame every 0.1 s (every lead-in holds several), some of them across wherever the cuts fall
  const frames = Array.from({ length: 110 }, (_, i) => ({
    params,
    payloadLength: 8 + (i % 9),
    startSample: 1000 + i * 27_000,
  }));
  const sim = impaired(frames, o.sampleRate, total, 31);
  const one = decodeRecording(sim.iq, o);
  const read = (first: number, count: number) => sim.iq.slice(2 * first, 2 * (first + count));
  // the same frames with an RTL-SDR's DC offset and IQ imbalance: the DC/IQ correction then moves the samples
  const rtl = simulate({
    frames,
    sampleRate: o.sampleRate,
    snrDb: 0,
    cfoHz: 2500,
    sfoPpm: 5,
    lengthSamples: total,
    seed: 31,
    sdr: { dcOffset: [0.3, -0.15], iqGainImbalance: 0.02, iqPhaseDeg: 2 },
  });

  it("this thread takes most of a worker's segment while the worker starts (2 s late)", async () => {
    expect(one.filter((f) => f.crcOk)).toHaveLength(frames.length);
    // the worker module, loaded 2 s late (its messages wait for it)
    const late = new URL(
      `data:text/javascript,await new Promise((r) => setTimeout(r, 2000)); await import(${JSON.stringify(workerUrl.href)});`,
    );
    terminateIdleWorkers();
    const r = await decodeInWorkers({ total, read }, job, {
      workers: 2,
      workerUrl: late,
      minStealSamples: 0,
      chunkSamples: 1 << 16,
    });
    terminateIdleWorkers();
    // this thread decodes the last segment, then parts of the worker's (the first)
    expect(r.segments).toBeGreaterThan(2);
    expect(r.timings.filter((t) => t.thread === "this").length).toBeGreaterThan(1);
    expect(r.timings.flatMap((t) => [t.from, t.to])).toEqual([
      0,
      ...r.timings.slice(1).flatMap((t) => [t.from, t.from]),
      total,
    ]);
    expectSameFrames(
      r.frames.map((f) => f.frame),
      one,
    );
  });

  /**
   * A worker takes the end of this thread's segment (the last) when this thread's reads take 400 ms
   * each after its first `fast` samples (no DC/IQ priming; default 2 overlaps): past what the worker
   * reads (its own segment and the overlap past its cut), whose reads stay fast.
   */
  const stealsFromSlowReads = async (fast?: number, iqCorrection = false) => {
    const iq = iqCorrection ? rtl.iq : sim.iq;
    const read = (first: number, count: number) => iq.slice(2 * first, 2 * (first + count));
    const plain = decodeRecording(iq, { ...o, iqCorrection });
    if (iqCorrection) {
      // the correction matters here: without it the frames differ
      expect(plain.filter((f) => f.crcOk).length).toBeGreaterThan(frames.length / 2);
      const uncorrected = decodeRecording(iq, { ...o, iqCorrection: false });
      expect(uncorrected.map((f) => f.snrDb)).not.toEqual(plain.map((f) => f.snrDb));
    }
    const plainJob: SegmentJob = { kind: "channels", channels: [{ ...common, sfs: [sf], iqCorrection }] };
    // the source is not views of memory: this thread copies nothing (no serving in the cut)
    const plan = planSegments(total, 2, jobShape(plainJob), undefined, 0);
    const lead = fast ?? 2 * plan.overlap;
    const from = plan.cuts[1]! - plan.overlap + lead;
    expect(lead).toBeGreaterThanOrEqual(2 * plan.overlap);
    expect(from).toBeLessThan(total - 1_000_000);
    const slow = (first: number, count: number) =>
      first >= from
        ? new Promise<Float32Array>((resolve) => setTimeout(() => resolve(read(first, count)), 400))
        : read(first, count);
    const r = await decodeInWorkers({ total, read: slow }, plainJob, { workers: 2, workerUrl, minStealSamples: 0 });
    expect(r.timings.filter((t) => t.thread === "worker").length).toBeGreaterThan(1);
    expectSameFrames(
      r.frames.map((f) => f.frame),
      plain,
    );
    return r;
  };

  it("a worker takes the end of this thread's segment when this thread's samples come slowly", () =>
    stealsFromSlowReads());

  // this thread's first 0.5 M samples come at once, then it waits: the speed it is judged at is
  // that of the time since its segment began, not of its last report (which said fast)
  it("a worker takes the end of this thread's segment when this thread's samples turn slow after its first ones", () =>
    stealsFromSlowReads(500_000));

  // (the recording, 3 M samples, is shorter than the 6.3 M samples of priming: this thread's
  // estimates run from sample 0, and are one receiver's)
  it("with DC/IQ correction, the worker's estimates go on from this thread's, not from the recording's start", async () => {
    const r = await stealsFromSlowReads(undefined, true);
    const mine = r.timings.find((t) => t.thread === "this")!;
    expect(mine.primedFrom).toBe(0);
    const taken = r.timings.filter((t) => t.thread === "worker" && t.from > mine.from);
    expect(taken.length).toBeGreaterThan(0);
    // each from its victim's last estimates: after this thread's start, before its own
    for (const t of taken) {
      expect(t.primedFrom).toBeGreaterThan(mine.from);
      expect(t.primedFrom).toBeLessThan(t.from);
    }
  });
});

describe("workers wait for the next call", () => {
  it("a second call reuses the first call's workers; they stop when idle", async () => {
    terminateIdleWorkers();
    const o: ReceiverOptions = { sampleRate: 125e3, bandwidth: 125e3, sf: 7 };
    const iq = simulate({
      frames: [{ params: { sf: 7, bandwidth: 125e3, cr: 1 }, payloadLength: 8, startSample: 200_000 }],
      snrDb: 10,
      lengthSamples: 420_000,
    }).iq;
    const first = await decodeRecordingParallel(iq, { ...o, workers: 3, workerUrl, thisThread: false });
    expect(idleWorkerCount()).toBe(3);
    // this thread decodes one segment: two of the waiting workers the others, and back
    const again = await decodeRecordingParallel(iq, { ...o, workers: 3, workerUrl });
    expect(idleWorkerCount()).toBe(3);
    expectSameFrames(again, first);
    expect(first.filter((f) => f.crcOk)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, IDLE_WORKER_MS + 500));
    expect(idleWorkerCount()).toBe(0);
  });
});

describe("workers: errors", () => {
  const o: ReceiverOptions = { sampleRate: 125e3, bandwidth: 125e3, sf: 7 };
  const iq = new Float32Array(2 * 50_000);

  it("a bad worker count or option is a ChirpError at the call, before any worker starts", () => {
    for (const workers of [0, -1, 1.5, 65, Number.NaN, "2" as unknown as number]) {
      try {
        void decodeRecordingParallel(iq, { ...o, workers, workerUrl });
        expect.unreachable(`workers = ${String(workers)}`);
      } catch (e) {
        expect(e).toBeInstanceOf(ChirpError);
        expect((e as ChirpError).code).toBe("BAD_PARAMETER");
        expect((e as ChirpError).parameter).toBe("workers");
        expect((e as ChirpError).allowed).toBe("an integer from 1 to 64");
      }
    }
    expect(() => decodeRecordingParallel(iq, { ...o, sf: 13, workers: 2 })).toThrow(
      expect.objectContaining({ code: "BAD_PARAMETER", parameter: "sf" }),
    );
    expect(() => decodeRecordingParallel([1, 2] as unknown as Float32Array, { ...o, workers: 2 })).toThrow(
      expect.objectContaining({ code: "BAD_INPUT", parameter: "samples" }),
    );
    expect(() => decodeRecordingParallel(iq, { ...o, thisThread: 1 as unknown as boolean })).toThrow(
      expect.objectContaining({ code: "BAD_PARAMETER", parameter: "thisThread" }),
    );
    expect(() => decodeRecordingParallel(iq, { ...o, workerUrl: 5 as unknown as string })).toThrow(
      expect.objectContaining({ code: "BAD_PARAMETER", parameter: "workerUrl" }),
    );
    expect(() => decodeGatewayParallel(iq, { sampleRate: 1e6, channels: [0], workers: 0, workerUrl })).toThrow(
      expect.objectContaining({ code: "BAD_PARAMETER", parameter: "workers" }),
    );
    expect(() => decodeGatewayParallel(iq, { sampleRate: 1e6, channels: [0, 0], workerUrl })).toThrow(
      expect.objectContaining({ code: "BAD_PARAMETER", parameter: "channels" }),
    );
  });

  it("a worker that exits, throws while loading, or cannot be found rejects with WORKER_FAILED (no hang)", async () => {
    for (const url of [
      new URL("data:text/javascript,process.exit(3)"),
      new URL("data:text/javascript,throw new Error('boom')"),
      new URL("./no-such-worker.js", import.meta.url),
    ]) {
      await expect(
        decodeRecordingParallel(iq, { ...o, workers: 2, workerUrl: url, thisThread: false }),
      ).rejects.toMatchObject({ code: "WORKER_FAILED" });
    }
    // this thread decoding the last of two segments stops too
    const long = new Float32Array(2 * 420_000);
    await expect(
      decodeRecordingParallel(long, { ...o, workers: 2, workerUrl: new URL("data:text/javascript,process.exit(3)") }),
    ).rejects.toMatchObject({ code: "WORKER_FAILED" });
  });

  it("bad samples found by a worker reject with its ChirpError", async () => {
    const bad = new Float32Array(2 * 50_000);
    bad[2 * 40_000] = Number.NaN;
    await expect(decodeRecordingParallel(bad, { ...o, workers: 2, workerUrl })).rejects.toMatchObject({
      code: "BAD_INPUT",
    });
  });
});

describe("chirp decode FILE --jobs N", () => {
  /** Simulates 40 SF7 frames at 250 kS/s into `name` and decodes it with and without --jobs: the same frames, close estimates. */
  function sameWithJobs(name: string, extra: string[], seed: number, jobs: number, andTable = false): void {
    const dir = mkdtempSync(join(tmpdir(), "chirp-jobs-"));
    try {
      const file = join(dir, name);
      const sim = chirp([
        "simulate",
        ...["-o", file, ...extra, "--sf", "7", "--rate", "250k", "--frames", "40", "--snr", "2", "--cfo", "3k"],
        ...["--ppm", "4", "--gap", "3000", "--seed", String(seed)],
      ]);
      expect(sim.status, sim.stderr).toBe(0);
      const args = ["decode", file, "--sf", "7", "--json", "--quiet"];
      const one = chirp(args);
      const two = chirp([...args, "--jobs", String(jobs)]);
      expect(one.status, one.stderr).toBe(0);
      expect(two.status, two.stderr).toBe(0);
      const a = lines(one.stdout);
      const b = lines(two.stdout);
      expect(a.filter((f) => f.crcOk).length).toBe(40);
      expect(b.map((f) => [f.startSample, f.payloadHex, f.crcOk])).toEqual(
        a.map((f) => [f.startSample, f.payloadHex, f.crcOk]),
      );
      b.forEach((f, i) => {
        expect(Math.abs(f.startSampleExact - a[i]!.startSampleExact)).toBeLessThan(0.05);
        expect(Math.abs(f.snrDb - a[i]!.snrDb)).toBeLessThan(0.05);
      });
      if (andTable) expect(chirp([...args.slice(0, 4), "--jobs", "2"]).stdout).toBe(chirp(args.slice(0, 4)).stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("splits one file across workers: the frames of the single-process decode (and the table)", () => {
    sameWithJobs("long.cs16", [], 21, 3, true);
  });

  it("workers read their segments from the file themselves: a cu8 SigMF archive (samples at an offset in the tar)", () => {
    sameWithJobs("long.sigmf", ["--format", "cu8"], 22, 2);
  });

  it("--jobs with --collisions is refused, and a bad count is named", () => {
    const file = join(tmpdir(), "checked-before-it-is-opened.cf32");
    const r = chirp(["decode", file, "--rate", "125k", "--sf", "7", "--jobs", "2", "--collisions"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--jobs 2 splits one file across workers.*--collisions/);
    const z = chirp(["decode", file, "--rate", "125k", "--sf", "7", "--jobs", "0"]);
    expect(z.status).toBe(2);
    expect(z.stderr).toMatch(/--jobs/);
  });
});
