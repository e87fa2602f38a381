// Peak assignment's kernel (twin of peaks in src/engines/js/rx-symbol.ts): after a demod call, the
// strongest local maxima of its spectrum with their fractional offsets, so that the caller can tell
// the tones of two overlapping frames apart (src/rx/assign.ts says how).
import { PEAKS_MAX } from "./abi";
import { RxContext, binFraction, subBlockSums } from "./symbol";

/** PEAKS_MAX x (bin, power, frac, coherence) f64: the last peaks call's list. */
const list = memory.data(PEAKS_MAX * 32);
/** Sub-blocks of the coherence measure (subBlockSums). */
const BLOCKS = 8;

export function rxsym_peaks_list(): usize {
  return list;
}

/**
 * The `count` (at most PEAKS_MAX) strongest local maxima of the power spectrum of the last demod
 * call, strongest first, into the list: bin, power, the Jacobsen/Candan fractional offset at that
 * bin (as demod's atBin), and the tone's coherence over the window: |sum of the 8 sub-block sums
 * of the dechirped window at that bin|^2 over 8 times the sum of their |.|^2 (1 for a tone on the
 * bin through the whole window; less for one off the bin or with a phase jump, as another frame's
 * tone at a fractional timing offset has where its chirp wraps). Returns how many there are.
 */
export function rxsym_peaks(p: usize, count: i32): i32 {
  const c = changetype<RxContext>(p);
  const n = c.n, pow = c.pow;
  const want = min(count, PEAKS_MAX);
  let have = 0;
  for (let k = 0; k < n; k++) {
    const q = load<f64>(pow + (<usize>k << 3));
    const qm = load<f64>(pow + (<usize>((k + n - 1) & (n - 1)) << 3));
    const qp = load<f64>(pow + (<usize>((k + 1) & (n - 1)) << 3));
    if (q < qm || q <= qp) continue;
    // insertion into the list, strongest first
    let j = have < want ? have : want - 1;
    if (have == want && q <= load<f64>(list + (<usize>(4 * j + 1) << 3))) continue;
    while (j > 0 && load<f64>(list + (<usize>(4 * (j - 1) + 1) << 3)) < q) {
      memory.copy(list + (<usize>(4 * j) << 3), list + (<usize>(4 * (j - 1)) << 3), 32);
      j--;
    }
    store<f64>(list + (<usize>(4 * j) << 3), <f64>k);
    store<f64>(list + (<usize>(4 * j + 1) << 3), q);
    if (have < want) have++;
  }
  for (let j = 0; j < have; j++) {
    const k0 = <i32>load<f64>(list + (<usize>(4 * j) << 3));
    store<f64>(list + (<usize>(4 * j + 2) << 3), binFraction(c, k0)); // as demod's atBin
    store<f64>(list + (<usize>(4 * j + 3) << 3), coherence(c, k0));
  }
  return have;
}

/** The coherence of demod's window dechirped at bin k (see rxsym_peaks). */
function coherence(c: RxContext, k: i32): f64 {
  const q = c.best;
  subBlockSums(c, k, q);
  let sr: f64 = 0, si: f64 = 0, e: f64 = 0;
  for (let j = 0; j < BLOCKS; j++) {
    const ar = load<f64>(q + (<usize>(2 * j) << 3)), ai = load<f64>(q + (<usize>(2 * j + 1) << 3));
    sr += ar;
    si += ai;
    e += ar * ar + ai * ai;
  }
  return e > 0 ? (sr * sr + si * si) / (<f64>BLOCKS * e) : 0;
}
