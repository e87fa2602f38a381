// The Rafael Micro R820T/R820T2 tuner of RTL-SDR dongles, behind the RTL2832U's I2C repeater:
// register init, RF multiplexer and tracking filter per band, PLL (frequency) and LNA/mixer gain.
// Register values and formulas are facts of librtlsdr's tuner_r82xx.c and Google's radioreceiver
// (r820t.js), written anew here.

/** The tuner's I2C address (8-bit form, as the RTL2832U takes it). */
export const R820T_I2C_ADDR = 0x34;
/** Register 0 reads this on an R820T/R820T2 (librtlsdr R82XX_CHECK_VAL). */
export const R820T_CHECK_VAL = 0x69;
/** The intermediate frequency the tuner mixes to, Hz; the RTL2832U shifts it back down. */
export const R820T_IF_HZ = 3_570_000;

/** Registers 0x05..0x1f after init (librtlsdr r82xx_init_array). */
export const R820T_INIT_REGS: readonly number[] = [
  0x83, 0x32, 0x75, 0xc0, 0x40, 0xd6, 0x6c, 0xf5, 0x63, 0x75, 0x68, 0x6c, 0x83, 0x80, 0x00, 0x0f, 0x00, 0xc0, 0x30,
  0x48, 0xcc, 0x60, 0x00, 0x54, 0xae, 0x4a, 0xc0,
];
const FIRST_REG = 0x05;

/** Per band from `mhz` up: open drain (reg 0x17 bit 3), RF mux/polymux (0x1a bits 7,6,1,0), tracking filter (0x1b). */
const MUX: readonly (readonly [mhz: number, openD: number, rfMux: number, tfC: number])[] = [
  [0, 0x08, 0x02, 0xdf],
  [50, 0x08, 0x02, 0xbe],
  [55, 0x08, 0x02, 0x8b],
  [60, 0x08, 0x02, 0x7b],
  [65, 0x08, 0x02, 0x69],
  [70, 0x08, 0x02, 0x58],
  [75, 0x00, 0x02, 0x44],
  [90, 0x00, 0x02, 0x34],
  [110, 0x00, 0x02, 0x24],
  [140, 0x00, 0x02, 0x14],
  [180, 0x00, 0x02, 0x13],
  [250, 0x00, 0x02, 0x11],
  [280, 0x00, 0x02, 0x00],
  [310, 0x00, 0x41, 0x00],
  [588, 0x00, 0x40, 0x00],
];

/** Gain added by each LNA and mixer step, tenths of a dB (librtlsdr r82xx_lna/mixer_gain_steps). */
export const LNA_GAIN_STEPS: readonly number[] = [0, 9, 13, 40, 38, 13, 31, 22, 26, 31, 26, 14, 19, 5, 35, 13];
export const MIXER_GAIN_STEPS: readonly number[] = [0, 5, 10, 10, 19, 9, 10, 25, 17, 10, 8, 16, 13, 6, 3, -8];

/** VCO range of the PLL, Hz. */
const VCO_MIN_HZ = 1_770_000_000;
const VCO_MAX_HZ = 2 * VCO_MIN_HZ;

export interface PllSettings {
  /** The LO divider: VCO = LO x mixDiv, a power of two 2..64. */
  mixDiv: number;
  /** Register 0x10 bits 7..5 (log2(mixDiv) - 1, corrected by the VCO fine-tune reading). */
  divNum: number;
  /** VCO / (2 x xtal) = nint + sdm / 65536. */
  nint: number;
  sdm: number;
  /** Register 0x14: ni + (si << 6) with nint = 4 ni + si + 13. */
  reg14: number;
  /** The LO the registers give, Hz. */
  actualHz: number;
}

/**
 * PLL registers for an LO of `loHz` with crystal `xtalHz`; `vcoFineTune` is bits 5..4 of status
 * register 4 (2 is nominal; librtlsdr moves the divider one step when it reads otherwise).
 */
export function r820tPll(loHz: number, xtalHz: number, vcoFineTune = 2): PllSettings {
  const khz = Math.floor((loHz + 500) / 1000);
  let mixDiv = 2;
  let divNum = 0;
  for (; mixDiv <= 64; mixDiv *= 2) {
    if (khz * mixDiv >= VCO_MIN_HZ / 1000 && khz * mixDiv < VCO_MAX_HZ / 1000) {
      divNum = Math.log2(mixDiv) - 1;
      break;
    }
  }
  if (mixDiv > 64) throw new RangeError(`no R820T PLL setting reaches ${loHz} Hz (LO 27..1766 MHz)`);
  if (vcoFineTune > 2) divNum -= 1;
  else if (vcoFineTune < 2) divNum += 1;
  // nint + sdm/65536 = VCO / (2 xtal), rounded to the nearest 1/65536 (BigInt: VCO x 65536 exceeds 2^53)
  const vco = BigInt(Math.round(loHz)) * BigInt(mixDiv);
  const twoRef = 2n * BigInt(Math.round(xtalHz));
  const vcoDiv = (BigInt(Math.round(xtalHz)) + 65536n * vco) / twoRef;
  const nint = Number(vcoDiv / 65536n);
  const sdm = Number(vcoDiv % 65536n);
  if (nint > 127 || nint < 13) throw new RangeError(`no R820T PLL setting reaches ${loHz} Hz (nint ${nint})`);
  const ni = Math.floor((nint - 13) / 4);
  const si = nint - 4 * ni - 13;
  const actualHz = (2 * xtalHz * (nint + sdm / 65536)) / mixDiv;
  return { mixDiv, divNum, nint, sdm, reg14: ni + (si << 6), actualHz };
}

/** LNA and mixer gain indices for a manual gain of `tenthsDb` (steps added alternately until reached). */
export function r820tGain(tenthsDb: number): { lna: number; mixer: number; tenthsDb: number } {
  let total = 0;
  let lna = 0;
  let mixer = 0;
  for (let i = 0; i < 15; i++) {
    if (total >= tenthsDb) break;
    total += LNA_GAIN_STEPS[++lna]!;
    if (total >= tenthsDb) break;
    total += MIXER_GAIN_STEPS[++mixer]!;
  }
  return { lna, mixer, tenthsDb: total };
}

/** The RF multiplexer and tracking filter settings of the band holding `hz`. */
export function muxFor(hz: number): { openD: number; rfMux: number; tfC: number } {
  const mhz = hz / 1e6;
  let i = 0;
  while (i < MUX.length - 1 && mhz >= MUX[i + 1]![0]) i++;
  const [, openD, rfMux, tfC] = MUX[i]!;
  return { openD, rfMux, tfC };
}

/** Reads from the tuner come back with each byte's bits reversed. */
export function bitReverse(b: number): number {
  let r = 0;
  for (let i = 0; i < 8; i++) if (b & (1 << i)) r |= 1 << (7 - i);
  return r;
}

/** The I2C bus as the RTL2832U's repeater exposes it. */
export interface I2cBus {
  write(addr: number, bytes: Uint8Array): Promise<void>;
  read(addr: number, length: number): Promise<Uint8Array>;
}

/** [register, value, mask] writes, in order. */
type Writes = readonly (readonly [number, number, number])[];

export class R820T {
  private readonly regs = Uint8Array.from(R820T_INIT_REGS);
  private locked = false;
  constructor(
    private readonly i2c: I2cBus,
    private readonly xtalHz: number,
  ) {}

  /** Whether register 0 holds the R820T's ID. */
  static async probe(i2c: I2cBus): Promise<boolean> {
    await i2c.write(R820T_I2C_ADDR, Uint8Array.of(0x00));
    const id = await i2c.read(R820T_I2C_ADDR, 1);
    return id[0] === R820T_CHECK_VAL;
  }

  private async writeMask(reg: number, value: number, mask: number): Promise<void> {
    const old = this.regs[reg - FIRST_REG]!;
    const v = (old & ~mask) | (value & mask);
    this.regs[reg - FIRST_REG] = v;
    await this.i2c.write(R820T_I2C_ADDR, Uint8Array.of(reg, v));
  }

  private async writeAll(w: Writes): Promise<void> {
    for (const [reg, value, mask] of w) await this.writeMask(reg, value, mask);
  }

  /** Status registers 0..n-1 (bit-reversed on the wire). */
  private async status(n: number): Promise<Uint8Array> {
    await this.i2c.write(R820T_I2C_ADDR, Uint8Array.of(0x00));
    return (await this.i2c.read(R820T_I2C_ADDR, n)).map(bitReverse);
  }

  async init(): Promise<void> {
    // the RTL2832U's I2C messages carry at most 8 bytes: a register address and 7 values
    for (let i = 0; i < R820T_INIT_REGS.length; i += 7) {
      const part = R820T_INIT_REGS.slice(i, i + 7);
      await this.i2c.write(R820T_I2C_ADDR, Uint8Array.of(FIRST_REG + i, ...part));
    }
    // init electronics: IF filter calibration, then the fixed LNA/mixer/filter settings
    await this.writeAll([
      [0x0c, 0x00, 0x0f],
      [0x13, 49, 0x3f], // version
      [0x1d, 0x00, 0x38],
    ]);
    const cap = await this.calibrateFilter();
    await this.writeAll([
      [0x0a, 0x10 | cap, 0x1f],
      [0x0b, 0x6b, 0xef],
      [0x07, 0x00, 0x80],
      [0x06, 0x10, 0x30],
      [0x1e, 0x40, 0x60],
      [0x05, 0x00, 0x80],
      [0x1f, 0x00, 0x80],
      [0x0f, 0x00, 0x80],
      [0x19, 0x60, 0x60],
      [0x1d, 0xe5, 0xc7],
      [0x1c, 0x24, 0xf8],
      [0x0d, 0x53, 0xff],
      [0x0e, 0x75, 0xff],
      [0x05, 0x00, 0x60],
      [0x06, 0x00, 0x08],
      [0x11, 0x38, 0x08],
      [0x17, 0x30, 0x30],
      [0x0a, 0x40, 0x60],
      [0x1d, 0x00, 0x38],
      [0x1c, 0x00, 0x04],
      [0x06, 0x00, 0x40],
      [0x1a, 0x30, 0x30],
      [0x1d, 0x18, 0x38],
      [0x1c, 0x24, 0x04],
      [0x1e, 0x0d, 0x1f],
      [0x1a, 0x20, 0x30],
    ]);
  }

  /** IF filter calibration: PLL at 56 MHz, trigger, read the capacitor code (twice when not 0). */
  private async calibrateFilter(): Promise<number> {
    let cap = 0;
    for (let attempt = 0; attempt < 2; attempt++) {
      await this.writeAll([
        [0x0b, 0x6b, 0x60],
        [0x0f, 0x04, 0x04],
        [0x10, 0x00, 0x03],
      ]);
      await this.setPll(56_000_000);
      if (!this.locked) throw new Error("the R820T PLL did not lock during filter calibration");
      await this.writeAll([
        [0x0b, 0x10, 0x10],
        [0x0b, 0x00, 0x10],
        [0x0f, 0x00, 0x04],
      ]);
      cap = (await this.status(5))[4]! & 0x0f;
      if (cap === 0x0f) cap = 0;
      if (cap === 0) break;
    }
    return cap;
  }

  /** Tunes the LO; returns the LO the PLL reached. */
  async setFrequency(loHz: number): Promise<number> {
    const m = muxFor(loHz);
    await this.writeAll([
      [0x17, m.openD, 0x08],
      [0x1a, m.rfMux, 0xc3],
      [0x1b, m.tfC, 0xff],
      [0x10, 0x00, 0x0b], // xtal cap
      [0x08, 0x00, 0x3f],
      [0x09, 0x00, 0x3f],
    ]);
    const hz = await this.setPll(loHz);
    if (!this.locked) throw new Error(`the R820T PLL did not lock at ${(loHz / 1e6).toFixed(3)} MHz`);
    return hz;
  }

  private async setPll(loHz: number): Promise<number> {
    await this.writeAll([
      [0x1a, 0x00, 0x0c], // PLL autotune 128 kHz
      [0x10, 0x00, 0x10], // refdiv2 off
      [0x12, 0x80, 0xe0], // VCO current
    ]);
    const fine = ((await this.status(5))[4]! & 0x30) >> 4;
    const p = r820tPll(loHz, this.xtalHz, fine);
    await this.writeAll([
      [0x10, p.divNum << 5, 0xe0],
      [0x14, p.reg14, 0xff],
      [0x12, p.sdm === 0 ? 0x08 : 0x00, 0x08],
      [0x16, p.sdm >> 8, 0xff],
      [0x15, p.sdm & 0xff, 0xff],
    ]);
    this.locked = false;
    for (let i = 0; i < 2 && !this.locked; i++) {
      this.locked = ((await this.status(3))[2]! & 0x40) !== 0;
      if (!this.locked && i === 0) await this.writeMask(0x12, 0x60, 0xe0); // more VCO current
    }
    if (this.locked) await this.writeMask(0x1a, 0x08, 0x08); // PLL autotune 8 kHz
    return p.actualHz;
  }

  /** Manual gain (dB, rounded up to the next step) or automatic (null); returns the gain set. */
  async setGain(db: number | null): Promise<number | null> {
    if (db === null) {
      await this.writeAll([
        [0x05, 0x00, 0x10], // LNA auto
        [0x07, 0x10, 0x10], // mixer auto
        [0x0c, 0x0b, 0x9f], // VGA 26.5 dB
      ]);
      return null;
    }
    const g = r820tGain(Math.round(db * 10));
    await this.writeAll([
      [0x05, 0x10, 0x10], // LNA manual
      [0x07, 0x00, 0x10], // mixer manual
      [0x0c, 0x08, 0x9f], // VGA 16.3 dB
      [0x05, g.lna, 0x0f],
      [0x07, g.mixer, 0x0f],
    ]);
    return g.tenthsDb / 10;
  }

  /** A copy of the shadow registers 0x05..0x1f. */
  registers(): Uint8Array {
    return this.regs.slice();
  }
}
