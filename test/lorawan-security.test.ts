// What the LoRaWAN codec never gives away: fields of a join accept whose MIC fails, key values in
// errors, the calculated MIC of a frame that fails, session keys nobody asked for.
import { afterEach, describe, expect, it, vi } from "vitest";
import { run } from "../src/cli/lorawan.js";
import { ChirpError } from "../src/errors.js";
import {
  buildDataFrame,
  buildJoinAccept,
  checkMic,
  computeMic,
  decodeFrame,
  decryptJoinAccept,
  fromHex,
  parseFrame,
  toHex,
} from "../src/lorawan/index.js";

let out = "";
function capture() {
  out = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
}
afterEach(() => vi.restoreAllMocks());

function thrown(f: () => unknown): ChirpError {
  try {
    f();
  } catch (e) {
    if (e instanceof ChirpError) return e;
    throw e;
  }
  throw new Error("did not throw");
}
async function rejected(p: Promise<unknown>): Promise<ChirpError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ChirpError) return e;
    throw e;
  }
  throw new Error("did not reject");
}

const APP_KEY = "98929b92c49edba9676d646d3b612456";
const WRONG_KEY = "0123456789abcdef0123456789abcdef";
// lora-packet's join accept (encrypted) answering DevNonce f18e
const JOIN_ACCEPT = "2088f36ae3b21314bc284e314e99257328";

describe("a join accept whose MIC fails derives nothing", () => {
  it("decodeFrame with a wrong AppKey: micOk false, no DevAddr, NetID, fields or session keys", () => {
    const d = decodeFrame(JOIN_ACCEPT, { keys: { appKey: WRONG_KEY }, devNonce: 0xf18e, deriveSessionKeys: true });
    expect(d.kind).toBe("join-accept");
    if (d.kind !== "join-accept") return;
    expect(d.micOk).toBe(false);
    expect(d.joinAccept).toBeUndefined();
    expect(d.sessionKeys).toBeUndefined();
    expect(d.payloadDecrypted).toBe(false);
    expect(toHex(d.payload)).toBe(JOIN_ACCEPT.slice(2)); // the encrypted bytes, not garbage plaintext
    expect(d.joinAcceptError).toMatch(/does not verify/);
    expect(() => decryptJoinAccept(fromHex(JOIN_ACCEPT), { appKey: WRONG_KEY })).toThrow(
      expect.objectContaining({ code: "MIC_MISMATCH" }),
    );
  });
  it("chirp lorawan --json prints neither DevAddr, NetID nor session keys of it (exit status 1)", async () => {
    capture();
    const code = await run([
      JOIN_ACCEPT,
      "--appkey",
      WRONG_KEY,
      "--dev-nonce",
      "0xf18e",
      "--show-session-keys",
      "--json",
    ]);
    expect(code).toBe(1);
    const o = JSON.parse(out);
    expect(o.micOk).toBe(false);
    for (const k of ["joinAccept", "sessionKeys", "devAddr", "netId"]) expect(o).not.toHaveProperty(k);
    expect(o.payloadDecrypted).toBe(false);
    capture();
    await run([JOIN_ACCEPT, "--appkey", WRONG_KEY, "--dev-nonce", "0xf18e", "--show-session-keys"]);
    expect(out).not.toMatch(/DevAddr|NetID|derived/);
  });
});

describe("key values never appear in errors", () => {
  const typo = "44024241ed4ce9a68c6a8bc055233fd300"; // 34 digits: one byte too many
  const notHex = "44024241ed4ce9a68c6a8bc05523zfd3";
  it("the library names the parameter and what is allowed, never the value", () => {
    const frame = "40f17dbe4900020001954378762b11ff0d";
    for (const bad of [typo, notHex]) {
      const e = thrown(() => decodeFrame(frame, { keys: { nwkSKey: bad } }));
      expect(e).toMatchObject({ code: "BAD_PARAMETER", parameter: "nwkSKey" });
      expect(e.allowed).toMatch(/32 hex digits/);
      expect(e.message).not.toContain(bad.slice(0, 8));
      expect(e.message).not.toContain(bad.slice(-8));
    }
    const e = thrown(() =>
      buildDataFrame(
        { mtype: "UnconfirmedDataUp", devAddr: 1, fCnt: 1, fPort: 1, payload: Uint8Array.of(1) },
        { nwkSKey: Uint8Array.from({ length: 15 }, (_, i) => 0x40 + i), appSKey: typo },
      ),
    );
    expect(e.message).not.toContain("4041424344");
    expect(e.message).not.toContain(typo.slice(0, 8));
  });
  it("the CLI does not echo a mistyped key", async () => {
    for (const bad of [typo, notHex]) {
      capture();
      const e = await rejected(run(["40f17dbe4900020001954378762b11ff0d", "--nwkskey", bad]));
      expect(e).toMatchObject({ code: "BAD_PARAMETER", parameter: "--nwkskey" });
      expect(e.message).not.toContain(bad.slice(0, 8));
      expect(out).not.toContain(bad.slice(0, 8));
    }
  });
});

describe("the calculated MIC is never shown for a frame that fails", () => {
  it("MIC_MISMATCH says the MIC does not verify, without the MIC that would make the forgery pass", () => {
    const keys = { nwkSKey: "44024241ed4ce9a68c6a8bc055233fd3", appSKey: "ec925802ae430ca77fd3dd73cb2cc588" };
    const forged = Uint8Array.from(parseFrame("40f17dbe4900020001954378762b11ff0d").bytes);
    forged[9] ^= 0x01; // tamper with the payload
    const valid = toHex(computeMic(parseFrame(forged), keys));
    const e = thrown(() => checkMic(parseFrame(forged), keys));
    expect(e.code).toBe("MIC_MISMATCH");
    expect(e.message).not.toContain(valid);
    const s = thrown(() => decodeFrame(forged, { keys, strictMic: true }));
    expect(s.message).not.toContain(valid);
    // nor anywhere in the decoded result
    const d = decodeFrame(forged, { keys });
    expect(d.micOk).toBe(false);
    expect(
      JSON.stringify({ ...d, frame: undefined }, (_k, v) => (v instanceof Uint8Array ? toHex(v) : v)),
    ).not.toContain(valid);
  });
  it("a join accept's result carries no calculated MIC", () => {
    const keys = { appKey: APP_KEY };
    const ja = buildJoinAccept({ joinNonce: 1, netId: 2, devAddr: 3 }, keys);
    const f = decryptJoinAccept(ja, keys);
    expect(f.micOk).toBe(true);
    expect(f).not.toHaveProperty("calculatedMic");
  });
});

describe("derived session keys appear only when asked for", () => {
  it("decodeFrame with devNonce but without deriveSessionKeys gives none; with it, the lora-packet keys", () => {
    const plain = decodeFrame(JOIN_ACCEPT, { keys: { appKey: APP_KEY }, devNonce: 0xf18e });
    if (plain.kind !== "join-accept") throw new Error("not a join accept");
    expect(plain.micOk).toBe(true);
    expect(plain.sessionKeys).toBeUndefined();
    const asked = decodeFrame(JOIN_ACCEPT, { keys: { appKey: APP_KEY }, devNonce: 0xf18e, deriveSessionKeys: true });
    if (asked.kind !== "join-accept") throw new Error("not a join accept");
    expect(Object.fromEntries(Object.entries(asked.sessionKeys!).map(([k, v]) => [k, toHex(v)]))).toEqual({
      nwkSKey: "4e3d6e6afbcc67af2ba3c8e8ec4acf4b",
      appSKey: "610897aa6f1460623443b527d3ac6a9d",
    });
    expect(() =>
      decodeFrame(JOIN_ACCEPT, { keys: { appKey: APP_KEY }, deriveSessionKeys: "yes" as unknown as boolean }),
    ).toThrow(expect.objectContaining({ parameter: "deriveSessionKeys" }));
  });
  it("chirp lorawan --json prints them only with --show-session-keys", async () => {
    capture();
    await run([JOIN_ACCEPT, "--appkey", APP_KEY, "--dev-nonce", "0xf18e", "--json"]);
    expect(JSON.parse(out)).not.toHaveProperty("sessionKeys");
    expect(out).not.toContain("4e3d6e6a");
    capture();
    await run([JOIN_ACCEPT, "--appkey", APP_KEY, "--dev-nonce", "0xf18e", "--json", "--show-session-keys"]);
    expect(JSON.parse(out).sessionKeys.nwkSKey).toBe("4e3d6e6afbcc67af2ba3c8e8ec4acf4b");
  });
});

describe("chirp lorawan with several frames reports replays", () => {
  it("a second copy of a frame is flagged (JSON replay: true, exit status 1) and does not move the counter", async () => {
    const keys = { nwkSKey: "11".repeat(16), appSKey: "22".repeat(16) };
    const f = (fCnt: number) =>
      toHex(
        buildDataFrame(
          { mtype: "UnconfirmedDataUp", devAddr: "26011bda", fCnt, fPort: 1, payload: Uint8Array.of(fCnt & 255) },
          keys,
        ),
      );
    capture();
    const code = await run([
      f(70000),
      f(70001),
      f(70001),
      f(70002),
      "--nwkskey",
      keys.nwkSKey,
      "--appskey",
      keys.appSKey,
      "--last-fcnt",
      "69999",
      "--json",
    ]);
    const rows = out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rows.map((o) => [o.fCnt32, o.micOk, o.replay ?? false])).toEqual([
      [70000, true, false],
      [70001, true, false],
      [70001, true, true],
      [70002, true, false],
    ]);
    expect(code).toBe(1);
  });
});
