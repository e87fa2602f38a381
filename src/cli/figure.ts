// A small figure model for the CLI's pictures: a list of shapes in pixel coordinates, rendered
// either to PNG (software raster, 5x7 bitmap font) or to SVG (vector shapes and real text, the
// raster part embedded as a PNG). One drawing, two formats, the same layout.
import { GLYPH_H, GLYPH_W, glyph, textWidth } from "./font.js";
import { encodePng } from "./png.js";

export type Shape =
  | { kind: "image"; x: number; y: number; w: number; h: number; rgba: Uint8Array; iw: number; ih: number }
  | { kind: "line"; x1: number; y1: number; x2: number; y2: number; color: string; width?: number; dash?: number }
  | {
      kind: "rect";
      x: number;
      y: number;
      w: number;
      h: number;
      stroke?: string;
      fill?: string;
      width?: number;
      dash?: number;
    }
  | { kind: "polyline"; points: [number, number][]; color: string; width?: number; dash?: number }
  | { kind: "marker"; x: number; y: number; color: string; size: number; shape: "circle" | "square" }
  | {
      kind: "text";
      x: number;
      y: number;
      text: string;
      color?: string;
      scale?: number;
      anchor?: "start" | "middle" | "end";
      vertical?: boolean;
      background?: string;
    };

export interface Figure {
  width: number;
  height: number;
  background: string;
  shapes: Shape[];
}

function rgb(color: string): [number, number, number] {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!m) return [0, 0, 0];
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
}

class Raster {
  readonly px: Uint8Array;
  constructor(
    readonly w: number,
    readonly h: number,
    bg: string,
  ) {
    this.px = new Uint8Array(w * h * 4);
    const [r, g, b] = rgb(bg);
    for (let i = 0; i < w * h; i++) {
      this.px[4 * i] = r;
      this.px[4 * i + 1] = g;
      this.px[4 * i + 2] = b;
      this.px[4 * i + 3] = 255;
    }
  }
  set(x: number, y: number, c: [number, number, number]): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.w || y >= this.h) return;
    const i = 4 * (y * this.w + x);
    this.px[i] = c[0];
    this.px[i + 1] = c[1];
    this.px[i + 2] = c[2];
  }
  fill(x: number, y: number, w: number, h: number, c: [number, number, number]): void {
    for (let yy = Math.round(y); yy < Math.round(y + h); yy++)
      for (let xx = Math.round(x); xx < Math.round(x + w); xx++) this.set(xx, yy, c);
  }
  line(x1: number, y1: number, x2: number, y2: number, c: [number, number, number], width = 1, dash = 0): void {
    const n = Math.max(Math.abs(x2 - x1), Math.abs(y2 - y1), 1);
    const half = (width - 1) / 2;
    for (let i = 0; i <= n; i++) {
      if (dash > 0 && Math.floor(i / dash) % 2 === 1) continue;
      const x = x1 + ((x2 - x1) * i) / n;
      const y = y1 + ((y2 - y1) * i) / n;
      for (let d = -Math.floor(half); d <= Math.ceil(half); d++) {
        if (Math.abs(x2 - x1) >= Math.abs(y2 - y1)) this.set(x, y + d, c);
        else this.set(x + d, y, c);
      }
    }
  }
  text(s: Extract<Shape, { kind: "text" }>): void {
    const scale = s.scale ?? 1;
    const c = rgb(s.color ?? "#000000");
    const tw = textWidth(s.text, scale);
    const th = 7 * scale;
    // anchor along the text's direction; y is the text's vertical centre
    const off = s.anchor === "middle" ? tw / 2 : s.anchor === "end" ? tw : 0;
    if (s.background) {
      const bg = rgb(s.background);
      if (s.vertical) this.fill(s.x - th / 2 - 2, s.y - tw + off - 2, th + 4, tw + 4, bg);
      else this.fill(s.x - off - 2, s.y - th / 2 - 2, tw + 4, th + 4, bg);
    }
    let k = 0;
    for (const ch of s.text) {
      const g = glyph(ch);
      for (let gy = 0; gy < 7; gy++) {
        for (let gx = 0; gx < 5; gx++) {
          if (!g[gy * 5 + gx]) continue;
          for (let sy = 0; sy < scale; sy++) {
            for (let sx = 0; sx < scale; sx++) {
              const u = k * GLYPH_W * scale + gx * scale + sx - off; // along the text
              const v = gy * scale + sy - th / 2; // across it
              if (s.vertical) this.set(s.x + v, s.y - u, c);
              else this.set(s.x + u, s.y + v, c);
            }
          }
        }
      }
      k++;
    }
  }
}

/** The figure as PNG bytes. */
export function figureToPng(f: Figure): Uint8Array {
  const r = new Raster(f.width, f.height, f.background);
  for (const s of f.shapes) {
    switch (s.kind) {
      case "image":
        for (let y = 0; y < s.h; y++) {
          const sy = Math.min(s.ih - 1, Math.floor((y * s.ih) / s.h));
          for (let x = 0; x < s.w; x++) {
            const sx = Math.min(s.iw - 1, Math.floor((x * s.iw) / s.w));
            const i = 4 * (sy * s.iw + sx);
            r.set(s.x + x, s.y + y, [s.rgba[i]!, s.rgba[i + 1]!, s.rgba[i + 2]!]);
          }
        }
        break;
      case "line":
        r.line(s.x1, s.y1, s.x2, s.y2, rgb(s.color), s.width, s.dash);
        break;
      case "rect":
        if (s.fill) r.fill(s.x, s.y, s.w, s.h, rgb(s.fill));
        if (s.stroke) {
          const c = rgb(s.stroke);
          const w = s.width ?? 1;
          for (let t = 0; t < w; t++) {
            r.line(s.x + t, s.y + t, s.x + s.w - t, s.y + t, c, 1, s.dash);
            r.line(s.x + t, s.y + s.h - t, s.x + s.w - t, s.y + s.h - t, c, 1, s.dash);
            r.line(s.x + t, s.y + t, s.x + t, s.y + s.h - t, c, 1, s.dash);
            r.line(s.x + s.w - t, s.y + t, s.x + s.w - t, s.y + s.h - t, c, 1, s.dash);
          }
        }
        break;
      case "polyline":
        for (let i = 1; i < s.points.length; i++) {
          const [a, b] = [s.points[i - 1]!, s.points[i]!];
          r.line(a[0], a[1], b[0], b[1], rgb(s.color), s.width, s.dash);
        }
        break;
      case "marker": {
        const c = rgb(s.color);
        const h = s.size / 2;
        for (let dy = -h; dy <= h; dy++) {
          for (let dx = -h; dx <= h; dx++) {
            if (s.shape === "circle" && dx * dx + dy * dy > h * h) continue;
            r.set(s.x + dx, s.y + dy, c);
          }
        }
        break;
      }
      case "text":
        r.text(s);
        break;
    }
  }
  return encodePng(r.px, f.width, f.height);
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const n1 = (v: number) => String(+v.toFixed(2));

/** The figure as an SVG document (text as text, rasters as embedded PNG). */
export function figureToSvg(f: Figure): string {
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="${f.background}"/>`,
  ];
  for (const s of f.shapes) {
    switch (s.kind) {
      case "image": {
        const png = encodePng(s.rgba, s.iw, s.ih);
        const b64 = Buffer.from(png).toString("base64");
        out.push(
          `<image x="${s.x}" y="${s.y}" width="${s.w}" height="${s.h}" preserveAspectRatio="none" style="image-rendering:pixelated" href="data:image/png;base64,${b64}"/>`,
        );
        break;
      }
      case "line":
        out.push(
          `<line x1="${n1(s.x1)}" y1="${n1(s.y1)}" x2="${n1(s.x2)}" y2="${n1(s.y2)}" stroke="${s.color}" stroke-width="${s.width ?? 1}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`,
        );
        break;
      case "rect":
        out.push(
          `<rect x="${n1(s.x)}" y="${n1(s.y)}" width="${n1(s.w)}" height="${n1(s.h)}" fill="${s.fill ?? "none"}"${s.stroke ? ` stroke="${s.stroke}" stroke-width="${s.width ?? 1}"` : ""}${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`,
        );
        break;
      case "polyline":
        out.push(
          `<polyline fill="none" stroke="${s.color}" stroke-width="${s.width ?? 1}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""} points="${s.points.map(([x, y]) => `${n1(x)},${n1(y)}`).join(" ")}"/>`,
        );
        break;
      case "marker":
        if (s.shape === "circle")
          out.push(`<circle cx="${n1(s.x)}" cy="${n1(s.y)}" r="${s.size / 2}" fill="${s.color}"/>`);
        else
          out.push(
            `<rect x="${n1(s.x - s.size / 2)}" y="${n1(s.y - s.size / 2)}" width="${s.size}" height="${s.size}" fill="${s.color}"/>`,
          );
        break;
      case "text": {
        const size = 9 * (s.scale ?? 1);
        const anchor = s.anchor ?? "start";
        const t = s.vertical ? ` transform="rotate(-90 ${n1(s.x)} ${n1(s.y)})"` : "";
        if (s.background) {
          const tw = textWidth(s.text, s.scale ?? 1) + 4;
          const th = 7 * (s.scale ?? 1) + 4;
          const x0 = anchor === "middle" ? s.x - tw / 2 : anchor === "end" ? s.x - tw + 2 : s.x - 2;
          out.push(
            `<rect x="${n1(x0)}" y="${n1(s.y - th / 2)}" width="${n1(tw)}" height="${n1(th)}" fill="${s.background}"${t}/>`,
          );
        }
        out.push(
          `<text x="${n1(s.x)}" y="${n1(s.y)}" dominant-baseline="central" text-anchor="${anchor}" font-size="${size}" fill="${s.color ?? "#000000"}"${t}>${esc(s.text)}</text>`,
        );
        break;
      }
    }
  }
  out.push("</svg>\n");
  return out.join("\n");
}

/** "Nice" tick values covering [lo, hi] (about `target` of them: steps of 1, 2 or 5 x 10^k). */
export function niceTicks(lo: number, hi: number, target = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step)
    out.push(Math.abs(v) < step * 1e-9 ? 0 : +v.toPrecision(12));
  return out;
}

/** A tick label without float noise or a "-0". */
export function tickLabel(v: number): string {
  const s = String(+v.toPrecision(6));
  return s === "-0" ? "0" : s;
}

export { GLYPH_H, GLYPH_W, textWidth };
