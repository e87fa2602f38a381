// Blocks and frames: nibbles ([header,] whitened payload low nibble first, [CRC low nibble first])
// -> Hamming -> diagonal interleaver -> Gray -> symbols, and back. The first block is 8 symbols
// carrying sf-2 nibbles at CR 4/8 in reduced rate; later blocks carry ppm nibbles at the frame's
// CR (ppm = sf-2 with LDRO, reduced rate; sf otherwise); short blocks pad with zero nibbles
// (gr-lora_sdr interleaver_impl.cc). With headerFull (SX126x framing at SF5/SF6) the first block
// carries sf nibbles at CR 4/8 at full rate. Scratch buffers are static: nothing is allocated per call.
import { whiten } from "./whitening";
import { headerValid, writeHeader } from "./header";
import { payloadCrc } from "./crc";
import { CW_CORRECTED, CW_DETECTED, hammingDecode, hammingDecodeSoft, hammingEncode } from "./hamming";
import { deinterleave, deinterleaveSoft, interleave } from "./interleaver";
import { symbolToWord, wordToSymbol } from "./gray";

const NIBBLES = memory.data(600); // 5 header + 510 payload + 4 CRC + up to 12 padding
const CWS = memory.data(32); // u16 x 12
const WORDS = memory.data(32); // u16 x 8
const BITS = memory.data(12 * 8 * 4); // f32 codeword-bit LLRs of one block
const PAYLOAD = memory.data(256);

/** Encodes len payload bytes into u16 symbols at out; returns the symbol count. */
export function frame_encode(payload: usize, len: i32, sf: i32, cr: i32, explicit: i32, hasCrc: i32, ldro: i32, headerFull: i32, out: usize): i32 {
  let nib = 0;
  if (explicit) {
    writeHeader(NIBBLES, <u32>len, <u32>cr, <u32>hasCrc);
    nib = 5;
  }
  whiten(payload, PAYLOAD, len);
  for (let i = 0; i < len; i++) {
    const b = load<u8>(PAYLOAD + <usize>i);
    store<u8>(NIBBLES + <usize>(nib++), b & 15);
    store<u8>(NIBBLES + <usize>(nib++), b >> 4);
  }
  if (hasCrc) {
    const c = payloadCrc(payload, len);
    for (let q: u32 = 0; q < 4; q++) store<u8>(NIBBLES + <usize>(nib++), <u8>((c >> (4 * q)) & 15));
  }
  for (let i = 0; i < 12; i++) store<u8>(NIBBLES + <usize>(nib + i), 0);
  let used = 0, sym = 0;
  while (sym == 0 || used < nib) {
    const first = sym == 0;
    const reduced = first ? headerFull == 0 : ldro != 0;
    const ppm = reduced ? sf - 2 : sf;
    const bcr = first ? 4 : cr;
    for (let c = 0; c < ppm; c++) store<u16>(CWS + (<usize>c << 1), <u16>hammingEncode(load<u8>(NIBBLES + <usize>(used++)), bcr));
    interleave(CWS, ppm, 4 + bcr, WORDS);
    for (let i = 0; i < 4 + bcr; i++) {
      store<u16>(out + (<usize>(sym++) << 1), <u16>wordToSymbol(load<u16>(WORDS + (<usize>i << 1)), sf, reduced));
    }
  }
  return sym;
}

// Decoder state for one call.
let dIn: usize = 0;
let dSoft = false;
let dSf = 0;
let dLdro = false;
let dHeaderFull = false;
let dSym = 0;
let dNib = 0;
let dCorrected = 0;
let dDetected = 0;

/**
 * The ppm codewords (u16 each) of the interleaver block of len hard decisions (u16) at symbol sym of
 * input, at reduced rate or not: gray-mapped, deinterleaved into the codec's scratch, which it
 * returns (valid until the next block).
 */
export function hardCodewords(input: usize, sym: i32, len: i32, sf: i32, reduced: bool, ppm: i32): usize {
  for (let i = 0; i < len; i++) {
    const s = <u32>load<u16>(input + (<usize>(sym + i) << 1));
    store<u16>(WORDS + (<usize>i << 1), <u16>symbolToWord(s, sf, reduced));
  }
  deinterleave(WORDS, ppm, len, CWS);
  return CWS;
}

/** Decodes the next block at coding rate bcr into NIBBLES; false when the input is too short. */
function nextBlock(bcr: i32, nsym: i32): bool {
  const first = dSym == 0;
  const reduced = first ? !dHeaderFull : dLdro;
  const cr = first ? 4 : bcr;
  const len = 4 + cr;
  const ppm = reduced ? dSf - 2 : dSf;
  if (dSym + len > nsym) return false;
  if (dSoft) {
    deinterleaveSoft(dIn + (<usize>(dSym * dSf) << 2), dSf, ppm, len, BITS);
    for (let c = 0; c < ppm; c++) {
      const bits = BITS + (<usize>(c * len) << 2);
      const nibble = hammingDecodeSoft(bits, cr);
      const cw = hammingEncode(nibble, cr);
      for (let k = 0; k < len; k++) {
        const hard: u32 = load<f32>(bits + (<usize>k << 2)) > 0 ? 1 : 0;
        if (((cw >> <u32>(len - 1 - k)) & 1) != hard) { dCorrected++; break; }
      }
      store<u8>(NIBBLES + <usize>(dNib++), <u8>nibble);
    }
  } else {
    const cws = hardCodewords(dIn, dSym, len, dSf, reduced, ppm);
    for (let c = 0; c < ppm; c++) {
      const v = hammingDecode(load<u16>(cws + (<usize>c << 1)), cr);
      const status = <u8>(v >> 4);
      if (status == CW_CORRECTED) dCorrected++;
      if (status == CW_DETECTED) dDetected++;
      store<u8>(NIBBLES + <usize>(dNib++), <u8>(v & 15));
    }
  }
  dSym += len;
  return true;
}

// info layout (i32): 0 headerOk (1 once the header is read or given: a TOO_SHORT status with it
// set still carries the header fields), 1 payloadLength, 2 cr, 3 crc (1..3 are 0 when the header failed),
// 4 crcOk (-1 none, 0, 1), 5 corrected, 6 detected, 7 symbols needed.
const STATUS_OK = 0;
const STATUS_BAD_HEADER = 1;
const STATUS_TOO_SHORT = 2;

function symbolsFor(pl: i32, cr: i32, hasCrc: i32, explicit: i32, sf: i32, ldro: bool, headerFull: bool): i32 {
  const num = 8 * pl - 4 * sf + (headerFull ? 20 : 28) + 16 * hasCrc - (explicit ? 0 : 20);
  const den = 4 * (sf - (ldro ? 2 : 0));
  const blocks = num <= 0 ? 0 : (num + den - 1) / den;
  return 8 + blocks * (cr + 4);
}

/**
 * Decodes a frame from u16 symbols (soft = 0) or f32 LLRs (soft = 1, nsym * sf values) at input.
 * Implicit mode takes cr, hasCrc and implicitLength; explicit mode reads them from the header.
 * Writes the payload at out (up to 255 bytes) and eight i32 at info; returns a status.
 */
export function frame_decode(input: usize, nsym: i32, soft: i32, sf: i32, cr: i32, explicit: i32, hasCrc: i32, ldro: i32, headerFull: i32, implicitLength: i32, out: usize, info: usize): i32 {
  dIn = input; dSoft = soft != 0; dSf = sf; dLdro = ldro != 0; dHeaderFull = headerFull != 0;
  dSym = 0; dNib = 0; dCorrected = 0; dDetected = 0;
  for (let i = 0; i < 8; i++) store<i32>(info + (<usize>i << 2), 0);
  store<i32>(info + 16, -1);
  store<i32>(info + 28, 8);
  if (!nextBlock(4, nsym)) return STATUS_TOO_SHORT;
  let pl = implicitLength, fcr = cr, fcrc = hasCrc;
  const hdr = explicit ? 5 : 0;
  if (explicit) {
    if (dNib < 5) { // SF5/SF6: the header ends in the second block, coded at the header's CR
      const crH = <i32>load<u8>(NIBBLES + 2) >> 1;
      if (crH >= 1 && crH <= 4) {
        store<i32>(info + 28, 8 + 4 + crH);
        if (!nextBlock(crH, nsym)) return STATUS_TOO_SHORT;
      } else {
        store<u8>(NIBBLES + 3, 0); store<u8>(NIBBLES + 4, 0);
      }
    }
    store<i32>(info + 20, dCorrected);
    store<i32>(info + 24, dDetected);
    // a failed header's fields were not read: they stay 0 in info
    if (!headerValid(NIBBLES) || (dNib < 5)) {
      store<i32>(info, 0);
      return STATUS_BAD_HEADER;
    }
    store<i32>(info, 1);
    pl = (<i32>load<u8>(NIBBLES) << 4) | <i32>load<u8>(NIBBLES, 1);
    fcr = <i32>load<u8>(NIBBLES, 2) >> 1;
    fcrc = <i32>load<u8>(NIBBLES, 2) & 1;
    store<i32>(info + 4, pl);
    store<i32>(info + 8, fcr);
    store<i32>(info + 12, fcrc);
  } else {
    store<i32>(info, 1);
    store<i32>(info + 4, pl);
    store<i32>(info + 8, fcr);
    store<i32>(info + 12, fcrc);
  }
  const need = symbolsFor(pl, fcr, fcrc, explicit, sf, dLdro, dHeaderFull);
  store<i32>(info + 28, need);
  if (nsym < need) return STATUS_TOO_SHORT;
  const wanted = hdr + 2 * pl + (fcrc ? 4 : 0);
  while (dNib < wanted) nextBlock(fcr, nsym);
  for (let i = 0; i < pl; i++) {
    const o = NIBBLES + <usize>(hdr + 2 * i);
    store<u8>(out + <usize>i, load<u8>(o) | (load<u8>(o, 1) << 4));
  }
  whiten(out, out, pl);
  if (fcrc) {
    const o = NIBBLES + <usize>(hdr + 2 * pl);
    const got = <u32>load<u8>(o) | (<u32>load<u8>(o, 1) << 4) | (<u32>load<u8>(o, 2) << 8) | (<u32>load<u8>(o, 3) << 12);
    store<i32>(info + 16, got == payloadCrc(out, pl) ? 1 : 0);
  }
  store<i32>(info + 20, dCorrected);
  store<i32>(info + 24, dDetected);
  return STATUS_OK;
}
