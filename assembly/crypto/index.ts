// Exports of the crypto module: AES-128 (aes.ts) and AES-CMAC / LoRaWAN keystream (cmac.ts).
// All functions work on memory the TypeScript side allocated once (src/crypto/wasm.ts).
import { AES_CTX_SIZE, aesExpandKey, aesEncryptBlock, aesDecryptBlock } from "./aes";
import { cmacSubkeys, cmacCompute, ctrXor } from "./cmac";

/** Size in bytes of a key context (round keys for both directions plus CMAC subkeys). */
export function aes_ctx_size(): i32 {
  return AES_CTX_SIZE;
}

/** Expands the 16-byte key at `key` into `ctx`: encryption/decryption round keys, CMAC K1/K2. */
export function aes_set_key(ctx: usize, key: usize): void {
  aesExpandKey(ctx, key);
  cmacSubkeys(ctx);
}

export function aes_encrypt_block(ctx: usize, src: usize, dst: usize): void {
  aesEncryptBlock(ctx, src, dst);
}

export function aes_decrypt_block(ctx: usize, src: usize, dst: usize): void {
  aesDecryptBlock(ctx, src, dst);
}

/** ECB over `len` bytes (a multiple of 16) in place; `decrypt` != 0 runs the inverse cipher. */
export function aes_ecb(ctx: usize, data: usize, len: i32, decrypt: i32): void {
  for (let off = 0; off + 16 <= len; off += 16) {
    const p = data + <usize>off;
    if (decrypt) aesDecryptBlock(ctx, p, p);
    else aesEncryptBlock(ctx, p, p);
  }
}

/** AES-CMAC tag (16 bytes) of `len` bytes at `msg`, written to `out`. */
export function cmac_compute(ctx: usize, msg: usize, len: i32, out: usize): void {
  cmacCompute(ctx, msg, len, out);
}

/** LoRaWAN counter-mode keystream XOR in place; A block at `a`, its byte 15 the first counter. */
export function ctr_xor(ctx: usize, a: usize, data: usize, len: i32): void {
  ctrXor(ctx, a, data, len);
}
