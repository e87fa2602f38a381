// A frame's store in Wasm memory: the hard decisions and LLRs that rxsym_demod writes there symbol
// by symbol (its frame argument), read in place by the codec (assembly/codec/frame.ts) for the
// header when the header block is complete and for the payload at the frame's end; only the
// codec's outcome (info and payload areas) goes to TypeScript, and for the frame's report the
// valid codewords' counts (rxframe_valid) and whether its CRC can be blind (rxframe_blind_clear).
// One heap block per store.
import { frame_decode, hardCodewords } from "../codec/frame";
import { payloadCrc } from "../codec/crc";
import { symbolToWord } from "../codec/gray";
import { hammingDecode, hammingEncode } from "../codec/hamming";
import { writeHeader } from "../codec/header";
import { interleave } from "../codec/interleaver";
import { whiteningByte } from "../codec/whitening";

@unmanaged
export class FrameStore {
  sf: i32;
  /** Symbols the store holds. */
  capacity: i32;
  /** capacity u16: the hard decisions. */
  symbols: usize;
  /** capacity x sf f32: the per-bit LLRs (reduced-rate symbols use the first sf - 2). */
  llr: usize;
  /** 256 bytes: the payload of the last decode. */
  payload: usize;
  /** 8 i32: the info of the last decode (frame_decode's layout). */
  info: usize;
  /** 4 i32: rxframe_valid's counts. */
  counts: usize;
}

@inline function lines(bytes: i32): usize { return <usize>((bytes + 15) & ~15); }

/** A store for `capacity` symbols of 2^sf chips, zeroed. */
export function rxframe_create(sf: i32, capacity: i32): usize {
  const head = lines(offsetof<FrameStore>()), syms = lines(capacity << 1), llr = lines((capacity * sf) << 2);
  const total = head + syms + llr + 256 + 32 + 16;
  const p = heap.alloc(total);
  memory.fill(p, 0, total);
  const s = changetype<FrameStore>(p);
  s.sf = sf;
  s.capacity = capacity;
  s.symbols = p + head;
  s.llr = s.symbols + syms;
  s.payload = s.llr + llr;
  s.info = s.payload + 256;
  s.counts = s.info + 32;
  return p;
}

export function rxframe_free(p: usize): void {
  heap.free(p);
}

export function rxframe_symbols(p: usize): usize { return changetype<FrameStore>(p).symbols; }
export function rxframe_llr(p: usize): usize { return changetype<FrameStore>(p).llr; }
export function rxframe_payload(p: usize): usize { return changetype<FrameStore>(p).payload; }
export function rxframe_info(p: usize): usize { return changetype<FrameStore>(p).info; }
export function rxframe_counts(p: usize): usize { return changetype<FrameStore>(p).counts; }

/**
 * Decodes the stored symbols from .. from + count (soft: their LLRs; else the hard decisions) with
 * the frame codec into the store's payload and info areas; returns the codec's status.
 */
export function rxframe_decode(p: usize, soft: i32, from: i32, count: i32, cr: i32, explicit: i32, hasCrc: i32, ldro: i32, headerFull: i32, implicitLength: i32): i32 {
  const s = changetype<FrameStore>(p);
  const at = min(max(from, 0), s.capacity), n = min(max(count, 0), s.capacity - at);
  const input = soft ? s.llr + (<usize>(at * s.sf) << 2) : s.symbols + (<usize>at << 1);
  return frame_decode(input, n, soft, s.sf, cr, explicit, hasCrc, ldro, headerFull, implicitLength, s.payload, s.info);
}

/** Words and codewords of one interleaver block (at most 8 and 12 u16), for the CRC-blind test. */
const WORDS = memory.data(16);
const CWS = memory.data(24);

/**
 * How many of the codewords read from the stored hard decisions 0 .. count are codewords of their
 * code (Hamming syndrome zero), block by block: the header block (CR 4/8, reduced rate unless
 * headerFull) and the rest (CR cr, reduced rate with ldro); a block the symbols end inside is not
 * counted. Into the store's counts area: header codewords, of them valid, the rest's, of them valid.
 * The js engine's twin is validCodewords in src/rx/confidence.ts.
 */
export function rxframe_valid(p: usize, count: i32, cr: i32, ldro: i32, headerFull: i32): void {
  const s = changetype<FrameStore>(p);
  const sf = s.sf, n = min(max(count, 0), s.capacity);
  let first = 0, firstValid = 0, rest = 0, restValid = 0;
  for (let sym = 0; ; ) {
    const head = sym == 0;
    const c = head ? 4 : cr;
    const len = 4 + c;
    if (sym + len > n) break;
    const reduced = head ? headerFull == 0 : ldro != 0;
    const ppm = reduced ? sf - 2 : sf;
    const cws = hardCodewords(s.symbols, sym, len, sf, reduced, ppm);
    let valid = 0;
    for (let j = 0; j < ppm; j++) if (hammingDecode(<u32>load<u16>(cws + (<usize>j << 1)), c) >> 4 == 0) valid++;
    if (head) {
      first += ppm;
      firstValid += valid;
    } else {
      rest += ppm;
      restValid += valid;
    }
    sym += len;
  }
  store<i32>(s.counts, first);
  store<i32>(s.counts, firstValid, 4);
  store<i32>(s.counts, rest, 8);
  store<i32>(s.counts, restValid, 12);
}

/** The header's 5 nibbles for rxframe_blind_clear (one per byte). */
const HEAD = memory.data(8);

/**
 * Nibble t of a frame's stream as sent: header (hdr nibbles), whitened payload (low nibble first),
 * CRC (low nibble first), zeros.
 */
function streamNibble(t: i32, hdr: i32, payload: usize, pl: i32, crc: u32): u32 {
  if (t < hdr) return <u32>load<u8>(HEAD + <usize>t);
  const u = t - hdr;
  if (u < 2 * pl) {
    const w = (<u32>load<u8>(payload + <usize>(u >> 1)) ^ <u32>whiteningByte(u >> 1)) & 0xff;
    return u & 1 ? w >> 4 : w & 15;
  }
  return u - 2 * pl < 4 ? (crc >> <u32>(4 * (u - 2 * pl))) & 15 : 0;
}

/**
 * Whether the interleaver block holding stream nibble t reads, symbol for symbol, as the stream
 * encodes it, with no LLR under 32 (the first m of each symbol's): its symbols must be stored.
 */
function blockClear(s: FrameStore, count: i32, t: i32, hdr: i32, payload: usize, pl: i32, crc: u32, cr: i32, first: i32, ppm: i32, ldro: bool, headerFull: bool): bool {
  const index = t < first ? 0 : 1 + (t - first) / ppm;
  const head = index == 0;
  const c = head ? 4 : cr, m = head ? first : ppm;
  const sym0 = head ? 0 : 8 + (index - 1) * (4 + cr), c0 = head ? 0 : first + (index - 1) * ppm;
  const reduced = head ? !headerFull : ldro;
  const len = 4 + c, sf = s.sf;
  if (sym0 + len > count) return false;
  for (let j = 0; j < m; j++) store<u16>(CWS + (<usize>j << 1), <u16>hammingEncode(streamNibble(c0 + j, hdr, payload, pl, crc), c));
  interleave(CWS, m, len, WORDS);
  for (let i = 0; i < len; i++) {
    const hard = symbolToWord(<u32>load<u16>(s.symbols + (<usize>(sym0 + i) << 1)), sf, reduced);
    if (<u32>load<u16>(WORDS + (<usize>i << 1)) != hard) return false;
    const row = s.llr + (<usize>((sym0 + i) * sf) << 2);
    for (let j = 0; j < m; j++) if (abs<f32>(load<f32>(row + (<usize>j << 2))) < 32) return false;
  }
  return true;
}

/**
 * The test crcBlindRisk (src/rx/confidence.ts) starts with, on the stored symbols 0 .. count and
 * their LLRs: 1 when every interleaver block that a CRC-blind pair of nibbles reaches reads as the
 * stream of the pl payload bytes at `payload` encodes it, with no LLR under 32 (each alternative
 * then changes two symbols or more, so its odds are under e^-64 and the risk is 0); 0 otherwise,
 * or for a block not stored whole (the caller weighs those as crcBlindRisk does).
 */
export function rxframe_blind_clear(p: usize, count: i32, payload: usize, pl: i32, cr: i32, explicit: i32, ldro: i32, headerFull: i32): i32 {
  const s = changetype<FrameStore>(p);
  const n = min(max(count, 0), s.capacity), sf = s.sf;
  if (pl <= 0) return 1;
  const hdr = explicit ? 5 : 0;
  const first = headerFull ? sf : sf - 2, ppm = ldro ? sf - 2 : sf;
  const crc = payloadCrc(payload, pl);
  if (explicit) writeHeader(HEAD, <u32>pl, <u32>cr, 1);
  for (let k = 0; k < 4; k++) {
    const byte = k < 2 ? pl - 1 : pl - 2;
    if (byte < 0) continue;
    if (!blockClear(s, n, hdr + 2 * byte + (k & 1), hdr, payload, pl, crc, cr, first, ppm, ldro != 0, headerFull != 0)) return 0;
    if (!blockClear(s, n, hdr + 2 * pl + k, hdr, payload, pl, crc, cr, first, ppm, ldro != 0, headerFull != 0)) return 0;
  }
  return 1;
}
