// Test helper: the power of one frequency in a recording.

/** Power of the DFT of iq[from, to) at frequency f (Hz), normalised by the length: a tone of amplitude a reads a^2. */
export function toneAt(iq: Float32Array, f: number, fs: number, from = 0, to = iq.length / 2): number {
  let re = 0,
    im = 0;
  const w = (-2 * Math.PI * f) / fs;
  for (let r = from; r < to; r++) {
    const c = Math.cos(w * r),
      s = Math.sin(w * r);
    re += iq[2 * r]! * c - iq[2 * r + 1]! * s;
    im += iq[2 * r]! * s + iq[2 * r + 1]! * c;
  }
  const n = to - from;
  return (re * re + im * im) / (n * n);
}
