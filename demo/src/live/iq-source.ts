// Where live samples come from: an IqSource hands out chunks of unsigned 8-bit I/Q (cu8, as RTL-SDR
// dongles send them) until it ends or is stopped. Two sources: a WebUSB RTL-SDR
// (rtlsdr-source.ts) and the replay of a cu8 recording at its real pace (below), which runs the
// same pipeline without a radio.

export interface IqSourceInfo {
  /** What the page shows: "RTL-SDR (R820T)", "replay of x.cu8". */
  label: string;
  /** The rate the samples really come at, S/s. */
  sampleRate: number;
  /** Tuned centre frequency, Hz (null: unknown, e.g. a raw replay). */
  centerFrequency: number | null;
  /** Tuner gain, dB (null: automatic or unknown). */
  gainDb: number | null;
}

export interface IqSource {
  /** Opens the source (device, file) and says what it delivers. */
  open(): Promise<IqSourceInfo>;
  /** cu8 chunks (I, Q, I, Q ...; whole samples) until the source ends or stop() is called. */
  chunks(): AsyncGenerator<Uint8Array>;
  /** Stops the chunks at the next boundary and releases the device or file. */
  stop(): Promise<void>;
}

/** Bytes per chunk: 64 k samples (librtlsdr's default transfer is 128 k samples). */
export const CHUNK_BYTES = 1 << 17;

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** A cu8 recording replayed in CHUNK_BYTES pieces, paced to its sample rate unless `realTime` is false. */
export class ReplaySource implements IqSource {
  private stopped = false;
  constructor(
    private readonly blob: Blob,
    private readonly name: string,
    private readonly sampleRate: number,
    private readonly realTime = true,
  ) {}

  async open(): Promise<IqSourceInfo> {
    if (!(this.sampleRate > 0)) throw new Error("Replay: give the recording's sample rate");
    if (this.blob.size < 2) throw new Error(`Replay: ${this.name} holds no samples`);
    return { label: `replay of ${this.name}`, sampleRate: this.sampleRate, centerFrequency: null, gainDb: null };
  }

  async *chunks(): AsyncGenerator<Uint8Array> {
    const t0 = performance.now();
    const end = this.blob.size - (this.blob.size % 2);
    for (let o = 0; o < end && !this.stopped; o += CHUNK_BYTES) {
      const bytes = new Uint8Array(await this.blob.slice(o, Math.min(end, o + CHUNK_BYTES)).arrayBuffer());
      if (this.realTime) {
        const due = ((o + bytes.length) / 2 / this.sampleRate) * 1000;
        const wait = due - (performance.now() - t0);
        if (wait > 0) await sleep(wait);
      }
      if (this.stopped) break;
      yield bytes;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }
}
