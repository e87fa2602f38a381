// Exports of the codec room (filled in by its stages).
export const codecRoomVersion: i32 = 1;
