// Radix-2 decimation-in-time FFT on interleaved f32 complex data, in place, for power-of-two
// sizes 2..65536. Twiddles and the bit-reversal permutation are made once per size (heap blocks
// outside the GC) and cached; nothing is allocated after the first call for a size. Butterflies
// from the second stage on run two at a time in 128-bit SIMD lanes (re0 im0 re1 im1).
// Convention (same as fft.js): forward X[k] = sum x[t] e^{-2 pi i k t / n}; inverse scales by 1/n.

const MAX_LOG: i32 = 16;
// Per log2(size): twiddle real parts duplicated [wr, wr] and imaginary parts [-wi, wi], stage by
// stage (stage of half-size h holds h twiddles at index h - 1), and the bit-reversal table.
const twiddleRe = new StaticArray<usize>(MAX_LOG + 1);
const twiddleIm = new StaticArray<usize>(MAX_LOG + 1);
const bitReverse = new StaticArray<usize>(MAX_LOG + 1);

@inline function log2(n: i32): i32 {
  return 31 - clz(n);
}

/** True when n is a power of two the FFT supports (2..65536). */
export function fftSizeOk(n: i32): bool {
  return n >= 2 && n <= 65536 && (n & (n - 1)) == 0;
}

function plan(n: i32): i32 {
  const lg = log2(n);
  if (unchecked(bitReverse[lg]) != 0) return lg;
  const wr = heap.alloc(<usize>(n - 1) << 3);
  const wi = heap.alloc(<usize>(n - 1) << 3);
  for (let h = 1; h < n; h <<= 1) {
    for (let k = 0; k < h; k++) {
      const a = -Math.PI * <f64>k / <f64>h; // w = e^{-i pi k / h}
      const c = <f32>Math.cos(a), s = <f32>Math.sin(a);
      const o = <usize>(h - 1 + k) << 3;
      store<f32>(wr + o, c);
      store<f32>(wr + o, c, 4);
      store<f32>(wi + o, -s);
      store<f32>(wi + o, s, 4);
    }
  }
  const rev = heap.alloc(<usize>n << 2);
  for (let i = 0; i < n; i++) {
    store<u32>(rev + (<usize>i << 2), <u32>(reverseBits(<u32>i) >>> (32 - lg)));
  }
  unchecked((twiddleRe[lg] = wr));
  unchecked((twiddleIm[lg] = wi));
  unchecked((bitReverse[lg] = rev));
  return lg;
}

@inline function reverseBits(x: u32): u32 {
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  x = ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
  return (x >>> 16) | (x << 16);
}

/** In-place forward FFT of n complex values at `data` (interleaved re, im as f32). */
export function fftForward(data: usize, n: i32): void {
  if (!fftSizeOk(n)) return;
  const lg = plan(n);
  const rev = unchecked(bitReverse[lg]);
  for (let i = 0; i < n; i++) {
    const j = <i32>load<u32>(rev + (<usize>i << 2));
    if (i < j) {
      const pi = data + (<usize>i << 3), pj = data + (<usize>j << 3);
      const t = load<u64>(pi);
      store<u64>(pi, load<u64>(pj));
      store<u64>(pj, t);
    }
  }
  // First stage (w = 1): the butterfly of two adjacent complex values a, b is one vector
  // [a, a] + [b, -b].
  const flip = f32x4(1, 1, -1, -1);
  const end = data + (<usize>n << 3);
  for (let p = data; p < end; p += 16) {
    const v = v128.load(p);
    v128.store(p, f32x4.add(v128.shuffle<f32>(v, v, 0, 1, 0, 1), f32x4.mul(v128.shuffle<f32>(v, v, 2, 3, 2, 3), flip)));
  }
  const wrBase = unchecked(twiddleRe[lg]), wiBase = unchecked(twiddleIm[lg]);
  for (let h = 2; h < n; h <<= 1) {
    const wr0 = wrBase + (<usize>(h - 1) << 3), wi0 = wiBase + (<usize>(h - 1) << 3);
    const span = <usize>h << 3;
    for (let i = 0; i < n; i += h << 1) {
      const pa0 = data + (<usize>i << 3);
      for (let k = 0; k < h; k += 2) {
        const o = <usize>k << 3;
        const pa = pa0 + o, pb = pa + span;
        const a = v128.load(pa), b = v128.load(pb);
        const t = f32x4.add(f32x4.mul(b, v128.load(wr0 + o)), f32x4.mul(v128.shuffle<f32>(b, b, 1, 0, 3, 2), v128.load(wi0 + o)));
        v128.store(pa, f32x4.add(a, t));
        v128.store(pb, f32x4.sub(a, t));
      }
    }
  }
}

/** In-place inverse FFT (scaled by 1/n): swap re/im, forward, swap back and scale. */
export function fftInverse(data: usize, n: i32): void {
  if (!fftSizeOk(n)) return;
  swapReIm(data, n, 1);
  fftForward(data, n);
  swapReIm(data, n, 1.0 / <f32>n);
}

function swapReIm(data: usize, n: i32, scale: f32): void {
  const s = f32x4.splat(scale);
  const end = data + (<usize>n << 3);
  for (let p = data; p < end; p += 16) {
    const v = v128.load(p);
    v128.store(p, f32x4.mul(v128.shuffle<f32>(v, v, 1, 0, 3, 2), s));
  }
}

// Exports to JS (pointer to 2n f32, n a power of two 2..65536; other n leave the data untouched).
export function fft_forward(data: usize, n: i32): void {
  fftForward(data, n);
}
export function fft_inverse(data: usize, n: i32): void {
  fftInverse(data, n);
}
