// Exports of the crypto room (filled in by its stages).
export const cryptoRoomVersion: i32 = 1;
