// The live decoder (in the worker): the library's streaming channel receivers (chirpkit/rx
// createChannelReceiver: one front end per channel, a listener per spreading factor behind it) fed
// cu8 chunks as they arrive; each frame goes back to the page as soon as a chunk completes it, as
// the same table row the recording decoder makes, with its channel.
import { createChannelReceiver, type ChannelReceiver, type Frame } from "chirpkit/rx";
import { row } from "../decoder.js";
import type { DecodeSettings } from "../protocol.js";
import type { FromLive, LiveFrameRow, LiveSettings, ToLive } from "./protocol.js";

let receivers: { rx: ChannelReceiver; channelHz: number | null }[] = [];
let settings: DecodeSettings | null = null;
let samples = 0;
let count = 0;

function post(msg: FromLive): void {
  (self as unknown as Worker).postMessage(msg);
}

function rows(frames: { f: Frame; channelHz: number | null }[]): LiveFrameRow[] {
  frames.sort((a, b) => a.f.startSample - b.f.startSample);
  return frames.map(({ f, channelHz }) => ({ ...row(f, ++count, settings!), channelHz }));
}

function start(s: LiveSettings): void {
  for (const r of receivers) r.rx.dispose();
  const sfs = s.sf === "all" ? [7, 8, 9, 10, 11, 12] : [s.sf];
  const centre = s.centerFrequency;
  const channels: (number | null)[] = s.channels.length > 0 && centre !== null ? s.channels : [centre];
  receivers = channels.map((channelHz) => ({
    channelHz,
    rx: createChannelReceiver({
      sampleRate: s.sampleRate,
      bandwidth: s.bandwidth,
      sfs,
      syncWord: s.syncWord,
      frequencyOffsetHz: channelHz === null || centre === null ? 0 : channelHz - centre,
      ...(centre !== null ? { centerFrequency: centre } : {}),
    }),
  }));
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
  // a Uint8Array is cu8 to the receivers: no conversion here
  const frames: { f: Frame; channelHz: number | null }[] = [];
  for (const { rx, channelHz } of receivers) for (const f of rx.push(bytes)) frames.push({ f, channelHz });
  samples += bytes.length / 2;
  if (frames.length > 0) post({ type: "frames", frames: rows(frames) });
  post({ type: "consumed", samples, busySeconds: (performance.now() - t0) / 1000 });
}

function stop(): void {
  const frames: { f: Frame; channelHz: number | null }[] = [];
  for (const { rx, channelHz } of receivers) {
    for (const f of rx.flush()) frames.push({ f, channelHz });
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
