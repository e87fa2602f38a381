// Sample formats -> interleaved complex float32, the receive chain's working format.
// Scales follow the usual SDR conventions: int16 / 32767, int8 / 127 (as src/io writes them), and RTL-SDR's unsigned
// 8-bit samples centred on 127.5 (librtlsdr's cu8), so every format maps full scale to about +-1.

/** cs16 (int16 I, Q, little endian) -> f32. `nComplex` samples from `src` to `dst` (no overlap). */
export function convert_cs16(src: usize, dst: usize, nComplex: i32): void {
  const n = nComplex << 1;
  const scale: f32 = 1.0 / 32767.0;
  for (let i = 0; i < n; i++) {
    store<f32>(dst + (<usize>i << 2), <f32>load<i16>(src + (<usize>i << 1)) * scale);
  }
}

/** cu8 (RTL-SDR unsigned 8-bit I, Q; zero at 127.5) -> f32 in [-1, 1]. */
export function convert_cu8(src: usize, dst: usize, nComplex: i32): void {
  const n = nComplex << 1;
  const scale: f32 = 1.0 / 127.5;
  for (let i = 0; i < n; i++) {
    store<f32>(dst + (<usize>i << 2), (<f32>load<u8>(src + <usize>i) - 127.5) * scale);
  }
}

/** cs8 (signed 8-bit I, Q, e.g. HackRF) -> f32. */
export function convert_cs8(src: usize, dst: usize, nComplex: i32): void {
  const n = nComplex << 1;
  const scale: f32 = 1.0 / 127.0;
  for (let i = 0; i < n; i++) {
    store<f32>(dst + (<usize>i << 2), <f32>load<i8>(src + <usize>i) * scale);
  }
}

/**
 * Index of the first NaN or infinite float among `nFloats` at `ptr`, or -1 when all are finite.
 * cf32 needs no conversion, only this check (a NaN would poison every filter output after it).
 */
export function convert_cf32_check(ptr: usize, nFloats: i32): i32 {
  let i = 0;
  // Four at a time: x - x is 0 for finite x and NaN for NaN/Inf; NaN != NaN flags them.
  for (; i + 4 <= nFloats; i += 4) {
    const v = v128.load(ptr + (<usize>i << 2));
    const d = f32x4.sub(v, v);
    if (v128.any_true(f32x4.ne(d, d))) break;
  }
  for (; i < nFloats; i++) {
    const x = load<f32>(ptr + (<usize>i << 2));
    if (!isFinite<f32>(x)) return i;
  }
  return -1;
}
