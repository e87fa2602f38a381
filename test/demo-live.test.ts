// The demo's live panel in headless Chromium, with no radio: navigator.usb is replaced before the
// page loads by a fake RTL-SDR (test/fake-rtlsdr.ts) that decodes every control transfer into the
// register it sets and serves bulk transfers, at the pace of a real dongle, from a recording
// simulated here (four SF7/125 kHz frames at 1 MS/s, cu8). Checks that clicking "Live RTL-SDR"
// asks for the RTL2832U ids, programs the rate, frequency and gain asked for (resampler ratio,
// PLL and gain registers), that the frames are listed while the stream is still running, decoded
// in the live worker, and that Stop closes the device. A second case replays the same samples as
// a cu8 file. Everything behind the USB transfer is tested; the USB transfer itself is not.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize, sep } from "node:path";
import type { AddressInfo } from "node:net";
import { repoRoot } from "./shared.js";
import { makeFakeRtlSdr, type FakeRtlSdr } from "./fake-rtlsdr.js";
import { hasChromium, launchChromium, openDemoPage, requireChromium } from "./chromium.js";
import { r820tGain, r820tPll } from "../demo/src/usb/r820t.js";
import { sampleRateRatio } from "../demo/src/usb/rtl2832u.js";

requireChromium("demo-live");

const RATE = 1_000_000;
const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
};

/**
 * Four frames, 0.35 s apart, in 1.7 s of cu8 at 1 MS/s (SNR 10 dB, 1.5 kHz carrier offset), each
 * `offsets[i]` Hz from the centre.
 */
async function capture(offsets = [0, 0, 0, 0]): Promise<{ cu8: Uint8Array; payloads: string[]; starts: number[] }> {
  const { simulate } = await import("../src/sim/index.js");
  const text = ["live frame one", "live frame two", "live frame three", "live frame four"];
  const params = { sf: 7, bandwidth: 125_000, cr: 1, syncWord: 0x34 };
  const sim = simulate({
    frames: text.map((t, i) => ({ payload: new TextEncoder().encode(t), params, frequencyOffsetHz: offsets[i]! })),
    sampleRate: RATE,
    snrDb: 10,
    cfoHz: 1500,
    leadSamples: 200_000,
    gapSamples: 350_000,
    tailSamples: 250_000,
    seed: 12,
  });
  let peak = 0;
  for (const v of sim.iq) peak = Math.max(peak, Math.abs(v));
  const cu8 = new Uint8Array(sim.iq.length);
  for (let i = 0; i < cu8.length; i++)
    cu8[i] = Math.max(0, Math.min(255, Math.round(127.5 + (sim.iq[i]! / peak) * 120)));
  return { cu8, payloads: sim.truth.map((t) => t.payloadHex), starts: sim.truth.map((t) => t.startSample) };
}

/** Installed before the page's scripts: navigator.usb whose requestDevice returns the fake dongle. */
function initScript(fakeSource: string): string {
  return `(() => {
    const makeFakeRtlSdr = ${fakeSource};
    const state = { requested: null, fake: null, served: 0, captureBytes: 0, t0: 0 };
    let data = null;
    const load = fetch("/capture.cu8").then((r) => r.arrayBuffer()).then((b) => { data = new Uint8Array(b); state.captureBytes = data.length; });
    // like a dongle: each transfer's bytes are ready when they have been sampled (2 bytes per sample)
    const serve = async (n) => {
      await load;
      if (!state.t0) state.t0 = performance.now();
      const from = state.served;
      state.served += n;
      const due = state.t0 + (state.served / 2 / ${RATE}) * 1000;
      await new Promise((ok) => setTimeout(ok, Math.max(0, due - performance.now())));
      const out = new Uint8Array(n).fill(128);
      if (from < data.length) out.set(data.subarray(from, Math.min(data.length, from + n)));
      return out;
    };
    Object.defineProperty(navigator, "usb", {
      configurable: true,
      value: {
        requestDevice: async (options) => { state.requested = options; state.fake = makeFakeRtlSdr(serve); return state.fake; },
        getDevices: async () => [],
      },
    });
    window.__usb = state;
  })();`;
}

describe.skipIf(!hasChromium)(
  "demo live panel: WebUSB RTL-SDR (fake device) and cu8 replay, decoded in a worker",
  () => {
    let server: Server;
    let base = "";
    let outDir = "";
    let userDataDir = "";
    let context: import("playwright-core").BrowserContext;
    let page: import("playwright-core").Page;
    const pageErrors: string[] = [];
    let cap: Awaited<ReturnType<typeof capture>>;
    /** The same frames on two channels, 200 kHz either side of the centre. */
    let cap2: Awaited<ReturnType<typeof capture>>;

    beforeAll(async () => {
      cap = await capture();
      cap2 = await capture([-200_000, 200_000, -200_000, 200_000]);
      // a build of its own (demo-browser.test.ts builds demo/dist at the same time)
      outDir = mkdtempSync(join(tmpdir(), "chirpkit-demo-live-"));
      const demoDir = join(repoRoot, "demo");
      const { build } = await import("vite");
      await build({
        configFile: join(demoDir, "vite.config.ts"),
        root: demoDir,
        logLevel: "warn",
        build: { outDir, emptyOutDir: true },
      });
      server = createServer((req, res) => {
        const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
        if (path === "/capture.cu8") {
          res.writeHead(200, { "content-type": "application/octet-stream" }).end(Buffer.from(cap.cu8));
          return;
        }
        const file = normalize(join(outDir, path.endsWith("/") ? `${path}index.html` : path));
        if (!file.startsWith(outDir + sep) || !existsSync(file) || !statSync(file).isFile()) {
          res.writeHead(404).end("not found");
          return;
        }
        res.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream" });
        res.end(readFileSync(file));
      });
      await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      userDataDir = mkdtempSync(join(tmpdir(), "chirpkit-chromium-live-"));
      context = await launchChromium(userDataDir, [base]);
      await context.addInitScript(initScript(makeFakeRtlSdr.toString()));
      page = await openDemoPage(context, base, pageErrors);
      expect(await page.getAttribute("body", "data-ready")).toBe("1");
    }, 120_000);

    afterAll(async () => {
      await context?.close();
      await new Promise((ok) => (server ? server.close(ok) : ok(undefined)));
      for (const d of [userDataDir, outDir]) if (d) rmSync(d, { recursive: true, force: true });
    });

    const rowPayloads = () =>
      page.$$eval("#live-frames tbody tr", (trs) => trs.map((tr) => (tr as HTMLElement).dataset.payload ?? ""));

    it("Live RTL-SDR: programs 868.1 MHz / 1 MS/s / 29.7 dB, lists each frame while streaming, Stop closes the dongle", async () => {
      await page.fill("#live-freq", "868.1");
      await page.selectOption("#live-rate", "1000000");
      await page.selectOption("#live-gain", "29.7");
      await page.selectOption("#live-sf", "7");
      await page.selectOption("#live-bw", "125000");
      await page.click("#live-usb");
      await page.waitForSelector("#live-frames tbody tr", { timeout: 60_000 });
      // the first frame is on the page while the fake dongle is still sending the recording
      const atFirst = await page.evaluate(() => {
        const s = (window as unknown as { __usb: { served: number; captureBytes: number } }).__usb;
        return {
          served: s.served,
          total: s.captureBytes,
          rows: document.querySelectorAll("#live-frames tbody tr").length,
        };
      });
      expect(atFirst.total).toBe(cap.cu8.length);
      expect(atFirst.served).toBeLessThan(atFirst.total * 0.75);
      expect(atFirst.rows).toBeLessThan(4);
      expect(await page.getAttribute("body", "data-live")).toBe("running");
      await page.waitForFunction(() => document.querySelectorAll("#live-frames tbody tr").length >= 4, null, {
        timeout: 60_000,
      });
      expect(await rowPayloads()).toEqual(cap.payloads);
      // no channels given: the tuned centre
      const chans = await page.$$eval("#live-frames tbody tr td:nth-child(2)", (tds) => tds.map((t) => t.textContent));
      expect(chans).toEqual(["868.1", "868.1", "868.1", "868.1"]);
      expect((await page.textContent("#live-frames tbody tr:first-child td.hex"))?.trim()).toBe('"live frame one"');
      const times = await page.$$eval("#live-frames tbody tr td:nth-child(3)", (tds) =>
        tds.map((t) => Number(t.textContent!.replace(/,/g, ""))),
      );
      times.forEach((t, i) => expect(Math.abs(t - (cap.starts[i]! / RATE) * 1000)).toBeLessThan(2)); // ms
      // decoded in the live worker, not in the page
      expect(page.workers().some((w) => /live-worker/.test(w.url()))).toBe(true);

      // what the page asked the dongle for, as registers
      const usb = await page.evaluate(() => {
        const s = (window as unknown as { __usb: { requested: unknown; fake: FakeRtlSdr } }).__usb;
        const f = s.fake;
        return {
          requested: s.requested,
          demod: f.demod,
          tuner: f.tuner,
          blocks: f.blocks,
          errors: f.errors,
          opened: f.opened,
        };
      });
      expect(usb.requested).toEqual({
        filters: [
          { vendorId: 0x0bda, productId: 0x2838 },
          { vendorId: 0x0bda, productId: 0x2832 },
        ],
      });
      expect(usb.errors).toEqual([]);
      const { ratio } = sampleRateRatio(RATE);
      expect([usb.demod["1:9f"], usb.demod["1:a1"]]).toEqual([ratio >> 16, ratio & 0xffff]);
      expect(usb.demod["0:19"]).toBe(0x05); // SDR mode
      const pll = r820tPll(868_100_000 + 3_570_000, 28_800_000);
      expect(usb.tuner[0x14]).toBe(pll.reg14);
      expect(((usb.tuner[0x16] as number) << 8) | (usb.tuner[0x15] as number)).toBe(pll.sdm);
      expect((usb.tuner[0x10] as number) >> 5).toBe(pll.divNum);
      const g = r820tGain(297);
      expect([(usb.tuner[0x05] as number) & 0x1f, (usb.tuner[0x07] as number) & 0x1f]).toEqual([0x10 | g.lna, g.mixer]);
      expect(usb.blocks["1:2148"]).toEqual([0, 0]); // FIFO running
      expect(await page.textContent("#live-source")).toMatch(
        /^RTL-SDR \(RTL2832U \+ R820T\) at 868\.1 MHz, 1,000,000 S\/s, gain 29\.7 dB$/,
      );

      await page.click("#live-stop");
      await page.waitForSelector("body[data-live=stopped]", { timeout: 30_000 });
      const after = await page.evaluate(() => {
        const f = (window as unknown as { __usb: { fake: { closed: boolean; claimed: boolean; errors: string[] } } })
          .__usb.fake;
        return { closed: f.closed, claimed: f.claimed, errors: f.errors };
      });
      expect(after).toEqual({ closed: true, claimed: false, errors: [] });
      expect(await page.textContent("#live-status")).toMatch(/^Stopped: .* 4 frames/);
      expect(await page.textContent("#live-error")).toBe("");
      expect(pageErrors).toEqual([]);
    }, 120_000);

    it("replays a cu8 recording on two channels (868.1 and 868.5 MHz around 868.3) through the same worker, stopping at its end", async () => {
      await page.setInputFiles("#live-file", {
        name: "two-channels.cu8",
        mimeType: "application/octet-stream",
        buffer: Buffer.from(cap2.cu8),
      });
      await page.selectOption("#live-rate", "1000000");
      await page.fill("#live-freq", "868.3");
      // a channel the rate does not hold around the centre is refused before anything starts
      await page.fill("#live-channels", "868.1, 869.0");
      await page.click("#live-replay");
      await page.waitForFunction(() => document.querySelector("#live-error")!.textContent !== "");
      expect(await page.textContent("#live-error")).toBe(
        "Channels: 869 MHz is outside what 1,000,000 S/s around 868.3 MHz holds for 125 kHz channels (867.925 to 868.675 MHz)",
      );
      expect(await page.$$("#live-frames tbody tr")).toHaveLength(0);
      await page.fill("#live-channels", "868.1, 868.5");
      await page.click("#live-replay");
      await page.waitForSelector("#live-frames tbody tr", { timeout: 60_000 });
      expect(await page.getAttribute("body", "data-live")).toBe("running"); // a frame before the end
      await page.waitForSelector("body[data-live=stopped]", { timeout: 60_000 });
      expect(await rowPayloads()).toEqual(cap2.payloads);
      const channels = await page.$$eval("#live-frames tbody tr td:nth-child(2)", (tds) =>
        tds.map((t) => t.textContent),
      );
      expect(channels).toEqual(["868.1", "868.5", "868.1", "868.5"]);
      expect(await page.textContent("#live-source")).toMatch(/replay of two-channels\.cu8 at 1,000,000 S\/s/);
      // every sample of the file was decoded: its length in seconds, to 0.1 s
      const secs = (cap2.cu8.length / 2 / RATE).toFixed(1);
      expect(await page.textContent("#live-status")).toBe(`Stopped: ${secs} s of samples decoded, 4 frames`);
      expect(await page.textContent("#live-error")).toBe("");
      expect(pageErrors).toEqual([]);
    }, 120_000);
  },
);
