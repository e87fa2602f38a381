// The demo's WebUSB RTL-SDR driver (demo/src/usb) in Node, against a fake RTL2832U + R820T that
// decodes each USB control transfer into the register it writes: the register maths (resampler
// ratio, IF shift, FIR packing, PLL, gain steps) against values worked out from librtlsdr's
// formulas, and the init/tune/gain sequence as registers. No hardware is involved anywhere.
import { describe, expect, it } from "vitest";
import { RtlSdr, firBytes, ifFrequencyBytes, sampleRateRatio } from "../demo/src/usb/rtl2832u.js";
import { R820T_INIT_REGS, bitReverse, muxFor, r820tGain, r820tPll } from "../demo/src/usb/r820t.js";
import { makeFakeRtlSdr } from "./fake-rtlsdr.js";

const XTAL = 28_800_000;

describe("RTL2832U / R820T register maths", () => {
  it("resampler ratio = xtal * 2^22 / rate with the low two bits cleared; the rate it gives", () => {
    // 28.8 MHz * 2^22 / 2.048 MHz = 58982400 exactly
    expect(sampleRateRatio(2_048_000)).toEqual({ ratio: 0x3840000, actualRate: 2_048_000 });
    // 120795955.2 -> 120795955 -> & ~3 = 120795952 = 0x7333330: 1000000.0265 S/s
    const r1 = sampleRateRatio(1_000_000);
    expect(r1.ratio).toBe(0x7333330);
    expect(r1.actualRate).toBeCloseTo(1_000_000.0265, 3);
    // 250 kS/s: ratio 0xccccccc has bit 27 set, which the chip reads as bit 28 too (librtlsdr)
    const r2 = sampleRateRatio(250_000);
    expect(r2.ratio).toBe(0xccccccc);
    expect(r2.actualRate).toBeCloseTo(250_000, 1);
    for (const bad of [225_000, 600_000, 900_000, 3_200_001, Number.NaN])
      expect(() => sampleRateRatio(bad)).toThrow(/225001\.\.300000 or 900001\.\.3200000/);
  });
  it("IF shift of 3.57 MHz: -floor(3.57e6 * 2^22 / 28.8e6) = -519918, 22 bits = 0x381112", () => {
    expect(ifFrequencyBytes(3_570_000)).toEqual([0x38, 0x11, 0x12]);
  });
  it("the default FIR packs into the 20 bytes librtlsdr and radioreceiver write to 0x1c..0x2f", () => {
    expect(Array.from(firBytes())).toEqual([
      0xca, 0xdc, 0xd7, 0xd8, 0xe0, 0xf2, 0x0e, 0x35, 0x06, 0x50, 0x9c, 0x0d, 0x71, 0x11, 0x14, 0x71, 0x74, 0x19, 0x41,
      0xa5,
    ]);
  });
  it("R820T PLL: 868.1 MHz + 3.57 MHz IF = LO 871.67 MHz, VCO x4 = 3486.68 MHz, nint 60, sdm 34907", () => {
    const p = r820tPll(871_670_000, XTAL);
    // 871670 kHz x 2 < 1770000 kHz <= x 4 < 3540000: mixDiv 4, divNum log2(4) - 1 = 1
    expect(p).toMatchObject({ mixDiv: 4, divNum: 1, nint: 60, sdm: 34907 });
    // 60 = 4 x 11 + 3 + 13: ni 11, si 3 -> 11 + (3 << 6) = 0xcb
    expect(p.reg14).toBe(0xcb);
    expect(Math.abs(p.actualHz - 871_670_000)).toBeLessThan(XTAL / 65536 / 2); // within half an SDM step
    // 433.92 MHz + IF: LO 437.49 MHz, x8 = 3499.92 MHz
    expect(r820tPll(437_490_000, XTAL)).toMatchObject({ mixDiv: 8, divNum: 2, nint: 60 });
    // a VCO fine-tune reading above/below nominal moves the divider register by one
    expect(r820tPll(871_670_000, XTAL, 3).divNum).toBe(0);
    expect(r820tPll(871_670_000, XTAL, 1).divNum).toBe(2);
    expect(() => r820tPll(2_000_000_000, XTAL)).toThrow(RangeError);
  });
  it("gain: LNA and mixer steps added alternately until the asked gain is reached", () => {
    // cumulative tenths: 9 14 27 37 77 87 125 144 157 166 197 207 229 254 280 297 | 328 (LNA step 9)
    expect(r820tGain(300)).toEqual({ lna: 9, mixer: 8, tenthsDb: 328 });
    expect(r820tGain(297)).toEqual({ lna: 8, mixer: 8, tenthsDb: 297 });
    expect(r820tGain(0)).toEqual({ lna: 0, mixer: 0, tenthsDb: 0 });
    expect(r820tGain(1000).lna).toBe(15);
    // the demo's gain choices are steps the tuner has: each is set exactly
    for (const db of [0, 8.7, 19.7, 29.7, 32.8, 40.2, 49.6])
      expect(r820tGain(Math.round(db * 10)).tenthsDb).toBe(Math.round(db * 10));
  });
  it("mux bands and the tuner's bit-reversed reads", () => {
    expect(muxFor(871_670_000)).toEqual({ openD: 0x00, rfMux: 0x40, tfC: 0x00 });
    expect(muxFor(100e6)).toEqual({ openD: 0x00, rfMux: 0x02, tfC: 0x34 });
    expect(bitReverse(0x02)).toBe(0x40);
    expect(bitReverse(0x96)).toBe(0x69);
  });
});

describe("RtlSdr driver against a fake RTL2832U + R820T", () => {
  const noise = async (n: number) => new Uint8Array(n).fill(128);
  it("init, then 868.1 MHz / 1 MS/s / 30 dB: the demodulator and tuner registers say so", async () => {
    const dev = makeFakeRtlSdr(noise);
    const sdr = await RtlSdr.open(dev);
    const got = await sdr.configure({ centerFrequency: 868_100_000, sampleRate: 1_000_000, gainDb: 30 });
    expect(dev.errors).toEqual([]);
    expect(dev.opened && dev.claimed).toBe(true);
    expect(got.sampleRate).toBeCloseTo(1_000_000.0265, 3);
    expect(Math.abs(got.centerFrequency - 868_100_000)).toBeLessThan(300);
    expect(got.gainDb).toBe(32.8);
    // USB block: EPA max packet 0x200 and the FIFO reset, last written 0 (running)
    expect(dev.blocks["1:2158"]).toEqual([0x00, 0x02]);
    expect(dev.blocks["1:2148"]).toEqual([0x00, 0x00]);
    expect(dev.blocks["2:300b"]).toEqual([0x22]);
    expect(dev.blocks["2:3000"]).toEqual([0xe8]);
    // demodulator: SDR mode, R820T low-IF path, IF shift, resampler ratio 0x7333330
    expect(dev.demod["0:19"]).toBe(0x05);
    expect(dev.demod["1:b1"]).toBe(0x1a);
    expect(dev.demod["0:8"]).toBe(0x4d);
    expect([dev.demod["1:19"], dev.demod["1:1a"], dev.demod["1:1b"]]).toEqual([0x38, 0x11, 0x12]);
    expect(dev.demod["1:15"]).toBe(0x01);
    expect(dev.demod["1:9f"]).toBe(0x733);
    expect(dev.demod["1:a1"]).toBe(0x3330);
    expect(dev.demod["1:1"]).toBe(0x10); // I2C repeater off again
    // tuner: the init array went to 0x05..0x1f (in I2C messages of at most 8 bytes); PLL and gain registers as computed
    const initWrite = dev.tunerWrites.slice(0, R820T_INIT_REGS.length);
    expect(initWrite).toEqual(R820T_INIT_REGS.map((v, i) => [0x05 + i, v]));
    expect(dev.tuner[0x14]).toBe(0xcb);
    expect((dev.tuner[0x16]! << 8) | dev.tuner[0x15]!).toBe(34907);
    expect(dev.tuner[0x10]! >> 5).toBe(1);
    expect(dev.tuner[0x12]! & 0x08).toBe(0); // sdm != 0: SDM powered
    expect(dev.tuner[0x1a]! & 0xc3).toBe(0x40); // mux band from 588 MHz
    expect(dev.tuner[0x05]! & 0x1f).toBe(0x10 | 9); // LNA manual, step 9
    expect(dev.tuner[0x07]! & 0x1f).toBe(8); // mixer manual, step 8
    expect(dev.tuner[0x0c]! & 0x9f).toBe(0x08);
    expect(Array.from(sdr.tunerRegisters().subarray(0x14 - 5, 0x17 - 5))).toEqual([0xcb, 34907 & 0xff, 34907 >> 8]);
    // automatic gain and another frequency
    await sdr.setGain(null);
    expect(dev.tuner[0x05]! & 0x10).toBe(0);
    expect(dev.tuner[0x07]! & 0x10).toBe(0x10);
    const f2 = await sdr.setCenterFrequency(433_920_000);
    expect(Math.abs(f2 - 433_920_000)).toBeLessThan(300);
    expect(dev.tuner[0x10]! >> 5).toBe(2);
    const bytes = await sdr.read(16384);
    expect(bytes.length).toBe(16384);
    await sdr.close();
    expect(dev.closed).toBe(true);
    expect(dev.errors).toEqual([]);
  });
  it("an interface held by the kernel's DVB-T driver says how to free it", async () => {
    const dev = makeFakeRtlSdr(noise);
    dev.claimInterface = async () => {
      throw new DOMException("Unable to claim interface.", "NetworkError");
    };
    await expect(RtlSdr.open(dev)).rejects.toThrow(/busy \(Unable to claim interface\.\).*rmmod dvb_usb_rtl28xxu/);
  });
  it("a dongle with another tuner is refused by name", async () => {
    const dev = makeFakeRtlSdr(noise, { tunerId: 0x00 });
    await expect(RtlSdr.open(dev)).rejects.toThrow(/not an R820T\/R820T2/);
  });
});
