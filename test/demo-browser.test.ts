// End-to-end test of the browser demo in headless Chromium (Debian's package, driven by
// playwright-core; no browser download). Builds demo/ with Vite, serves demo/dist from a tiny
// local HTTP server, and checks what a user sees: the transmitter's waterfall shows a chirp frame
// (pixel statistics), the dechirped peak equals the symbol sent, and the receiver decodes the
// built-in recording in its Web Worker into a table of frames. Saves screenshots to test-results/.
// The browser never reaches the network: every request other than to the local server is aborted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize, sep } from "node:path";
import type { AddressInfo } from "node:net";
import { hasShared, readSharedJson, repoRoot, sharedPath } from "./shared.js";
import { hasChromium, launchChromium, openDemoPage, requireChromium } from "./chromium.js";

requireChromium("demo-browser");

const demoDir = join(repoRoot, "demo");
const distDir = join(demoDir, "dist");
const resultsDir = join(repoRoot, "test-results");

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

/** Serves demo/dist on 127.0.0.1 (an OS-chosen port); nothing outside it. */
function serveDist(): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const file = normalize(join(distDir, path.endsWith("/") ? `${path}index.html` : path));
    if (!file.startsWith(distDir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, {
      "content-type": MIME[extname(file)] ?? "application/octet-stream",
      "cache-control": "no-store",
    });
    res.end(readFileSync(file));
  });
  return new Promise((ok) =>
    server.listen(0, "127.0.0.1", () =>
      ok({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` }),
    ),
  );
}

type Luma = { w: number; h: number; y: number[] };

describe.skipIf(!hasChromium)("browser demo (headless Chromium)", () => {
  let server: Server;
  let base = "";
  let userDataDir = "";
  // playwright-core types are imported lazily so that the suite loads without it when skipped.
  let context: import("playwright-core").BrowserContext;
  let page: import("playwright-core").Page;
  const pageErrors: string[] = [];
  /** Origins the browser may load from (the local servers); everything else is aborted. */
  const allowed: string[] = [];

  beforeAll(async () => {
    const { build } = await import("vite");
    await build({ configFile: join(demoDir, "vite.config.ts"), root: demoDir, logLevel: "warn" });
    expect(existsSync(join(distDir, "index.html"))).toBe(true);
    ({ server, base } = await serveDist());
    allowed.push(base);
    mkdirSync(resultsDir, { recursive: true });
    userDataDir = mkdtempSync(join(tmpdir(), "chirpkit-chromium-"));
    context = await launchChromium(userDataDir, allowed);
    page = await openDemoPage(context, base, pageErrors);
    expect(await page.getAttribute("body", "data-ready")).toBe("1");
  }, 90_000);

  afterAll(async () => {
    await context?.close();
    await new Promise((ok) => (server ? server.close(ok) : ok(undefined)));
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  /** Luminance of every pixel of a canvas, read in the page. */
  async function canvasLuma(selector: string): Promise<Luma> {
    return page.$eval(selector, (c) => {
      const canvas = c as HTMLCanvasElement;
      const d = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
      const y: number[] = new Array(canvas.width * canvas.height);
      for (let i = 0; i < y.length; i++) y[i] = 0.299 * d[4 * i]! + 0.587 * d[4 * i + 1]! + 0.114 * d[4 * i + 2]!;
      return { w: canvas.width, h: canvas.height, y };
    });
  }

  async function txRendered(after: number): Promise<number> {
    await page.waitForFunction((n) => Number(document.body.dataset.txFrames ?? 0) > n, after, { timeout: 20_000 });
    return Number(await page.getAttribute("body", "data-tx-frames"));
  }

  it("generates a frame and its waterfall shows the chirps", async () => {
    let frames = Number(await page.getAttribute("body", "data-tx-frames"));
    await page.selectOption("#tx-sf", "8");
    frames = await txRendered(frames);
    await page.check("#tx-fmt-text");
    await page.fill("#tx-payload", "chirpkit in a browser");
    frames = await txRendered(frames);
    await page.fill("#tx-snr", "15");
    await page.dispatchEvent("#tx-snr", "input");
    frames = await txRendered(frames);
    expect(await page.textContent("#tx-error")).toBe("");
    expect(await page.textContent("#tx-snr-out")).toBe("15 dB");

    // The sections are labelled above the waterfall.
    const sections = await page.$$eval("#tx-labels span", (els) => els.map((e) => (e as HTMLElement).dataset.section));
    expect(sections).toEqual(["preamble", "sync", "downchirp", "header", "payload"]);

    const img = await canvasLuma("#tx-waterfall");
    const [fx0, fx1] = (await page.getAttribute("#tx-waterfall", "data-frame-x"))!.split(",").map(Number) as [
      number,
      number,
    ];
    const [px0, px1] = (await page.getAttribute("#tx-waterfall", "data-preamble-x"))!.split(",").map(Number) as [
      number,
      number,
    ];
    const [by0, by1] = (await page.getAttribute("#tx-waterfall", "data-band-y"))!.split(",").map(Number) as [
      number,
      number,
    ];
    expect(img.w).toBeGreaterThan(600);
    expect(fx1 - fx0).toBeGreaterThan(0.6 * img.w); // the frame fills most of the picture
    const col = (x: number) => {
      const v: number[] = [];
      for (let y = Math.ceil(by0); y < Math.floor(by1); y++) v.push(img.y[y * img.w + x]!);
      return v;
    };
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    // 1. The frame is much brighter than the silence around it (per column: its brightest pixel).
    const peakIn: number[] = [];
    const peakOut: number[] = [];
    for (let x = 2; x < img.w - 2; x++) {
      const top = Math.max(...col(x));
      if (x > fx0 + 4 && x < fx1 - 4) peakIn.push(top);
      else if (x < fx0 - 4 || x > fx1 + 4) peakOut.push(top);
    }
    expect(peakOut.length).toBeGreaterThan(10);
    expect(mean(peakIn)).toBeGreaterThan(mean(peakOut) + 80);
    // 2. Inside the frame the energy is a thin line (a chirp), not a smear: in most columns the
    //    brightest pixel stands far above the column's median.
    const sharp = peakIn.filter((_, i) => {
      const c = col(Math.round(fx0 + 5 + i)).sort((a, b) => a - b);
      return c[c.length - 1]! - c[Math.floor(c.length / 2)]! > 60;
    }).length;
    expect(sharp / peakIn.length).toBeGreaterThan(0.8);
    // 3. The preamble is 8 identical upchirps: the brightest row climbs steadily within each
    //    symbol (y decreases as frequency rises), sweeping the whole band, then wraps.
    const ys: number[] = [];
    for (let x = Math.ceil(px0) + 2; x < Math.floor(px1) - 2; x++) {
      const c = col(x);
      ys.push(c.indexOf(Math.max(...c)));
    }
    const band = by1 - by0;
    let rising = 0;
    let wraps = 0;
    for (let i = 1; i < ys.length; i++) {
      const dy = ys[i]! - ys[i - 1]!;
      if (dy <= 0) rising++;
      if (dy > 0.5 * band) wraps++;
    }
    expect(rising / (ys.length - 1)).toBeGreaterThan(0.8);
    expect(wraps).toBeGreaterThanOrEqual(6);
    expect(wraps).toBeLessThanOrEqual(9);
    expect(Math.max(...ys) - Math.min(...ys)).toBeGreaterThan(0.8 * band);

    // 4. The page shows the toolkit's own symbols and time on air for these settings.
    const { encodeFrame, syncSymbols, timeOnAir } = await import("../src/phy/index.js");
    const params = { sf: 8, bandwidth: 125000, cr: 1, syncWord: 0x12 };
    const payload = new TextEncoder().encode("chirpkit in a browser");
    const shown = await page.$$eval("#tx-symbols .sym", (els) => els.map((e) => e.textContent));
    const expected = [
      ...Array(8).fill("0"),
      ...syncSymbols(0x12, 256).map(String),
      "↓",
      "↓",
      "↓",
      ...Array.from(encodeFrame(payload, params), String),
    ];
    expect(shown).toEqual(expected);
    // What the symbols carry: 21 bytes at SF8 CR 4/5 are 5 header + 42 payload + 4 CRC nibbles;
    // the header block (8 symbols) holds 6 of them, then blocks of 5 symbols hold 8 each, so the
    // sixth such block ends the payload and carries the CRC.
    const kinds = await page.$$eval("#tx-symbols .sym", (els) => els.map((e) => e.className.replace("sym k-", "")));
    const count = (k: string) => kinds.filter((x) => x === k).length;
    expect([
      count("preamble"),
      count("sync"),
      count("downchirp"),
      count("header"),
      count("payload"),
      count("crc"),
    ]).toEqual([8, 2, 3, 8, 25, 5]);
    expect(kinds.slice(-5)).toEqual(Array(5).fill("crc"));
    const toaMs = Number(await page.getAttribute("#tx-summary", "data-toa-ms"));
    expect(toaMs).toBeCloseTo(timeOnAir(params, payload.length).seconds * 1000, 6);

    // 5. The dechirped spectrum of payload symbols peaks at the value sent (keyboard navigation).
    const firstPayload = Number(
      await page.$eval("#tx-symbols [data-index].k-header", (e) => (e as HTMLElement).dataset.index),
    );
    await page.click(`#tx-symbols [data-index="${firstPayload}"]`);
    for (let k = 0; k < 10; k++) {
      const sel = await page.$eval("#tx-symbols [aria-selected=true]", (e) => ({
        index: Number((e as HTMLElement).dataset.index),
        value: e.textContent,
      }));
      expect(sel.index).toBe(firstPayload + k);
      expect(await page.getAttribute("#tx-symbol-info", "data-peak")).toBe(sel.value);
      await page.keyboard.press("ArrowRight");
    }
    await page.locator("#tx").screenshot({ path: join(resultsDir, "demo-transmitter.png") });
    expect(pageErrors).toEqual([]);
  });

  it("decodes the built-in recording in a Web Worker, lists the frames and shows them on the waterfall", async () => {
    // Record every value the progress bar takes.
    await page.evaluate(() => {
      const p = document.querySelector("#rx-progress") as HTMLProgressElement;
      const seen: number[] = [];
      (window as unknown as { progressSeen: number[] }).progressSeen = seen;
      new MutationObserver(() => seen.push(p.value)).observe(p, { attributes: true, attributeFilter: ["value"] });
    });
    await page.click("#rx-example");
    await page.waitForSelector("body[data-rx-state=done], body[data-rx-state=error]", { timeout: 60_000 });
    expect(await page.textContent("#rx-error")).toBe("");
    expect(await page.getAttribute("body", "data-rx-state")).toBe("done");
    expect(page.workers().length).toBeGreaterThanOrEqual(1);
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
    expect(seen.some((v) => v > 0 && v < 1)).toBe(true);
    expect(seen[seen.length - 1]).toBe(1);

    // The expected payloads, built here in Node with the toolkit (same recipe as demo/src/example.ts).
    const { buildDataFrame } = await import("../src/lorawan/index.js");
    const { encodeLpp } = await import("../src/lpp/index.js");
    const keys = { nwkSKey: "2b7e151628aed2a6abf7158809cf4f3c", appSKey: "000102030405060708090a0b0c0d0e0f" };
    const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    const up = (fCnt: number, r: { channel: number; type: number; value: number }[]) =>
      hex(
        buildDataFrame(
          { mtype: "UnconfirmedDataUp", devAddr: "26011bda", fCnt, fPort: 1, payload: encodeLpp(r) },
          keys,
        ),
      );
    const expected = [
      up(41, [
        { channel: 1, type: 103, value: 21.5 },
        { channel: 2, type: 104, value: 48.5 },
      ]),
      hex(new TextEncoder().encode("Hello from chirpkit!")),
      up(42, [
        { channel: 1, type: 103, value: 21.7 },
        { channel: 3, type: 115, value: 1013.2 },
      ]),
      up(43, [
        { channel: 1, type: 103, value: 22.1 },
        { channel: 4, type: 2, value: 3.3 },
      ]),
    ];
    const rows = await page.$$eval("#rx-frames tbody tr", (trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => ({ text: td.textContent ?? "", title: td.title }))),
    );
    expect(rows.length).toBe(4);
    expect(rows.map((r) => r[7]!.title)).toEqual(expected); // payload hex
    expect(rows.map((r) => r[5]!.text)).toEqual(["ok", "ok", "ok", "ok"]); // CRC
    expect(rows.map((r) => r[6]!.text)).toEqual(["1.00", "1.00", "1.00", "1.00"]); // confidence: strong, CRC good
    expect(rows[1]![7]!.text).toBe('"Hello from chirpkit!"');
    for (const [i, fCnt] of [
      [0, 41],
      [2, 42],
      [3, 43],
    ] as const) {
      expect(rows[i]![8]!.text).toContain("DevAddr 26011bda");
      expect(rows[i]![8]!.text).toContain(`FCnt ${fCnt}`);
      expect(rows[i]![8]!.text).toContain("MIC ok");
    }
    expect(rows[1]![8]!.text).toBe("—"); // plain text: its MIC cannot verify, so not shown as LoRaWAN
    expect(rows[0]![9]!.text).toMatch(/ch1 temperature 21\.5 °C; ch2 relative humidity 48\.5/);
    expect(rows[2]![9]!.text).toMatch(/barometric pressure 1013\.2 hPa/);
    expect(rows[3]![9]!.text).toMatch(/ch4 analog input 3\.3/);
    // Time, SNR and CFO are numbers; the simulated channel has a 2.5 kHz carrier offset and 3 dB
    // SNR (the receiver's own estimate, so only a loose check of the SNR column).
    for (const r of rows) {
      expect(Math.abs(Number(r[4]!.text.replace(/,/g, "")) - 2500)).toBeLessThan(100);
      expect(Math.abs(Number(r[3]!.text) - 3)).toBeLessThan(6);
    }
    const times = rows.map((r) => Number(r[1]!.text.replace(/,/g, "")));
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!);

    // Every frame is marked on the waterfall of the whole recording.
    expect(await page.getAttribute("#rx-waterfall", "data-marked")).toBe("1,2,3,4");
    // Clicking a row (or Enter on it) zooms the waterfall onto that frame.
    await page.click("#rx-frames tbody tr:nth-child(2)");
    await expect.poll(() => page.getAttribute("#rx-waterfall", "data-marked")).toBe("2");
    expect(await page.textContent("#rx-view-caption")).toMatch(/^Frame 2 at /);
    await page.focus("#rx-frames tbody tr:nth-child(2)");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getAttribute("#rx-waterfall", "data-marked")).toBe("4");
    expect(await page.textContent("#rx-view-caption")).toMatch(/^Frame 4 at /);
    const [v0, v1] = (await page.getAttribute("#rx-waterfall", "data-view"))!.split(",").map(Number) as [
      number,
      number,
    ];
    expect(v1 - v0).toBeLessThan(40_000); // a frame, not the whole recording
    await page.locator("#rx").screenshot({ path: join(resultsDir, "demo-receiver.png") });
    await page.screenshot({ path: join(resultsDir, "demo-page.png"), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it("transmitter: decodes the frame it built in the page, downloads its IQ (cf32 + SigMF) and plays it slowed down", async () => {
    let n = Number(await page.getAttribute("body", "data-tx-frames"));
    await page.selectOption("#tx-sf", "7");
    n = await txRendered(n);
    await page.fill("#tx-payload", "round trip");
    n = await txRendered(n);
    await page.click("#tx-roundtrip");
    await expect.poll(() => page.getAttribute("#tx-roundtrip-out", "data-match")).toBe("1");
    const hex = Buffer.from("round trip").toString("hex");
    expect(await page.getAttribute("#tx-roundtrip-out", "data-payload")).toBe(hex);
    expect(await page.textContent("#tx-roundtrip-out")).toMatch(
      /^Decoded in the page \(\d+ ms\): 10 bytes [0-9a-f]+, CRC ok, SNR [-\d.]+ dB, .* the payload that was sent\.$/,
    );
    // a changed frame clears the verdict
    await page.fill("#tx-payload", "round trips");
    n = await txRendered(n);
    // polled: the round-trip click blurred the payload box, and the re-render its change event
    // causes (same frame, verdict kept) may be the one txRendered saw
    await expect.poll(() => page.getAttribute("#tx-roundtrip-out", "data-match")).toBeNull();

    const dl = mkdtempSync(join(tmpdir(), "chirpkit-dl-"));
    const [cf32] = await Promise.all([page.waitForEvent("download"), page.click("#tx-download-cf32")]);
    expect(cf32.suggestedFilename()).toMatch(/^lora-sf7-bw125k-os4\.cf32$/);
    await cf32.saveAs(join(dl, "f.cf32"));
    const raw = readFileSync(join(dl, "f.cf32"));
    const samples = raw.length / 8;
    expect(samples).toBeGreaterThan(4 * 128 * 20); // 4 samples per chip, 20+ symbols
    const [sig] = await Promise.all([page.waitForEvent("download"), page.click("#tx-download-sigmf")]);
    expect(sig.suggestedFilename()).toBe("lora-sf7-bw125k-os4.sigmf");
    await sig.saveAs(join(dl, "f.sigmf"));
    const { readSigmfArchive, parseSigmfMeta, readIq } = await import("../src/io/index.js");
    const a = readSigmfArchive(new Uint8Array(readFileSync(join(dl, "f.sigmf"))));
    const meta = parseSigmfMeta(a.metaText);
    expect(meta.datatype).toBe("cf32_le");
    expect(meta.sampleRate).toBe(500_000);
    expect(a.data.length).toBe(raw.length);
    // what was downloaded decodes in Node to the payload typed in the page
    const { decodeRecording } = await import("../src/rx/index.js");
    const frames = decodeRecording(readIq(a.data, "cf32"), { sampleRate: 500_000, bandwidth: 125_000, sf: 7 });
    expect(frames.map((f) => f.payloadHex)).toEqual([Buffer.from("round trips").toString("hex")]);
    rmSync(dl, { recursive: true, force: true });

    await page.click("#tx-listen");
    await expect
      .poll(async () => Number(await page.getAttribute("#tx-roundtrip-out", "data-audio-seconds")))
      .toBeGreaterThan(0.3);
    expect(await page.textContent("#tx-roundtrip-out")).toMatch(
      /^Playing [\d.]+ s: the frame 10 times slower, chirps sweeping 0 to 12(\.0)? kHz\.$/,
    );
    expect(pageErrors).toEqual([]);
  });

  it("receiver overview: frequency axis, colour scale, zoom and pan (buttons, wheel, drag)", async () => {
    await page.evaluate(() => (document.body.dataset.rxState = "test"));
    await page.click("#rx-example");
    await page.waitForSelector("body[data-rx-state=done]", { timeout: 60_000 });
    const ticks = (await page.getAttribute("#rx-faxis", "data-ticks"))!.split(",").map(Number);
    expect(ticks).toContain(0);
    expect(Math.max(...ticks)).toBeGreaterThanOrEqual(100); // 250 kS/s: +-125 kHz
    expect(Math.min(...ticks)).toBeLessThanOrEqual(-100);
    const [lo, hi] = (await page.getAttribute("#rx-scale", "data-range"))!.split(",").map(Number) as [number, number];
    expect(hi).toBeGreaterThan(lo + 5);
    const scale = await page.$$eval("#rx-scale span", (els) =>
      els.map((e) => Number(/^(-?\d+) dB$/.exec(e.textContent ?? "")?.[1])),
    );
    expect(scale).toHaveLength(3);
    expect(Math.abs(scale[0]! - hi)).toBeLessThanOrEqual(1);
    expect(Math.abs(scale[2]! - lo)).toBeLessThanOrEqual(1);
    const view = async () =>
      (await page.getAttribute("#rx-waterfall", "data-view"))!.split(",").map(Number) as [number, number];
    const [w0, w1] = await view();
    await page.click("#rx-zoom-in-btn");
    await expect
      .poll(async () => {
        const [a, b] = await view();
        return b - a;
      })
      .toBeLessThan((w1 - w0) * 0.6);
    const [z0, z1] = await view();
    await page.click("#rx-pan-right");
    await expect.poll(async () => (await view())[0]).toBeGreaterThan(z0);
    const box = (await page.locator("#rx-waterfall").boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -200);
    await expect
      .poll(async () => {
        const [a, b] = await view();
        return b - a;
      })
      .toBeLessThan((z1 - z0) * 0.95);
    const [d0] = await view();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 200, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    await expect.poll(async () => (await view())[0]).toBeLessThan(d0); // dragged right: earlier samples
    await page.click("#rx-zoom-out");
    await expect.poll(async () => (await view()).join(",")).toBe(`${w0},${w1}`);
    await page.locator("#rx .views").screenshot({ path: join(resultsDir, "demo-overview.png") });
    expect(pageErrors).toEqual([]);
  });

  it("a recording at another rate than the form says: the page says why nothing decoded", async () => {
    const { simulate } = await import("../src/sim/index.js");
    const { writeIq } = await import("../src/io/index.js");
    const sim = simulate({
      frames: [{ payloadLength: 12, params: { sf: 7, bandwidth: 125e3, cr: 1 } }],
      sampleRate: 250e3,
      snrDb: 10,
      seed: 3,
      leadSamples: 3000,
      tailSamples: 3000,
    });
    const d = mkdtempSync(join(tmpdir(), "chirpkit-rate-"));
    writeFileSync(join(d, "at250k.cf32"), writeIq(sim.iq, "cf32").bytes);
    const rows = await decodeFiles([join(d, "at250k.cf32")], {
      "#rx-rate": "500000",
      "#rx-bw": "125000",
      "#rx-sf": "7",
      "#rx-sync": "any",
      "#rx-nwkskey": "",
      "#rx-appskey": "",
    });
    expect(rows).toEqual([]);
    expect(await page.textContent("#rx-hint")).toMatch(
      /^Nothing decoded: the recording has a LoRa preamble \(\d+ upchirps at [\d.]+ s\) of SF 7 spanning 250 kHz at 500000 S\/s, not SF 7 at 125 kHz\. Either the bandwidth is 250 kHz, or the sample rate is wrong: if the bandwidth is 125 kHz, the file was recorded at 250000 S\/s\.$/,
    );
    // at the right rate it decodes, and the hint goes
    await page.fill("#rx-rate", "250000");
    await page.evaluate(() => (document.body.dataset.rxState = "test"));
    await page.click("#rx-decode");
    await page.waitForSelector("body[data-rx-state=done]", { timeout: 60_000 });
    expect(await page.$$eval("#rx-frames tbody tr", (trs) => trs.length)).toBe(1);
    expect(await page.textContent("#rx-hint")).toBe("");
    rmSync(d, { recursive: true, force: true });
    expect(pageErrors).toEqual([]);
  });

  it("is usable at 390 px: no sideways scrolling, no clipped dropdown, the frame table as cards", async () => {
    await page.evaluate(() => (document.body.dataset.rxState = "test"));
    await page.click("#rx-example");
    await page.waitForSelector("body[data-rx-state=done]", { timeout: 60_000 });
    const clipped = () =>
      page.evaluate(() => {
        const out: string[] = [];
        const ctx = document.createElement("canvas").getContext("2d")!;
        for (const sel of document.querySelectorAll("select")) {
          const st = getComputedStyle(sel);
          ctx.font = `${st.fontWeight} ${st.fontSize} ${st.fontFamily}`;
          const text = sel.options[sel.selectedIndex]?.text ?? "";
          // room for the text: the box minus padding, border and the arrow (about 20 px)
          const room = sel.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight) - 20;
          if (ctx.measureText(text).width > room) out.push(`${sel.id}: "${text}" in ${room.toFixed(0)} px`);
        }
        return out;
      });
    expect(await clipped()).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.waitForTimeout(200);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      expect(await clipped()).toEqual([]);
      expect(await page.$eval("#rx-frames thead", (el) => getComputedStyle(el).display)).toBe("none");
      expect(
        await page.$eval("#rx-frames tbody tr td:nth-child(2)", (td) => [
          getComputedStyle(td).display,
          (td as HTMLElement).dataset.label,
        ]),
      ).toEqual(["block", "Time (ms)"]);
      await page.screenshot({ path: join(resultsDir, "demo-390px.png"), fullPage: true });
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
    expect(pageErrors).toEqual([]);
  });

  /** Opens files in the receiver panel, sets the LoRa fields, decodes; returns the table rows. */
  async function decodeFiles(files: string[], fields: Record<string, string>) {
    await page.evaluate(() => (document.body.dataset.rxState = "test"));
    await page.setInputFiles("#rx-file", files);
    await page.waitForSelector("body[data-rx-state=opened], body[data-rx-state=error]", { timeout: 30_000 });
    expect(await page.textContent("#rx-error")).toBe("");
    for (const [sel, v] of Object.entries(fields)) {
      if (sel === "#rx-sf" || sel === "#rx-format" || sel === "#rx-implicit-cr" || sel === "#rx-workers")
        await page.selectOption(sel, v);
      else await page.fill(sel, v);
    }
    await page.evaluate(() => (document.body.dataset.rxState = "test"));
    await page.click("#rx-decode");
    await page.waitForSelector("body[data-rx-state=done], body[data-rx-state=error]", { timeout: 60_000 });
    expect(await page.textContent("#rx-error")).toBe("");
    return page.$$eval("#rx-frames tbody tr", (trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.title || td.textContent || "")),
    );
  }

  it.skipIf(!hasShared)(
    "decodes real captures dropped as raw I/Q and as SigMF (gr-lora_sdr recordings from ../shared)",
    async () => {
      type Capture = {
        file: string;
        format: string;
        sampleRate: number;
        sf: number;
        bandwidth: number;
        syncWord: string;
        frames: { payloadHex: string }[];
      };
      const manifest = readSharedJson<{ captures: Capture[] }>("captures", "manifest.json");
      const cap = (file: string) => manifest.captures.find((c) => c.file === file)!;

      // Raw cf32: the format comes from the extension, the rate from the form.
      const clean = cap("sf7_bw125_os1_clean.cf32");
      const rows1 = await decodeFiles([sharedPath("captures", clean.file)], {
        "#rx-rate": String(clean.sampleRate),
        "#rx-bw": String(clean.bandwidth),
        "#rx-sf": String(clean.sf),
        "#rx-sync": "12",
        "#rx-nwkskey": "",
        "#rx-appskey": "",
      });
      expect(await page.inputValue("#rx-format")).toBe("cf32");
      expect(rows1.map((r) => r[7])).toEqual(clean.frames.map((f) => f.payloadHex));
      expect(rows1.map((r) => r[5])).toEqual(clean.frames.map(() => "ok"));

      // Implicit header: the length, coding rate and CRC flag come from the form.
      const implicit = cap("sf7_bw125_os2_implicit_len12.cf32") as Capture & { cr: number; implicitLength: number };
      const rowsImplicit = await decodeFiles([sharedPath("captures", implicit.file)], {
        "#rx-rate": String(implicit.sampleRate),
        "#rx-bw": String(implicit.bandwidth),
        "#rx-sf": String(implicit.sf),
        "#rx-implicit-len": String(implicit.implicitLength),
        "#rx-implicit-cr": String(implicit.cr),
      });
      expect(rowsImplicit.map((r) => r[7])).toEqual(implicit.frames.map((f) => f.payloadHex));
      expect(rowsImplicit.map((r) => r[5])).toEqual(implicit.frames.map(() => "ok"));
      await page.fill("#rx-implicit-len", "");

      // SigMF pair (metadata written here with chirpkit/io): cu8 samples, LoRaWAN sync word 0x34,
      // 4 samples per chip, carrier and clock offsets. Rate and format come from the metadata.
      const cu8 = cap("sf9_bw125_os4_sync34_cu8.cu8");
      const { buildSigmfMeta, stringifySigmf } = await import("../src/io/index.js");
      const meta = stringifySigmf(
        buildSigmfMeta({
          format: "cu8",
          sampleRate: cu8.sampleRate,
          centerFrequency: 868.1e6,
          description: "gr-lora_sdr capture",
        }),
      );
      await page.fill("#rx-rate", "1"); // must be replaced by the metadata's rate
      const sigmfDir = mkdtempSync(join(tmpdir(), "chirpkit-sigmf-"));
      writeFileSync(join(sigmfDir, "capture.sigmf-meta"), meta);
      copyFileSync(sharedPath("captures", cu8.file), join(sigmfDir, "capture.sigmf-data"));
      const rows2 = await decodeFiles([join(sigmfDir, "capture.sigmf-meta"), join(sigmfDir, "capture.sigmf-data")], {
        "#rx-bw": String(cu8.bandwidth),
        "#rx-sf": String(cu8.sf),
        "#rx-sync": "any",
      });
      expect(await page.inputValue("#rx-rate")).toBe(String(cu8.sampleRate));
      expect(await page.inputValue("#rx-format")).toBe("cu8");
      expect(rows2.map((r) => r[7])).toEqual(cu8.frames.map((f) => f.payloadHex));
      expect(rows2.map((r) => r[5])).toEqual(cu8.frames.map(() => "ok"));

      // A wideband gateway recording (1 MS/s, three channels, SF7..12): the centre channel with
      // every spreading factor at once.
      type Gateway = {
        file: string;
        sampleRate: number;
        frames: { payloadHex: string; sf: number; channelOffsetHz: number; startSample: number }[];
      };
      const gw = readSharedJson<{ captures: Gateway[] }>("captures", "gateway", "manifest.json").captures[0]!;
      await page.selectOption("#rx-format", "cs16");
      const rows3 = await decodeFiles([sharedPath("captures", "gateway", gw.file)], {
        "#rx-rate": String(gw.sampleRate),
        "#rx-bw": "125000",
        "#rx-sf": "all",
        "#rx-sync": "34",
        "#rx-offset": "0",
      });
      const centre = gw.frames.filter((f) => f.channelOffsetHz === 0).sort((a, b) => a.startSample - b.startSample);
      expect(rows3.map((r) => r[7])).toEqual(centre.map((f) => f.payloadHex));
      expect(rows3.map((r) => Number(r[2]))).toEqual(centre.map((f) => f.sf));
      rmSync(sigmfDir, { recursive: true, force: true });
      expect(pageErrors).toEqual([]);
    },
  );

  it("decodes a long recording split across 4 Web Workers: the frames of the one-worker decode", async () => {
    // 30 frames over 450k samples at 1 sample per chip: four segments longer than the overlap
    // (the longest SF7 frame and the search's windows, about 98k samples)
    const { simulate } = await import("../src/sim/index.js");
    const sim = simulate({
      frames: Array.from({ length: 30 }, () => ({ params: { sf: 7, bandwidth: 125e3, cr: 1 }, payloadLength: 16 })),
      sampleRate: 125e3,
      gapSamples: 8600,
      snrDb: 5,
      cfoHz: 2000,
      sfoPpm: 5,
      seed: 31,
    });
    expect(sim.iq.length / 2).toBeGreaterThan(4 * 98_304);
    const dir = mkdtempSync(join(tmpdir(), "chirpkit-long-"));
    const file = join(dir, "long.cf32");
    writeFileSync(file, new Uint8Array(sim.iq.buffer, sim.iq.byteOffset, sim.iq.byteLength));
    const fields = { "#rx-rate": "125000", "#rx-bw": "125000", "#rx-sf": "7", "#rx-sync": "12", "#rx-offset": "0" };
    const one = await decodeFiles([file], { ...fields, "#rx-workers": "1" });
    expect(await page.textContent("#rx-status")).toMatch(/in a Web Worker$/);
    // the same recording again (it is open): only the worker count changes
    await page.selectOption("#rx-workers", "4");
    await page.evaluate(() => (document.body.dataset.rxState = "test"));
    await page.click("#rx-decode");
    await page.waitForSelector("body[data-rx-state=done], body[data-rx-state=error]", { timeout: 60_000 });
    expect(await page.textContent("#rx-error")).toBe("");
    const four = await page.$$eval("#rx-frames tbody tr", (trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.title || td.textContent || "")),
    );
    expect(await page.textContent("#rx-status")).toMatch(/up to 4 Web Workers at once$/);
    await page.selectOption("#rx-workers", "1");
    rmSync(dir, { recursive: true, force: true });
    expect(one.map((r) => r[7])).toEqual(sim.truth.map((t) => t.payloadHex));
    expect(one.map((r) => r[5])).toEqual(sim.truth.map(() => "ok"));
    // every cell the same (time, SF, CR, length, CRC, confidence, payload, LoRaWAN), SNR and CFO to their last digit but one
    const discrete = (rows: string[][]) => rows.map((r) => r.filter((_, i) => i !== 3 && i !== 4));
    expect(discrete(four)).toEqual(discrete(one));
    const num = (cell: string) => Number(cell.replace(/,/g, "")); // en-US: 2,000
    four.forEach((r, i) => {
      expect(Math.abs(num(r[3]!) - num(one[i]![3]!))).toBeLessThanOrEqual(0.15);
      expect(Math.abs(num(r[4]!) - num(one[i]![4]!))).toBeLessThanOrEqual(1.5);
    });
    expect(pageErrors).toEqual([]);
  });

  it("shows what a bad parameter is, and a noise-only picture has no chirp line", async () => {
    let frames = Number(await page.getAttribute("body", "data-tx-frames"));
    await page.check("#tx-fmt-hex");
    await page.fill("#tx-payload", "zz");
    await expect.poll(() => page.textContent("#tx-error")).toContain("hex");
    await page.fill("#tx-payload", "c0ffee");
    frames = await txRendered(frames);
    expect(await page.textContent("#tx-error")).toBe("");
    // At -25 dB SNR the frame disappears into the noise: columns in the frame look like the gap.
    await page.fill("#tx-snr", "-25");
    await page.dispatchEvent("#tx-snr", "input");
    frames = await txRendered(frames);
    const img = await canvasLuma("#tx-waterfall");
    const [fx0, fx1] = (await page.getAttribute("#tx-waterfall", "data-frame-x"))!.split(",").map(Number) as [
      number,
      number,
    ];
    let inside = 0;
    let n = 0;
    for (let x = Math.ceil(fx0) + 4; x < fx1 - 4; x++, n++)
      for (let y = 0; y < img.h; y++) inside += img.y[y * img.w + x]!;
    const meanInside = inside / (n * img.h);
    let all = 0;
    for (const v of img.y) all += v;
    expect(Math.abs(meanInside - all / img.y.length)).toBeLessThan(12);
    expect(pageErrors).toEqual([]);
  });

  it("the dev server (npm run demo) serves a page whose worker decodes the example", async () => {
    const { createServer } = await import("vite");
    const dev = await createServer({
      configFile: join(demoDir, "vite.config.ts"),
      root: demoDir,
      logLevel: "warn",
      server: { port: 0, host: "127.0.0.1" },
    });
    try {
      await dev.listen();
      const url = dev.resolvedUrls!.local[0]!;
      allowed.push(url);
      const p = await context.newPage();
      const errors: string[] = [];
      p.on("pageerror", (e) => errors.push(e.message));
      await p.goto(url);
      await p.waitForSelector("body[data-ready]", { timeout: 60_000 });
      expect(await p.getAttribute("body", "data-ready")).toBe("1");
      await p.click("#rx-example");
      await p.waitForSelector("body[data-rx-state=done], body[data-rx-state=error]", { timeout: 30_000 });
      expect(await p.textContent("#rx-error")).toBe("");
      expect(await p.$$eval("#rx-frames tbody tr", (trs) => trs.length)).toBe(4);
      expect(errors).toEqual([]);
      await p.close();
    } finally {
      await dev.close();
    }
  });
});
