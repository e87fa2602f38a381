// Small statistics the benchmarks share.

/** The median of `a` (the upper middle of an even count). */
export const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

/** "median (min..max)" of `a` to `digits` decimals; the value alone for one run. */
export const spread = (a, digits = 3) =>
  a.length > 1
    ? `${median(a).toFixed(digits)} (${Math.min(...a).toFixed(digits)}..${Math.max(...a).toFixed(digits)})`
    : a[0].toFixed(digits);
