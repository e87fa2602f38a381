// The live decoder (in the worker): the library's streaming receivers (chirpkit/rx createReceiver,
// one per spreading factor) fed cu8 chunks as they arrive; each frame goes back to the page as soon
// as a chunk completes it, as the same table rows the recording decoder makes.
import { createReceiver, type Frame, type Receiver } from "chirpkit/rx";
import { readIq } from "chirpkit/io";
import { row } from "../decoder.js";
import type { DecodeSettings } from "../protocol.js";
import type { FromLive, LiveSettings, ToLive } from "./protocol.js";

let receivers: Receiver[] = [];
let settings: DecodeSettings | null = null;
let samples = 0;
let count = 0;

function post(msg: FromLive): void {
  (self as unknown as Worker).postMessage(msg);
}

function rows(frames: Frame[]) {
  frames.sort((a, b) => a.startSample - b.startSample);
  return frames.map((f) => row(f, ++count, settings!));
}

function start(s: LiveSettings): void {
  for (const rx of receivers) rx.dispose();
  const sfs = s.sf === "all" ? [7, 8, 9, 10, 11, 12] : [s.sf];
  receivers = sfs.map((sf) =>
    createReceiver({
      sampleRate: s.sampleRate,
      bandwidth: s.bandwidth,
      sf,
      syncWord: s.syncWord,
      ...(s.centerFrequency ? { centerFrequency: s.centerFrequency } : {}),
    }),
  );
  settings = {
    format: "cu8",
    sampleRate: s.sampleRate,
    bandwidth: s.bandwidth,
    sf: s.sf,
    syncWord: s.syncWord,
    frequencyOffsetHz: 0,
    keys: {},
  };
  samples = 0;
  count = 0;
}

function chunk(bytes: Uint8Array): void {
  if (!settings) throw new Error("live decoder: no stream started");
  const t0 = performance.now();
  const iq = readIq(bytes, "cu8");
  const frames: Frame[] = [];
  for (const rx of receivers) frames.push(...rx.push(iq));
  samples += iq.length / 2;
  if (frames.length > 0) post({ type: "frames", frames: rows(frames) });
  post({ type: "consumed", samples, busySeconds: (performance.now() - t0) / 1000 });
}

function stop(): void {
  const frames: Frame[] = [];
  for (const rx of receivers) {
    frames.push(...rx.flush());
    rx.dispose();
  }
  receivers = [];
  post({ type: "stopped", frames: settings ? rows(frames) : [], samples });
  settings = null;
}

export function handle(msg: ToLive): void {
  try {
    if (msg.type === "start") start(msg.settings);
    else if (msg.type === "chunk") chunk(msg.bytes);
    else stop();
  } catch (e) {
    post({ type: "error", message: e instanceof Error ? e.message : String(e) });
  }
}
