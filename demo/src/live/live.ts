// The "Live" panel: a stream of cu8 samples from an IqSource (a WebUSB RTL-SDR, or a cu8 file
// replayed at its real pace) goes chunk by chunk to the live decoder worker, and each frame is
// listed as soon as the worker has it. The page only moves bytes; all decoding is in the worker.
import { frameRowElement } from "../receiver.js";
import { $, describeError, fmt } from "../util.js";
import { ReplaySource, type IqSource } from "./iq-source.js";
import type { FromLive, LiveFrameRow, LiveSettings, ToLive } from "./protocol.js";
import { RtlSdrSource, hasWebUsb } from "./rtlsdr-source.js";

/** Chunks handed to the worker and not yet decoded beyond which new chunks are dropped (and counted). */
const MAX_BACKLOG = 16;

let worker: Worker | null = null;
let source: IqSource | null = null;
let running = false;
let decoded = 0;
let backlog = 0;
let dropped = 0;
let frames = 0;
let rate = 0;

function send(msg: ToLive, transfer: Transferable[] = []): void {
  worker!.postMessage(msg, transfer);
}

function status(text: string): void {
  $<HTMLSpanElement>("#live-status").textContent = text;
}

function setRunning(on: boolean): void {
  running = on;
  document.body.dataset.live = on ? "running" : "idle";
  $<HTMLButtonElement>("#live-usb").disabled = on || !hasWebUsb();
  $<HTMLButtonElement>("#live-replay").disabled = on;
  $<HTMLButtonElement>("#live-stop").disabled = !on;
}

function num(id: string): number {
  return Number($<HTMLInputElement | HTMLSelectElement>(id).value);
}

function addRows(rows: LiveFrameRow[]): void {
  const body = $<HTMLTableSectionElement>("#live-frames tbody");
  for (const f of rows) {
    const tr = frameRowElement(f);
    const td = document.createElement("td");
    td.textContent = f.channelHz === null ? "centre" : fmt(f.channelHz / 1e6, 4);
    td.dataset.label = "Channel (MHz)";
    td.className = "num";
    tr.children[0]!.after(td);
    tr.dataset.channel = String(f.channelHz);
    body.append(tr);
  }
  frames += rows.length;
}

/**
 * The channels of the form (MHz, separated by commas or spaces; empty: the centre), each checked
 * to lie inside what the sample rate holds around the centre with room for its bandwidth.
 */
export function parseChannels(text: string, centreHz: number, sampleRate: number, bandwidth: number): number[] {
  const parts = text.split(/[\s,;]+/).filter((p) => p !== "");
  const hz = parts.map((p) => {
    const v = Number(p);
    if (!Number.isFinite(v) || v <= 0)
      throw new Error(`Channels: "${p}" is not a frequency in MHz (e.g. 868.1, 868.3)`);
    return Math.round(v * 1e6);
  });
  const reach = sampleRate / 2 - bandwidth;
  for (const h of hz)
    if (Math.abs(h - centreHz) > reach)
      throw new Error(
        `Channels: ${fmt(h / 1e6, 4)} MHz is outside what ${fmt(sampleRate, 0)} S/s around ${fmt(centreHz / 1e6, 4)} MHz holds for ${fmt(bandwidth / 1e3, 1)} kHz channels (${fmt((centreHz - reach) / 1e6, 4)} to ${fmt((centreHz + reach) / 1e6, 4)} MHz)`,
      );
  return [...new Set(hz)];
}

function progress(): void {
  const secs = rate ? decoded / rate : 0;
  status(
    `${running ? "Streaming" : "Stopped"}: ${fmt(secs, 1)} s of samples decoded, ${frames} frame${frames === 1 ? "" : "s"}${dropped ? `, ${dropped} chunk(s) dropped (the decoder fell behind)` : ""}`,
  );
}

function onMessage(msg: FromLive): void {
  if (msg.type === "frames") addRows(msg.frames);
  else if (msg.type === "consumed") {
    backlog--;
    decoded = msg.samples;
    document.body.dataset.liveSamples = String(decoded);
  } else if (msg.type === "stopped") {
    addRows(msg.frames);
    decoded = msg.samples;
    document.body.dataset.live = "stopped";
  } else if (msg.type === "error") {
    $<HTMLParagraphElement>("#live-error").textContent = msg.message;
    void stop();
  }
  progress();
}

async function run(src: IqSource): Promise<void> {
  $<HTMLParagraphElement>("#live-error").textContent = "";
  $<HTMLTableSectionElement>("#live-frames tbody").replaceChildren();
  decoded = backlog = dropped = frames = 0;
  source = src;
  setRunning(true);
  status("Opening…");
  try {
    const bandwidth = num("#live-bw");
    // the channels are checked against the form before anything is opened
    const channels = parseChannels(
      $<HTMLInputElement>("#live-channels").value,
      num("#live-freq") * 1e6,
      num("#live-rate"),
      bandwidth,
    );
    const info = await src.open();
    rate = info.sampleRate;
    const sfValue = $<HTMLSelectElement>("#live-sf").value;
    const centre = info.centerFrequency ?? num("#live-freq") * 1e6;
    const settings: LiveSettings = {
      sampleRate: info.sampleRate,
      bandwidth,
      sf: sfValue === "all" ? "all" : Number(sfValue),
      syncWord: "any",
      centerFrequency: centre,
      channels,
    };
    const tuned =
      info.centerFrequency !== null
        ? ` at ${fmt(info.centerFrequency / 1e6, 4)} MHz, ${fmt(info.sampleRate, 1)} S/s, gain ${info.gainDb === null ? "auto" : `${info.gainDb} dB`}`
        : ` at ${fmt(info.sampleRate, 1)} S/s`;
    $<HTMLParagraphElement>("#live-source").textContent = `${info.label}${tuned}`;
    send({ type: "start", settings });
    for await (const bytes of src.chunks()) {
      if (!running) break;
      if (backlog >= MAX_BACKLOG) {
        dropped++;
        continue;
      }
      backlog++;
      // the source may reuse its buffer: send a copy we can transfer
      const copy = bytes.slice();
      send({ type: "chunk", bytes: copy }, [copy.buffer]);
    }
  } catch (e) {
    $<HTMLParagraphElement>("#live-error").textContent = describeError(e);
  }
  await stop();
}

async function stop(): Promise<void> {
  if (!running) return;
  setRunning(false);
  const src = source;
  source = null;
  try {
    await src?.stop();
  } catch (e) {
    $<HTMLParagraphElement>("#live-error").textContent = describeError(e);
  }
  send({ type: "stop" });
  progress();
}

export function initLive(): void {
  worker = new Worker(new URL("./live-worker.ts", import.meta.url), { type: "module", name: "chirpkit-live" });
  worker.onmessage = (e: MessageEvent<FromLive>) => onMessage(e.data);
  if (!hasWebUsb())
    $<HTMLParagraphElement>("#live-source").textContent =
      "This browser has no WebUSB (Chrome, Edge or Chromium on https:// or localhost have it); a cu8 file can still be replayed.";
  setRunning(false);
  $<HTMLButtonElement>("#live-usb").addEventListener("click", () => {
    const gain = $<HTMLSelectElement>("#live-gain").value;
    void run(
      new RtlSdrSource({
        centerFrequency: num("#live-freq") * 1e6,
        sampleRate: num("#live-rate"),
        gainDb: gain === "auto" ? null : Number(gain),
      }),
    );
  });
  $<HTMLButtonElement>("#live-replay").addEventListener("click", () => {
    const file = $<HTMLInputElement>("#live-file").files?.[0];
    if (!file) {
      $<HTMLParagraphElement>("#live-error").textContent = "Choose a .cu8 recording to replay first";
      return;
    }
    void run(new ReplaySource(file, file.name, num("#live-rate")));
  });
  $<HTMLButtonElement>("#live-stop").addEventListener("click", () => void stop());
}
