// TEMPORARY adapter until chirpkit/sim (the channel simulator, issue 3) lands on main: places
// modulated frames between silent gaps and applies clock offset (resampling by 1 + ppm*1e-6),
// carrier offset and white Gaussian noise. SNR is measured in the LoRa bandwidth: a unit-power
// signal at k samples per chip gets complex noise of variance k/r per sample (LORA-FACTS.md).
export interface ChannelOptions {
  oversampling: number;
  sampleRate: number;
  snrDb: number | null;
  cfoHz: number;
  sfoPpm: number;
  gapSamples: number;
  seed: number;
}

export function applyChannel(frames: Float32Array[], o: ChannelOptions): { iq: Float32Array; starts: number[] } {
  // Clean signal: gap, frame, gap, frame, ..., gap.
  let cleanLen = o.gapSamples;
  const cleanStarts: number[] = [];
  for (const f of frames) {
    cleanStarts.push(cleanLen);
    cleanLen += f.length / 2 + o.gapSamples;
  }
  const clean = new Float32Array(2 * cleanLen);
  frames.forEach((f, i) => clean.set(f, 2 * cleanStarts[i]!));

  const rate = 1 + o.sfoPpm * 1e-6; // input samples per output sample
  const total = Math.floor((cleanLen - 1) / rate) + 1;
  const iq = new Float32Array(2 * total);
  const w = (2 * Math.PI * o.cfoHz) / o.sampleRate;
  for (let t = 0; t < total; t++) {
    const x = t * rate;
    const i0 = Math.floor(x);
    const f = x - i0;
    const i1 = Math.min(cleanLen - 1, i0 + 1);
    const re = clean[2 * i0]! * (1 - f) + clean[2 * i1]! * f;
    const im = clean[2 * i0 + 1]! * (1 - f) + clean[2 * i1 + 1]! * f;
    const c = Math.cos(w * t);
    const s = Math.sin(w * t);
    iq[2 * t] = re * c - im * s;
    iq[2 * t + 1] = re * s + im * c;
  }
  if (o.snrDb !== null) {
    let state = o.seed >>> 0 || 1;
    const uniform = () => {
      // mulberry32
      state = (state + 0x6d2b79f5) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 15), z | 1);
      z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
      return (((z ^ (z >>> 14)) >>> 0) + 0.5) / 4294967296;
    };
    const sd = Math.sqrt(o.oversampling / 10 ** (o.snrDb / 10) / 2);
    for (let i = 0; i < iq.length; i += 2) {
      const r = sd * Math.sqrt(-2 * Math.log(uniform()));
      const a = 2 * Math.PI * uniform();
      iq[i] += r * Math.cos(a);
      iq[i + 1] += r * Math.sin(a);
    }
  }
  return { iq, starts: cleanStarts.map((s) => Math.round(s / rate)) };
}
