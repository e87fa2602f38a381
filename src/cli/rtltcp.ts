// A client of rtl_tcp (osmocom rtl-sdr's IQ server), for `chirp decode rtl-tcp://HOST:PORT`.
//
// On connect the server sends a 12-byte dongle_info_t: "RTL0", tuner type (u32), tuner gain count
// (u32), big-endian. The client sends 5-byte commands, an identifier byte and a big-endian u32
// parameter (rtl_tcp.c command handler): 0x01 centre frequency (Hz), 0x02 sample rate (Hz),
// 0x03 tuner gain mode (librtlsdr rtlsdr_set_tuner_gain_mode: 0 automatic, 1 manual), 0x04 tuner
// gain (tenths of a dB), 0x05 frequency correction (ppm), 0x08 RTL AGC. The server then streams
// unsigned 8-bit interleaved I/Q (cu8) without framing.
import { createConnection, type Socket } from "node:net";
import { ChirpError, badParameter } from "../errors.js";

export const RTL_TCP_MAGIC = "RTL0";
export const CMD_FREQUENCY = 0x01;
export const CMD_SAMPLE_RATE = 0x02;
export const CMD_GAIN_MODE = 0x03;
export const CMD_GAIN = 0x04;
export const CMD_FREQ_CORRECTION = 0x05;
/** Names of the tuner types of librtlsdr's enum rtlsdr_tuner (index = value). */
export const TUNERS = ["unknown", "E4000", "FC0012", "FC0013", "FC2580", "R820T", "R828D"];

export interface RtlTcpOptions {
  host: string;
  port: number;
  centerFrequency: number;
  sampleRate: number;
  /** Tuner gain in dB (manual gain); undefined: automatic gain. */
  gainDb?: number;
  /** Frequency correction, ppm. */
  ppm?: number;
  /** Reconnection attempts after a dropped connection (default 10). */
  reconnects?: number;
  /** Called with a line for stderr (connects, drops, reconnects). */
  log?: (line: string) => void;
}

/** A chunk of cu8 bytes; `fresh` on the first chunk of each connection (a partial sample before it is void). */
export interface ByteChunk {
  bytes: Uint8Array;
  fresh: boolean;
}

export function parseRtlTcpUrl(raw: string): { host: string; port: number } {
  const m = /^rtl-tcp:\/\/(\[[0-9a-fA-F:.]+\]|[^:/[\]]+)(?::(\d{1,5}))?\/?$/.exec(raw);
  const port = m ? Number(m[2] ?? 1234) : NaN;
  if (!m || !(port >= 1 && port <= 65535))
    badParameter("source", raw, "rtl-tcp://HOST:PORT, e.g. rtl-tcp://127.0.0.1:1234 (rtl_tcp's default port)");
  return { host: m[1]!.replace(/^\[|\]$/g, ""), port };
}

/** One 5-byte command. */
export function rtlTcpCommand(cmd: number, param: number): Uint8Array {
  const b = new Uint8Array(5);
  b[0] = cmd;
  new DataView(b.buffer).setUint32(1, param >>> 0, false);
  return b;
}

/** The commands sent after each connect: sample rate, frequency, gain mode (and gain), correction. */
export function setupCommands(
  o: Pick<RtlTcpOptions, "centerFrequency" | "sampleRate" | "gainDb" | "ppm">,
): Uint8Array[] {
  const cmds = [
    rtlTcpCommand(CMD_SAMPLE_RATE, Math.round(o.sampleRate)),
    rtlTcpCommand(CMD_FREQUENCY, Math.round(o.centerFrequency)),
  ];
  if (o.gainDb === undefined) cmds.push(rtlTcpCommand(CMD_GAIN_MODE, 0));
  else cmds.push(rtlTcpCommand(CMD_GAIN_MODE, 1), rtlTcpCommand(CMD_GAIN, Math.round(o.gainDb * 10)));
  if (o.ppm !== undefined && o.ppm !== 0) cmds.push(rtlTcpCommand(CMD_FREQ_CORRECTION, Math.round(o.ppm)));
  return cmds;
}

export function checkRtlTcpOptions(o: RtlTcpOptions): void {
  if (!(o.centerFrequency > 0 && o.centerFrequency < 2 ** 32))
    badParameter("--center", o.centerFrequency, "the tuner frequency in Hz (rtl_tcp needs it), 1 .. 4294967295");
  if (!(o.sampleRate > 0 && o.sampleRate < 2 ** 32))
    badParameter("--rate", o.sampleRate, "the sample rate in Hz (e.g. 1.024M; RTL-SDRs do 0.225-0.3 and 0.9-3.2 MS/s)");
  if (o.gainDb !== undefined && !(o.gainDb >= 0 && o.gainDb <= 100))
    badParameter("--gain", o.gainDb, "a tuner gain in dB, 0..100 (e.g. 40)");
}

/** A connected stream of the server's bytes after the 12-byte header. */
class Connection {
  private queue: Uint8Array[] = [];
  private waiter: (() => void) | undefined;
  ended = false;
  error: Error | undefined;
  header: { tuner: number; gains: number } | undefined;
  private pending = new Uint8Array(0);

  constructor(readonly sock: Socket) {
    sock.on("data", (b: Buffer) => {
      if (!this.header) {
        const all = new Uint8Array(this.pending.length + b.length);
        all.set(this.pending);
        all.set(b, this.pending.length);
        if (all.length < 12) {
          this.pending = all;
          return;
        }
        const magic = new TextDecoder().decode(all.subarray(0, 4));
        if (magic !== RTL_TCP_MAGIC) {
          this.error = new Error(`not an rtl_tcp server: the first 4 bytes are ${JSON.stringify(magic)}, not "RTL0"`);
          sock.destroy();
          return this.wake();
        }
        const dv = new DataView(all.buffer, all.byteOffset, 12);
        this.header = { tuner: dv.getUint32(4, false), gains: dv.getUint32(8, false) };
        if (all.length > 12) this.queue.push(all.slice(12));
      } else this.queue.push(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
      this.wake();
    });
    sock.on("error", (e) => {
      this.error ??= e;
      this.wake();
    });
    sock.on("close", () => {
      this.ended = true;
      this.wake();
    });
  }

  private wake() {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  /** The next chunk; undefined when the connection has ended (and nothing is left). */
  async next(): Promise<Uint8Array | undefined> {
    while (this.queue.length === 0 && !this.ended) await new Promise<void>((r) => (this.waiter = r));
    return this.queue.shift();
  }

  /** Waits for the header (or the end). */
  async ready(): Promise<void> {
    while (!this.header && !this.ended && !this.error) await new Promise<void>((r) => (this.waiter = r));
  }
}

function connect(host: string, port: number): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const sock = createConnection({ host, port });
    const fail = (e: Error) => reject(e);
    sock.once("error", fail);
    sock.once("connect", () => {
      sock.off("error", fail);
      sock.setNoDelay(true);
      resolve(new Connection(sock));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Streams cu8 bytes from rtl_tcp. A dropped connection is re-established (backoff 0.25 s doubling to
 * 4 s, `reconnects` attempts) and the setup commands sent again. stop() ends the stream.
 */
export function rtlTcpSource(o: RtlTcpOptions): { chunks: AsyncGenerator<ByteChunk>; stop(): void } {
  checkRtlTcpOptions(o);
  let stopped = false;
  let current: Connection | undefined;
  const log = o.log ?? (() => {});
  const where = `${o.host}:${o.port}`;
  async function open(): Promise<Connection> {
    const c = await connect(o.host, o.port);
    await c.ready();
    if (c.error) throw c.error;
    if (!c.header) throw new Error("the server closed the connection before sending its 12-byte header");
    for (const cmd of setupCommands(o)) c.sock.write(cmd);
    return c;
  }
  async function* chunks(): AsyncGenerator<ByteChunk> {
    try {
      current = await open();
    } catch (e) {
      throw new ChirpError("IO_ERROR", `cannot connect to rtl_tcp at ${where}: ${(e as Error).message}`, {
        parameter: "source",
      });
    }
    const h = current.header!;
    log(
      `rtl_tcp ${where}: tuner ${TUNERS[h.tuner] ?? h.tuner}, ${h.gains} gain steps; ${o.centerFrequency} Hz, ${o.sampleRate} S/s, gain ${o.gainDb === undefined ? "auto" : `${o.gainDb} dB`}`,
    );
    let fresh = true;
    while (!stopped) {
      const b = await current.next();
      if (b) {
        yield { bytes: b, fresh };
        fresh = false;
        continue;
      }
      if (stopped) break;
      // dropped: reconnect with backoff
      const why = current.error ? `: ${current.error.message}` : "";
      let attempt = 0;
      let next: Connection | undefined;
      while (!stopped && !next && attempt < (o.reconnects ?? 10)) {
        attempt++;
        await sleep(Math.min(4000, 250 * 2 ** (attempt - 1)));
        if (stopped) break;
        log(`rtl_tcp ${where}: connection dropped${attempt === 1 ? why : ""}; reconnecting (attempt ${attempt})`);
        try {
          next = await open();
        } catch {
          next = undefined;
        }
      }
      if (!next) {
        if (!stopped)
          throw new ChirpError(
            "IO_ERROR",
            `rtl_tcp at ${where}: connection lost and ${attempt} reconnection attempt(s) failed`,
            { parameter: "source" },
          );
        break;
      }
      current = next;
      fresh = true;
    }
    current?.sock.destroy();
  }
  return {
    chunks: chunks(),
    stop() {
      stopped = true;
      current?.sock.destroy();
    },
  };
}
