// Plain-text tables for terminals: columns sized to content, numbers right-aligned.
export interface Column<T> {
  header: string;
  get: (row: T) => string | number | null | undefined;
  align?: "left" | "right";
}

export function formatTable<T>(rows: T[], columns: Column<T>[]): string {
  const cells = rows.map((r) =>
    columns.map((c) => {
      const v = c.get(r);
      return v === null || v === undefined ? "-" : String(v);
    }),
  );
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const align = columns.map(
    (c, i) =>
      c.align ?? (cells.length && cells.every((r) => /^[-+]?[\d.]+(e[-+]?\d+)?%?$|^-$/.test(r[i]!)) ? "right" : "left"),
  );
  const line = (vals: string[]) =>
    vals
      .map((v, i) => (align[i] === "right" ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return (
    [line(columns.map((c) => c.header)), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n") + "\n"
  );
}

/** A number with fixed decimals, or "-" when missing. */
export function fixed(v: number | null | undefined, digits: number): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "-";
  const s = v.toFixed(digits);
  // -0.3 rounds to "-0": a sign on zero says nothing
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** Seconds as a short human string (12.3 ms, 4.56 s, 2 min 3 s). */
export function duration(s: number): string {
  if (s < 1) return `${(s * 1000).toFixed(1)} ms`;
  if (s < 120) return `${s.toFixed(2)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** Frequencies with SI prefixes (868.1 MHz, 125 kHz). */
export function hz(f: number): string {
  const a = Math.abs(f);
  if (a >= 1e9) return `${+(f / 1e9).toFixed(6)} GHz`;
  if (a >= 1e6) return `${+(f / 1e6).toFixed(6)} MHz`;
  if (a >= 1e3) return `${+(f / 1e3).toFixed(3)} kHz`;
  return `${+f.toFixed(1)} Hz`;
}
