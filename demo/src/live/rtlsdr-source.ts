// A live RTL-SDR over WebUSB as an IqSource: asks the browser for an RTL2832U dongle
// (navigator.usb.requestDevice, from a click), configures it with the demo's driver
// (../usb/rtl2832u.ts) and keeps a few bulk transfers in flight so that the dongle's FIFO is
// drained while earlier chunks are handed on.
import { RTL2832U_FILTERS, RtlSdr, type UsbDeviceLike } from "../usb/rtl2832u.js";
import { CHUNK_BYTES, type IqSource, type IqSourceInfo } from "./iq-source.js";

/** Bulk transfers kept queued on the endpoint. */
const IN_FLIGHT = 4;

export interface RtlSdrRequest {
  centerFrequency: number;
  sampleRate: number;
  gainDb: number | null;
}

/** navigator.usb, as far as it is used here (TypeScript's DOM library has no WebUSB types). */
interface WebUsb {
  requestDevice(options: { filters: { vendorId: number; productId: number }[] }): Promise<UsbDeviceLike>;
}
const webUsb = (): WebUsb | undefined => (navigator as unknown as { usb?: WebUsb }).usb;

/** Whether this browser has WebUSB at all (Chromium-based browsers, on https or localhost). */
export function hasWebUsb(): boolean {
  return typeof navigator !== "undefined" && !!webUsb();
}

export class RtlSdrSource implements IqSource {
  private sdr: RtlSdr | null = null;
  private stopped = false;
  constructor(private readonly want: RtlSdrRequest) {}

  async open(): Promise<IqSourceInfo> {
    if (!hasWebUsb())
      throw new Error("This browser has no WebUSB (use Chrome, Edge or Chromium, on https:// or localhost)");
    const dev = await webUsb()!.requestDevice({ filters: [...RTL2832U_FILTERS] });
    this.sdr = await RtlSdr.open(dev);
    const got = await this.sdr.configure(this.want);
    return { label: "RTL-SDR (RTL2832U + R820T)", ...got };
  }

  async *chunks(): AsyncGenerator<Uint8Array> {
    const sdr = this.sdr;
    if (!sdr) throw new Error("RtlSdrSource: open() first");
    const queue: Promise<Uint8Array>[] = [];
    try {
      while (!this.stopped) {
        while (queue.length < IN_FLIGHT) queue.push(sdr.read(CHUNK_BYTES));
        const bytes = await queue.shift()!;
        if (this.stopped) break;
        // a transfer ends on a whole packet, but keep whole samples anyway
        yield bytes.length % 2 ? bytes.subarray(0, bytes.length - 1) : bytes;
      }
    } catch (e) {
      if (!this.stopped) throw e;
    } finally {
      // transfers still queued fail once the device closes; nothing waits for them
      for (const q of queue) q.catch(() => {});
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const sdr = this.sdr;
    this.sdr = null;
    if (sdr) await sdr.close();
  }
}
