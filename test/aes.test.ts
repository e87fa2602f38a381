// AES-128 and AES-CMAC: every known-answer vector of ../shared/vectors/aes.json, plus random
// differential checks against Node's crypto (the oracle lives in the test only; src/ never uses it).
import { describe, expect, it } from "vitest";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { describeShared, readSharedJson } from "./shared.js";
import {
  aesEncryptBlock,
  aesDecryptBlock,
  aesEcbEncrypt,
  aesEcbDecrypt,
  aesExpandKey,
  aesCmac,
  cmacSubkeys,
  ctrXor,
} from "../src/crypto/index.js";
import { ChirpError } from "../src/errors.js";

const hex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16));
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

function nodeEcb(key: Uint8Array, data: Uint8Array, decrypt: boolean): Uint8Array {
  const c = decrypt ? createDecipheriv("aes-128-ecb", key, null) : createCipheriv("aes-128-ecb", key, null);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

// Independent CMAC over node's AES (RFC 4493 section 2.4), used as oracle for random lengths.
function nodeCmac(key: Uint8Array, msg: Uint8Array): Uint8Array {
  const L = nodeEcb(key, new Uint8Array(16), false);
  const dbl = (b: Uint8Array) => {
    const o = new Uint8Array(16);
    for (let i = 0; i < 16; i++) o[i] = ((b[i]! << 1) | (i < 15 ? b[i + 1]! >> 7 : 0)) & 0xff;
    if (b[0]! & 0x80) o[15]! ^= 0x87;
    return o;
  };
  const k1 = dbl(L),
    k2 = dbl(k1);
  const n = Math.max(1, Math.ceil(msg.length / 16));
  const complete = msg.length > 0 && msg.length % 16 === 0;
  let x = new Uint8Array(16);
  for (let b = 0; b < n; b++) {
    const blk = new Uint8Array(16);
    const part = msg.subarray(b * 16, b * 16 + 16);
    blk.set(part);
    if (b === n - 1) {
      if (!complete) blk[part.length] = 0x80;
      const kk = complete ? k1 : k2;
      for (let i = 0; i < 16; i++) blk[i]! ^= kk[i]!;
    }
    for (let i = 0; i < 16; i++) blk[i]! ^= x[i]!;
    x = nodeEcb(key, blk, false) as Uint8Array<ArrayBuffer>;
  }
  return x;
}

describeShared("aes.json vectors", () => {
  const v = readSharedJson("vectors", "aes.json");
  for (const t of v.aes128_block) {
    it(`${t.id}: encrypt and decrypt`, () => {
      expect(toHex(aesEncryptBlock(hex(t.key), hex(t.plaintext)))).toBe(t.ciphertext);
      expect(toHex(aesDecryptBlock(hex(t.key), hex(t.ciphertext)))).toBe(t.plaintext);
    });
  }
  for (const t of v.aes128_key_expansion) {
    it(`${t.id}: key expansion`, () => {
      const w = aesExpandKey(hex(t.key));
      expect(toHex(w.subarray(16, 20))).toBe(t.w4);
      expect(toHex(w.subarray(172, 176))).toBe(t.w43);
      expect(toHex(w.subarray(160, 176))).toBe(t.last_round_key_w40_w43);
    });
  }
  const c = v.aes_cmac_rfc4493;
  it("rfc4493 subkeys", () => {
    const { k1, k2 } = cmacSubkeys(hex(c.key));
    expect(toHex(aesEncryptBlock(hex(c.key), new Uint8Array(16)))).toBe(c.subkeys.aes128_k_zero_L);
    expect(toHex(k1)).toBe(c.subkeys.K1);
    expect(toHex(k2)).toBe(c.subkeys.K2);
  });
  for (const ex of c.examples) {
    it(`${ex.id}: CMAC of ${ex.len} bytes`, () => {
      expect(hex(ex.message).length).toBe(ex.len);
      expect(toHex(aesCmac(hex(c.key), hex(ex.message)))).toBe(ex.tag);
    });
  }
});

describe("AES differential against node:crypto", () => {
  it("500 random keys/blocks, encrypt and decrypt agree", () => {
    for (let i = 0; i < 500; i++) {
      const key = new Uint8Array(randomBytes(16));
      const data = new Uint8Array(randomBytes(16 * (1 + (i % 4))));
      const enc = aesEcbEncrypt(key, data);
      expect(toHex(enc)).toBe(toHex(nodeEcb(key, data, false)));
      expect(toHex(aesEcbDecrypt(key, enc))).toBe(toHex(data));
    }
  });
  it("CMAC of every length 0..100 and random long messages agrees with an independent RFC 4493", () => {
    const key = new Uint8Array(randomBytes(16));
    for (let len = 0; len <= 100; len++) {
      const m = new Uint8Array(randomBytes(len));
      expect(toHex(aesCmac(key, m))).toBe(toHex(nodeCmac(key, m)));
    }
    for (let i = 0; i < 50; i++) {
      const k2 = new Uint8Array(randomBytes(16));
      const m = new Uint8Array(randomBytes(1000 + i * 97)); // grows the scratch area
      expect(toHex(aesCmac(k2, m))).toBe(toHex(nodeCmac(k2, m)));
    }
  });
  it("counter-mode keystream equals AES of the incremented A blocks", () => {
    const key = new Uint8Array(randomBytes(16));
    const a = new Uint8Array(randomBytes(16));
    a[15] = 1;
    const data = new Uint8Array(randomBytes(70));
    const out = ctrXor(key, a, data);
    for (let b = 0; b < 5; b++) {
      const ab = a.slice();
      ab[15] = 1 + b;
      const s = nodeEcb(key, ab, false);
      for (let i = b * 16; i < Math.min(70, b * 16 + 16); i++) expect(out[i]).toBe(data[i]! ^ s[i - b * 16]!);
    }
  });
  it("rejects keys and blocks of the wrong size with a typed error", () => {
    expect(() => aesEncryptBlock(new Uint8Array(15), new Uint8Array(16))).toThrow(ChirpError);
    expect(() => aesEncryptBlock(new Uint8Array(16), new Uint8Array(17))).toThrow(ChirpError);
    expect(() => aesEcbDecrypt(new Uint8Array(16), new Uint8Array(20))).toThrow(ChirpError);
    // a 17-byte key is refused even when its first 16 bytes are a cached key
    aesEncryptBlock(new Uint8Array(16), new Uint8Array(16));
    expect(() => aesEncryptBlock(new Uint8Array(17), new Uint8Array(16))).toThrow(ChirpError);
  });
});
