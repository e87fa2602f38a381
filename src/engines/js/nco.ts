// js twin of assembly/dsp/nco.ts: multiply by exp(j*2*pi*c*m), m the absolute sample index, as
// seed(block) * table[k] with the same f32 operations in the same order (Math.fround after each
// operation rounds exactly as Wasm's f32 arithmetic), so the engines differ only where their
// cos/sin of the block's seed differ in the last bit of an f64.

/** Samples per seed; the phasor table's length. */
export const NCO_BLOCK = 1024;

/** exp(j*2*pi*c*k) for k < NCO_BLOCK, computed in f64 and rounded to f32 (interleaved). */
export function ncoTable(cyclesPerSample: number): Float32Array {
  const t = new Float32Array(2 * NCO_BLOCK);
  for (let k = 0; k < NCO_BLOCK; k++) {
    const cyc = k * cyclesPerSample;
    const ph = 2 * Math.PI * (cyc - Math.floor(cyc));
    t[2 * k] = Math.cos(ph);
    t[2 * k + 1] = Math.sin(ph);
  }
  return t;
}

const f = Math.fround;

export function ncoMix(
  x: Float32Array,
  off: number,
  n: number,
  table: Float32Array,
  cyclesPerSample: number,
  index0: number,
): void {
  let m = index0;
  for (let i = 0; i < n; ) {
    const k0 = m % NCO_BLOCK;
    const cyc = (m - k0) * cyclesPerSample;
    const ph = 2 * Math.PI * (cyc - Math.floor(cyc));
    const sr = f(Math.cos(ph));
    const si = f(Math.sin(ph));
    const count = Math.min(n - i, NCO_BLOCK - k0);
    for (let q = 0; q < count; q++) {
      const tr = table[2 * (k0 + q)]!;
      const ti = table[2 * (k0 + q) + 1]!;
      const pr = f(f(sr * tr) - f(si * ti));
      const pi = f(f(sr * ti) + f(si * tr));
      const a = off + 2 * (i + q);
      const xr = x[a]!;
      const xi = x[a + 1]!;
      x[a] = f(xr * pr) - f(xi * pi);
      x[a + 1] = f(xi * pr) + f(xr * pi);
    }
    i += count;
    m += count;
  }
}
