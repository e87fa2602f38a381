// Exports of the rx room (filled in by its stages).
export const rxRoomVersion: i32 = 1;
