// Transmitter panel: builds one frame with the phy API, passes it through the channel simulator
// and shows its waterfall, the I/Q and dechirped spectrum of a chosen symbol, and the symbol values.
import { modulateSymbols, resolveParams, timeOnAir, type PhyParams, type Ldro } from "chirpkit/phy";
import { simulate } from "chirpkit/sim";
import { decodeRecording } from "chirpkit/rx";
import { buildSigmfMeta, buildTar, stringifySigmf, writeIq } from "chirpkit/io";
import { computeSpectrogram, type Spectrogram } from "chirpkit/viz";
import { frameAnatomy, type FrameAnatomy, type FrameSymbol } from "./anatomy.js";
import { drawIq, drawSpectrum, fitCanvas, renderTimeAxis, waterfallImage } from "./plots.js";
import { $, describeError, fmt, parsePayload } from "./util.js";

interface TxSettings {
  params: PhyParams;
  payload: Uint8Array;
  oversampling: number;
  snrDb: number | null; // null: no noise
  cfoHz: number;
  sfoPpm: number;
}

interface TxState {
  settings: TxSettings;
  anatomy: FrameAnatomy;
  iq: Float32Array;
  frameStart: number;
  totalSamples: number;
  spec: Spectrogram;
  hop: number;
  image: HTMLCanvasElement;
  selected: number;
}

const KIND_LABEL: Record<string, string> = {
  preamble: "preamble",
  sync: "sync",
  downchirp: "downchirps",
  header: "header block",
  payload: "payload",
  crc: "CRC",
  padding: "padding",
};

let state: TxState | null = null;
/** Largest signal the live view computes (complex samples; 8 bytes each, several copies). */
const MAX_SAMPLES = 4_000_000;
const refChirps = new Map<number, Float32Array>();

function readSettings(): TxSettings {
  const form = $<HTMLFormElement>("#tx-form");
  const val = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;
  const checked = (id: string) => $<HTMLInputElement>(id).checked;
  const syncText = val("syncWord").trim().replace(/^0x/i, "");
  if (!/^[0-9a-fA-F]{1,2}$/.test(syncText)) throw new Error("Sync word: one byte in hex, e.g. 12 or 34");
  const params: PhyParams = {
    sf: Number(val("sf")),
    bandwidth: Number(val("bandwidth")),
    cr: Number(val("cr")),
    syncWord: parseInt(syncText, 16),
    ldro: val("ldro") as Ldro,
    explicitHeader: checked("#tx-explicit"),
    crc: checked("#tx-crc"),
  };
  const format = $<HTMLInputElement>("#tx-fmt-hex").checked ? "hex" : "text";
  const payload = parsePayload(val("payload"), format);
  const num = (name: string, label: string) => {
    const v = Number(val(name));
    if (!Number.isFinite(v)) throw new Error(`${label}: a number, please`);
    return v;
  };
  return {
    params,
    payload,
    oversampling: Number(val("oversampling")),
    snrDb: checked("#tx-noiseless") ? null : num("snrDb", "SNR"),
    cfoHz: num("cfoHz", "Carrier offset"),
    sfoPpm: num("sfoPpm", "Clock offset"),
  };
}

function nextPow2(x: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, x)));
}

/** Builds the frame, the simulated channel output and its spectrogram. */
function generate(settings: TxSettings, widthPx: number): TxState {
  const { params, payload, oversampling: os } = settings;
  const anatomy = frameAnatomy(payload, params, os);
  const n = anatomy.params.n;
  const sps = n * os;
  const gap = Math.max(2 * sps, 64);
  const needed = anatomy.layout.totalSamples + 2 * gap;
  if (needed > MAX_SAMPLES) {
    throw new Error(
      `This frame needs ${(needed / 1e6).toFixed(1)} M samples at ${os} samples/chip; the live view stops at ${MAX_SAMPLES / 1e6} M: lower the oversampling or shorten the payload`,
    );
  }
  const sim = simulate({
    frames: [{ payload, params }],
    sampleRate: params.bandwidth * os,
    ...(settings.snrDb === null ? {} : { snrDb: settings.snrDb }),
    cfoHz: settings.cfoHz,
    sfoPpm: settings.sfoPpm,
    leadSamples: gap,
    tailSamples: gap,
    seed: 1,
  });
  const totalSamples = sim.iq.length / 2;
  // A window of about 2*os*sqrt(N) samples balances time and frequency resolution for a chirp
  // sweeping the bandwidth in N*os samples.
  const fftSize = Math.min(4096, Math.max(16, nextPow2(2 * os * Math.sqrt(n))));
  const hop = Math.max(1, Math.floor((totalSamples - fftSize) / Math.max(200, widthPx)));
  const spec = computeSpectrogram(sim.iq, { fftSize, hop, window: "hann" });
  // Show +-0.625 bandwidth: the chirps plus a margin that makes a carrier offset visible.
  const halfCols = Math.min(fftSize / 2, Math.ceil((0.625 * fftSize) / os));
  const image = waterfallImage(spec, fftSize / 2 - halfCols, fftSize / 2 + halfCols);
  return {
    settings,
    anatomy,
    iq: sim.iq,
    frameStart: Math.round(sim.truth[0]!.startSample),
    totalSamples,
    spec,
    hop,
    image,
    selected: Math.min(state?.selected ?? anatomy.params.preambleLength + 5, anatomy.symbols.length - 1),
  };
}

/** x (CSS px) of a sample index on the waterfall: row r covers [r*hop, r*hop + fftSize). */
function sampleToX(s: TxState, sample: number, w: number): number {
  const row = (sample - s.spec.cols / 2) / s.hop;
  return Math.min(w, Math.max(0, ((row + 0.5) / s.spec.rows) * w));
}

function drawWaterfall(s: TxState): void {
  const canvas = $<HTMLCanvasElement>("#tx-waterfall");
  const { ctx, w, h } = fitCanvas(canvas);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(s.image, 0, 0, w, h);
  const sym = s.anatomy.symbols[s.selected]!;
  const x0 = sampleToX(s, s.frameStart + sym.start, w);
  const x1 = sampleToX(s, s.frameStart + sym.start + sym.length, w);
  ctx.strokeStyle = "#ffffff";
  ctx.lineWidth = 2;
  ctx.setLineDash([4, 3]);
  ctx.strokeRect(x0 + 1, 1, Math.max(2, x1 - x0 - 2), h - 2);
  ctx.setLineDash([]);

  // Section labels above the waterfall (DOM, so they are crisp and readable).
  const labels = $<HTMLDivElement>("#tx-labels");
  labels.replaceChildren();
  const L = s.anatomy.layout;
  const sections: Array<[string, string, number, number]> = [
    ["preamble", "preamble", L.preamble[0], L.preamble[1]],
    ["sync", "sync", L.sync[0], L.sync[1]],
    ["downchirp", "down", L.downchirps[0], L.downchirps[1]],
    [
      "header",
      s.anatomy.params.explicitHeader ? "header" : "first block",
      L.header[0],
      Math.min(L.header[1], L.payload[1]),
    ],
    ["payload", "payload", L.payload[0], L.payload[1]],
  ];
  for (const [kind, text, a, b] of sections) {
    if (b <= a) continue;
    const xa = sampleToX(s, s.frameStart + a, w);
    const xb = sampleToX(s, s.frameStart + b, w);
    const el = document.createElement("span");
    el.className = `k-${kind}`;
    el.dataset.section = kind;
    el.textContent = text;
    el.title = `${KIND_LABEL[kind]}: samples ${a}..${b}`;
    el.style.left = `${xa}px`;
    el.style.width = `${Math.max(1, xb - xa)}px`;
    labels.append(el);
  }
  const fs = s.anatomy.params.bandwidth * s.anatomy.oversampling;
  renderTimeAxis(
    $<HTMLDivElement>("#tx-axis"),
    0,
    (s.totalSamples / fs) * 1000,
    (ms) => sampleToX(s, (ms / 1000) * fs, w),
    w,
  );
  // For tests and curious users: where the frame and its parts are, in canvas CSS pixels.
  canvas.dataset.frameX = `${sampleToX(s, s.frameStart, w).toFixed(1)},${sampleToX(s, s.frameStart + L.totalSamples, w).toFixed(1)}`;
  canvas.dataset.preambleX = `${sampleToX(s, s.frameStart + L.preamble[0], w).toFixed(1)},${sampleToX(s, s.frameStart + L.preamble[1], w).toFixed(1)}`;
  canvas.dataset.bandY = `${(h * (1 - 0.5 / 0.625)) / 2},${h - (h * (1 - 0.5 / 0.625)) / 2}`;
}

function referenceChirp(s: TxState): Float32Array {
  const { sf, bandwidth } = s.anatomy.params;
  const key = sf * 1e7 + bandwidth;
  let ref = refChirps.get(key);
  if (!ref) {
    ref = modulateSymbols([0], { sf, bandwidth, cr: 1 }, { oversampling: 1 });
    refChirps.set(key, ref);
  }
  return ref;
}

/**
 * Dechirps one symbol: brings it to one sample per chip with a short symmetric average (so that
 * no timing shift is introduced), multiplies by the conjugate base upchirp (by the upchirp for a
 * downchirp), FFT of size N (the toolkit's Wasm FFT through computeSpectrogram).
 */
function dechirp(s: TxState, sym: FrameSymbol): { mag: Float32Array; peak: number } {
  const n = s.anatomy.params.n;
  const os = s.anatomy.oversampling;
  const ref = referenceChirp(s);
  const start = s.frameStart + sym.start;
  const chips = Math.min(n, Math.ceil(sym.length / os));
  const x = new Float32Array(2 * n);
  const half = Math.floor(os / 2);
  for (let m = 0; m < chips; m++) {
    let re = 0;
    let im = 0;
    let wsum = 0;
    for (let d = -half; d <= half; d++) {
      const k = start + m * os + d;
      if (k < 0 || k >= s.totalSamples) continue;
      const wgt = os % 2 === 0 && Math.abs(d) === half ? 0.5 : 1; // even os: half weights at both ends
      re += wgt * s.iq[2 * k]!;
      im += wgt * s.iq[2 * k + 1]!;
      wsum += wgt;
    }
    re /= wsum || 1;
    im /= wsum || 1;
    const cr = ref[2 * m]!;
    const ci = sym.kind === "downchirp" ? ref[2 * m + 1]! : -ref[2 * m + 1]!;
    x[2 * m] = re * cr - im * ci;
    x[2 * m + 1] = re * ci + im * cr;
  }
  const row = computeSpectrogram(x, { fftSize: n, hop: n, window: "rectangular" });
  const mag = new Float32Array(n);
  let peak = 0;
  for (let c = 0; c < n; c++) {
    const bin = (c + n / 2) % n; // undo the -fs/2..fs/2 column order
    mag[bin] = Math.sqrt(10 ** (row.db[c]! / 10));
  }
  for (let b = 1; b < n; b++) if (mag[b]! > mag[peak]!) peak = b;
  return { mag, peak };
}

function showSymbol(s: TxState, focus = false): void {
  const sym = s.anatomy.symbols[s.selected]!;
  const seg = s.iq.subarray(2 * (s.frameStart + sym.start), 2 * (s.frameStart + sym.start + sym.length));
  drawIq($<HTMLCanvasElement>("#tx-iq"), seg, `symbol ${sym.index}: ${sym.length} samples`);
  const { mag, peak } = dechirp(s, sym);
  const n = s.anatomy.params.n;
  const expected =
    sym.value === null ? "a downchirp: dechirped with the upchirp, its peak sits at bin 0" : `sent ${sym.value}`;
  drawSpectrum($<HTMLCanvasElement>("#tx-dechirp"), mag, peak, expected);
  const info = $<HTMLOutputElement>("#tx-symbol-info");
  let shift = "";
  if (sym.value !== null && peak !== sym.value) {
    const d = ((peak - sym.value + 1.5 * n) % n) - n / 2; // signed, -N/2..N/2
    shift = ` (${d > 0 ? "+" : ""}${d} bins: carrier/clock offset or noise)`;
  }
  info.textContent = `#${sym.index} · ${KIND_LABEL[sym.kind]} · value ${sym.value ?? "—"} · received peak ${peak}${shift} · ${sym.carries}`;
  info.dataset.peak = String(peak);
  const range = $<HTMLInputElement>("#tx-symbol");
  range.value = String(s.selected);
  range.setAttribute(
    "aria-valuetext",
    `symbol ${sym.index}, ${KIND_LABEL[sym.kind]}, value ${sym.value ?? "downchirp"}`,
  );
  const list = $<HTMLDivElement>("#tx-symbols");
  for (const el of list.children) {
    const on = Number((el as HTMLElement).dataset.index) === s.selected;
    el.setAttribute("aria-selected", String(on));
    (el as HTMLElement).tabIndex = on ? 0 : -1;
    if (on && focus) (el as HTMLElement).focus();
  }
  drawWaterfall(s);
}

function renderSymbols(s: TxState): void {
  const list = $<HTMLDivElement>("#tx-symbols");
  list.replaceChildren();
  for (const sym of s.anatomy.symbols) {
    const el = document.createElement("div");
    el.role = "option";
    el.className = `sym k-${sym.kind}`;
    el.dataset.index = String(sym.index);
    el.textContent = sym.value === null ? "↓" : String(sym.value);
    el.title = `#${sym.index}: ${sym.carries}`;
    el.setAttribute("aria-label", `symbol ${sym.index}, ${KIND_LABEL[sym.kind]}, value ${sym.value ?? "downchirp"}`);
    list.append(el);
  }
  const range = $<HTMLInputElement>("#tx-symbol");
  range.max = String(s.anatomy.symbols.length - 1);
}

function renderSummary(s: TxState): void {
  const { settings, anatomy } = s;
  const toa = timeOnAir(settings.params, settings.payload.length);
  const p = anatomy.params;
  const fs = p.bandwidth * anatomy.oversampling;
  const payloadSyms = anatomy.encoded.length;
  const el = $<HTMLParagraphElement>("#tx-summary");
  el.innerHTML = "";
  const items: Array<[string, string]> = [
    ["Time on air", `${fmt(toa.seconds * 1000, 2)} ms`],
    ["Symbols", `${fmt(toa.preambleSymbols, 2)} preamble + ${payloadSyms} payload`],
    ["Symbol time", `${fmt(toa.symbolTime * 1000, 3)} ms`],
    [
      "Payload",
      `${settings.payload.length} bytes, ${fmt((8 * settings.payload.length) / toa.seconds / 1000, 2)} kbit/s`,
    ],
    ["LDRO", p.ldroOn ? "on" : "off"],
    ["Sample rate", `${fmt(fs / 1000, 1)} kS/s`],
  ];
  for (const [k, v] of items) {
    const b = document.createElement("span");
    b.className = "kv";
    const kk = document.createElement("b");
    kk.textContent = k;
    b.append(kk, ` ${v}`);
    el.append(b);
  }
  el.dataset.toaMs = String(toa.seconds * 1000);
}

let scheduled = false;
let lastKey = "";
function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    update();
  });
}

function update(): void {
  const err = $<HTMLParagraphElement>("#tx-error");
  const snr = $<HTMLInputElement>("#tx-snr");
  snr.disabled = $<HTMLInputElement>("#tx-noiseless").checked;
  $<HTMLOutputElement>("#tx-snr-out").textContent = snr.disabled ? "off" : `${snr.value} dB`;
  try {
    const settings = readSettings();
    resolveParams(settings.params); // validates, names the bad parameter
    const width = $<HTMLCanvasElement>("#tx-waterfall").clientWidth;
    state = generate(settings, width);
    err.textContent = "";
    $<HTMLDivElement>("#tx .views").classList.remove("stale");
    renderSummary(state);
    // a new frame (not a mere re-render, e.g. the change event when the payload box loses focus)
    // makes the last round-trip verdict stale
    const key = JSON.stringify({ ...settings, payload: Array.from(settings.payload) });
    if (key !== lastKey) {
      const rt = $<HTMLParagraphElement>("#tx-roundtrip-out");
      rt.textContent = "";
      delete rt.dataset.match;
      delete rt.dataset.payload;
      lastKey = key;
    }
    renderSymbols(state);
    showSymbol(state);
    document.body.dataset.txFrames = String(Number(document.body.dataset.txFrames ?? 0) + 1);
  } catch (e) {
    err.textContent = describeError(e);
    $<HTMLDivElement>("#tx .views").classList.add("stale"); // what is shown is the last good frame
  }
}

function select(index: number, focus = false): void {
  if (!state) return;
  state.selected = Math.max(0, Math.min(state.anatomy.symbols.length - 1, index));
  showSymbol(state, focus);
}

/** The frame as the page's receiver decodes it (chirpkit/rx on the simulated samples). */
function roundTrip(): void {
  const out = $<HTMLParagraphElement>("#tx-roundtrip-out");
  if (!state) return;
  const { params, payload, oversampling } = state.settings;
  const p = state.anatomy.params;
  const t0 = performance.now();
  try {
    const frames = decodeRecording(state.iq, {
      sampleRate: p.bandwidth * oversampling,
      bandwidth: p.bandwidth,
      sf: p.sf,
      syncWord: p.syncWord,
      ldro: params.ldro ?? "auto",
      ...(p.explicitHeader
        ? {}
        : { explicitHeader: false, implicit: { payloadLength: payload.length, cr: p.cr, crc: p.crc } }),
    });
    const ms = performance.now() - t0;
    const f = frames.find((x) => x.headerOk && !x.truncated);
    const sent = Array.from(payload, (b) => b.toString(16).padStart(2, "0")).join("");
    if (!f) {
      out.textContent = `Not decoded (${fmt(ms, 0)} ms): the receiver found no frame${state.settings.snrDb !== null && state.settings.snrDb < -5 ? " — the SNR is near or below the sensitivity limit for this SF" : ""}.`;
      out.dataset.match = "0";
      return;
    }
    const same = f.payloadHex === sent;
    const crc = f.crcOk === null ? "no CRC" : f.crcOk ? "CRC ok" : "CRC fails";
    out.textContent = `Decoded in the page (${fmt(ms, 0)} ms): ${f.payload.length} bytes ${f.payloadHex || "(empty)"}, ${crc}, SNR ${fmt(f.snrDb, 1)} dB, carrier ${fmt(f.cfoHz, 0)} Hz — ${same ? "the payload that was sent" : "NOT the payload that was sent"}.`;
    out.dataset.match = same && f.crcOk !== false ? "1" : "0";
    out.dataset.payload = f.payloadHex;
  } catch (e) {
    out.textContent = `Not decoded: ${describeError(e)}`;
    out.dataset.match = "0";
  }
}

function download(name: string, bytes: Uint8Array, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function frameName(s: TxState): string {
  const p = s.anatomy.params;
  return `lora-sf${p.sf}-bw${Math.round(p.bandwidth / 1000)}k-os${s.anatomy.oversampling}`;
}

function sigmfArchive(s: TxState): Uint8Array {
  const p = s.anatomy.params;
  const rate = p.bandwidth * s.anatomy.oversampling;
  const name = frameName(s);
  const doc = buildSigmfMeta({
    format: "cf32",
    sampleRate: rate,
    description: `chirpkit demo transmitter: SF${p.sf}, ${p.bandwidth} Hz, CR 4/${4 + p.cr}, sync 0x${p.syncWord.toString(16)}, ${s.settings.payload.length} B payload`,
    annotations: [
      {
        sampleStart: s.frameStart,
        sampleCount: s.anatomy.layout.totalSamples,
        label: `LoRa SF${p.sf}`,
        comment: Array.from(s.settings.payload, (b) => b.toString(16).padStart(2, "0")).join(""),
      },
    ],
    global: { "chirpkit:bandwidth": p.bandwidth },
  });
  const enc = new TextEncoder();
  return buildTar([
    { name: `${name}/${name}.sigmf-meta`, data: enc.encode(stringifySigmf(doc)) },
    { name: `${name}/${name}.sigmf-data`, data: writeIq(s.iq, "cf32").bytes },
  ]);
}

let audio: AudioContext | null = null;
/**
 * Plays the frame slowed down so the chirps are audible: the baseband (-bw/2..+bw/2) is shifted up
 * by bw/2 and its real part played at the audio rate, so time stretches by rate/audioRate and the
 * sweep lands in 0..bw*audioRate/rate (12 kHz for 125 kHz at 500 kS/s).
 */
function listen(): void {
  if (!state) return;
  const p = state.anatomy.params;
  const rate = p.bandwidth * state.anatomy.oversampling;
  audio ??= new AudioContext();
  const ar = audio.sampleRate;
  // at least 8x slower, and slow enough that the sweep (0..bw after the shift) stays below 12 kHz
  const slow = Math.max(8, p.bandwidth / 12_000);
  const n = Math.min(state.totalSamples, Math.floor((20 * rate) / slow)); // at most 20 s of sound
  const outLen = Math.floor((n / rate) * slow * ar);
  const buf = audio.createBuffer(1, outLen, ar);
  const ch = buf.getChannelData(0);
  let peak = 1e-9;
  for (let i = 0; i < outLen; i++) {
    const k = Math.min(n - 1, Math.floor((i * rate) / (slow * ar))); // slow * ar >= 2 bw: no aliasing
    const ph = Math.PI * (p.bandwidth / rate) * k; // shift by +bw/2
    const v = state.iq[2 * k]! * Math.cos(ph) - state.iq[2 * k + 1]! * Math.sin(ph);
    ch[i] = v;
    peak = Math.max(peak, Math.abs(v));
  }
  for (let i = 0; i < outLen; i++) ch[i] = (0.5 * ch[i]!) / peak;
  const src = audio.createBufferSource();
  src.buffer = buf;
  src.connect(audio.destination);
  src.start();
  const out = $<HTMLParagraphElement>("#tx-roundtrip-out");
  out.textContent = `Playing ${fmt(outLen / ar, 1)} s: the frame ${fmt(slow, 0)} times slower, chirps sweeping 0 to ${fmt(p.bandwidth / slow / 1000, 1)} kHz.`;
  out.dataset.audioSeconds = String(outLen / ar);
}

export function initTransmitter(): void {
  $<HTMLButtonElement>("#tx-roundtrip").addEventListener("click", roundTrip);
  $<HTMLButtonElement>("#tx-download-cf32").addEventListener(
    "click",
    () => state && download(`${frameName(state)}.cf32`, writeIq(state.iq, "cf32").bytes, "application/octet-stream"),
  );
  $<HTMLButtonElement>("#tx-download-sigmf").addEventListener(
    "click",
    () => state && download(`${frameName(state)}.sigmf`, sigmfArchive(state), "application/x-tar"),
  );
  $<HTMLButtonElement>("#tx-listen").addEventListener("click", () => {
    try {
      listen();
    } catch (e) {
      $<HTMLParagraphElement>("#tx-roundtrip-out").textContent = `Cannot play: ${describeError(e)}`;
    }
  });
  const form = $<HTMLFormElement>("#tx-form");
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", (e) => e.preventDefault());
  $<HTMLInputElement>("#tx-symbol").addEventListener("input", (e) =>
    select(Number((e.target as HTMLInputElement).value)),
  );
  const list = $<HTMLDivElement>("#tx-symbols");
  list.addEventListener("click", (e) => {
    const el = (e.target as HTMLElement).closest<HTMLElement>("[data-index]");
    if (el) select(Number(el.dataset.index), true);
  });
  list.addEventListener("keydown", (e) => {
    if (!state) return;
    const step: Record<string, number> = {
      ArrowRight: 1,
      ArrowDown: 1,
      ArrowLeft: -1,
      ArrowUp: -1,
      PageDown: 8,
      PageUp: -8,
    };
    if (e.key in step) select(state.selected + step[e.key]!, true);
    else if (e.key === "Home") select(0, true);
    else if (e.key === "End") select(state.anatomy.symbols.length - 1, true);
    else return;
    e.preventDefault();
  });
  $<HTMLCanvasElement>("#tx-waterfall").addEventListener("click", (e) => {
    if (!state) return;
    const canvas = e.currentTarget as HTMLCanvasElement;
    const x = e.offsetX;
    const w = canvas.clientWidth;
    const hit = state.anatomy.symbols.find((sym) => {
      const a = sampleToX(state!, state!.frameStart + sym.start, w);
      const b = sampleToX(state!, state!.frameStart + sym.start + sym.length, w);
      return x >= a && x < b;
    });
    if (hit) select(hit.index);
  });
  let resizeTimer = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(() => state && showSymbol(state), 100);
  });
  update();
}
