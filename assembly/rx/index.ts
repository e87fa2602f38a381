// Exports of the receiver's per-symbol kernels (assembly/rx/symbol.ts), its frame stores
// (assembly/rx/frame.ts) and of their ABI (assembly/rx/abi.ts).
export {
  rxsym_create, rxsym_free, rxsym_buffer, rxsym_bank, rxsym_words, rxsym_result, rxsym_move,
  rxsym_search_create, rxsym_search_free, rxsym_search_reset, rxsym_search, rxsym_folded_window, rxsym_pair_peak, rxsym_demod,
} from "./symbol";
export {
  rxframe_create, rxframe_free, rxframe_symbols, rxframe_llr, rxframe_payload, rxframe_info, rxframe_counts, rxframe_decode, rxframe_valid, rxframe_blind_clear,
} from "./frame";
export { rxsym_peaks, rxsym_peaks_list } from "./assign";
export { SYMBOL_RESULT_BYTES } from "./abi";
