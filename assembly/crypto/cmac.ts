// AES-CMAC (RFC 4493 = NIST SP 800-38B) over AES-128, plus the LoRaWAN counter-mode keystream
// (LoRaWAN 1.0.4 section 4.3.3 / 1.1 section 4.3.3), all on caller-owned memory.
import { aesEncryptBlock, CTX_K1, CTX_K2 } from "./aes";

const BLOCK: usize = memory.data(16); // scratch: X / keystream block
const CTR: usize = memory.data(16); // scratch: counter block

// Left shift of a 16-byte block by one bit, XOR 0x87 if the MSB was set (RFC 4493 section 2.3).
function dbl(src: usize, dst: usize): void {
  const msb = load<u8>(src) >> 7;
  for (let i: usize = 0; i < 15; i++) {
    store<u8>(dst + i, <u8>((load<u8>(src + i) << 1) | (load<u8>(src + i + 1) >> 7)));
  }
  store<u8>(dst + 15, <u8>((load<u8>(src + 15) << 1) ^ (msb ? 0x87 : 0)));
}

/** Derives K1 and K2 into the context (after aesExpandKey). */
export function cmacSubkeys(ctx: usize): void {
  memory.fill(BLOCK, 0, 16);
  aesEncryptBlock(ctx, BLOCK, BLOCK);
  dbl(BLOCK, ctx + CTX_K1);
  dbl(ctx + CTX_K1, ctx + CTX_K2);
}

/** Full 16-byte CMAC tag of `len` bytes at `msg`, written to `out`. */
export function cmacCompute(ctx: usize, msg: usize, len: i32, out: usize): void {
  let x0: u64 = 0;
  let x1: u64 = 0;
  const n = len == 0 ? 1 : (len + 15) >> 4; // number of blocks
  // all blocks but the last: X = AES(X ^ M_i)
  for (let b = 0; b < n - 1; b++) {
    const p = msg + (<usize>b << 4);
    store<u64>(BLOCK, x0 ^ load<u64>(p));
    store<u64>(BLOCK, x1 ^ load<u64>(p, 8), 8);
    aesEncryptBlock(ctx, BLOCK, BLOCK);
    x0 = load<u64>(BLOCK);
    x1 = load<u64>(BLOCK, 8);
  }
  // last block: complete -> XOR K1; partial or empty -> pad 10* and XOR K2
  const last = msg + (<usize>(n - 1) << 4);
  const rem = len - ((n - 1) << 4);
  let k: usize = ctx + CTX_K1;
  if (rem == 16) {
    memory.copy(CTR, last, 16);
  } else {
    memory.fill(CTR, 0, 16);
    if (rem > 0) memory.copy(CTR, last, <usize>rem);
    store<u8>(CTR + <usize>rem, 0x80);
    k = ctx + CTX_K2;
  }
  store<u64>(BLOCK, x0 ^ load<u64>(CTR) ^ load<u64>(k));
  store<u64>(BLOCK, x1 ^ load<u64>(CTR, 8) ^ load<u64>(k, 8), 8);
  aesEncryptBlock(ctx, BLOCK, out);
}

/**
 * XORs `len` bytes at `data` in place with the keystream AES(A_i): A is the 16-byte block at
 * `a` whose last byte is the first counter value; it is incremented for each further block.
 */
export function ctrXor(ctx: usize, a: usize, data: usize, len: i32): void {
  memory.copy(CTR, a, 16);
  let ctr: u32 = load<u8>(CTR + 15);
  for (let off = 0; off < len; off += 16) {
    store<u8>(CTR + 15, <u8>ctr);
    aesEncryptBlock(ctx, CTR, BLOCK);
    const m = min(16, len - off);
    const p = data + <usize>off;
    if (m == 16) {
      store<u64>(p, load<u64>(p) ^ load<u64>(BLOCK));
      store<u64>(p, load<u64>(p, 8) ^ load<u64>(BLOCK, 8), 8);
    } else {
      for (let i = 0; i < m; i++) store<u8>(p + <usize>i, load<u8>(p + <usize>i) ^ load<u8>(BLOCK + <usize>i));
    }
    ctr++;
  }
}
