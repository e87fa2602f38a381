// Live input: chirp decode - / FIFO / rtl-tcp://, frames printed as they complete, clean stops.
// Every child and server is on this machine (pipes, a FIFO, TCP on 127.0.0.1), bounded in time.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHIRP_BIN, chirp, chirpAsync, lines, spawnChirp } from "./cli-run.js";
import { writeLoRaWANRecording, type LoRaWANRecording } from "./lorawan-recording.js";
import { writeIq } from "../src/io/index.js";
import { rtlTcpCommand, parseRtlTcpUrl } from "../src/cli/rtltcp.js";
import { samplesFromBytes } from "../src/cli/live.js";
import { ChirpError } from "../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "chirp-live-"));
let rec: LoRaWANRecording;
let bytes: Buffer; // cf32
let cu8: Uint8Array;
beforeAll(() => {
  rec = writeLoRaWANRecording(dir);
  bytes = readFileSync(rec.path);
  const iq = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  cu8 = writeIq(iq, "cu8", { scale: 0.4 }).bytes;
  writeFileSync(join(dir, "lorawan.cu8"), cu8);
});

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
});

/** Collects a child's output; `until(pred)` resolves when the collected stdout/stderr satisfies pred (or rejects after ms). */
function watch(child: ChildProcess) {
  children.push(child);
  const out = { stdout: "", stderr: "", status: undefined as number | null | undefined };
  const waiters: (() => void)[] = [];
  const poke = () => waiters.splice(0).forEach((w) => w());
  child.stdin!.on("error", () => {}); // EPIPE when the child stops reading first (--duration)
  child.stdout!.setEncoding("utf8").on("data", (s: string) => ((out.stdout += s), poke()));
  child.stderr!.setEncoding("utf8").on("data", (s: string) => ((out.stderr += s), poke()));
  const closed = new Promise<number | null>((r) => child.on("close", (code) => ((out.status = code), poke(), r(code))));
  const until = (pred: () => boolean, ms = 20_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`timed out; stdout=${JSON.stringify(out.stdout.slice(-700))} stderr=${out.stderr.slice(-300)}`),
          ),
        ms,
      );
      const check = () => {
        if (pred()) {
          clearTimeout(timer);
          resolve();
        } else if (out.status !== undefined) {
          clearTimeout(timer);
          reject(new Error(`exited ${out.status} first; stderr=${out.stderr}`));
        } else waiters.push(check);
      };
      check();
    });
  return { out, until, closed };
}

const frameLines = (s: string) => s.split("\n").filter((l) => l.startsWith("{"));

describe("chirp decode - (standard input)", () => {
  it("prints each frame as it completes, before the input ends; all frames and a summary at EOF", async () => {
    const child = spawnChirp(["decode", "-", "--format", "cf32", ...rec.flags, "--json"]);
    const w = watch(child);
    // the first frame ends at sample ~17.9k: send 25k samples (of 66k) and wait for it
    child.stdin!.write(bytes.subarray(0, 25_000 * 8));
    await w.until(() => frameLines(w.out.stdout).length >= 1);
    expect(w.out.status).toBeUndefined(); // still running: stdin is open
    const first = JSON.parse(frameLines(w.out.stdout)[0]!);
    expect(first.payloadHex).toBe(rec.payloads[0]);
    expect(w.out.stdout.endsWith("\n")).toBe(true); // whole lines only
    child.stdin!.end(bytes.subarray(25_000 * 8));
    expect(await w.closed).toBe(0);
    expect(lines(w.out.stdout).map((f) => f.payloadHex)).toEqual(rec.payloads);
    expect(w.out.stderr).toMatch(/3 frame\(s\), 3 good, in 0\.26 s of stdin \(end of input\)/);
    expect(w.out.stderr).not.toMatch(/real time/); // no stats line when stderr is a pipe
  });

  it("a stream split at odd byte counts decodes the same (partial samples carried over)", async () => {
    const child = spawnChirp(["decode", "/dev/stdin", "--format", "cf32", ...rec.flags, "--json", "--quiet"]);
    const w = watch(child);
    for (let o = 0; o < bytes.length; o += 100_003)
      child.stdin!.write(bytes.subarray(o, Math.min(bytes.length, o + 100_003)));
    child.stdin!.end();
    expect(await w.closed).toBe(0);
    expect(lines(w.out.stdout).map((f) => f.payloadHex)).toEqual(rec.payloads);
    expect(w.out.stderr).toBe("");
  });

  it("Ctrl-C (SIGINT) stops cleanly: frames so far, flushed outputs, a summary, status 0", async () => {
    const child = spawnChirp(["decode", "-", "--format", "cf32", ...rec.flags, "--pcap", join(dir, "int.pcap")]);
    const w = watch(child);
    child.stdin!.write(bytes.subarray(0, 25_000 * 8));
    await w.until(() => /SF7\s+ok/.test(w.out.stdout));
    // the text line carries the confidence; a strong frame with a good CRC reads 1
    expect(w.out.stdout).toMatch(/SF7\s+ok\s+SNR\s+-?[\d.]+ dB {2}conf 1\.00 {2}\d+ B {2}[0-9a-f]+\n/);
    child.kill("SIGINT");
    expect(await w.closed).toBe(0);
    expect(w.out.stdout).toMatch(/1 frame\(s\), 1 good, in 0\.10 s of stdin \(stopped \(Ctrl-C\)\)/);
    expect(w.out.stderr).toMatch(/wrote 1 frame\(s\) to .*int\.pcap/);
    expect(readFileSync(join(dir, "int.pcap")).length).toBe(24 + 16 + 15 + rec.payloads[0]!.length / 2);
  });

  it("--duration S stops after S seconds of samples though the input stays open", async () => {
    const child = spawnChirp(["decode", "-", "--format", "cf32", ...rec.flags, "--json", "--duration", "0.1"]);
    const w = watch(child);
    child.stdin!.write(bytes);
    expect(await w.closed).toBe(0);
    const fs = lines(w.out.stdout);
    expect(fs[0]!.payloadHex).toBe(rec.payloads[0]);
    expect(fs.filter((f) => f.crcOk).length).toBe(1); // the second frame ends at 0.165 s
    expect(w.out.stderr).toMatch(/in 0\.10 s of stdin \(after --duration 0\.1 s\)/);
  });

  it("flags that need a file are refused for a stream, not ignored", () => {
    for (const flag of [["--annotate"], ["--appkey", "000102030405060708090a0b0c0d0e0f"]]) {
      const r = chirp(["decode", "-", "--format", "cf32", ...rec.flags, ...flag]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`${flag[0]} needs a recording file, not a stream`));
    }
  });

  it("a stream without --format or --rate is a clear error", () => {
    const r = chirp(["decode", "-", "--rate", "250k", "--sf", "7"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/give --format cf32\|cs16\|cs8\|cu8/);
    const r2 = chirp(["decode", "-", "--format", "cu8", "--sf", "7"]);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/sample rate of stdin is unknown; give --rate/);
  });
});

describe("FIFOs", () => {
  const fifo = join(dir, "radio.cf32");
  beforeAll(() => {
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
  });

  it("without a writer: says it is waiting (never silent); with one: decodes every frame (never 'empty')", async () => {
    const child = spawnChirp(["decode", fifo, ...rec.flags, "--json"]);
    const w = watch(child);
    await w.until(() => /waiting for a writer to open the FIFO .*radio\.cf32/.test(w.out.stderr), 10_000);
    expect(w.out.status).toBeUndefined();
    const writer = createWriteStream(fifo);
    writer.end(bytes);
    expect(await w.closed).toBe(0);
    expect(lines(w.out.stdout).map((f) => f.payloadHex)).toEqual(rec.payloads);
    expect(w.out.stderr).toMatch(/3 frame\(s\), 3 good, in 0\.26 s of .*radio\.cf32/);
  });

  it("Ctrl-C with an idle writer stops at once: the frames so far and the summary, status 0", async () => {
    const idle = join(dir, "idle.cf32");
    expect(spawnSync("mkfifo", [idle]).status).toBe(0);
    const child = spawnChirp(["decode", idle, ...rec.flags, "--json"]);
    const w = watch(child);
    const writer = createWriteStream(idle).on("error", () => {}); // EPIPE once the reader is gone
    writer.write(bytes.subarray(0, 25_000 * 8)); // and then nothing, the writer stays open
    await w.until(() => frameLines(w.out.stdout).length === 1);
    const t = Date.now();
    child.kill("SIGINT");
    expect(await w.closed).toBe(0);
    expect(Date.now() - t).toBeLessThan(5000);
    expect(w.out.stderr).toMatch(/1 frame\(s\), 1 good, in 0\.10 s of .*idle\.cf32 \(stopped \(Ctrl-C\)\)/);
    writer.destroy();
  });

  it("Ctrl-C while waiting for a writer ends the run at once (status 130)", async () => {
    const lonely = join(dir, "lonely.cf32");
    expect(spawnSync("mkfifo", [lonely]).status).toBe(0);
    const child = spawnChirp(["decode", lonely, ...rec.flags]);
    const w = watch(child);
    await w.until(() => /waiting for a writer/.test(w.out.stderr), 10_000);
    child.kill("SIGINT");
    expect(await w.closed).toBe(130);
  });

  const hasScript = spawnSync("script", ["--version"]).status === 0;
  it.runIf(hasScript)(
    "on a terminal (util-linux script), a stats line on stderr every 5 s; never in a pipe",
    async () => {
      const tty = join(dir, "tty.cf32");
      expect(spawnSync("mkfifo", [tty]).status).toBe(0);
      const cmd = [process.execPath, CHIRP_BIN, "decode", tty, ...rec.flags, "--json"].join(" ");
      const child = spawn("script", ["-qfec", cmd, "/dev/null"], { stdio: ["pipe", "pipe", "pipe"] });
      const w = watch(child);
      const writer = createWriteStream(tty);
      writer.write(bytes.subarray(0, 25_000 * 8));
      await w.until(
        () => /tty\.cf32: 0\.1 s of samples in 5 s \([\d.]+x real time\), 1 frame\(s\), 1 good/.test(w.out.stdout),
        15_000,
      );
      writer.end(bytes.subarray(25_000 * 8));
      expect(await w.closed).toBe(0);
      expect(w.out.stdout).toMatch(/3 frame\(s\), 3 good/);
    },
  );

  it("commands that need a file say that a FIFO is a pipe (no hang, no 0 samples)", () => {
    const r = chirp(["info", fifo, "--rate", "250k"], { timeout: 10_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/is a pipe or device, not a file: chirp decode streams it/);
  });
});

describe("samplesFromBytes", () => {
  it("carries partial samples across chunks, drops them at a fresh connection, stops at maxSamples", async () => {
    async function* chunks() {
      yield { bytes: new Uint8Array([1, 2, 3]), fresh: true };
      yield { bytes: new Uint8Array([4, 5]), fresh: false }; // 1,2 | 3,4 | 5 pending
      yield { bytes: new Uint8Array([9, 10, 11, 12]), fresh: true }; // 5 dropped
    }
    const got: number[][] = [];
    for await (const { view, first } of samplesFromBytes(chunks(), "cu8"))
      got.push([first, ...Array.from(view as Uint8Array)]);
    expect(got).toEqual([
      [0, 1, 2],
      [1, 3, 4],
      [2, 9, 10, 11, 12],
    ]);
    const capped: number[] = [];
    for await (const { view } of samplesFromBytes(chunks(), "cu8", 2)) capped.push(...Array.from(view as Uint8Array));
    expect(capped).toEqual([1, 2, 3, 4]);
  });
});

/** An rtl_tcp server on 127.0.0.1: sends the RTL0 header, records the 5-byte commands, replays cu8 bytes;
 * `dropAt` closes the first connection after that many bytes (the next connection sends the rest). */
async function rtlTcpServer(data: Uint8Array, o: { dropAt?: number; magic?: string } = {}) {
  const connections: { commands: [number, number][] }[] = [];
  let sent = 0;
  const server: Server = createServer((sock: Socket) => {
    const conn = { commands: [] as [number, number][] };
    connections.push(conn);
    let pending = Buffer.alloc(0);
    let started = false;
    sock.on("data", (b: Buffer) => {
      pending = Buffer.concat([pending, b]);
      while (pending.length >= 5) {
        conn.commands.push([pending[0]!, pending.readUInt32BE(1)]);
        pending = pending.subarray(5);
      }
      // stream once the client has configured rate and frequency
      if (!started && conn.commands.some((c) => c[0] === 0x02) && conn.commands.some((c) => c[0] === 0x01)) {
        started = true;
        const end = connections.length === 1 && o.dropAt !== undefined ? o.dropAt : data.length;
        const part = data.subarray(sent, end);
        sent = end;
        sock.write(part, () => {
          // end (FIN), not destroy: closing with the client's later commands unread would send a
          // RST, and the client's kernel would discard the samples it has not read yet
          if (connections.length === 1 && o.dropAt !== undefined) sock.end();
        });
      }
    });
    sock.on("error", () => {});
    const h = Buffer.alloc(12);
    h.write(o.magic ?? "RTL0", 0, "latin1");
    h.writeUInt32BE(5, 4); // R820T
    h.writeUInt32BE(29, 8);
    sock.write(h);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  return { port, connections, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe("chirp decode rtl-tcp://HOST:PORT", () => {
  it("sends rate, frequency, gain mode and gain; decodes the replayed stream; reconnects after a drop", async () => {
    // drop the first connection between the first and second frame (the frames' end samples + margin)
    const srv = await rtlTcpServer(cu8, { dropAt: 20_000 * 2 });
    try {
      const seconds = cu8.length / 2 / rec.sampleRate;
      const r = await chirpAsync(
        [
          "decode",
          `rtl-tcp://127.0.0.1:${srv.port}`,
          "--center",
          "868.1M",
          "--rate",
          "250k",
          "--gain",
          "40.2",
          "--sf",
          "7",
          "--sync",
          "0x34",
          "--json",
          "--duration",
          String(seconds),
        ],
        { timeout: 30_000 },
      );
      expect(r.status).toBe(0);
      expect(lines(r.stdout).map((f) => f.payloadHex)).toEqual(rec.payloads);
      expect(srv.connections).toHaveLength(2);
      for (const c of srv.connections) {
        expect(c.commands).toEqual([
          [0x02, 250_000],
          [0x01, 868_100_000],
          [0x03, 1],
          [0x04, 402],
        ]);
      }
      expect(r.stderr).toMatch(/rtl_tcp 127\.0\.0\.1:\d+: tuner R820T, 29 gain steps/);
      expect(r.stderr).toMatch(/connection dropped; reconnecting \(attempt 1\)/);
      expect(r.stderr).toMatch(/3 frame\(s\), 3 good, in 0\.26 s of rtl-tcp/);
    } finally {
      await srv.close();
    }
  });

  it("automatic gain without --gain; a server that is not rtl_tcp, or none, is a clear error", async () => {
    const srv = await rtlTcpServer(cu8.subarray(0, 2000));
    const r = await chirpAsync(
      [
        "decode",
        `rtl-tcp://127.0.0.1:${srv.port}`,
        "--center",
        "868.1M",
        "--rate",
        "250k",
        "--sf",
        "7",
        "--duration",
        "0.004",
        "--quiet",
      ],
      { timeout: 30_000 },
    );
    expect(r.status).toBe(0);
    expect(srv.connections[0]!.commands).toEqual([
      [0x02, 250_000],
      [0x01, 868_100_000],
      [0x03, 0],
    ]);
    await srv.close();
    const fake = await rtlTcpServer(cu8, { magic: "HTTP" });
    const f = await chirpAsync(
      ["decode", `rtl-tcp://127.0.0.1:${fake.port}`, "--center", "868.1M", "--rate", "250k", "--sf", "7"],
      { timeout: 30_000 },
    );
    expect(f.status).toBe(2);
    expect(f.stderr).toMatch(/not an rtl_tcp server/);
    await fake.close();
    const none = await chirpAsync(
      ["decode", `rtl-tcp://127.0.0.1:${fake.port}`, "--center", "868.1M", "--rate", "250k", "--sf", "7"],
      { timeout: 30_000 },
    );
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/cannot connect to rtl_tcp at 127\.0\.0\.1:\d+/);
    const noCenter = chirp(["decode", "rtl-tcp://127.0.0.1:1234", "--rate", "250k", "--sf", "7"]);
    expect(noCenter.status).toBe(2);
    expect(noCenter.stderr).toMatch(/--center F is required with rtl-tcp/);
  });

  it("commands are 5 bytes, big-endian parameter; URLs are checked", () => {
    expect(Array.from(rtlTcpCommand(0x01, 868_100_000))).toEqual([1, 0x33, 0xbe, 0x27, 0xa0]);
    expect(parseRtlTcpUrl("rtl-tcp://localhost")).toEqual({ host: "localhost", port: 1234 });
    expect(() => parseRtlTcpUrl("rtl-tcp://x:99999")).toThrow(ChirpError);
  });
});
