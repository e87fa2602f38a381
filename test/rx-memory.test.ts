// Receivers free their Wasm memory when disposed (decodeRecording and decodeGateway dispose what
// they make): memory stays flat over 10^4 synchronous create/decode cycles, measured on the Wasm
// memory itself; a disposed receiver, gateway receiver, front end or kernel answers a typed error.
import { describe, expect, it } from "vitest";
import { createGatewayReceiver, createReceiver, decodeGateway, decodeRecording } from "../src/rx/index.js";
import { createFrontend } from "../src/dsp/index.js";
import { phyWasm } from "../src/wasm/phy.js";
import { ChirpError } from "../src/errors.js";

const bytes = (): number => phyWasm.memory.buffer.byteLength;

describe("receiver memory", () => {
  it("stays flat over 10^4 synchronous create/decode cycles (SF7..12)", () => {
    const x = new Float32Array(2 * 600);
    const cycle = (i: number) => decodeRecording(x, { sampleRate: 250e3, bandwidth: 125e3, sf: 7 + (i % 6) });
    for (let i = 0; i < 12; i++) cycle(i);
    const before = bytes();
    for (let i = 0; i < 10_000; i++) cycle(i);
    expect(bytes()).toBe(before);
  });

  it("stays flat over 300 gateway cycles (3 channels x 6 SFs) and 500 creates and disposes without decoding", () => {
    const x = new Int16Array(2 * 400);
    const opts = { sampleRate: 1e6, channels: [-200e3, 0, 200e3], format: "cs16" as const };
    for (let i = 0; i < 3; i++) decodeGateway(x, opts);
    const before = bytes();
    for (let i = 0; i < 300; i++) decodeGateway(x, opts);
    for (let i = 0; i < 500; i++) createReceiver({ sampleRate: 1e6, bandwidth: 125e3, sf: 12 }).dispose();
    expect(bytes()).toBe(before);
  });

  it("answers DISPOSED after dispose (receiver, gateway receiver, front end), and dispose twice is harmless", () => {
    const disposedError = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof ChirpError ? e.code : String(e);
      }
      return "no error";
    };
    for (const engine of ["wasm", "js"] as const) {
      const rx = createReceiver({ sampleRate: 250e3, bandwidth: 125e3, sf: 7, engine });
      rx.dispose();
      rx.dispose();
      expect(disposedError(() => rx.push(new Float32Array(2)))).toBe("DISPOSED");
      expect(disposedError(() => rx.flush())).toBe("DISPOSED");
      expect(disposedError(() => rx.reset())).toBe("DISPOSED");
    }
    const gw = createGatewayReceiver({ sampleRate: 1e6, channels: [0], sfs: [7] });
    gw.dispose();
    gw.dispose();
    expect(disposedError(() => gw.push(new Float32Array(2)))).toBe("DISPOSED");
    expect(disposedError(() => gw.flush())).toBe("DISPOSED");
    const fe = createFrontend({ sampleRate: 1e6, bandwidth: 250e3, outputOversampling: 1 });
    fe.dispose();
    expect(disposedError(() => fe.push(new Float32Array(2)))).toBe("DISPOSED");
  });
});
