// Wasm engine of the codec (assembly/codec/frame.ts and its stages). Work buffers are allocated
// once in Wasm memory (the longest frame has under 1400 symbols); each call copies its input in
// and its result out.
import { ChirpError } from "../../errors.js";
import { checkPayloadLength, type HeaderFields, type ResolvedParams } from "../../phy/params.js";
import type { DecodedFrame } from "../../phy/types.js";
import { phyWasm } from "../../wasm/phy.js";

interface CodecKernels {
  frame_encode(
    payload: number,
    len: number,
    sf: number,
    cr: number,
    explicit: number,
    crc: number,
    ldro: number,
    headerFull: number,
    out: number,
  ): number;
  frame_decode(
    input: number,
    nsym: number,
    soft: number,
    sf: number,
    cr: number,
    explicit: number,
    crc: number,
    ldro: number,
    headerFull: number,
    implicitLength: number,
    out: number,
    info: number,
  ): number;
}
const w = phyWasm as unknown as CodecKernels & typeof phyWasm;

const MAX_SYMBOLS = 4096;
let buf: { payload: number; symbols: number; llr: number; info: number } | null = null;
function buffers(): NonNullable<typeof buf> {
  if (!buf) {
    buf = {
      payload: phyWasm.alloc(256),
      symbols: phyWasm.alloc(2 * MAX_SYMBOLS),
      llr: phyWasm.alloc(4 * 12 * MAX_SYMBOLS),
      info: phyWasm.alloc(32),
    };
  }
  return buf;
}

/** Encodes into the codec's symbol buffer in Wasm memory (valid until the next codec call). */
export function encodeFrameInto(payload: Uint8Array, r: ResolvedParams): { ptr: number; count: number } {
  checkPayloadLength(payload.length, r.crc);
  const b = buffers();
  new Uint8Array(phyWasm.memory.buffer, b.payload, payload.length).set(payload);
  const count = w.frame_encode(
    b.payload,
    payload.length,
    r.sf,
    r.cr,
    r.explicitHeader ? 1 : 0,
    r.crc ? 1 : 0,
    r.ldroOn ? 1 : 0,
    r.headerFullRate ? 1 : 0,
    b.symbols,
  );
  return { ptr: b.symbols, count };
}

export function encodeFrameWasm(payload: Uint8Array, r: ResolvedParams): Uint16Array {
  const { ptr, count } = encodeFrameInto(payload, r);
  return new Uint16Array(phyWasm.memory.buffer, ptr, count).slice();
}

function run(nsym: number, soft: boolean, input: number, r: ResolvedParams, implicit?: HeaderFields): DecodedFrame {
  const b = buffers();
  const cr = implicit?.cr ?? r.cr,
    crc = implicit?.crc ?? r.crc;
  if (implicit) checkPayloadLength(implicit.payloadLength, false);
  const status = w.frame_decode(
    input,
    nsym,
    soft ? 1 : 0,
    r.sf,
    cr,
    r.explicitHeader ? 1 : 0,
    crc ? 1 : 0,
    r.ldroOn ? 1 : 0,
    r.headerFullRate ? 1 : 0,
    implicit?.payloadLength ?? 0,
    b.payload,
    b.info,
  );
  const d = decodedOf(status, r, b.info, b.payload, false);
  if (d) return d;
  const need = new Int32Array(phyWasm.memory.buffer, b.info, 8)[7];
  throw new ChirpError("TOO_SHORT", `the frame needs ${need} symbols after the preamble, got ${nsym}`, {
    parameter: "symbols",
    allowed: `at least ${need} symbols`,
  });
}

/** An Int32 view of the whole Wasm memory, re-made only when the memory has grown. */
let memory = new Int32Array(0);
/**
 * The kept Int32 view of the whole Wasm memory: the readers of the codec's and the frame stores'
 * small result areas index it (decodedOf for every header block) instead of making a view per call.
 */
export function memoryI32(): Int32Array {
  const buffer = phyWasm.memory.buffer;
  if (memory.buffer !== buffer) memory = new Int32Array(buffer);
  return memory;
}

/** frame_decode's statuses. */
const STATUS_OK = 0,
  STATUS_TOO_SHORT = 2;

/**
 * The DecodedFrame of a frame_decode call from its status and its info and payload areas in Wasm
 * memory; null when the symbols ended too early. headerOnly: the header fields (crcOk null, no
 * payload), also when the symbols end after the header.
 */
export function decodedOf(
  status: number,
  r: ResolvedParams,
  infoPtr: number,
  payloadPtr: number,
  headerOnly: boolean,
): DecodedFrame | null {
  // read through one view of the memory (re-made when it grows), not a view per call: the receiver
  // decodes a header block for every synchronised detection
  const memory = memoryI32();
  const info = infoPtr >> 2;
  const headerRead = memory[info] === 1;
  if (status === STATUS_TOO_SHORT && !(headerOnly && headerRead)) return null;
  const correctedErrors = memory[info + 5]!,
    detectedErrors = memory[info + 6]!;
  if (!headerRead)
    return {
      explicitHeader: r.explicitHeader,
      correctedErrors,
      detectedErrors,
      headerOk: false,
      payloadLength: null,
      cr: null,
      crc: null,
      crcOk: null,
      payload: new Uint8Array(0),
    };
  const payloadLength = memory[info + 1]!;
  const full = status === STATUS_OK && !headerOnly;
  const crcVerdict = memory[info + 4]!;
  return {
    explicitHeader: r.explicitHeader,
    correctedErrors,
    detectedErrors,
    headerOk: true,
    payloadLength,
    cr: memory[info + 2]!,
    crc: memory[info + 3] === 1,
    crcOk: !full || crcVerdict === -1 ? null : crcVerdict === 1,
    payload: full ? new Uint8Array(phyWasm.memory.buffer, payloadPtr, payloadLength).slice() : new Uint8Array(0),
  };
}

export function decodeFrameWasm(symbols: ArrayLike<number>, r: ResolvedParams, implicit?: HeaderFields): DecodedFrame {
  const b = buffers();
  const n = Math.min(symbols.length, MAX_SYMBOLS);
  const view = new Uint16Array(phyWasm.memory.buffer, b.symbols, n);
  for (let i = 0; i < n; i++) view[i] = symbols[i]!;
  return run(n, false, b.symbols, r, implicit);
}

export function decodeFrameSoftWasm(
  llr: Float32Array,
  symbolCount: number,
  r: ResolvedParams,
  implicit?: HeaderFields,
): DecodedFrame {
  if (llr.length < symbolCount * r.sf) {
    throw new ChirpError(
      "TOO_SHORT",
      `llr holds ${llr.length} values, ${symbolCount} symbols need ${symbolCount * r.sf}`,
      { parameter: "llr" },
    );
  }
  const b = buffers();
  const n = Math.min(symbolCount, MAX_SYMBOLS);
  new Float32Array(phyWasm.memory.buffer, b.llr, n * r.sf).set(llr.subarray(0, n * r.sf));
  return run(n, true, b.llr, r, implicit);
}
