// The figure of `chirp per --plot`: PER and SER against SNR on a log axis, with the symbol error
// rate of an ideal noncoherent receiver beside the measured one, and that theory curve itself.
import { figureToPng, figureToSvg, niceTicks, tickLabel, type Figure, type Shape } from "./figure.js";

/** exp(-x) * I0(x), the exponentially scaled modified Bessel function (Abramowitz & Stegun 9.8.1, 9.8.2). */
function i0e(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3.75) {
    const t = (x / 3.75) ** 2;
    const i0 =
      1 + t * (3.5156229 + t * (3.0899424 + t * (1.2067492 + t * (0.2659732 + t * (0.0360768 + t * 0.0045813)))));
    return i0 * Math.exp(-ax);
  }
  const t = 3.75 / ax;
  const p =
    0.39894228 +
    t *
      (0.01328592 +
        t *
          (0.00225319 +
            t *
              (-0.00157565 +
                t * (0.00916281 + t * (-0.02057706 + t * (0.02635537 + t * (-0.01647633 + t * 0.00392377)))))));
  return p / Math.sqrt(ax);
}

/**
 * Symbol error rate of ideal noncoherent detection of 2^sf orthogonal chirps in white Gaussian
 * noise with perfect synchronisation, at `snrDb` per sample in the LoRa bandwidth:
 * Ps = integral of Rice(y; sqrt(2 M snr), 1) (1 - (1 - e^{-y^2/2})^(M-1)) dy, M = 2^sf
 * (Afisiadis et al., "On the error rate of the LoRa modulation with interference", 2020, eq. 16).
 */
export function serTheory(sf: number, snrDb: number): number {
  const m = 2 ** sf;
  const nu = Math.sqrt(2 * m * 10 ** (snrDb / 10));
  const lo = Math.max(0, nu - 12);
  const hi = nu + 12;
  const h = 0.005;
  let sum = 0;
  for (let y = lo + h / 2; y < hi; y += h) {
    const rice = y * Math.exp(-((y - nu) ** 2) / 2) * i0e(y * nu);
    // 1 - (1 - e^{-y^2/2})^(M-1), computed without cancellation
    const miss = -Math.expm1((m - 1) * Math.log1p(-Math.exp(-(y * y) / 2)));
    sum += rice * miss * h;
  }
  return Math.min(1, Math.max(0, sum));
}

export interface PerPlotPoint {
  snrDb: number;
  per: number;
  ser: number;
  symbols: number;
}

const PER_COLOR = "#1f5fbf";
const SER_COLOR = "#d9730d";
const THEORY_COLOR = "#555555";

/** PER, SER and theory SER against SNR (log y axis from the smallest value shown to 1). */
export function perFigure(
  points: PerPlotPoint[],
  o: { sf: number; title: string; width?: number; height?: number },
): Figure {
  const W = o.width ?? 640;
  const H = o.height ?? 380;
  const left = 70;
  const right = 170;
  const top = 40;
  const bottom = 46;
  const snrs = points.map((p) => p.snrDb);
  let x0 = Math.min(...snrs);
  let x1 = Math.max(...snrs);
  if (x1 - x0 < 1) {
    x0 -= 1;
    x1 += 1;
  }
  const theory: [number, number][] = [];
  const steps = 120;
  for (let i = 0; i <= steps; i++) {
    const s = x0 + ((x1 - x0) * i) / steps;
    theory.push([s, serTheory(o.sf, s)]);
  }
  const shown = [...points.flatMap((p) => [p.per, p.symbols ? p.ser : 0]), ...theory.map((t) => t[1])].filter(
    (v) => v > 0,
  );
  const decade0 = Math.max(-8, Math.floor(Math.log10(Math.min(1, ...shown))));
  const yLo = Math.min(decade0, -1);
  const xOf = (s: number) => left + ((s - x0) / (x1 - x0)) * W;
  const yOf = (v: number) => top + ((0 - Math.log10(v)) / (0 - yLo)) * H;
  const inside = (v: number) => v > 0 && Math.log10(v) >= yLo;
  const shapes: Shape[] = [];
  // grid: decades and SNR ticks
  for (let d = yLo; d <= 0; d++) {
    const y = yOf(10 ** d);
    shapes.push({ kind: "line", x1: left, y1: y, x2: left + W, y2: y, color: "#dddddd" });
    shapes.push({ kind: "text", x: left - 8, y, text: d === 0 ? "1" : `1e${d}`, anchor: "end" });
  }
  for (const s of niceTicks(x0, x1, 8)) {
    const x = xOf(s);
    shapes.push({ kind: "line", x1: x, y1: top, x2: x, y2: top + H, color: "#eeeeee" });
    shapes.push({ kind: "line", x1: x, y1: top + H, x2: x, y2: top + H + 5, color: "#000000" });
    shapes.push({ kind: "text", x, y: top + H + 13, text: tickLabel(s), anchor: "middle" });
  }
  shapes.push({ kind: "rect", x: left, y: top, w: W, h: H, stroke: "#000000" });
  shapes.push({
    kind: "text",
    x: left + W / 2,
    y: top + H + 32,
    text: "SNR in the LoRa bandwidth (dB)",
    anchor: "middle",
  });
  shapes.push({ kind: "text", x: 14, y: top + H / 2, text: "error rate", anchor: "middle", vertical: true });
  // theory SER
  const tPts = theory.filter((t) => inside(t[1])).map(([s, v]) => [xOf(s), yOf(v)] as [number, number]);
  if (tPts.length > 1) shapes.push({ kind: "polyline", points: tPts, color: THEORY_COLOR, width: 1, dash: 5 });
  // measured series (points at 0 cannot sit on a log axis: left out, said in the legend)
  const series: [string, string, (p: PerPlotPoint) => number, "circle" | "square"][] = [
    ["PER (measured)", PER_COLOR, (p) => p.per, "circle"],
    ["SER (measured)", SER_COLOR, (p) => (p.symbols ? p.ser : 0), "square"],
  ];
  let zeros = 0;
  for (const [, color, get, shape] of series) {
    const pts = points.filter((p) => inside(get(p))).map((p) => [xOf(p.snrDb), yOf(get(p))] as [number, number]);
    zeros += points.filter((p) => get(p) === 0).length;
    if (pts.length > 1) shapes.push({ kind: "polyline", points: pts, color, width: 2 });
    for (const [x, y] of pts) shapes.push({ kind: "marker", x, y, color, size: 7, shape });
  }
  // legend
  const lx = left + W + 14;
  const legend: [string, string, boolean][] = [
    ["PER (measured)", PER_COLOR, false],
    ["SER (measured)", SER_COLOR, false],
    [`SER, ideal receiver`, THEORY_COLOR, true],
  ];
  legend.forEach(([label, color, dashed], i) => {
    const y = top + 10 + i * 18;
    shapes.push({
      kind: "line",
      x1: lx,
      y1: y,
      x2: lx + 22,
      y2: y,
      color,
      width: dashed ? 1 : 2,
      ...(dashed ? { dash: 5 } : {}),
    });
    shapes.push({ kind: "text", x: lx + 28, y, text: label });
  });
  shapes.push({ kind: "text", x: lx, y: top + 70, text: "(noncoherent, perfect", color: "#555555" });
  shapes.push({ kind: "text", x: lx, y: top + 82, text: " sync; Afisiadis 2020)", color: "#555555" });
  if (zeros)
    shapes.push({ kind: "text", x: lx, y: top + 100, text: `${zeros} zero value(s) not shown`, color: "#555555" });
  shapes.push({ kind: "text", x: left, y: 14, text: o.title });
  return { width: left + W + right, height: top + H + bottom, background: "#ffffff", shapes };
}

export function perPlotBytes(
  points: PerPlotPoint[],
  o: { sf: number; title: string },
  format: "png" | "svg",
): Uint8Array {
  const fig = perFigure(points, o);
  return format === "png" ? figureToPng(fig) : new TextEncoder().encode(figureToSvg(fig));
}
