// Base chirp tables (cached per size and oversampling; made once, never freed). The base upchirp
// at k samples per chip has phase (in cycles) t^2/(2N) - t/2 at t = m/k chips, i.e. frequency
// from -BW/2 rising to +BW/2 over one symbol (gr-lora_sdr utilities.h build_upchirp with id = 0).
// Computed with an exact integer numerator so phase stays accurate at SF12 x 64.

const upTables = new Map<i32, usize>();
const downTables = new Map<i32, usize>();

@inline function key(n: i32, k: i32): i32 {
  return (n << 7) | k;
}

/** n * k complex f32 samples of the base upchirp (n chips, k samples per chip). */
export function upchirpTable(n: i32, k: i32): usize {
  const id = key(n, k);
  if (upTables.has(id)) return upTables.get(id);
  const len = n * k;
  const t = heap.alloc(<usize>len << 3);
  const den = <i64>2 * <i64>n * <i64>k * <i64>k;
  for (let m = 0; m < len; m++) {
    const mm = <i64>m;
    let num = (mm * mm - <i64>n * <i64>k * mm) % den;
    if (num < 0) num += den;
    const a = 2.0 * Math.PI * (<f64>num / <f64>den);
    store<f32>(t + (<usize>m << 3), <f32>Math.cos(a));
    store<f32>(t + (<usize>m << 3), <f32>Math.sin(a), 4);
  }
  upTables.set(id, t);
  return t;
}

/** The conjugate: the base downchirp. */
export function downchirpTable(n: i32, k: i32): usize {
  const id = key(n, k);
  if (downTables.has(id)) return downTables.get(id);
  const len = n * k;
  const up = upchirpTable(n, k);
  const t = heap.alloc(<usize>len << 3);
  for (let m = 0; m < len; m++) {
    const o = <usize>m << 3;
    store<f32>(t + o, load<f32>(up + o));
    store<f32>(t + o, -load<f32>(up + o, 4), 4);
  }
  downTables.set(id, t);
  return t;
}

export function chirp_upchirp(n: i32, k: i32): usize {
  return upchirpTable(n, k);
}
export function chirp_downchirp(n: i32, k: i32): usize {
  return downchirpTable(n, k);
}
