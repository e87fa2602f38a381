// When Wasm memory cannot grow any more, making a receiver is a ChirpError OUT_OF_MEMORY and the
// library stays usable: a receiver made before decodes as it did. (Its own file: the memory stays
// at its maximum, 2 GiB of address space, for the rest of this worker.)
import { expect, it } from "vitest";
import { createReceiver, type Frame } from "../src/rx/index.js";
import { simulate } from "../src/sim/index.js";
import { phyWasm } from "../src/wasm/phy.js";
import { MAX_MEMORY_BYTES } from "../src/wasm/instantiate.js";
import { ChirpError } from "../src/errors.js";

it("a full Wasm memory gives OUT_OF_MEMORY, not a corrupted library", () => {
  const params = { sf: 7, bandwidth: 125e3, cr: 1 };
  const sim = simulate({
    frames: [{ payloadLength: 9, params }],
    sampleRate: 250e3,
    snrDb: 5,
    leadSamples: 1000,
    tailSamples: 1000,
    seed: 4,
  });
  const decode = (rx: ReturnType<typeof createReceiver>): Frame[] => {
    const f = [...rx.push(sim.iq), ...rx.flush()];
    rx.reset();
    return f;
  };
  const rx = createReceiver({ sampleRate: 250e3, bandwidth: 125e3, sf: 7 });
  const first = decode(rx);
  expect(first.filter((f) => f.crcOk).map((f) => f.payloadHex)).toEqual([sim.truth[0]!.payloadHex]);
  // take the rest of the address space (untouched pages cost no RAM); the allocator cannot grow now
  phyWasm.memory.grow((MAX_MEMORY_BYTES - phyWasm.memory.buffer.byteLength) / 65536);
  expect(phyWasm.memory.buffer.byteLength).toBe(MAX_MEMORY_BYTES);
  expect(() => phyWasm.memory.grow(1)).toThrow(RangeError);
  let error: unknown;
  try {
    for (let i = 0; i < 100; i++) createReceiver({ sampleRate: 250e3, bandwidth: 125e3, sf: 12 });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ChirpError);
  expect((error as ChirpError).code).toBe("OUT_OF_MEMORY");
  // the receiver made before still works, with the same frames
  expect(decode(rx).map((f) => [f.startSampleExact, f.payloadHex, f.crcOk])).toEqual(
    first.map((f) => [f.startSampleExact, f.payloadHex, f.crcOk]),
  );
  rx.dispose();
});
