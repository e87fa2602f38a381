// Canvas drawing for the demo: waterfall (time left to right, frequency bottom to top), I/Q trace,
// dechirped spectrum. Plain 2D canvas, sized to its CSS box at the device pixel ratio.
import { colormap, type Spectrogram } from "chirpkit/viz";

export const COLORS = {
  i: "#1f77b4",
  q: "#e8710a",
  axis: "#5f6b7a",
  grid: "rgba(95,107,122,0.18)",
  peak: "#d62728",
  text: "#1d2530",
};

/** Resizes the canvas backing store to its CSS size; returns the 2D context and CSS size. */
export function fitCanvas(canvas: HTMLCanvasElement): { ctx: CanvasRenderingContext2D; w: number; h: number } {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(canvas.clientWidth));
  const h = Math.max(1, Math.round(canvas.clientHeight));
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, w, h };
}

/**
 * Colour range for display: the top ~55 dB, but never more than a few dB below the median (the
 * noise floor), so that noise stays dark and the chirps stand out.
 */
export function displayRange(spec: Spectrogram): { min: number; max: number } {
  const step = Math.max(1, Math.floor(spec.db.length / 20000));
  const sample: number[] = [];
  for (let i = 0; i < spec.db.length; i += step) sample.push(spec.db[i]!);
  sample.sort((a, b) => a - b);
  const median = sample[Math.floor(sample.length / 2)] ?? spec.min;
  const max = spec.max;
  const min = Math.min(max - 10, Math.max(median + 2, max - 55));
  return { min, max };
}

/**
 * Renders a spectrogram (rows = time) as an image with time along x and frequency along y (top =
 * highest), keeping only columns [colStart, colEnd). Returns an offscreen canvas of rows x cols px.
 */
export function waterfallImage(
  spec: Spectrogram,
  colStart: number,
  colEnd: number,
  range = displayRange(spec),
): HTMLCanvasElement {
  const width = spec.rows;
  const height = colEnd - colStart;
  const rgba = colormap(spec.db, range.min, range.max);
  const img = new ImageData(width, height);
  const px = img.data;
  for (let r = 0; r < spec.rows; r++) {
    for (let c = colStart; c < colEnd; c++) {
      const src = 4 * (r * spec.cols + c);
      const dst = 4 * ((colEnd - 1 - c) * width + r);
      px[dst] = rgba[src]!;
      px[dst + 1] = rgba[src + 1]!;
      px[dst + 2] = rgba[src + 2]!;
      px[dst + 3] = 255;
    }
  }
  const off = document.createElement("canvas");
  off.width = width;
  off.height = height;
  off.getContext("2d")!.putImageData(img, 0, 0);
  return off;
}

/** Draws I and Q of interleaved samples; an envelope per pixel column when there are many. */
export function drawIq(canvas: HTMLCanvasElement, iq: Float32Array, title: string): void {
  const { ctx, w, h } = fitCanvas(canvas);
  ctx.clearRect(0, 0, w, h);
  const n = iq.length / 2;
  let peak = 1e-9;
  for (let i = 0; i < iq.length; i++) peak = Math.max(peak, Math.abs(iq[i]!));
  const pad = 6;
  const mid = h / 2;
  const yScale = (h / 2 - pad) / peak;
  ctx.strokeStyle = COLORS.grid;
  ctx.beginPath();
  ctx.moveTo(0, mid);
  ctx.lineTo(w, mid);
  ctx.stroke();
  for (const [k, color] of [
    [0, COLORS.i],
    [1, COLORS.q],
  ] as const) {
    ctx.strokeStyle = color;
    ctx.lineWidth = 1;
    ctx.globalAlpha = 0.85;
    ctx.beginPath();
    if (n <= 2 * w) {
      for (let i = 0; i < n; i++) {
        const x = (i / Math.max(1, n - 1)) * w;
        const y = mid - iq[2 * i + k]! * yScale;
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      }
    } else {
      for (let x = 0; x < w; x++) {
        const a = Math.floor((x / w) * n);
        const b = Math.max(a + 1, Math.floor(((x + 1) / w) * n));
        let lo = Infinity;
        let hi = -Infinity;
        for (let i = a; i < b; i++) {
          const v = iq[2 * i + k]!;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        ctx.moveTo(x + 0.5, mid - hi * yScale);
        ctx.lineTo(x + 0.5, mid - lo * yScale);
      }
    }
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
  ctx.fillStyle = COLORS.text;
  ctx.font = "12px system-ui, sans-serif";
  ctx.fillText(title, 6, 14);
  ctx.fillStyle = COLORS.i;
  ctx.fillText("I", w - 30, 14);
  ctx.fillStyle = COLORS.q;
  ctx.fillText("Q", w - 16, 14);
}

/** Draws a magnitude spectrum over bins 0..N-1 with the peak marked. */
export function drawSpectrum(canvas: HTMLCanvasElement, mag: Float32Array, peak: number, title: string): void {
  const { ctx, w, h } = fitCanvas(canvas);
  ctx.clearRect(0, 0, w, h);
  const n = mag.length;
  let top = 1e-12;
  for (let i = 0; i < n; i++) top = Math.max(top, mag[i]!);
  const padTop = 20;
  const padBottom = 16;
  const yOf = (v: number) => h - padBottom - (v / top) * (h - padTop - padBottom);
  const xOf = (bin: number) => ((bin + 0.5) / n) * w;
  ctx.strokeStyle = COLORS.axis;
  ctx.beginPath();
  ctx.moveTo(0, h - padBottom + 0.5);
  ctx.lineTo(w, h - padBottom + 0.5);
  ctx.stroke();
  ctx.strokeStyle = "#2a6f97";
  ctx.lineWidth = 1;
  ctx.beginPath();
  if (n <= 2 * w) {
    for (let i = 0; i < n; i++) {
      const x = xOf(i);
      ctx.moveTo(x, h - padBottom);
      ctx.lineTo(x, yOf(mag[i]!));
    }
  } else {
    for (let x = 0; x < w; x++) {
      const a = Math.floor((x / w) * n);
      const b = Math.max(a + 1, Math.floor(((x + 1) / w) * n));
      let hi = 0;
      for (let i = a; i < b; i++) hi = Math.max(hi, mag[i]!);
      ctx.moveTo(x + 0.5, h - padBottom);
      ctx.lineTo(x + 0.5, yOf(hi));
    }
  }
  ctx.stroke();
  const px = xOf(peak);
  ctx.fillStyle = COLORS.peak;
  ctx.beginPath();
  ctx.arc(px, yOf(mag[peak]!), 4, 0, 2 * Math.PI);
  ctx.fill();
  ctx.font = "12px system-ui, sans-serif";
  const label = `peak: bin ${peak}`;
  const tw = ctx.measureText(label).width;
  ctx.fillText(label, Math.min(Math.max(2, px - tw / 2), w - tw - 2), padTop - 6);
  ctx.fillStyle = COLORS.axis;
  ctx.fillText("0", 2, h - 3);
  const last = String(n - 1);
  ctx.fillText(last, w - ctx.measureText(last).width - 2, h - 3);
  ctx.fillStyle = COLORS.text;
  ctx.fillText(title, 6, 14);
}

/**
 * Time ticks under a waterfall: about eight round values (1, 2 or 5 x 10^k ms) between t0 and t1,
 * placed by `xOf` (CSS px for a time in ms).
 */
export function renderTimeAxis(
  el: HTMLElement,
  t0Ms: number,
  t1Ms: number,
  xOf: (ms: number) => number,
  width: number,
): void {
  el.replaceChildren();
  const span = t1Ms - t0Ms;
  if (!(span > 0)) return;
  const raw = span / 8;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((v) => v >= raw)!;
  const digits = Math.max(0, -Math.floor(Math.log10(step)));
  for (let t = Math.ceil(t0Ms / step) * step; t <= t1Ms; t += step) {
    const x = xOf(t);
    if (x < 6 || x > width - 30) continue; // keep clear of the edges and the unit label
    const tick = document.createElement("span");
    tick.style.left = `${x}px`;
    tick.textContent = t.toFixed(digits);
    el.append(tick);
  }
  const unit = document.createElement("span");
  unit.className = "unit";
  unit.textContent = "ms";
  el.append(unit);
}
