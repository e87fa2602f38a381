// The demo shows a payload as LoRaWAN only when its MHDR and length make sense (demo/src/lorawan-check.ts).
import { describe, expect, it } from "vitest";
import { looksLikeLorawan } from "../demo/src/lorawan-check.js";
import { buildDataFrame, buildJoinRequest } from "../src/lorawan/index.js";

describe("demo: looksLikeLorawan", () => {
  const keys = { nwkSKey: "2b7e151628aed2a6abf7158809cf4f3c", appSKey: "000102030405060708090a0b0c0d0e0f" };
  it("accepts real frames: data up/down, join request", () => {
    expect(
      looksLikeLorawan(
        buildDataFrame(
          { mtype: "UnconfirmedDataUp", devAddr: "26011bda", fCnt: 1, fPort: 1, payload: Uint8Array.of(1, 2) },
          keys,
        ),
      ),
    ).toBe(true);
    expect(looksLikeLorawan(buildDataFrame({ mtype: "ConfirmedDataDown", devAddr: "26011bda", fCnt: 1 }, keys))).toBe(
      true,
    );
    expect(
      looksLikeLorawan(
        buildJoinRequest(
          { joinEui: "0000000000000001", devEui: "0000000000000002", devNonce: 5 },
          { appKey: keys.nwkSKey },
        ),
      ),
    ).toBe(true);
  });
  it("rejects text and random bytes whose MHDR or length cannot be LoRaWAN", () => {
    expect(looksLikeLorawan(new TextEncoder().encode("Hello from chirpkit!"))).toBe(false); // 'H': RFU bits set
    expect(looksLikeLorawan(Uint8Array.of(0x00, ...new Array(20).fill(0)))).toBe(false); // join request must be 23 bytes
    expect(looksLikeLorawan(Uint8Array.of(0x40, 1, 2, 3, 4, 0x0f, 0, 0, 1, 2, 3, 4))).toBe(false); // FOptsLen 15 in 12 bytes
    expect(looksLikeLorawan(Uint8Array.of(0xe0, ...new Array(15).fill(1)))).toBe(false); // proprietary
    expect(looksLikeLorawan(Uint8Array.of(0x41, ...new Array(15).fill(1)))).toBe(false); // major 1
    expect(looksLikeLorawan(Uint8Array.of(0x40, 1, 2, 3))).toBe(false); // too short
  });
});
