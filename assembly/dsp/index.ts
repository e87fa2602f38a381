// Exports of the dsp room (filled in by its stages).
export const dspRoomVersion: i32 = 1;
