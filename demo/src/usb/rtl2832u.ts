// A minimal WebUSB driver for RTL-SDR dongles (Realtek RTL2832U with an R820T/R820T2 tuner): the
// USB control transfers that reach the chip's register blocks, the demodulator's init for SDR
// mode, sample rate, centre frequency and gain, and bulk reads of unsigned 8-bit I/Q. Register
// addresses, values and formulas are facts of librtlsdr (librtlsdr.c) and Google's radioreceiver
// (rtl2832u.js, rtlcom.js), written anew here.
import { R820T, R820T_IF_HZ, type I2cBus } from "./r820t.js";

/** USB ids of RTL2832U dongles (generic RTL2832U, and the 2838 ids most sticks use). */
export const RTL2832U_FILTERS: readonly { vendorId: number; productId: number }[] = [
  { vendorId: 0x0bda, productId: 0x2838 },
  { vendorId: 0x0bda, productId: 0x2832 },
];

/** The RTL2832U's reference crystal, Hz. */
export const RTL_XTAL_HZ = 28_800_000;

/** Register blocks of the RTL2832U (the high byte of a control transfer's index). */
export const BLOCK = { demod: 0, usb: 1, sys: 2, tuner: 3, rom: 4, ir: 5, i2c: 6 } as const;
/** Registers of the USB and SYS blocks. */
export const REG = {
  usbSysctl: 0x2000,
  usbEpaCtl: 0x2148,
  usbEpaMaxpkt: 0x2158,
  demodCtl: 0x3000,
  demodCtl1: 0x300b,
} as const;

/** The bulk IN endpoint carrying the samples. */
const BULK_ENDPOINT = 1;

/** WebUSB's control transfer setup (USBControlTransferParameters), as far as the driver uses it. */
export interface UsbControlSetup {
  requestType: "standard" | "class" | "vendor";
  recipient: "device" | "interface" | "endpoint" | "other";
  request: number;
  value: number;
  index: number;
}
export interface UsbInResult {
  status: "ok" | "stall" | "babble";
  data?: DataView;
}
export interface UsbOutResult {
  status: "ok" | "stall";
  bytesWritten: number;
}

/** The subset of WebUSB's USBDevice the driver uses (a fake in the tests implements the same). */
export interface UsbDeviceLike {
  readonly opened: boolean;
  readonly configuration: unknown;
  open(): Promise<void>;
  close(): Promise<void>;
  selectConfiguration(n: number): Promise<void>;
  claimInterface(n: number): Promise<void>;
  releaseInterface(n: number): Promise<void>;
  controlTransferOut(setup: UsbControlSetup, data?: Uint8Array): Promise<UsbOutResult>;
  controlTransferIn(setup: UsbControlSetup, length: number): Promise<UsbInResult>;
  transferIn(endpoint: number, length: number): Promise<UsbInResult>;
}

/**
 * The resampler ratio register value for `rate` S/s: xtal x 2^22 / rate with the two low bits
 * cleared, and the rate it gives. Rates outside 225001..300000 and 900001..3200000 are refused
 * (the ranges librtlsdr accepts).
 */
export function sampleRateRatio(rate: number, xtalHz = RTL_XTAL_HZ): { ratio: number; actualRate: number } {
  if (!(rate > 225_000 && rate <= 3_200_000) || (rate > 300_000 && rate <= 900_000))
    throw new RangeError(`an RTL2832U samples at 225001..300000 or 900001..3200000 S/s, not ${rate}`);
  const ratio = Number((BigInt(Math.round(xtalHz)) << 22n) / BigInt(Math.round(rate))) & 0x0ffffffc;
  const effective = ratio | ((ratio & 0x08000000) << 1);
  return { ratio, actualRate: (xtalHz * 2 ** 22) / effective };
}

/** Demodulator registers 0x19..0x1b (page 1) that shift the tuner's IF to zero: -IF x 2^22 / xtal, 22 bits. */
export function ifFrequencyBytes(ifHz: number, xtalHz = RTL_XTAL_HZ): [number, number, number] {
  const v = -Math.floor((ifHz * 2 ** 22) / xtalHz);
  return [(v >> 16) & 0x3f, (v >> 8) & 0xff, v & 0xff];
}

/**
 * The demodulator's default low-pass FIR as its 20 register bytes (0x1c..0x2f, page 1): eight
 * 8-bit coefficients, then eight 12-bit ones packed two in three bytes.
 */
export const FIR_DEFAULT: readonly number[] = [
  -54, -36, -41, -40, -32, -14, 14, 53, 101, 156, 215, 273, 327, 372, 404, 421,
];
export function firBytes(fir: readonly number[] = FIR_DEFAULT): Uint8Array {
  const out = new Uint8Array(20);
  for (let i = 0; i < 8; i++) out[i] = fir[i]! & 0xff;
  for (let i = 0; i < 8; i += 2) {
    const a = fir[8 + i]! & 0xfff;
    const b = fir[9 + i]! & 0xfff;
    const o = 8 + (i / 2) * 3;
    out[o] = a >> 4;
    out[o + 1] = ((a << 4) | (b >> 8)) & 0xff;
    out[o + 2] = b & 0xff;
  }
  return out;
}

/** Big-endian bytes of `value` in `length` bytes. */
const be = (value: number, length: number) => {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (value >> (8 * (length - 1 - i))) & 0xff;
  return out;
};

export interface RtlSdrSettings {
  centerFrequency: number;
  sampleRate: number;
  /** Manual tuner gain in dB, or null for automatic gain. */
  gainDb: number | null;
}

export class RtlSdr {
  private tuner!: R820T;
  /** The tuner's reference: the same crystal (no ppm correction is applied). */
  private readonly xtalHz = RTL_XTAL_HZ;
  private constructor(private readonly dev: UsbDeviceLike) {}

  /** Opens the device, initialises the demodulator and the tuner (an R820T/R820T2 or it throws). */
  static async open(dev: UsbDeviceLike): Promise<RtlSdr> {
    const r = new RtlSdr(dev);
    if (!dev.opened) await dev.open();
    if (dev.configuration === null || dev.configuration === undefined) await dev.selectConfiguration(1);
    try {
      await dev.claimInterface(0);
    } catch (e) {
      // on Linux the DVB-T kernel driver holds the dongle unless it is unloaded (as for librtlsdr)
      throw new Error(
        `the dongle's USB interface is busy (${e instanceof Error ? e.message : String(e)}); on Linux unload the DVB-T driver first: sudo rmmod dvb_usb_rtl28xxu`,
      );
    }
    await r.init();
    return r;
  }

  private async writeReg(block: number, addr: number, bytes: Uint8Array): Promise<void> {
    const res = await this.dev.controlTransferOut(
      { requestType: "vendor", recipient: "device", request: 0, value: addr, index: (block << 8) | 0x10 },
      bytes,
    );
    if (res.status !== "ok")
      throw new Error(`USB write to block ${block} register 0x${addr.toString(16)}: ${res.status}`);
  }

  private async readReg(block: number, addr: number, length: number): Promise<Uint8Array> {
    const res = await this.dev.controlTransferIn(
      { requestType: "vendor", recipient: "device", request: 0, value: addr, index: block << 8 },
      length,
    );
    if (res.status !== "ok" || !res.data)
      throw new Error(`USB read of block ${block} register 0x${addr.toString(16)}: ${res.status}`);
    return new Uint8Array(res.data.buffer, res.data.byteOffset, res.data.byteLength);
  }

  /** A demodulator register write (page, address), followed by the dummy read librtlsdr does. */
  private async demod(page: number, addr: number, value: number, length = 1): Promise<void> {
    const res = await this.dev.controlTransferOut(
      { requestType: "vendor", recipient: "device", request: 0, value: (addr << 8) | 0x20, index: 0x10 | page },
      be(value, length),
    );
    if (res.status !== "ok") throw new Error(`USB write to demodulator ${page}:0x${addr.toString(16)}: ${res.status}`);
    await this.dev.controlTransferIn(
      { requestType: "vendor", recipient: "device", request: 0, value: (0x01 << 8) | 0x20, index: 0x0a },
      1,
    );
  }

  private readonly i2c: I2cBus = {
    write: (addr, bytes) => this.writeReg(BLOCK.i2c, addr, bytes),
    read: (addr, length) => this.readReg(BLOCK.i2c, addr, length),
  };

  private async withI2c<T>(f: () => Promise<T>): Promise<T> {
    await this.demod(1, 0x01, 0x18); // I2C repeater on
    try {
      return await f();
    } finally {
      await this.demod(1, 0x01, 0x10);
    }
  }

  private async resetDemod(): Promise<void> {
    await this.demod(1, 0x01, 0x14);
    await this.demod(1, 0x01, 0x10);
  }

  private async init(): Promise<void> {
    // USB block: init the endpoint (max packet 0x200, FIFO reset)
    await this.writeReg(BLOCK.usb, REG.usbSysctl, be(0x09, 1));
    await this.writeReg(BLOCK.usb, REG.usbEpaMaxpkt, be(0x0002, 2));
    await this.writeReg(BLOCK.usb, REG.usbEpaCtl, be(0x1002, 2));
    // power on the demodulator, ADCs on
    await this.writeReg(BLOCK.sys, REG.demodCtl1, be(0x22, 1));
    await this.writeReg(BLOCK.sys, REG.demodCtl, be(0xe8, 1));
    await this.resetDemod();
    await this.demod(1, 0x15, 0x00); // no spectrum inversion
    await this.demod(1, 0x16, 0x0000, 2); // no adjacent channel rejection
    for (let a = 0x16; a <= 0x1b; a++) await this.demod(1, a, 0x00); // DDC shift and IF frequency cleared
    const fir = firBytes();
    for (let i = 0; i < fir.length; i++) await this.demod(1, 0x1c + i, fir[i]!);
    await this.demod(0, 0x19, 0x05); // SDR mode
    await this.demod(1, 0x93, 0xf0); // FSM state-holding registers
    await this.demod(1, 0x94, 0x0f);
    await this.demod(1, 0x11, 0x00); // AGC off
    await this.demod(1, 0x04, 0x00); // RF and IF AGC loops off
    await this.demod(0, 0x61, 0x60); // PID filter off
    await this.demod(0, 0x06, 0x80); // default ADC I/Q path
    await this.demod(1, 0xb1, 0x1b); // zero-IF, DC cancellation, I/Q compensation
    await this.demod(0, 0x0d, 0x83); // no 4.096 MHz clock output on TP_CK0
    await this.withI2c(async () => {
      if (!(await R820T.probe(this.i2c)))
        throw new Error("this dongle's tuner is not an R820T/R820T2 (the only tuner this driver knows)");
      // R820T: low IF, in-phase ADC only, the IF shifted down in the demodulator, spectrum inverted
      await this.demod(1, 0xb1, 0x1a);
      await this.demod(0, 0x08, 0x4d);
      const [a, b, c] = ifFrequencyBytes(R820T_IF_HZ, this.xtalHz);
      await this.demod(1, 0x19, a);
      await this.demod(1, 0x1a, b);
      await this.demod(1, 0x1b, c);
      await this.demod(1, 0x15, 0x01);
      this.tuner = new R820T(this.i2c, this.xtalHz);
      await this.tuner.init();
    });
  }

  /** Sets the sample rate; returns the rate the resampler gives. */
  async setSampleRate(rate: number): Promise<number> {
    const { ratio, actualRate } = sampleRateRatio(rate, RTL_XTAL_HZ);
    await this.demod(1, 0x9f, (ratio >> 16) & 0xffff, 2);
    await this.demod(1, 0xa1, ratio & 0xffff, 2);
    await this.resetDemod();
    return actualRate;
  }

  /** Tunes to `hz`; returns the centre frequency the PLL reached. */
  async setCenterFrequency(hz: number): Promise<number> {
    const lo = await this.withI2c(() => this.tuner.setFrequency(hz + R820T_IF_HZ));
    return lo - R820T_IF_HZ;
  }

  /** Manual gain in dB (the next step up) or automatic (null); returns the gain set. */
  async setGain(db: number | null): Promise<number | null> {
    return this.withI2c(() => this.tuner.setGain(db));
  }

  async configure(s: RtlSdrSettings): Promise<{ sampleRate: number; centerFrequency: number; gainDb: number | null }> {
    const sampleRate = await this.setSampleRate(s.sampleRate);
    const centerFrequency = await this.setCenterFrequency(s.centerFrequency);
    const gainDb = await this.setGain(s.gainDb);
    await this.resetBuffer();
    return { sampleRate, centerFrequency, gainDb };
  }

  /** Empties the sample FIFO; call before reading. */
  async resetBuffer(): Promise<void> {
    await this.writeReg(BLOCK.usb, REG.usbEpaCtl, be(0x1002, 2));
    await this.writeReg(BLOCK.usb, REG.usbEpaCtl, be(0x0000, 2));
  }

  /** One bulk transfer of unsigned 8-bit I/Q (I, Q, I, Q ...), up to `bytes` long. */
  async read(bytes: number): Promise<Uint8Array> {
    const res = await this.dev.transferIn(BULK_ENDPOINT, bytes);
    if (res.status !== "ok" || !res.data) throw new Error(`USB bulk read: ${res.status}`);
    return new Uint8Array(res.data.buffer, res.data.byteOffset, res.data.byteLength);
  }

  async close(): Promise<void> {
    try {
      await this.dev.releaseInterface(0);
    } finally {
      await this.dev.close();
    }
  }

  /** The tuner's shadow registers 0x05..0x1f (for tests and diagnostics). */
  tunerRegisters(): Uint8Array {
    return this.tuner.registers();
  }
}
