// Demodulation of time-aligned symbols: take one sample per chip (every k-th), multiply by the
// base downchirp, FFT of size n, strongest bin = symbol value (gr-lora_sdr fft_demod_impl.cc;
// the preamble upchirp is bin 0).
// The work buffer is made once per size.
import { downchirpTable } from "./chirp";
import { fftForward } from "./fft";

const work = new Map<i32, usize>();

function workFor(n: i32): usize {
  if (work.has(n)) return work.get(n);
  const p = heap.alloc(<usize>n << 3);
  work.set(n, p);
  return p;
}

/**
 * Demodulates count aligned symbols of n*k samples at iq into u16 bins at out. Returns -1, or the
 * index of the first symbol whose spectrum holds NaN or Inf (samples not finite, or huge).
 */
export function dechirp_symbols(iq: usize, count: i32, n: i32, k: i32, out: usize): i32 {
  let bad = -1;
  const down = downchirpTable(n, 1);
  const buf = workFor(n);
  const stride = <usize>k << 3;
  for (let j = 0; j < count; j++) {
    let src = iq + (<usize>j * <usize>n * <usize>k << 3);
    for (let c = 0; c < n; c++) {
      const o = <usize>c << 3;
      const xr = load<f32>(src), xi = load<f32>(src, 4);
      const dr = load<f32>(down + o), di = load<f32>(down + o, 4);
      store<f32>(buf + o, xr * dr - xi * di);
      store<f32>(buf + o, xr * di + xi * dr, 4);
      src += stride;
    }
    fftForward(buf, n);
    let best = 0;
    let bestPower: f32 = -1;
    for (let c = 0; c < n; c++) {
      const o = <usize>c << 3;
      const re = load<f32>(buf + o), im = load<f32>(buf + o, 4);
      const pw = re * re + im * im;
      if (!(pw <= f32.MAX_VALUE) && bad < 0) bad = j; // NaN or Inf: the input was not finite
      if (pw > bestPower) { bestPower = pw; best = c; }
    }
    store<u16>(out + (<usize>j << 1), <u16>best);
  }
  return bad;
}
