// A fake RTL-SDR (RTL2832U + R820T) behind a WebUSB-shaped device object, for the driver's tests
// in Node and in Chromium (where it is installed as navigator.usb before the page loads). It
// decodes every control transfer into the register it writes (demodulator page:address, USB/SYS
// block registers, tuner registers via I2C), answers the reads the driver makes (tuner ID 0x69,
// PLL locked, VCO fine-tune nominal; all bit-reversed as the R820T sends them) and serves bulk
// transfers from `serve`. makeFakeRtlSdr is self-contained (no imports, no outer names) so that its
// source can be sent into the page as an init script.

import type { UsbDeviceLike } from "../demo/src/usb/rtl2832u.js";

export interface FakeRtlSdr extends UsbDeviceLike {
  opened: boolean;
  configuration: unknown;
  claimed: boolean;
  closed: boolean;
  /** Every control transfer, in order. */
  log: { dir: "out" | "in"; value: number; index: number; bytes: number[] }[];
  /** Demodulator registers by "page:address" (hex address), big-endian value of the last write. */
  demod: Record<string, number>;
  /** USB/SYS block registers by "block:address" (hex), bytes of the last write. */
  blocks: Record<string, number[]>;
  /** Tuner registers 0..31 as last written over I2C. */
  tuner: number[];
  /** Tuner writes in order: [register, value]. */
  tunerWrites: number[][];
  /** Problems seen (I2C while the repeater is off, transfers on a closed device...). */
  errors: string[];
  bulkReads: number;
  bulkBytes: number;
}

export function makeFakeRtlSdr(
  serve: (length: number) => Promise<Uint8Array>,
  options: { tunerId?: number } = {},
): FakeRtlSdr {
  const rev = (b: number) => {
    let r = 0;
    for (let i = 0; i < 8; i++) if (b & (1 << i)) r |= 1 << (7 - i);
    return r;
  };
  const hex = (n: number) => n.toString(16);
  const bytesOf = (data?: Uint8Array): number[] => (data ? Array.from(data) : []);
  let i2cRepeater = false;
  let i2cPointer = 0;
  const dev: FakeRtlSdr = {
    opened: false,
    configuration: null,
    claimed: false,
    closed: false,
    log: [],
    demod: {},
    blocks: {},
    tuner: new Array(32).fill(0),
    tunerWrites: [],
    errors: [],
    bulkReads: 0,
    bulkBytes: 0,
    async open() {
      dev.opened = true;
    },
    async close() {
      dev.opened = false;
      dev.closed = true;
    },
    async selectConfiguration(n: number) {
      dev.configuration = { configurationValue: n };
    },
    async claimInterface(n: number) {
      if (!dev.opened) dev.errors.push(`claimInterface(${n}) on a closed device`);
      dev.claimed = true;
    },
    async releaseInterface() {
      dev.claimed = false;
    },
    async controlTransferOut(setup, data) {
      const bytes = bytesOf(data);
      dev.log.push({ dir: "out", value: setup.value, index: setup.index, bytes });
      if (!dev.opened || !dev.claimed) dev.errors.push("control transfer before open + claimInterface");
      if (setup.requestType !== "vendor" || setup.recipient !== "device" || setup.request !== 0)
        dev.errors.push(`unexpected setup ${JSON.stringify(setup)}`);
      if (!(setup.index & 0x10)) dev.errors.push(`write without the write flag: index 0x${hex(setup.index)}`);
      const block = setup.index >> 8;
      if (block === 0) {
        // demodulator: value = (address << 8) | 0x20, index = 0x10 | page
        const page = setup.index & 0x0f;
        const addr = setup.value >> 8;
        const v = bytes.reduce((a, b) => a * 256 + b, 0);
        dev.demod[`${page}:${hex(addr)}`] = v;
        if (page === 1 && addr === 0x01) i2cRepeater = v === 0x18;
      } else if (block === 6) {
        if (!i2cRepeater) dev.errors.push("I2C write while the I2C repeater is off");
        if (setup.value !== 0x34) dev.errors.push(`I2C write to address 0x${hex(setup.value)}`);
        if (bytes.length > 8) dev.errors.push(`I2C message of ${bytes.length} bytes (the RTL2832U carries 8)`);
        i2cPointer = bytes[0]!;
        for (let i = 1; i < bytes.length; i++) {
          dev.tuner[bytes[0]! + i - 1] = bytes[i]!;
          dev.tunerWrites.push([bytes[0]! + i - 1, bytes[i]!]);
        }
      } else dev.blocks[`${block}:${hex(setup.value)}`] = bytes;
      return { status: "ok", bytesWritten: bytes.length } as const;
    },
    async controlTransferIn(setup, length) {
      dev.log.push({ dir: "in", value: setup.value, index: setup.index, bytes: [] });
      const out = new Uint8Array(length);
      const block = setup.index >> 8;
      if (block === 6) {
        if (!i2cRepeater) dev.errors.push("I2C read while the I2C repeater is off");
        if (i2cPointer !== 0) dev.errors.push(`I2C read from register ${i2cPointer} (the R820T reads from 0)`);
        // raw status bytes: 0 = chip ID (read raw by the probe), 2 bit 6 = PLL locked, 4 bits 5..4 = VCO fine tune 2
        const status = [options.tunerId ?? 0x69, 0x00, rev(0x40), 0x00, rev(0x20)];
        for (let i = 0; i < length; i++) out[i] = status[i] ?? 0;
      }
      return { status: "ok", data: new DataView(out.buffer) } as const;
    },
    async transferIn(endpoint, length) {
      if (endpoint !== 1) dev.errors.push(`bulk read from endpoint ${endpoint}`);
      if (!dev.opened) throw new DOMException("The device was closed.", "InvalidStateError");
      const data = await serve(length);
      dev.bulkReads++;
      dev.bulkBytes += data.length;
      return { status: "ok", data: new DataView(data.buffer, data.byteOffset, data.byteLength) } as const;
    },
  };
  return dev;
}
