// Exports of the frame codec and its stages (stage exports serve property tests).
export { frame_encode, frame_decode } from "./frame";
export { whitening_apply } from "./whitening";
export { header_checksum } from "./header";
export { crc_payload } from "./crc";
export { hamming_encode, hamming_decode } from "./hamming";
export { interleaver_interleave, interleaver_deinterleave } from "./interleaver";
export { gray_word_to_symbol, gray_symbol_to_word } from "./gray";
