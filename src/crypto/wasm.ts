// Typed access to the crypto Wasm module (assembly/crypto/*): key contexts cached by key value,
// one scratch buffer grown on demand, typed-array views re-created after memory growth.
import { cryptoWasm } from "../wasm/crypto.js";
import { ChirpError } from "../errors.js";

interface CryptoKernels {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;
  aes_ctx_size(): number;
  aes_set_key(ctx: number, key: number): void;
  aes_encrypt_block(ctx: number, src: number, dst: number): void;
  aes_decrypt_block(ctx: number, src: number, dst: number): void;
  aes_ecb(ctx: number, data: number, len: number, decrypt: number): void;
  cmac_compute(ctx: number, msg: number, len: number, out: number): void;
  ctr_xor(ctx: number, a: number, data: number, len: number): void;
}

export const k = cryptoWasm as unknown as CryptoKernels;
const CTX_SIZE = k.aes_ctx_size();
const CACHE_SLOTS = 16;

// Scratch layout: [0,16) key, [16,32) tag/out, [32,48) A block, [64, 64 + cap) data.
export const OFF_KEY = 0;
export const OFF_OUT = 16;
export const OFF_A = 32;
export const OFF_DATA = 64;
let scratchCap = 1024;
export let scratch = k.alloc(OFF_DATA + scratchCap);
const ctxBase = k.alloc(CTX_SIZE * CACHE_SLOTS);
let heap = new Uint8Array(k.memory.buffer);

/** A view of the whole Wasm memory (re-created when memory has grown). */
export function mem(): Uint8Array {
  if (heap.buffer !== k.memory.buffer) heap = new Uint8Array(k.memory.buffer);
  return heap;
}

/** Makes sure the scratch data area holds `n` bytes; returns the data pointer. */
export function dataArea(n: number): number {
  if (n > scratchCap) {
    k.free(scratch);
    while (scratchCap < n) scratchCap *= 2;
    scratch = k.alloc(OFF_DATA + scratchCap);
  }
  return scratch + OFF_DATA;
}

// Key cache: slot i holds the key bytes in `cachedKeys[i]` and its context at ctxBase + i*CTX_SIZE.
const cachedKeys: (Uint8Array | null)[] = new Array(CACHE_SLOTS).fill(null);
let nextSlot = 0;
let lastSlot = -1;

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Checks a key's shape; throws BAD_PARAMETER naming `name` otherwise. */
export function checkKey(key: Uint8Array, name = "key"): void {
  if (!(key instanceof Uint8Array) || key.length !== 16) {
    if (typeof name !== "string") name = "key";
    throw new ChirpError("BAD_PARAMETER", `${name} must be 16 bytes (AES-128)`, {
      parameter: name,
      allowed: "16 bytes",
    });
  }
}

/** The Wasm key context for `key` (expanded once, then cached). */
export function contextFor(key: Uint8Array): number {
  checkKey(key);
  if (lastSlot >= 0 && sameKey(cachedKeys[lastSlot]!, key)) return ctxBase + lastSlot * CTX_SIZE;
  for (let i = 0; i < CACHE_SLOTS; i++) {
    const c = cachedKeys[i];
    if (c && sameKey(c, key)) {
      lastSlot = i;
      return ctxBase + i * CTX_SIZE;
    }
  }
  const slot = nextSlot;
  nextSlot = (nextSlot + 1) % CACHE_SLOTS;
  const ctx = ctxBase + slot * CTX_SIZE;
  mem().set(key, scratch + OFF_KEY);
  k.aes_set_key(ctx, scratch + OFF_KEY);
  cachedKeys[slot] = key.slice();
  lastSlot = slot;
  return ctx;
}

/** Raw bytes of a key context (for the key-expansion known-answer tests). */
export function contextBytes(key: Uint8Array): Uint8Array {
  const ctx = contextFor(key);
  return mem().slice(ctx, ctx + CTX_SIZE);
}
