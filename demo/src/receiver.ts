// Receiver panel: opens a recording (file, SigMF, or the built-in example) in the decoder worker,
// shows decoding progress, the waterfall with every decoded frame marked, and the table of frames.
import type {
  DecodeSettings,
  FrameRow,
  FromWorker,
  IqFormat,
  RecordingInfo,
  ToWorker,
  WaterfallData,
} from "./protocol.js";
import { displayRange, fitCanvas, renderTimeAxis, waterfallImage } from "./plots.js";
import { colormap } from "chirpkit/viz";
import { $, fmt } from "./util.js";

interface View {
  wf: WaterfallData;
  image: HTMLCanvasElement;
  range: { min: number; max: number };
}

let worker: Worker;
let info: RecordingInfo | null = null;
let whole: View | null = null;
let view: View | null = null;
let frames: FrameRow[] = [];
let selected = -1;
let autoDecode = false;

function send(msg: ToWorker): void {
  worker.postMessage(msg);
}

function setState(state: string): void {
  document.body.dataset.rxState = state;
}

function status(text: string): void {
  $<HTMLSpanElement>("#rx-status").textContent = text;
}

function error(text: string): void {
  $<HTMLParagraphElement>("#rx-error").textContent = text;
}

function field<T extends HTMLInputElement | HTMLSelectElement>(id: string): T {
  return $<T>(id);
}

function readSettings(): DecodeSettings {
  const num = (id: string, label: string, min = -Infinity) => {
    const v = Number(field<HTMLInputElement>(id).value);
    if (!Number.isFinite(v) || v < min)
      throw new Error(`${label}: a number${min > -Infinity ? ` of at least ${min}` : ""}, please`);
    return v;
  };
  const syncText = field<HTMLInputElement>("#rx-sync").value.trim().toLowerCase().replace(/^0x/, "");
  let syncWord: number | "any";
  if (syncText === "any" || syncText === "") syncWord = "any";
  else if (/^[0-9a-f]{1,2}$/.test(syncText)) syncWord = parseInt(syncText, 16);
  else throw new Error("Sync word: one byte in hex (12, 34) or 'any'");
  const key = (id: string, label: string) => {
    const v = field<HTMLInputElement>(id).value.trim().replace(/\s/g, "");
    if (v === "") return undefined;
    if (!/^[0-9a-fA-F]{32}$/.test(v)) throw new Error(`${label}: 32 hex digits (16 bytes), or leave it empty`);
    return v.toLowerCase();
  };
  const keys: DecodeSettings["keys"] = {};
  const nwk = key("#rx-nwkskey", "NwkSKey");
  const app = key("#rx-appskey", "AppSKey");
  if (nwk) keys.nwkSKey = nwk;
  if (app) keys.appSKey = app;
  const lenText = field<HTMLInputElement>("#rx-implicit-len").value.trim();
  let implicit: DecodeSettings["implicit"];
  if (lenText !== "") {
    const payloadLength = Number(lenText);
    if (!Number.isInteger(payloadLength) || payloadLength < 1 || payloadLength > 255)
      throw new Error("Implicit header length: 1 to 255 bytes, or empty for explicit headers");
    implicit = {
      payloadLength,
      cr: Number(field<HTMLSelectElement>("#rx-implicit-cr").value),
      crc: field<HTMLInputElement>("#rx-implicit-crc").checked,
    };
  }
  return {
    ...(implicit ? { implicit } : {}),
    format: field<HTMLSelectElement>("#rx-format").value as IqFormat,
    sampleRate: num("#rx-rate", "Sample rate", 1),
    bandwidth: num("#rx-bw", "Bandwidth", 1),
    sf: field<HTMLSelectElement>("#rx-sf").value === "all" ? "all" : Number(field<HTMLSelectElement>("#rx-sf").value),
    syncWord,
    frequencyOffsetHz: num("#rx-offset", "Channel offset"),
    keys,
    workers: Number(field<HTMLSelectElement>("#rx-workers").value),
  };
}

function applySuggested(s: Partial<DecodeSettings>): void {
  if (s.format) field<HTMLSelectElement>("#rx-format").value = s.format;
  if (s.sampleRate) field<HTMLInputElement>("#rx-rate").value = String(s.sampleRate);
  if (s.bandwidth) field<HTMLInputElement>("#rx-bw").value = String(s.bandwidth);
  if (s.sf) field<HTMLSelectElement>("#rx-sf").value = String(s.sf);
  if (s.syncWord !== undefined)
    field<HTMLInputElement>("#rx-sync").value = s.syncWord === "any" ? "any" : s.syncWord.toString(16);
  if (s.frequencyOffsetHz !== undefined) field<HTMLInputElement>("#rx-offset").value = String(s.frequencyOffsetHz);
  if (s.keys) {
    field<HTMLInputElement>("#rx-nwkskey").value = s.keys.nwkSKey ?? "";
    field<HTMLInputElement>("#rx-appskey").value = s.keys.appSKey ?? "";
  }
}

function makeView(wf: WaterfallData): View {
  const spec = { rows: wf.rows, cols: wf.cols, db: wf.db, min: wf.min, max: wf.max };
  const range = displayRange(spec);
  return { wf, image: waterfallImage(spec, 0, wf.cols, range), range };
}

/** Frequency ticks (kHz from the centre; the waterfall spans -rate/2 at the bottom to +rate/2). */
function renderFreqAxis(h: number): void {
  const el = $<HTMLDivElement>("#rx-faxis");
  el.replaceChildren();
  const rate = info?.sampleRate;
  if (!rate || !view) return;
  const half = rate / 2e3;
  const raw = (2 * half) / Math.max(2, Math.floor(h / 40));
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((x) => x >= raw)!;
  const ticks: number[] = [];
  for (let k = Math.ceil(-half / step) * step; k <= half + 1e-9; k += step) ticks.push(+k.toPrecision(10));
  for (const k of ticks) {
    const y = ((half - k) / (2 * half)) * h;
    if (y < 8 || y > h - 4) continue;
    const t = document.createElement("span");
    t.textContent = String(k);
    t.style.top = `${y + 20}px`; // below the labels row
    el.append(t);
  }
  const unit = document.createElement("span");
  unit.className = "unit";
  unit.textContent = "kHz";
  unit.title = info?.centerFrequency ? `kHz from ${info.centerFrequency / 1e6} MHz` : "kHz from the centre";
  el.append(unit);
  el.dataset.ticks = ticks.join(",");
}

/** The colour scale beside the waterfall: viridis from the view's floor (bottom) to its peak. */
function renderScale(h: number): void {
  const el = $<HTMLDivElement>("#rx-scale");
  el.replaceChildren();
  if (!view) return;
  const { min, max } = view.range;
  const stops = Array.from({ length: 9 }, (_, i) => min + ((max - min) * i) / 8);
  const rgba = colormap(stops, min, max);
  const rgb = (i: number) => `rgb(${rgba[4 * i]},${rgba[4 * i + 1]},${rgba[4 * i + 2]})`;
  const bar = document.createElement("div");
  bar.className = "bar";
  // top = the strongest value (stop 8), bottom = the floor (stop 0)
  bar.style.background = `linear-gradient(to bottom, ${stops.map((_, j) => `${rgb(8 - j)} ${j * 12.5}%`).join(", ")})`;
  bar.style.top = "20px";
  bar.style.height = `${h}px`;
  el.append(bar);
  for (const [v, y] of [
    [max, 0],
    [(min + max) / 2, h / 2],
    [min, h],
  ] as const) {
    const t = document.createElement("span");
    t.textContent = `${Math.round(v)} dB`;
    t.style.top = `${y + 20}px`;
    el.append(t);
  }
  el.dataset.range = `${min.toFixed(1)},${max.toFixed(1)}`;
}

/** Asks the worker for the spectrogram of [start, end), clamped to the recording. */
function requestView(start: number, end: number): void {
  if (!info) return;
  const total = info.samples;
  const span = Math.min(total, Math.max(256, end - start));
  let a = Math.round(start);
  if (a < 0) a = 0;
  if (a + span > total) a = total - span;
  send({ type: "view", start: a, end: a + span, width: $<HTMLCanvasElement>("#rx-waterfall").clientWidth });
  $<HTMLButtonElement>("#rx-zoom-out").hidden = a === 0 && span === total;
}

function zoom(factor: number, atFraction = 0.5): void {
  if (!view) return;
  const { start, end } = view.wf;
  const centre = start + (end - start) * atFraction;
  const span = (end - start) * factor;
  requestView(centre - span * atFraction, centre - span * atFraction + span);
}

function pan(fraction: number): void {
  if (!view) return;
  const { start, end } = view.wf;
  const d = (end - start) * fraction;
  requestView(start + d, end + d);
}

function sampleToX(v: View, sample: number, w: number): number {
  const row = (sample - v.wf.start - v.wf.fftSize / 2) / v.wf.hop;
  return ((row + 0.5) / v.wf.rows) * w;
}

function drawWaterfall(): void {
  const canvas = $<HTMLCanvasElement>("#rx-waterfall");
  const { ctx, w, h } = fitCanvas(canvas);
  ctx.clearRect(0, 0, w, h);
  const labels = $<HTMLDivElement>("#rx-labels");
  labels.replaceChildren();
  if (!view) return;
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(view.image, 0, 0, w, h);
  const marked: string[] = [];
  for (const f of frames) {
    const x0 = sampleToX(view, f.startSample, w);
    const x1 = sampleToX(view, f.endSample, w);
    if (x1 < 0 || x0 > w) continue;
    const ok = f.crcOk !== false && f.headerOk && !f.truncated;
    ctx.strokeStyle = ok ? "#4ade80" : "#f87171";
    ctx.lineWidth = f.index === selected ? 3 : 1.5;
    ctx.strokeRect(Math.max(1, x0), 1.5, Math.min(w - 2, x1) - Math.max(1, x0), h - 3);
    const tag = document.createElement("span");
    tag.className = `frame${ok ? "" : " bad"}`;
    tag.textContent = `#${f.index}`;
    tag.title = `frame ${f.index}: ${f.payloadText ?? f.payloadHex}`;
    tag.style.left = `${Math.max(0, x0)}px`;
    tag.style.width = `${Math.max(18, Math.min(w, x1) - Math.max(0, x0))}px`;
    tag.addEventListener("click", () => select(f.index));
    labels.append(tag);
    marked.push(String(f.index));
  }
  const rate = info?.sampleRate ?? 0;
  if (rate > 0) {
    const v = view;
    renderTimeAxis(
      $<HTMLDivElement>("#rx-axis"),
      (v.wf.start / rate) * 1000,
      (v.wf.end / rate) * 1000,
      (ms) => sampleToX(v, (ms / 1000) * rate, w),
      w,
    );
  } else {
    $<HTMLDivElement>("#rx-axis").replaceChildren();
  }
  canvas.dataset.view = `${view.wf.start},${view.wf.end}`;
  canvas.dataset.marked = marked.join(",");
  renderFreqAxis(h);
  renderScale(h);
}

function lorawanCell(f: FrameRow): string {
  const l = f.lorawan;
  if (!l) return "—";
  const mic = l.micOk === null ? "MIC not checked (no key): may not be LoRaWAN" : l.micOk ? "MIC ok" : "MIC fails";
  const parts = [l.unchecked ? `${l.mtype}?` : l.mtype];
  if (l.devAddr) parts.push(`DevAddr ${l.devAddr}`);
  if (l.fCnt !== undefined) parts.push(`FCnt ${l.fCnt}`);
  if (l.fPort !== undefined && l.fPort !== null) parts.push(`FPort ${l.fPort}`);
  parts.push(mic);
  if (l.payloadHex) parts.push(`${l.decrypted ? "payload" : "encrypted payload"} ${l.payloadHex}`);
  return parts.join(" · ");
}

function lppCell(f: FrameRow): string {
  if (f.lpp) {
    return f.lpp
      .map(
        (r) =>
          `ch${r.channel} ${r.name.replace(/_/g, " ")} ${Array.isArray(r.value) ? r.value.join("/") : r.value}${r.unit ? ` ${r.unit}` : ""}`,
      )
      .join("; ");
  }
  return f.lppError ? `not LPP (${f.lppError})` : "—";
}

/** A frame's table cells: [text, column label (the card view shows it), class]. */
export function frameCells(f: FrameRow): [string, string, string][] {
  const crc = f.truncated
    ? "truncated"
    : !f.headerOk
      ? "header fails"
      : f.crcOk === null
        ? "none"
        : f.crcOk
          ? "ok"
          : "fails";
  return [
    [String(f.index), "#", "num"],
    [fmt(f.timeMs, 1), "Time (ms)", "num"],
    [String(f.sf), "SF", "num"],
    [fmt(f.snrDb, 1), "SNR (dB)", "num"],
    [fmt(f.cfoHz, 0), "CFO (Hz)", "num"],
    [crc, "CRC", crc === "ok" ? "ok" : crc === "none" ? "" : "bad"],
    [f.confidence.toFixed(2), "Confidence", "num"],
    [f.payloadText !== null ? `"${f.payloadText}"` : f.payloadHex, "Payload", "hex payload"],
    [lorawanCell(f), "LoRaWAN", "lorawan"],
    [lppCell(f), "LPP", "lpp"],
  ];
}

/** A table row of a frame (cells as frameCells says). */
export function frameRowElement(f: FrameRow): HTMLTableRowElement {
  const tr = document.createElement("tr");
  for (const [text, label, cls] of frameCells(f)) {
    const td = document.createElement("td");
    td.textContent = text;
    td.dataset.label = label;
    if (cls) td.className = cls;
    if (cls === "lorawan" && f.lorawan?.unchecked) td.classList.add("lorawan-unchecked");
    if (cls.includes("payload")) td.title = f.payloadHex;
    tr.append(td);
  }
  tr.dataset.payload = f.payloadHex;
  return tr;
}

function renderTable(): void {
  const body = $<HTMLTableSectionElement>("#rx-frames tbody");
  body.replaceChildren();
  for (const f of frames) {
    const tr = frameRowElement(f);
    tr.tabIndex = 0;
    tr.dataset.index = String(f.index);
    tr.setAttribute("aria-selected", String(f.index === selected));
    body.append(tr);
  }
}

function select(index: number): void {
  const f = frames.find((x) => x.index === index);
  if (!f || !info) return;
  selected = index;
  for (const tr of $<HTMLTableSectionElement>("#rx-frames tbody").children) {
    tr.setAttribute("aria-selected", String(Number((tr as HTMLElement).dataset.index) === index));
  }
  const margin = Math.round(0.2 * (f.endSample - f.startSample));
  send({
    type: "view",
    start: f.startSample - margin,
    end: f.endSample + margin,
    width: $<HTMLCanvasElement>("#rx-waterfall").clientWidth,
  });
  const rate = info.sampleRate ?? 1;
  $<HTMLSpanElement>("#rx-view-caption").textContent =
    `Frame ${index} at ${fmt(f.timeMs, 1)} ms (${fmt(((f.endSample - f.startSample) / rate) * 1000, 1)} ms on air)`;
  $<HTMLButtonElement>("#rx-zoom-out").hidden = false;
}

function zoomOut(): void {
  view = whole;
  selected = -1;
  renderTable();
  drawWaterfall();
  $<HTMLSpanElement>("#rx-view-caption").textContent = "Waterfall of the recording";
  $<HTMLButtonElement>("#rx-zoom-out").hidden = true;
}

function decode(): void {
  error("");
  let settings: DecodeSettings;
  try {
    settings = readSettings();
  } catch (e) {
    error((e as Error).message);
    return;
  }
  setState("decoding");
  $<HTMLParagraphElement>("#rx-hint").textContent = "";
  $<HTMLProgressElement>("#rx-progress").value = 0;
  status("Decoding…");
  $<HTMLButtonElement>("#rx-decode").disabled = true;
  if (info) info.sampleRate = settings.sampleRate;
  send({ type: "decode", settings });
}

function onMessage(msg: FromWorker): void {
  if (msg.type === "opened") {
    info = msg.info;
    applySuggested(info.suggested);
    whole = makeView(msg.waterfall);
    view = whole;
    frames = [];
    selected = -1;
    renderTable();
    drawWaterfall();
    $<HTMLSpanElement>("#rx-view-caption").textContent = `Waterfall of ${info.name}`;
    $<HTMLButtonElement>("#rx-zoom-out").hidden = true;
    const dur = info.sampleRate ? ` (${fmt((info.samples / info.sampleRate) * 1000, 1)} ms)` : "";
    status(`${info.name}: ${info.samples.toLocaleString("en-US")} samples${dur}; ${info.note}`);
    $<HTMLButtonElement>("#rx-decode").disabled = false;
    setState("opened");
    if (autoDecode) {
      autoDecode = false;
      decode();
    }
  } else if (msg.type === "progress") {
    $<HTMLProgressElement>("#rx-progress").value = msg.fraction;
    status(`Decoding… ${Math.round(msg.fraction * 100)} %`);
  } else if (msg.type === "frames") {
    $<HTMLParagraphElement>("#rx-hint").textContent = msg.hint ?? "";
    frames = msg.frames;
    selected = -1;
    view = whole;
    renderTable();
    drawWaterfall();
    const good = frames.filter((f) => f.crcOk === true).length;
    $<HTMLProgressElement>("#rx-progress").value = 1;
    status(
      `${frames.length} frame${frames.length === 1 ? "" : "s"} (${good} with a good CRC), decoded in ${fmt(msg.seconds, 2)} s in ${msg.workers === 1 ? "a Web Worker" : `up to ${msg.workers} Web Workers at once`}`,
    );
    $<HTMLButtonElement>("#rx-decode").disabled = false;
    setState("done");
  } else if (msg.type === "view") {
    view = makeView(msg.waterfall);
    drawWaterfall();
  } else if (msg.type === "error") {
    error(
      `${msg.during === "open" ? "Cannot open the recording" : msg.during === "decode" ? "Decoding failed" : "Cannot draw"}: ${msg.message}`,
    );
    $<HTMLButtonElement>("#rx-decode").disabled = info === null;
    setState("error");
  }
}

function openFiles(files: File[]): void {
  if (files.length === 0) return;
  error("");
  status(`Loading ${files.map((f) => f.name).join(", ")}…`);
  setState("loading");
  send({
    type: "open",
    files,
    format: field<HTMLSelectElement>("#rx-format").value as IqFormat,
    sampleRate: Number(field<HTMLInputElement>("#rx-rate").value),
  });
}

export function initReceiver(): void {
  worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module", name: "chirpkit-decoder" });
  worker.onmessage = (e: MessageEvent<FromWorker>) => onMessage(e.data);
  worker.onerror = (e) => {
    error(`The decoder worker failed: ${e.message}`);
    setState("error");
  };
  $<HTMLInputElement>("#rx-file").addEventListener("change", (e) =>
    openFiles([...((e.target as HTMLInputElement).files ?? [])]),
  );
  const drop = $<HTMLDivElement>("#rx-drop");
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    openFiles([...(e.dataTransfer?.files ?? [])]);
  });
  $<HTMLButtonElement>("#rx-example").addEventListener("click", () => {
    error("");
    autoDecode = true;
    status("Generating the example recording with the simulator…");
    setState("loading");
    send({ type: "example" });
  });
  $<HTMLFormElement>("#rx-form").addEventListener("submit", (e) => {
    e.preventDefault();
    decode();
  });
  $<HTMLButtonElement>("#rx-zoom-out").addEventListener("click", zoomOut);
  $<HTMLButtonElement>("#rx-zoom-in-btn").addEventListener("click", () => zoom(0.5));
  $<HTMLButtonElement>("#rx-zoom-out-btn").addEventListener("click", () => zoom(2));
  $<HTMLButtonElement>("#rx-pan-left").addEventListener("click", () => pan(-0.25));
  $<HTMLButtonElement>("#rx-pan-right").addEventListener("click", () => pan(0.25));
  const canvas = $<HTMLCanvasElement>("#rx-waterfall");
  canvas.addEventListener(
    "wheel",
    (e) => {
      if (!view) return;
      e.preventDefault();
      zoom(e.deltaY > 0 ? 1.25 : 0.8, Math.min(1, Math.max(0, e.offsetX / canvas.clientWidth)));
    },
    { passive: false },
  );
  let drag: { x: number; start: number; end: number } | null = null;
  canvas.addEventListener("pointerdown", (e) => {
    if (!view) return;
    drag = { x: e.clientX, start: view.wf.start, end: view.wf.end };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener("pointerup", (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x;
    const d = -(dx / canvas.clientWidth) * (drag.end - drag.start);
    if (Math.abs(dx) > 3) requestView(drag.start + d, drag.end + d);
    drag = null;
  });
  const body = $<HTMLTableSectionElement>("#rx-frames tbody");
  body.addEventListener("click", (e) => {
    const tr = (e.target as HTMLElement).closest<HTMLElement>("tr[data-index]");
    if (tr) select(Number(tr.dataset.index));
  });
  body.addEventListener("keydown", (e) => {
    const tr = (e.target as HTMLElement).closest<HTMLElement>("tr[data-index]");
    if (!tr) return;
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      select(Number(tr.dataset.index));
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const next = (e.key === "ArrowDown" ? tr.nextElementSibling : tr.previousElementSibling) as HTMLElement | null;
      next?.focus();
    }
  });
  let resizeTimer = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(drawWaterfall, 100);
  });
  setState("idle");
}
