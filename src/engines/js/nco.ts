// js twin of assembly/dsp/nco.ts: multiply by exp(j*2*pi*c*m), m the absolute sample index,
// computed directly per sample in float64 (the obviously-correct version of the Wasm rotator).

export function ncoMix(x: Float32Array, off: number, n: number, cyclesPerSample: number, index0: number): void {
  for (let i = 0; i < n; i++) {
    const cyc = (index0 + i) * cyclesPerSample;
    const ph = 2 * Math.PI * (cyc - Math.floor(cyc));
    const c = Math.cos(ph);
    const s = Math.sin(ph);
    const re = x[off + 2 * i]!;
    const im = x[off + 2 * i + 1]!;
    x[off + 2 * i] = re * c - im * s;
    x[off + 2 * i + 1] = re * s + im * c;
  }
}
