// `chirp lorawan`: JSON and text output for data frames, joins and LPP, exit status on MIC mismatch.
import { afterEach, describe, expect, it, vi } from "vitest";
import { run } from "../src/cli/lorawan.js";
import { ChirpError } from "../src/errors.js";
import { CHIRP_BIN } from "./cli-run.js";

let out = "";
function capture() {
  out = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
}
afterEach(() => vi.restoreAllMocks());

describe("chirp lorawan", () => {
  it("--json: decrypted 1.0 uplink with MIC", async () => {
    capture();
    const code = await run([
      "40f17dbe4900020001954378762b11ff0d",
      "--nwkskey",
      "44024241ed4ce9a68c6a8bc055233fd3",
      "--appskey",
      "ec925802ae430ca77fd3dd73cb2cc588",
      "--json",
    ]);
    expect(code).toBe(0);
    const o = JSON.parse(out);
    expect(o).toMatchObject({
      mtype: "UnconfirmedDataUp",
      devAddr: "49be7df1",
      fCnt: 2,
      fPort: 1,
      payloadHex: "74657374",
      payloadDecrypted: true,
      micOk: true,
      macCommands: [],
    });
  });
  it("--lpp decodes the decrypted payload; text output names the readings", async () => {
    // build an LPP frame with known keys through the library, then decode it through the CLI
    const { buildDataFrame } = await import("../src/lorawan/index.js");
    const { encodeLpp } = await import("../src/lpp/index.js");
    const { toHex } = await import("../src/lorawan/index.js");
    const keys = { nwkSKey: "000102030405060708090a0b0c0d0e0f", appSKey: "0f0e0d0c0b0a09080706050403020100" };
    const payload = encodeLpp([
      { channel: 3, type: "temperature", value: 27.2 },
      { channel: 5, type: "relative_humidity", value: 54 },
    ]);
    const frame = buildDataFrame(
      { mtype: "ConfirmedDataUp", devAddr: "26011bda", fCnt: 70000, fPort: 2, payload },
      keys,
    );
    capture();
    expect(
      await run([
        toHex(frame),
        "--nwkskey",
        keys.nwkSKey,
        "--appskey",
        keys.appSKey,
        "--fcnt32",
        "70000",
        "--lpp",
        "--json",
      ]),
    ).toBe(0);
    const o = JSON.parse(out);
    expect(o.micOk).toBe(true);
    expect(o.fCnt).toBe(70000 & 0xffff);
    expect(o.fCnt32).toBe(70000);
    expect(o.lpp).toEqual([
      { channel: 3, type: 103, name: "temperature", value: 27.2, unit: "°C" },
      { channel: 5, type: 104, name: "relative_humidity", value: 54, unit: "%RH" },
    ]);
    capture();
    expect(
      await run([toHex(frame), "--nwkskey", keys.nwkSKey, "--appskey", keys.appSKey, "--last-fcnt", "69999", "--lpp"]),
    ).toBe(0);
    expect(out).toContain("ch 3 temperature: 27.2 °C");
    expect(out).toContain("MIC       ");
    expect(out).toContain("OK");
    // without the 32-bit counter the MIC fails: exit status 1
    capture();
    expect(await run([toHex(frame), "--nwkskey", keys.nwkSKey, "--json"])).toBe(1);
    expect(JSON.parse(out).micOk).toBe(false);
  });
  it("join request and decrypted join accept", async () => {
    capture();
    await run([
      "0039363463336913aa05693574323831330489c65b1304",
      "--appkey",
      "98929b92c49edba9676d646d3b612456",
      "--json",
    ]);
    expect(JSON.parse(out)).toMatchObject({
      mtype: "JoinRequest",
      joinEui: "aa13693363343639",
      devEui: "3331383274356905",
      devNonce: 0x8904,
      micOk: true,
    });
    capture();
    await run([
      "20e45673b63cb4b9cecb2aa83f0333e615d2ac89eea1659837c3aa6df9689889cf",
      "--appkey",
      "01010101010101010101010101010101",
      "--json",
    ]);
    const o = JSON.parse(out);
    expect(o.mtype).toBe("JoinAccept");
    expect(o.micOk).toBe(true);
    expect(o.joinAccept).toMatchObject({
      netId: "090807",
      devAddr: "03040506",
      rxDelay: 3,
      cfList: { type: 0, frequencies: [867100000, 867300000, 867500000, 867700000, 867900000] },
    });
  });
  it("a join accept with the request's DevNonce gives the session keys (1.0 and 1.1 OptNeg)", async () => {
    capture();
    // lora-packet's join accept (encrypted here) answering DevNonce f18e
    await run([
      "2088f36ae3b21314bc284e314e99257328",
      "--appkey",
      "98929b92c49edba9676d646d3b612456",
      "--dev-nonce",
      "0xf18e",
      "--show-session-keys",
      "--json",
    ]);
    expect(JSON.parse(out).sessionKeys).toEqual({
      nwkSKey: "4e3d6e6afbcc67af2ba3c8e8ec4acf4b",
      appSKey: "610897aa6f1460623443b527d3ac6a9d",
    });
    capture();
    // brocaar's 1.1 OptNeg join accept: MIC needs JSIntKey + JoinEUI + DevNonce; keys need NwkKey + AppKey
    const k = "0102030405060708090a0b0c0d0e0f10";
    await run([
      "207abeea06b02920f11c02d0348fcf1815",
      "--lorawan-version",
      "1.1",
      "--nwkkey",
      k,
      "--appkey",
      k,
      "--jsintkey",
      k,
      "--join-eui",
      "0807060504030201",
      "--dev-nonce",
      "258",
      "--show-session-keys",
    ]);
    expect(out).toMatch(/MIC\s+\S+ OK/);
    expect(out).toContain("fNwkSIntKey");
    expect(out).toContain("appSKey");
  });
  it("1.1 downlink with encrypted FOpts decodes its MAC commands", async () => {
    capture();
    await run([
      "6004030201030000dfb4f1e24f1f9f",
      "--lorawan-version",
      "1.1",
      "--snwksintkey",
      "02020202020202020202020202020202",
      "--nwksenckey",
      "02020202020202020202020202020204",
      "--json",
    ]);
    const o = JSON.parse(out);
    expect(o.micOk).toBe(true);
    expect(o.fOpts).toBe("020701");
    expect(o.macCommands[0]).toMatchObject({ name: "LinkCheckAns", fields: { margin: 7, gwCnt: 1 } });
  });
  it("--base64 input and text output with the ASCII payload", async () => {
    capture();
    // brocaar/lorawan ExamplePHYPayload_joinRequest (base64)
    expect(
      await run(["AAEBAQEBAQEBAgICAgICAgIDAwm5ezI=", "--base64", "--appkey", "0102030405060708090a0b0c0d0e0f10"]),
    ).toBe(0);
    expect(out).toContain("JoinRequest");
    expect(out).toContain("DevNonce  771");
    expect(out).toMatch(/MIC\s+09b97b32 OK/);
    capture();
    await run(["40f17dbe4900020001954378762b11ff0d", "--appskey", "ec925802ae430ca77fd3dd73cb2cc588"]);
    expect(out).toContain('Payload   74657374 "test"');
    expect(out).toContain("not checked (no key)");
    await expect(run(["not base64!", "--base64"])).rejects.toMatchObject({ code: "BAD_PARAMETER" });
  });
  it("bad input is a typed error", async () => {
    capture();
    await expect(run(["40ff"])).rejects.toBeInstanceOf(ChirpError);
    await expect(run(["zz"])).rejects.toMatchObject({ code: "BAD_PARAMETER" });
    await expect(run(["40f17dbe4900020001954378762b11ff0d", "--lorawan-version", "2"])).rejects.toMatchObject({
      code: "BAD_PARAMETER",
      parameter: "--lorawan-version",
    });
    await expect(run(["40f17dbe4900020001954378762b11ff0d", "--nwkskey", "0011"])).rejects.toMatchObject({
      code: "BAD_PARAMETER",
      parameter: "--nwkskey",
    });
    await expect(run(["40f17dbe4900020001954378762b11ff0d", "--tx-dr", "300"])).rejects.toMatchObject({
      code: "BAD_PARAMETER",
      parameter: "--tx-dr",
      message: expect.stringMatching(/^--tx-dr = "300"/),
    });
  });
});

describe("chirp lorawan with several frames", () => {
  it("stdin lines (hex and chirp decode --json objects) follow the 32-bit counter; bad lines are reported", async () => {
    const { spawnSync } = await import("node:child_process");
    const { buildDataFrame, toHex } = await import("../src/lorawan/index.js");
    const keys = { nwkSKey: "11".repeat(16), appSKey: "22".repeat(16) };
    const f = (fCnt: number) =>
      toHex(
        buildDataFrame(
          { mtype: "UnconfirmedDataUp", devAddr: "26011bda", fCnt, fPort: 1, payload: Uint8Array.of(fCnt & 255) },
          keys,
        ),
      );
    const input = [
      f(65534),
      JSON.stringify({ payloadHex: f(65535), sf: 7 }),
      "# comment",
      "",
      f(65537),
      "zz",
      f(70000),
    ].join("\n");
    const r = spawnSync(
      process.execPath,
      [CHIRP_BIN, "lorawan", "-", "--nwkskey", keys.nwkSKey, "--appskey", keys.appSKey, "--json"],
      { input, encoding: "utf8" },
    );
    const rows = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rows.map((o) => o.fCnt32 ?? o.error?.code)).toEqual([65534, 65535, 65537, "BAD_PARAMETER", 70000]);
    expect(rows.filter((o) => o.micOk).length).toBe(4);
    expect(rows.map((o) => o.line)).toEqual([1, 2, 5, 6, 7]);
    expect(r.status).toBe(1); // because of the bad line
    // several frames as arguments, text output
    capture();
    expect(await run([f(1), f(2), "--nwkskey", keys.nwkSKey])).toBe(0);
    expect(out.match(/OK/g)?.length).toBe(2);
    await expect(run([f(1), f(2), "--fcnt32", "2"])).rejects.toMatchObject({
      code: "BAD_PARAMETER",
      parameter: "--fcnt32",
    });
  });
});

describe("chirp lorawan --keys (several devices)", () => {
  it("gives each frame its device's keys by DevAddr, names the device, and skips LPP when the MIC fails", async () => {
    const { buildDataFrame, toHex } = await import("../src/lorawan/index.js");
    const { encodeLpp } = await import("../src/lpp/index.js");
    const { writeFileSync, mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const a = { nwkSKey: "000102030405060708090a0b0c0d0e0f", appSKey: "0f0e0d0c0b0a09080706050403020100" };
    const b = { nwkSKey: "2b7e151628aed2a6abf7158809cf4f3c", appSKey: "3c4fcf098815f7aba6d2ae2816157e2b" };
    const payload = encodeLpp([{ channel: 1, type: "temperature", value: 21.5 }]);
    const fa = toHex(
      buildDataFrame({ mtype: "UnconfirmedDataUp", devAddr: "26011f01", fCnt: 5, fPort: 2, payload }, a),
    );
    const fb = toHex(
      buildDataFrame({ mtype: "UnconfirmedDataUp", devAddr: "26011f02", fCnt: 9, fPort: 2, payload }, b),
    );
    const dir = mkdtempSync(join(tmpdir(), "chirp-keys-"));
    const file = join(dir, "keys.json");
    // device 2's keys are swapped: its MIC must fail and its payload must not be decoded as LPP
    writeFileSync(
      file,
      JSON.stringify({
        devices: [
          { name: "one", devAddr: "26011f01", ...a },
          { name: "two", devAddr: "26011F02", nwkSKey: b.appSKey, appSKey: b.nwkSKey },
        ],
      }),
    );
    capture();
    const code = await run([fa, fb, "--keys", file, "--lpp", "--json"]);
    const [oa, ob] = out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(oa).toMatchObject({ device: "one", micOk: true, lpp: [{ channel: 1, name: "temperature", value: 21.5 }] });
    expect(ob).toMatchObject({
      device: "two",
      micOk: false,
      lpp: null,
      lppError: "not decoded: the MIC does not verify",
    });
    expect(code).toBe(1);
  });

  it("a malformed keys file is BAD_PARAMETER naming the entry, never echoing a key", async () => {
    const { writeFileSync, mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const file = join(mkdtempSync(join(tmpdir(), "chirp-keys-")), "keys.json");
    writeFileSync(
      file,
      JSON.stringify({ devices: [{ devAddr: "26011f01", nwkSKey: "00112233445566778899aabbccddee" }] }),
    );
    const err = await run(["40f17dbe4900020001954378762b11ff0d", "--keys", file]).catch((e) => e);
    expect(err).toBeInstanceOf(ChirpError);
    expect(err.message).toContain("devices[0].nwkSKey");
    expect(err.message).not.toContain("00112233445566778899aabbccddee");
  });

  it("a frame too short for its MHDR says 1 byte, not 1 bytes", async () => {
    const err = await run([""]).catch((e) => e);
    expect(String(err.message)).toMatch(/needs at least 1 byte, got 0$/);
  });
});
