// The anatomy of one frame: every symbol on air with its sample range, its value and what it
// carries. Built from the phy API (frameLayout, encodeFrame); the block structure follows the LoRa
// transmit chain (first block: SF-2 nibbles at CR 4/8 with the header; then blocks of 4+CR symbols
// carrying SF nibbles, or SF-2 with LDRO; gr-lora_sdr hamming_enc/interleaver blocks).
import {
  encodeFrame,
  frameLayout,
  resolveParams,
  syncSymbols,
  type FrameLayout,
  type PhyParams,
  type ResolvedParams,
} from "chirpkit/phy";

export type SymbolKind = "preamble" | "sync" | "downchirp" | "header" | "payload" | "crc" | "padding";

export interface FrameSymbol {
  index: number;
  kind: SymbolKind;
  /** First sample (relative to the frame start) and length in samples. */
  start: number;
  length: number;
  /** Transmitted value (FFT bin), or null for downchirps. */
  value: number | null;
  /** Words: what this symbol carries. */
  carries: string;
}

export interface FrameAnatomy {
  params: ResolvedParams;
  oversampling: number;
  layout: FrameLayout;
  symbols: FrameSymbol[];
  /** Payload symbol values as returned by encodeFrame. */
  encoded: Uint16Array;
}

/** What a block of nibbles holds: header, payload bytes, CRC, padding, as short text + a kind. */
function describeNibbles(
  first: number,
  count: number,
  headerNibbles: number,
  payloadNibbles: number,
  crcNibbles: number,
): { kind: SymbolKind; text: string } {
  const parts: string[] = [];
  let kind: SymbolKind = "padding";
  const end = first + count;
  const overlap = (a: number, b: number) => Math.max(0, Math.min(end, b) - Math.max(first, a));
  const h = overlap(0, headerNibbles);
  const p0 = headerNibbles;
  const p = overlap(p0, p0 + payloadNibbles);
  const c0 = p0 + payloadNibbles;
  const c = overlap(c0, c0 + crcNibbles);
  const pad = count - h - p - c;
  if (h) parts.push("header (length, coding rate, CRC flag, checksum)");
  if (p) {
    const b0 = Math.floor((Math.max(first, p0) - p0) / 2);
    const b1 = Math.floor((Math.min(end, p0 + payloadNibbles) - 1 - p0) / 2);
    parts.push(b0 === b1 ? `payload byte ${b0}` : `payload bytes ${b0}..${b1}`);
  }
  if (c) parts.push("payload CRC");
  if (pad > 0) parts.push("padding");
  if (h) kind = "header";
  else if (c)
    kind = "crc"; // a block that ends the payload and carries the CRC shows as CRC
  else if (p) kind = "payload";
  return { kind, text: parts.join(" + ") };
}

export function frameAnatomy(payload: Uint8Array, p: PhyParams, oversampling: number): FrameAnatomy {
  const params = resolveParams(p);
  const layout = frameLayout(p, payload.length, oversampling);
  const encoded = encodeFrame(payload, p);
  const sps = params.n * oversampling;
  const symbols: FrameSymbol[] = [];
  const push = (kind: SymbolKind, start: number, length: number, value: number | null, carries: string) =>
    symbols.push({ index: symbols.length, kind, start, length, value, carries });

  for (let i = 0; i < params.preambleLength; i++) {
    push(
      "preamble",
      layout.preamble[0] + i * sps,
      sps,
      0,
      `preamble upchirp ${i + 1} of ${params.preambleLength}: lets a receiver find the frame and its offsets`,
    );
  }
  const sw = params.syncWord;
  const [sync1, sync2] = syncSymbols(sw, params.n);
  push("sync", layout.sync[0], sps, sync1, `sync word high nibble 0x${(sw >> 4).toString(16)} (x8)`);
  push("sync", layout.sync[0] + sps, sps, sync2, `sync word low nibble 0x${(sw & 15).toString(16)} (x8)`);
  const downLen = layout.downchirps[1] - layout.downchirps[0];
  for (let off = 0, k = 1; off < downLen; off += sps, k++) {
    const len = Math.min(sps, downLen - off);
    push(
      "downchirp",
      layout.downchirps[0] + off,
      len,
      null,
      len < sps
        ? "quarter downchirp: marks where the payload starts"
        : `downchirp ${k}: frame timing and carrier offset`,
    );
  }

  // Nibble stream: header (5, explicit mode), payload (2 per byte), CRC (4), then padding.
  const headerNibbles = params.explicitHeader ? 5 : 0;
  const payloadNibbles = 2 * payload.length;
  const crcNibbles = params.crc ? 4 : 0;
  let nibble = 0;
  let sym = 0;
  let block = 0;
  while (sym < encoded.length) {
    const first = block === 0;
    const reduced = first || params.ldroOn;
    const ppm = reduced ? params.sf - 2 : params.sf; // nibbles (codewords) in this block
    const len = first ? 8 : 4 + params.cr; // symbols in this block
    const what = describeNibbles(nibble, ppm, headerNibbles, payloadNibbles, crcNibbles);
    for (let j = 0; j < len && sym < encoded.length; j++, sym++) {
      const rate = reduced ? `reduced rate, CR 4/${first ? 8 : 4 + params.cr}` : `CR 4/${4 + params.cr}`;
      push(
        what.kind,
        layout.header[0] + sym * sps,
        sps,
        encoded[sym]!,
        `block ${block} (${rate}), symbol ${j + 1} of ${len}: ${what.text}`,
      );
    }
    nibble += ppm;
    block++;
  }
  return { params, oversampling, layout, symbols, encoded };
}
