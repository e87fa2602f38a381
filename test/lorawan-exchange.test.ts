// Whole LoRaWAN 1.0.x conversations: join request -> join accept decrypted with the AppKey (session
// keys only when its MIC verifies) -> data both ways MIC-checked and decrypted, counters per
// direction; in frames, on air through the receiver with iq 'both', and through the CLI.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createExchange, toHex } from "../src/lorawan/index.js";
import { decodeLpp } from "../src/lpp/index.js";
import { decodeRecording } from "../src/rx/index.js";
import { simulate } from "../src/sim/index.js";
import { lorawanConversation, type ConversationDevice } from "../src/cli/exchange.js";
import { EXCHANGE_DEVICE } from "../src/cli/simulate.js";
import { ChirpError } from "../src/errors.js";
import { chirp, lines } from "./cli-run.js";

const devices: ConversationDevice[] = [
  { ...EXCHANGE_DEVICE, sf: 7, snrDb: 6 },
  {
    ...EXCHANGE_DEVICE,
    name: "valve-3",
    devEui: "70b3d57ed0000303",
    appKey: "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    devAddr: "260b0303",
    sf: 8,
    snrDb: 3,
    ppm: -9,
  },
];

describe("createExchange on the frames of a conversation", () => {
  const talk = lorawanConversation(devices, { uplinks: 5, gapSamples: 1000 });
  it("joins both devices, then every data frame verifies and decrypts, counters per direction", () => {
    const ex = createExchange(devices.map((d) => ({ name: d.name, devEui: d.devEui, appKey: d.appKey })));
    const out = talk.steps.map((s) => ex.decode(s.bytes));
    out.forEach((d, i) => {
      const s = talk.steps[i]!;
      expect(d.micOk, s.what).toBe(true);
      expect(d.device, s.what).toBe(s.device);
      expect(d.replay).toBe(false);
      expect(d.mtype).toBe(s.mtype);
      if (d.kind === "data") {
        expect(d.exchange.kind).toBe("data");
        expect(d.fCnt32).toBe(s.fCnt);
        if (d.direction === "up") {
          expect(d.payloadDecrypted).toBe(true);
          const k = Number(/uplink (\d+)/.exec(s.what)![1]);
          const dev = devices.find((x) => x.name === s.device)!;
          expect(decodeLpp(d.payload).map((r) => r.value)).toEqual(dev.readings(k).map((r) => r.value));
        }
        if (/LinkADRReq/.test(s.what)) expect(d.macCommands.map((c) => c.name)).toEqual(["LinkADRReq"]);
        if (/ACK/.test(s.what)) expect(d.fCtrl.ack).toBe(true);
        if (/LinkADRAns/.test(s.what)) expect(d.macCommands.map((c) => c.name)).toEqual(["LinkADRAns"]);
      }
      if (d.kind === "join-accept") {
        expect(d.exchange).toEqual({
          kind: "joined",
          device: s.device,
          devAddr: devices.find((x) => x.name === s.device)!.devAddr,
        });
        expect(d.sessionKeys).toBeUndefined(); // secrets only on request
      }
    });
    expect(ex.counters("260b1717")).toEqual({ fCntUp: 4, fCntDown: 1, aFCntDown: undefined });
    expect(ex.counters("260b0303")).toEqual({ fCntUp: 4, fCntDown: 1, aFCntDown: undefined });
    expect(ex.sessions()).toEqual(
      new Map([
        ["260b1717", "meter-17"],
        ["260b0303", "valve-3"],
      ]),
    );
    // a frame heard twice is a replay, and moves no counter
    const again = ex.decode(talk.steps.at(-1)!.bytes);
    expect(again.replay).toBe(true);
    expect(ex.counters("260b0303")!.fCntUp).toBe(4);
  });
  it("a wrong AppKey: the join request and accept fail their MIC, no session keys, the data stays encrypted", () => {
    const ex = createExchange([{ devEui: devices[0]!.devEui, appKey: "00112233445566778899aabbccddeeff" }], {
      showSessionKeys: true,
    });
    const out = talk.steps.filter((s) => s.device === "meter-17").map((s) => ex.decode(s.bytes));
    expect(out[0]!.mtype).toBe("JoinRequest");
    expect(out[0]!.micOk).toBe(false);
    const ja = out[1]!;
    expect(ja.kind).toBe("join-accept");
    expect(ja.micOk).toBe(false);
    expect(ja.exchange.kind).toBe("join-accept-unmatched");
    if (ja.kind === "join-accept") {
      expect(ja.joinAccept).toBeUndefined();
      expect(ja.sessionKeys).toBeUndefined();
    }
    for (const d of out.slice(2)) {
      expect(d.micOk).toBeNull();
      expect(d.exchange.kind).toBe("unknown");
      if (d.kind === "data" && d.fPort !== null) expect(d.payloadDecrypted).toBe(false);
    }
    expect(ex.sessions().size).toBe(0);
  });
  it("session keys with showSessionKeys; one AppKey for any DevEUI; ABP sessions; bad devices are typed errors", () => {
    const ex = createExchange([{ appKey: devices[1]!.appKey }], { showSessionKeys: true });
    const mine = talk.steps.filter((s) => s.device === "valve-3").map((s) => ex.decode(s.bytes));
    const ja = mine[1]!;
    expect(ja.micOk).toBe(true);
    if (ja.kind === "join-accept") expect(Object.keys(ja.sessionKeys ?? {}).sort()).toEqual(["appSKey", "nwkSKey"]);
    expect(mine.every((d) => d.micOk === true)).toBe(true);
    for (const bad of [
      [{}],
      [{ appKey: "12" }],
      [{ devAddr: "260b1717" }],
      [{ appKey: devices[0]!.appKey, devEui: "xyz" }],
    ]) {
      try {
        createExchange(bad as never);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(ChirpError);
        expect((e as ChirpError).message).not.toMatch(/12|xyz/);
      }
    }
  });
});

describe("a conversation on air: uplinks and downlinks (inverted IQ, no CRC) decoded in one pass", () => {
  for (const engine of ["wasm", "js"] as const) {
    it(`${engine}: every frame heard with its direction, then the exchange follows it`, () => {
      const dev = [{ ...devices[0]!, sf: 8, snrDb: 2 }];
      const talk = lorawanConversation(dev, { uplinks: 4, gapSamples: 3000 });
      const sim = simulate({ frames: talk.frames, sampleRate: 250000, leadSamples: 3000, tailSamples: 3000, seed: 5 });
      const frames = decodeRecording(sim.iq, {
        sampleRate: 250000,
        bandwidth: 125000,
        sf: 8,
        syncWord: 0x34,
        iq: "both",
        engine,
      });
      expect(frames.map((f) => f.invertIq)).toEqual(talk.steps.map((s) => s.direction === "down"));
      expect(frames.map((f) => f.crcOk)).toEqual(talk.steps.map((s) => (s.direction === "down" ? null : true)));
      expect(frames.map((f) => f.payloadHex)).toEqual(talk.steps.map((s) => toHex(s.bytes)));
      const ex = createExchange([{ devEui: dev[0]!.devEui, appKey: dev[0]!.appKey }]);
      const lw = frames.map((f) => ex.decode(f.payload));
      expect(lw.map((d) => d.micOk)).toEqual(talk.steps.map(() => true));
      expect(lw.map((d) => d.exchange.kind)).toEqual([
        "join-request",
        "joined",
        "data",
        "data",
        "data",
        "data",
        "data",
        "data",
      ]);
    });
  }
});

describe("chirp simulate --lorawan-exchange and chirp decode --iq both --keys/--appkey", () => {
  it("the recording decodes end to end with the keys file; a wrong --appkey derives and prints nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "chirp-exchange-"));
    const out = join(dir, "talk");
    const s = chirp(["simulate", "-o", out, "--lorawan-exchange", "--sf", "7", "--frames", "5", "--snr", "4"]);
    expect(s.status, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/JoinAccept/);
    const keys = JSON.parse(readFileSync(`${out}.keys.json`, "utf8"));
    expect(keys.devices[0]).toMatchObject({ name: "meter-17", devEui: EXCHANGE_DEVICE.devEui });
    const r = chirp([
      "decode",
      `${out}.sigmf-meta`,
      "--sf",
      "7",
      "--sync",
      "0x34",
      "--iq",
      "both",
      "--keys",
      `${out}.keys.json`,
      "--json",
    ]);
    expect(r.status, r.stderr).toBe(0);
    const fr = lines(r.stdout);
    expect(fr.map((f) => f.lorawan.mtype)).toEqual([
      "JoinRequest",
      "JoinAccept",
      "UnconfirmedDataUp",
      "UnconfirmedDataUp",
      "UnconfirmedDataDown",
      "UnconfirmedDataUp",
      "ConfirmedDataUp",
      "UnconfirmedDataDown",
      "UnconfirmedDataUp",
    ]);
    expect(fr.every((f) => f.lorawan.micOk === true && f.lorawan.device === "meter-17")).toBe(true);
    expect(fr.map((f) => f.invertIq)).toEqual([false, true, false, false, true, false, false, true, false]);
    expect(fr[1].lorawan.sessionKeys).toBeUndefined();
    expect(fr[2].lorawan.payloadHex).toBe(toHex(new Uint8Array([1, 0x67, 0, 185, 2, 0x68, 104])));
    const text = chirp([
      "decode",
      `${out}.sigmf-meta`,
      "--sf",
      "7",
      "--sync",
      "0x34",
      "--iq",
      "both",
      "--appkey",
      EXCHANGE_DEVICE.appKey,
    ]);
    expect(text.stdout).toMatch(/session DevAddr 260b1717/);
    expect(text.stdout).toMatch(/session 260b1717 \(70b3d57ed0001717\): FCntUp 4, FCntDown 1/);
    const wrong = chirp([
      "decode",
      `${out}.sigmf-meta`,
      "--sf",
      "7",
      "--sync",
      "0x34",
      "--iq",
      "both",
      "--appkey",
      "00112233445566778899aabbccddeeff",
      "--show-session-keys",
      "--json",
    ]);
    const w = lines(wrong.stdout);
    expect(w[1].lorawan).toMatchObject({ mtype: "JoinAccept", micOk: false, event: "join-accept-unmatched" });
    expect(w[1].lorawan.sessionKeys).toBeUndefined();
    expect(w[1].lorawan.joinAccept).toBeUndefined();
    expect(wrong.stdout).not.toMatch(/nwkSKey|appSKey/);
    const bad = chirp(["decode", `${out}.sigmf-meta`, "--sf", "7", "--appkey", "secret-ish"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--appkey/);
    expect(bad.stderr).not.toMatch(/secret-ish/);
  });
});
