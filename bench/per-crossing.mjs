// Where a measured PER curve crosses 10 %: interpolated in log PER between the two points around
// it (a PER of 0 counted as 1e-3), NaN when the curve does not cross. Points in rising SNR.
export function per10Crossing(points) {
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1],
      b = points[i];
    if (a.per > 0.1 && b.per <= 0.1) {
      const la = Math.log(Math.max(a.per, 1e-3)),
        lb = Math.log(Math.max(b.per, 1e-3));
      return a.snrDb + ((Math.log(0.1) - la) / (lb - la)) * (b.snrDb - a.snrDb);
    }
  }
  return NaN;
}
