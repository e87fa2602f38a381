// The CLI's pictures: `chirp spectrogram` (PNG and SVG: size, axes, colour bar, title, labelled
// frames, time left to right) and `chirp per --csv / --plot` (PER and SER on a log axis beside
// the ideal receiver's SER, which is checked against ../shared/vectors/ser-theory.json).
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { serTheory } from "../src/cli/perplot.js";
import { LAYOUT } from "../src/cli/spectrogram.js";
import { chirp, lines } from "./cli-run.js";
import { describeShared, readSharedJson } from "./shared.js";

const dir = mkdtempSync(join(tmpdir(), "chirp-pictures-"));

/** Decodes the PNGs chirp writes (RGBA, 8 bits, filter 0 on every row, one IDAT). */
function readPng(path: string): {
  width: number;
  height: number;
  px: (x: number, y: number) => [number, number, number];
} {
  const b = readFileSync(path);
  expect(b.subarray(1, 4).toString()).toBe("PNG");
  const width = b.readUInt32BE(16);
  const height = b.readUInt32BE(20);
  let o = 8;
  const idat: Buffer[] = [];
  while (o < b.length) {
    const len = b.readUInt32BE(o);
    const type = b.subarray(o + 4, o + 8).toString();
    if (type === "IDAT") idat.push(b.subarray(o + 8, o + 8 + len));
    o += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = 1 + 4 * width;
  return {
    width,
    height,
    px: (x, y) => {
      const i = y * stride + 1 + 4 * x;
      return [raw[i]!, raw[i + 1]!, raw[i + 2]!];
    },
  };
}

const dark = ([r, g, b]: [number, number, number]) => r + g + b < 150;
const green = ([r, g, b]: [number, number, number]) => g > 200 && r < 100 && b < 150;

beforeAll(() => {
  // one SF7 frame 60 % of the way through an otherwise quiet recording (1 frame, long lead)
  const r = chirp([
    "simulate",
    "-o",
    join(dir, "one"),
    "--sf",
    "7",
    "--rate",
    "250k",
    "--snr",
    "10",
    "--frames",
    "2",
    "--gap",
    "20000",
  ]);
  expect(r.status, r.stderr).toBe(0);
});

describe("chirp spectrogram", () => {
  it("PNG: plot 1000x320 plus margins, a black frame, ticks, a colour bar from yellow (top) to purple, title text", () => {
    const out = join(dir, "one.png");
    const r = chirp(["spectrogram", join(dir, "one.sigmf-meta"), "--sf", "7", "-o", out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /wrote .*one\.png: 1160x404 PNG, .* in 1000 columns \(window 32, FFT 256, hop \d+\), 2 decoded frame\(s\) \(2 CRC ok, 0 bad\), 2 other annotation\(s\)/,
    );
    const p = readPng(out);
    expect([p.width, p.height]).toEqual([LAYOUT.left + 1000 + LAYOUT.right, LAYOUT.top + 320 + LAYOUT.bottom]);
    const { left, top } = LAYOUT;
    // the plot's frame: one pixel outside the image on every side
    for (const x of [left + 10, left + 500, left + 990]) {
      expect(dark(p.px(x, top - 1)), `top edge at ${x}`).toBe(true);
      expect(dark(p.px(x, top + 320)), `bottom edge at ${x}`).toBe(true);
    }
    // ticks below the plot (time) and left of it (frequency)
    let xTicks = 0;
    for (let x = left; x < left + 1000; x++) if (dark(p.px(x, top + 323)) && !dark(p.px(x - 1, top + 323))) xTicks++;
    expect(xTicks).toBeGreaterThanOrEqual(4);
    let yTicks = 0;
    for (let y = top; y < top + 320; y++) if (dark(p.px(left - 4, y)) && !dark(p.px(left - 4, y - 1))) yTicks++;
    expect(yTicks).toBeGreaterThanOrEqual(4);
    // colour bar: viridis yellow at the top, dark purple at the bottom
    const cb = left + 1000 + 27;
    const [rt, gt, bt] = p.px(cb, top + 1);
    const [rb, gb, bb] = p.px(cb, top + 318);
    expect(rt + gt).toBeGreaterThan(400);
    expect(bt).toBeLessThan(100);
    expect(rb).toBeLessThan(100);
    expect(bb).toBeGreaterThan(60);
    expect(gb).toBeLessThan(40);
    // title: ink in the first rows
    let ink = 0;
    for (let x = left; x < left + 300; x++) if (dark(p.px(x, 10))) ink++;
    expect(ink).toBeGreaterThan(20);
    // decoded frames are green boxes; time runs left to right: the second frame's box is to the right
    const row = top + 160;
    const greens: number[] = [];
    for (let x = left; x < left + 1000; x++) if (green(p.px(x, row))) greens.push(x);
    expect(greens.length).toBeGreaterThanOrEqual(4); // two edges per box, 2 px wide
    expect(Math.max(...greens) - Math.min(...greens)).toBeGreaterThan(300);
  });

  it("SVG: the same layout as vector text: axis labels, ticks, colour bar, frame labels, truth boxes dashed", () => {
    const out = join(dir, "one.svg");
    const r = chirp(["spectrogram", join(dir, "one.sigmf-meta"), "--sf", "7", "-o", out]);
    expect(r.status, r.stderr).toBe(0);
    const svg = readFileSync(out, "utf8");
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="1160" height="404"/);
    expect(svg).toContain(">time (ms)</text>");
    expect(svg).toContain(">frequency - 868.1 MHz (kHz)</text>");
    expect(svg).toContain(">power (dB)</text>");
    expect(svg.match(/>SF7 CRC ok<\/text>/g)).toHaveLength(2);
    expect(svg.match(/<image /g)).toHaveLength(2); // the spectrogram and the colour bar
    expect(svg.match(/stroke="#ffffff" stroke-width="1" stroke-dasharray="4"/g)).toHaveLength(2); // truth
    expect(svg.match(/stroke="#28ff5a" stroke-width="2"/g)).toHaveLength(2); // decoded, drawn after the truth
    expect(svg.indexOf('stroke="#28ff5a" stroke-width="2"')).toBeGreaterThan(svg.lastIndexOf('stroke-dasharray="4"'));
    expect(svg).toMatch(/window 32 samples \(SF7\), FFT 256/);
    const xTicks = [
      ...svg.matchAll(
        /<text x="[\d.]+" y="3\d\d(?:\.\d+)?" dominant-baseline="central" text-anchor="middle" font-size="9" fill="#000000">([\d.]+)<\/text>/g,
      ),
    ].map((m) => Number(m[1]));
    expect(xTicks.length).toBeGreaterThanOrEqual(4);
    expect(xTicks).toEqual([...xTicks].sort((a, b) => a - b)); // increasing left to right
  });

  it("the window follows the SF: SF12 gets a longer one than SF7; --start/--duration zoom", () => {
    const r = chirp([
      "spectrogram",
      join(dir, "one.sigmf-meta"),
      "--sf",
      "12",
      "--no-marks",
      "-o",
      join(dir, "sf12.png"),
    ]);
    expect(r.stdout).toMatch(/window 128, FFT 256/); // 2 samples per chip x sqrt(2^12) chips (SF7: 2 x 11.3 -> 32)
    const z = chirp([
      "spectrogram",
      join(dir, "one.sigmf-meta"),
      "--start",
      "0.01",
      "--duration",
      "0.02",
      "-o",
      join(dir, "zoom.png"),
    ]);
    expect(z.status, z.stderr).toBe(0);
    expect(z.stdout).toMatch(/20\.0 ms in 1000 columns/);
  });

  it("refuses a picture name it would not write as such (x.jpg), and a --start past the end", () => {
    const j = chirp(["spectrogram", join(dir, "one.sigmf-meta"), "-o", join(dir, "x.jpg")]);
    expect(j.status).toBe(2);
    expect(j.stderr).toMatch(/^chirp: --out .*x\.jpg.*\.png or \.svg/);
    expect(existsSync(join(dir, "x.jpg"))).toBe(false);
    const s = chirp(["spectrogram", join(dir, "one.sigmf-meta"), "--start", "99", "-o", join(dir, "late.png")]);
    expect(s.status).toBe(2);
    expect(s.stderr).toMatch(/--start/);
  });
});

describe("chirp per --csv and --plot", () => {
  it("--csv: a header and one line per SNR; --plot: an SVG with PER, SER and the theory curve on a log axis", () => {
    const svg = join(dir, "per.svg");
    const r = chirp(["per", "--sf", "7", "--snr", "-11:-8:1", "--frames", "20", "--csv", "--plot", svg]);
    expect(r.status, r.stderr).toBe(0);
    const rows = r.stdout.trim().split("\n");
    expect(rows[0]).toBe("snrDb,per,ser,frames,received,missed,corrupted,symbolErrors,symbols");
    expect(rows.slice(1).map((l) => Number(l.split(",")[0]))).toEqual([-11, -10, -9, -8]);
    for (const l of rows.slice(1)) expect(Number(l.split(",")[3])).toBe(20);
    const s = readFileSync(svg, "utf8");
    expect(s).toContain(">PER (measured)</text>");
    expect(s).toContain(">SER (measured)</text>");
    expect(s).toContain(">SER, ideal receiver</text>");
    expect(s).toContain(">SNR in the LoRa bandwidth (dB)</text>");
    expect(s).toMatch(/>1e-1<\/text>/);
    expect(s.match(/<polyline /g)!.length).toBeGreaterThanOrEqual(2);
    expect(s).toMatch(/stroke-dasharray="5" points=/); // the theory curve
  });

  it("PNG plot, and progress counts frames within an SNR point", () => {
    const png = join(dir, "per.png");
    const r = chirp(["per", "--sf", "7", "--snr", "-6", "--frames", "10", "--plot", png, "--json"]);
    expect(r.status, r.stderr).toBe(0);
    expect(lines(r.stdout)).toHaveLength(1);
    const p = readPng(png);
    expect([p.width, p.height]).toEqual([70 + 640 + 170, 40 + 380 + 46]);
    expect(chirp(["per", "--sf", "7", "--snr", "-6", "--frames", "10", "--plot", join(dir, "per.gif")]).stderr).toMatch(
      /--plot .*\.png or \.svg/,
    );
  });
});

describeShared("the ideal receiver's SER (ser-theory.json)", () => {
  it("serTheory matches every tabulated point above 1e-6 within 0.1 %", () => {
    const t = readSharedJson<{ ser: Record<string, [number, number][]> }>("vectors", "ser-theory.json").ser;
    let n = 0;
    for (const [sf, pts] of Object.entries(t)) {
      for (const [snr, ser] of pts) {
        if (ser < 1e-6) continue;
        expect(Math.abs(serTheory(Number(sf), snr) / ser - 1), `SF${sf} ${snr} dB`).toBeLessThan(1e-3);
        n++;
      }
    }
    expect(n).toBeGreaterThan(100);
  });
});
