// Exports of the rx room: the receiver's per-symbol kernel (assembly/rx/symbol.ts).
export {
  rxsym_create, rxsym_free, rxsym_buffer, rxsym_bank, rxsym_words, rxsym_result, rxsym_llr, rxsym_move,
  rxsym_set_llr_scale, rxsym_search_reset, rxsym_search_step, rxsym_folded, rxsym_demod,
} from "./symbol";
export const rxRoomVersion: i32 = 1;
