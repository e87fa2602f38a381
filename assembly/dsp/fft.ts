// Radix-4 decimation-in-time FFT on interleaved f32 complex data, in place, for power-of-two
// sizes 2..65536, in 128-bit SIMD lanes (two complex values per vector: re0 im0 re1 im1).
// After the bit-reversal permutation each block of 4h holds four DFTs of size h, of the inputs
// = 0, 2, 1, 3 mod 4 (in that order); one radix-4 pass combines them with 3 complex multiplies
// per 4 outputs (the radix-2 passes it replaces need 4, and twice the memory traffic). An odd
// log2(n) ends with one radix-2 pass. Twiddles (per pass, in the order the loop reads them) and
// the swap pairs of the permutation are made once per size in one heap block outside the GC and
// cached; nothing is allocated after the first call for a size.
// Convention (same as fft.js): forward X[k] = sum x[t] e^{-2 pi i k t / n}; inverse scales by 1/n.

const MAX_LOG: i32 = 16;
// Per log2(size): the plan block. Layout: [pair count u32, pad to 16][swap pairs (i, j) as byte
// offsets, u32 x 2][radix-4 twiddles, pass by pass][radix-2 twiddles of the last pass, if any].
const plans = new StaticArray<usize>(MAX_LOG + 1);
const twiddle4 = new StaticArray<usize>(MAX_LOG + 1);
const twiddle2 = new StaticArray<usize>(MAX_LOG + 1);

@inline function log2(n: i32): i32 {
  return 31 - clz(n);
}

/** True when n is a power of two the FFT supports (2..65536). */
export function fftSizeOk(n: i32): bool {
  return n >= 2 && n <= 65536 && (n & (n - 1)) == 0;
}

/** Stores twiddles w^k and w^(k+1) (w = e^{-2 pi i m / size}) as the vectors [re, re, re', re'] and [-im, im, -im', im']. */
@inline function storeTwiddle(p: usize, k: i32, m: i32, size: i32): void {
  const a0 = -2.0 * Math.PI * <f64>(m * k) / <f64>size;
  const a1 = -2.0 * Math.PI * <f64>(m * (k + 1)) / <f64>size;
  const c0 = <f32>Math.cos(a0), s0 = <f32>Math.sin(a0), c1 = <f32>Math.cos(a1), s1 = <f32>Math.sin(a1);
  v128.store(p, f32x4(c0, c0, c1, c1));
  v128.store(p, f32x4(-s0, s0, -s1, s1), 16);
}

function plan(n: i32): i32 {
  const lg = log2(n);
  if (unchecked(plans[lg]) != 0) return lg;
  let pairs = 0;
  for (let i = 0; i < n; i++) if (<i32>(reverseBits(<u32>i) >>> (32 - lg)) > i) pairs++;
  // radix-4 passes of quarter size h = 4, 16, ... while 4h <= n: 48h bytes each; a radix-2 pass: 8n bytes
  let bytes4: usize = 0;
  for (let h = 4; 4 * h <= n; h <<= 2) bytes4 += <usize>h * 48;
  const bytes2: usize = (lg & 1) != 0 && n >= 8 ? <usize>n << 3 : 0;
  const pairBytes: usize = ((<usize>pairs << 3) + 15) & ~15;
  const block = heap.alloc(16 + pairBytes + bytes4 + bytes2);
  store<u32>(block, pairs);
  let q = block + 16;
  for (let i = 0; i < n; i++) {
    const j = <i32>(reverseBits(<u32>i) >>> (32 - lg));
    if (j > i) {
      store<u32>(q, <u32>i << 3);
      store<u32>(q, <u32>j << 3, 4);
      q += 8;
    }
  }
  let t = block + 16 + pairBytes;
  unchecked((twiddle4[lg] = t));
  for (let h = 4; 4 * h <= n; h <<= 2) {
    for (let k = 0; k < h; k += 2) {
      storeTwiddle(t, k, 1, 4 * h);
      storeTwiddle(t + 32, k, 2, 4 * h);
      storeTwiddle(t + 64, k, 3, 4 * h);
      t += 96;
    }
  }
  unchecked((twiddle2[lg] = t));
  if (bytes2 != 0) {
    for (let k = 0; k < n / 2; k += 2) {
      storeTwiddle(t, k, 1, n);
      t += 32;
    }
  }
  unchecked((plans[lg] = block));
  return lg;
}

@inline function reverseBits(x: u32): u32 {
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  x = ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
  return (x >>> 16) | (x << 16);
}

/** Two complex products b * w at once; w given as [re, re, re', re'] and [-im, im, -im', im']. */
@inline function cmul(b: v128, wr: v128, wi: v128): v128 {
  return f32x4.add(f32x4.mul(b, wr), f32x4.mul(v128.shuffle<f32>(b, b, 1, 0, 3, 2), wi));
}

/** In-place forward FFT of n complex values at `data` (interleaved re, im as f32). */
export function fftForward(data: usize, n: i32): void {
  if (!fftSizeOk(n)) return;
  const end = data + (<usize>n << 3);
  if (n == 2) {
    const v = v128.load(data);
    v128.store(data, f32x4.add(v128.shuffle<f32>(v, v, 0, 1, 0, 1), f32x4.mul(v128.shuffle<f32>(v, v, 2, 3, 2, 3), f32x4(1, 1, -1, -1))));
    return;
  }
  const lg = log2(n);
  let block = unchecked(plans[lg]);
  if (block == 0) {
    plan(n);
    block = unchecked(plans[lg]);
  }
  const pairs = <usize>load<u32>(block);
  for (let q = block + 16, qe = q + (pairs << 3); q < qe; q += 8) {
    const pi = data + <usize>load<u32>(q), pj = data + <usize>load<u32>(q, 4);
    const t = load<u64>(pi);
    store<u64>(pi, load<u64>(pj));
    store<u64>(pj, t);
  }
  // 4-point DFTs of (a, b, c, d) = inputs 0, 2, 1, 3 mod 4: X0 = (a+b) + (c+d), X1 = (a-b) - i(c-d),
  // X2 = (a+b) - (c+d), X3 = (a-b) + i(c-d), as [a+b, a-b] +- [c+d, -i(c-d)].
  const negLastIm = f32x4(1, 1, 1, -1);
  for (let p = data; p < end; p += 32) {
    const u = v128.load(p), v = v128.load(p, 16);
    const e = v128.shuffle<f32>(u, v, 0, 1, 4, 5), o = v128.shuffle<f32>(u, v, 2, 3, 6, 7);
    const s = f32x4.add(e, o), d = f32x4.sub(e, o);
    const x = v128.shuffle<f32>(s, d, 0, 1, 4, 5);
    const y = f32x4.mul(v128.shuffle<f32>(s, d, 2, 3, 7, 6), negLastIm);
    v128.store(p, f32x4.add(x, y));
    v128.store(p, f32x4.sub(x, y), 16);
  }
  // Radix-4 passes: X[k] = a + w^2k b + w^k c + w^3k d (w = e^{-2 pi i / 4h}), and at k + h, 2h, 3h
  // the same terms times -i, -1, +i and their powers.
  const negIm = f32x4(1, -1, 1, -1);
  let tw = unchecked(twiddle4[lg]);
  let h = 4;
  for (; 4 * h <= n; h <<= 2) {
    const span = <usize>h << 3;
    for (let g = data; g < end; g += span << 2) {
      let t = tw;
      for (let p = g, pe = g + span; p < pe; p += 16) {
        const a = v128.load(p);
        const b = cmul(v128.load(p + span), v128.load(t, 32), v128.load(t, 48));
        const c = cmul(v128.load(p + 2 * span), v128.load(t), v128.load(t, 16));
        const d = cmul(v128.load(p + 3 * span), v128.load(t, 64), v128.load(t, 80));
        const t0 = f32x4.add(a, b), t1 = f32x4.sub(a, b), t2 = f32x4.add(c, d), t3 = f32x4.sub(c, d);
        const jt3 = f32x4.mul(v128.shuffle<f32>(t3, t3, 1, 0, 3, 2), negIm); // -i (c - d)
        v128.store(p, f32x4.add(t0, t2));
        v128.store(p + span, f32x4.add(t1, jt3));
        v128.store(p + 2 * span, f32x4.sub(t0, t2));
        v128.store(p + 3 * span, f32x4.sub(t1, jt3));
        t += 96;
      }
    }
    tw += <usize>h * 48;
  }
  // Odd log2(n): one radix-2 pass of half size n/2.
  if (h < n) {
    const span = <usize>h << 3;
    let t = unchecked(twiddle2[lg]);
    for (let p = data, pe = data + span; p < pe; p += 16) {
      const a = v128.load(p);
      const b = cmul(v128.load(p + span), v128.load(t), v128.load(t, 16));
      v128.store(p, f32x4.add(a, b));
      v128.store(p + span, f32x4.sub(a, b));
      t += 32;
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
