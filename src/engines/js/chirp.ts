// Chirps of the js engine, computed sample by sample from the phase law (the oracle): symbol s
// starts at -BW/2 + s*BW/N, rises BW/N per chip and wraps from +BW/2 to -BW/2 at t = N - s chips.
// Phase in cycles at t chips: t^2/(2N) + (s/N - 1/2) t, minus (t - (N - s)) after the wrap
// (gr-lora_sdr utilities.h build_upchirp: id/N - 0.5 before the fold, id/N - 1.5 after).

export function chirpPhase(s: number, n: number, t: number): number {
  let ph = (t * t) / (2 * n) + (s / n - 0.5) * t;
  if (t >= n - s) ph -= t - (n - s);
  return ph - Math.floor(ph);
}

/** Writes one symbol (n*k samples) at out[2*offset...]; down = conjugate base chirp. */
export function writeChirp(
  out: Float32Array,
  offset: number,
  s: number,
  n: number,
  k: number,
  down: boolean,
  samples = n * k,
): void {
  for (let m = 0; m < samples; m++) {
    const a = 2 * Math.PI * chirpPhase(down ? 0 : s, n, m / k);
    out[2 * (offset + m)] = Math.cos(a);
    out[2 * (offset + m) + 1] = down ? -Math.sin(a) : Math.sin(a);
  }
}
