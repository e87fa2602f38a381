import { describe, expect, it } from "vitest";
import { phyWasm } from "../src/wasm/phy.js";
import { cryptoWasm } from "../src/wasm/crypto.js";
import { ChirpError, checkInt } from "../src/errors.js";

describe("wasm modules", () => {
  it("instantiate from embedded bytes and allocate memory that JS can see", () => {
    for (const mod of [phyWasm, cryptoWasm]) {
      const p = mod.alloc(64);
      expect(p % 16).toBe(0);
      new Uint8Array(mod.memory.buffer, p, 64).fill(7);
      expect(new Uint8Array(mod.memory.buffer, p, 64).reduce((a, b) => a + b, 0)).toBe(448);
      mod.free(p);
    }
  });
});

describe("typed errors", () => {
  it("name the parameter and the legal range", () => {
    try {
      checkInt("sf", 4, 5, 12);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ChirpError);
      expect((e as ChirpError).parameter).toBe("sf");
      expect((e as ChirpError).message).toMatch(/5 to 12/);
    }
  });
});

describe("error messages", () => {
  it("show any value a JavaScript caller may pass, never failing with a TypeError", async () => {
    const { badParameter } = await import("../src/errors.js");
    const nasty = [
      Symbol("x"),
      Object.create(null),
      {
        toString() {
          throw new Error("boom");
        },
      },
      10n,
    ];
    for (const v of nasty) {
      expect(() => badParameter("p", v, "1..2")).toThrow(ChirpError);
    }
  });
});
