// Bytes as lower-case hex, shared by the receiver's reports, the simulator's truth and the LoRaWAN
// codec: one table of the 256 two-digit strings, so a frame's payloadHex costs one string append
// per byte (no per-byte toString and padStart).

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Lower-case hex of `b` from `start` to `end` (array order; `end` clamped to the array, as subarray does). */
export function hex(b: Uint8Array, start = 0, end = b.length): string {
  let s = "";
  const to = Math.min(end, b.length);
  for (let i = Math.max(0, start); i < to; i++) s += HEX[b[i]!];
  return s;
}

/** Lower-case hex of `b` from `end - 1` down to `start` (wire little-endian to display big-endian; clamped to the array). */
export function hexReversed(b: Uint8Array, start = 0, end = b.length): string {
  let s = "";
  const from = Math.max(0, start);
  for (let i = Math.min(end, b.length) - 1; i >= from; i--) s += HEX[b[i]!];
  return s;
}
