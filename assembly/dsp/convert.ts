// Sample formats -> interleaved complex float32, the receive chain's working format.
// Scales follow the usual SDR conventions: int16 / 32767, int8 / 127 (as src/io writes them), and RTL-SDR's unsigned
// 8-bit samples centred on 127.5 (librtlsdr's cu8), so every format maps full scale to about +-1.

// Eight or sixteen values per step in SIMD (widen, convert, scale: the same f32 operations as the
// scalar tail, so the result does not depend on where a chunk starts).

/** cs16 (int16 I, Q, little endian) -> f32. `nComplex` samples from `src` to `dst` (no overlap). */
export function convert_cs16(src: usize, dst: usize, nComplex: i32): void {
  const n = nComplex << 1;
  const scale: f32 = 1.0 / 32767.0;
  const s = f32x4.splat(scale);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const v = v128.load(src + (<usize>i << 1));
    const d = dst + (<usize>i << 2);
    v128.store(d, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(v)), s));
    v128.store(d, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(v)), s), 16);
  }
  for (; i < n; i++) {
    store<f32>(dst + (<usize>i << 2), <f32>load<i16>(src + (<usize>i << 1)) * scale);
  }
}

/** cu8 (RTL-SDR unsigned 8-bit I, Q; zero at 127.5) -> f32 in [-1, 1]. */
export function convert_cu8(src: usize, dst: usize, nComplex: i32): void {
  const n = nComplex << 1;
  const scale: f32 = 1.0 / 127.5;
  const s = f32x4.splat(scale), z = f32x4.splat(127.5);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const v = v128.load(src + <usize>i);
    const lo = i16x8.extend_low_i8x16_u(v), hi = i16x8.extend_high_i8x16_u(v);
    const d = dst + (<usize>i << 2);
    v128.store(d, f32x4.mul(f32x4.sub(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(lo)), z), s));
    v128.store(d, f32x4.mul(f32x4.sub(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(lo)), z), s), 16);
    v128.store(d, f32x4.mul(f32x4.sub(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(hi)), z), s), 32);
    v128.store(d, f32x4.mul(f32x4.sub(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(hi)), z), s), 48);
  }
  for (; i < n; i++) {
    store<f32>(dst + (<usize>i << 2), (<f32>load<u8>(src + <usize>i) - 127.5) * scale);
  }
}

/** cs8 (signed 8-bit I, Q, e.g. HackRF) -> f32. */
export function convert_cs8(src: usize, dst: usize, nComplex: i32): void {
  const n = nComplex << 1;
  const scale: f32 = 1.0 / 127.0;
  const s = f32x4.splat(scale);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const v = v128.load(src + <usize>i);
    const lo = i16x8.extend_low_i8x16_s(v), hi = i16x8.extend_high_i8x16_s(v);
    const d = dst + (<usize>i << 2);
    v128.store(d, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo)), s));
    v128.store(d, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo)), s), 16);
    v128.store(d, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(hi)), s), 32);
    v128.store(d, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(hi)), s), 48);
  }
  for (; i < n; i++) {
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
