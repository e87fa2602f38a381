// Progress on stderr for long work: percent, samples per second and ETA, redrawn in place at most
// a few times per second. Only on a terminal (never in pipes or logs) and off with --quiet.
export interface Progress {
  update(done: number): void;
  done(): void;
}

const silent: Progress = { update() {}, done() {} };

export function createProgress(label: string, total: number, opts: { quiet?: boolean; unit?: string } = {}): Progress {
  const stream = process.stderr;
  if (opts.quiet || !stream.isTTY || !(total > 0)) return silent;
  const unit = opts.unit ?? "samples";
  const t0 = Date.now();
  let last = 0;
  let shown = false;
  const si = (x: number) =>
    x >= 1e6 ? `${(x / 1e6).toFixed(1)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0);
  return {
    update(done: number) {
      const now = Date.now();
      if (now - last < 200 && done < total) return;
      last = now;
      const el = (now - t0) / 1000;
      const rate = el > 0 ? done / el : 0;
      const eta = rate > 0 ? (total - done) / rate : 0;
      const pct = Math.min(100, (100 * done) / total);
      stream.write(`\r${label}: ${pct.toFixed(1).padStart(5)}%  ${si(rate)} ${unit}/s  ETA ${eta.toFixed(0)} s   `);
      shown = true;
    },
    done() {
      if (shown) stream.write("\r\x1b[K");
    },
  };
}
