// A frame's store in Wasm memory: the hard decisions and LLRs that rxsym_demod writes there symbol
// by symbol (its frame argument), read in place by the codec (assembly/codec/frame.ts) for the
// header when the header block is complete and for the payload at the frame's end; only the
// codec's outcome (info and payload areas) goes to TypeScript. One heap block per store.
import { frame_decode } from "../codec/frame";

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
}

@inline function lines(bytes: i32): usize { return <usize>((bytes + 15) & ~15); }

/** A store for `capacity` symbols of 2^sf chips, zeroed. */
export function rxframe_create(sf: i32, capacity: i32): usize {
  const head = lines(offsetof<FrameStore>()), syms = lines(capacity << 1), llr = lines((capacity * sf) << 2);
  const total = head + syms + llr + 256 + 32;
  const p = heap.alloc(total);
  memory.fill(p, 0, total);
  const s = changetype<FrameStore>(p);
  s.sf = sf;
  s.capacity = capacity;
  s.symbols = p + head;
  s.llr = s.symbols + syms;
  s.payload = s.llr + llr;
  s.info = s.payload + 256;
  return p;
}

export function rxframe_free(p: usize): void {
  heap.free(p);
}

export function rxframe_symbols(p: usize): usize { return changetype<FrameStore>(p).symbols; }
export function rxframe_llr(p: usize): usize { return changetype<FrameStore>(p).llr; }
export function rxframe_payload(p: usize): usize { return changetype<FrameStore>(p).payload; }
export function rxframe_info(p: usize): usize { return changetype<FrameStore>(p).info; }

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
