// AES-128 block cipher (FIPS-197), encrypt and decrypt, with 32-bit T-tables built once at start.
// A key context is a caller-owned block of AES_CTX_SIZE bytes: encryption round keys, decryption
// round keys (equivalent inverse cipher, FIPS-197 section 5.3.5) and the CMAC subkeys K1/K2
// (filled in by cmac.ts). Nothing is allocated after module start.

/** Bytes of one key context. */
export const AES_CTX_SIZE: i32 = 384;
export const CTX_ENC: usize = 0; // 44 u32 words, FIPS-197 big-endian word values
export const CTX_DEC: usize = 176; // 44 u32 words, reversed order, InvMixColumns applied
export const CTX_K1: usize = 352; // CMAC subkey K1 (16 bytes)
export const CTX_K2: usize = 368; // CMAC subkey K2 (16 bytes)

const SBOX: usize = memory.data(256);
const INV_SBOX: usize = memory.data(256);
const TE: usize = memory.data(4096); // Te0..Te3, 256 words each
const TD: usize = memory.data(4096); // Td0..Td3
const RCON: usize = memory.data<u8>([0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36]);

// @ts-ignore: decorator
@inline function rotl8(x: u32, s: u32): u32 {
  return ((x << s) | (x >> (8 - s))) & 0xff;
}
// @ts-ignore: decorator
@inline function xtime(x: u32): u32 {
  return ((x << 1) ^ ((x & 0x80) != 0 ? 0x1b : 0)) & 0xff;
}
function gmul(a: u32, b: u32): u32 {
  let r: u32 = 0;
  while (b != 0) {
    if (b & 1) r ^= a;
    a = xtime(a);
    b >>= 1;
  }
  return r;
}

// S-box from the multiplicative inverse in GF(2^8) and the affine map (FIPS-197 section 5.1.1),
// walking the field with generator 3 and its inverse.
function initTables(): void {
  let p: u32 = 1;
  let q: u32 = 1;
  do {
    p = (p ^ xtime(p)) & 0xff; // p * 3
    q ^= q << 1; // q / 3
    q ^= q << 2;
    q ^= q << 4;
    q &= 0xff;
    if (q & 0x80) q ^= 0x09;
    const x = q ^ rotl8(q, 1) ^ rotl8(q, 2) ^ rotl8(q, 3) ^ rotl8(q, 4);
    store<u8>(SBOX + p, <u8>(x ^ 0x63));
  } while (p != 1);
  store<u8>(SBOX, 0x63);
  for (let i: u32 = 0; i < 256; i++) store<u8>(INV_SBOX + load<u8>(SBOX + i), <u8>i);
  for (let i: u32 = 0; i < 256; i++) {
    const s: u32 = load<u8>(SBOX + i);
    const te: u32 = (xtime(s) << 24) | (s << 16) | (s << 8) | (xtime(s) ^ s);
    const v: u32 = load<u8>(INV_SBOX + i);
    const td: u32 = (gmul(v, 14) << 24) | (gmul(v, 9) << 16) | (gmul(v, 13) << 8) | gmul(v, 11);
    for (let t: u32 = 0; t < 4; t++) {
      store<u32>(TE + (t << 10) + (i << 2), rotr<u32>(te, t * 8));
      store<u32>(TD + (t << 10) + (i << 2), rotr<u32>(td, t * 8));
    }
  }
}
initTables();

// @ts-ignore: decorator
@inline function te(t: usize, x: u32): u32 {
  return load<u32>(TE + (t << 10) + ((<usize>(x & 0xff)) << 2));
}
// @ts-ignore: decorator
@inline function td(t: usize, x: u32): u32 {
  return load<u32>(TD + (t << 10) + ((<usize>(x & 0xff)) << 2));
}
// @ts-ignore: decorator
@inline function sb(x: u32): u32 {
  return load<u8>(SBOX + <usize>(x & 0xff));
}
// @ts-ignore: decorator
@inline function isb(x: u32): u32 {
  return load<u8>(INV_SBOX + <usize>(x & 0xff));
}
// @ts-ignore: decorator
@inline function loadBe(p: usize): u32 {
  return bswap<u32>(load<u32>(p));
}
// @ts-ignore: decorator
@inline function storeBe(p: usize, v: u32): void {
  store<u32>(p, bswap<u32>(v));
}

/** Expands a 16-byte key at `key` into the context at `ctx` (round keys only). */
export function aesExpandKey(ctx: usize, key: usize): void {
  const rk = ctx + CTX_ENC;
  for (let i: usize = 0; i < 4; i++) store<u32>(rk + (i << 2), loadBe(key + (i << 2)));
  for (let i: usize = 4; i < 44; i++) {
    let t = load<u32>(rk + ((i - 1) << 2));
    if ((i & 3) == 0) {
      // SubWord(RotWord(t)) ^ Rcon (FIPS-197 section 5.2)
      t = (sb(t >> 16) << 24) | (sb(t >> 8) << 16) | (sb(t) << 8) | sb(t >> 24);
      t ^= (<u32>load<u8>(RCON + (i >> 2) - 1)) << 24;
    }
    store<u32>(rk + (i << 2), load<u32>(rk + ((i - 4) << 2)) ^ t);
  }
  // Decryption keys: rounds in reverse, InvMixColumns on rounds 1..9 (equivalent inverse cipher).
  const dk = ctx + CTX_DEC;
  for (let r: usize = 0; r <= 10; r++) {
    for (let j: usize = 0; j < 4; j++) {
      const w = load<u32>(rk + (((10 - r) * 4 + j) << 2));
      let d = w;
      if (r != 0 && r != 10) {
        d = td(0, sb(w >> 24)) ^ td(1, sb(w >> 16)) ^ td(2, sb(w >> 8)) ^ td(3, sb(w));
      }
      store<u32>(dk + ((r * 4 + j) << 2), d);
    }
  }
}

/** Encrypts one 16-byte block; `src` and `dst` may be the same. */
export function aesEncryptBlock(ctx: usize, src: usize, dst: usize): void {
  let rk = ctx + CTX_ENC;
  let s0 = loadBe(src) ^ load<u32>(rk);
  let s1 = loadBe(src + 4) ^ load<u32>(rk, 4);
  let s2 = loadBe(src + 8) ^ load<u32>(rk, 8);
  let s3 = loadBe(src + 12) ^ load<u32>(rk, 12);
  for (let r = 1; r < 10; r++) {
    rk += 16;
    const t0 = te(0, s0 >> 24) ^ te(1, s1 >> 16) ^ te(2, s2 >> 8) ^ te(3, s3) ^ load<u32>(rk);
    const t1 = te(0, s1 >> 24) ^ te(1, s2 >> 16) ^ te(2, s3 >> 8) ^ te(3, s0) ^ load<u32>(rk, 4);
    const t2 = te(0, s2 >> 24) ^ te(1, s3 >> 16) ^ te(2, s0 >> 8) ^ te(3, s1) ^ load<u32>(rk, 8);
    const t3 = te(0, s3 >> 24) ^ te(1, s0 >> 16) ^ te(2, s1 >> 8) ^ te(3, s2) ^ load<u32>(rk, 12);
    s0 = t0;
    s1 = t1;
    s2 = t2;
    s3 = t3;
  }
  rk += 16;
  storeBe(dst, ((sb(s0 >> 24) << 24) | (sb(s1 >> 16) << 16) | (sb(s2 >> 8) << 8) | sb(s3)) ^ load<u32>(rk));
  storeBe(dst + 4, ((sb(s1 >> 24) << 24) | (sb(s2 >> 16) << 16) | (sb(s3 >> 8) << 8) | sb(s0)) ^ load<u32>(rk, 4));
  storeBe(dst + 8, ((sb(s2 >> 24) << 24) | (sb(s3 >> 16) << 16) | (sb(s0 >> 8) << 8) | sb(s1)) ^ load<u32>(rk, 8));
  storeBe(dst + 12, ((sb(s3 >> 24) << 24) | (sb(s0 >> 16) << 16) | (sb(s1 >> 8) << 8) | sb(s2)) ^ load<u32>(rk, 12));
}

/** Decrypts one 16-byte block; `src` and `dst` may be the same. */
export function aesDecryptBlock(ctx: usize, src: usize, dst: usize): void {
  let rk = ctx + CTX_DEC;
  let s0 = loadBe(src) ^ load<u32>(rk);
  let s1 = loadBe(src + 4) ^ load<u32>(rk, 4);
  let s2 = loadBe(src + 8) ^ load<u32>(rk, 8);
  let s3 = loadBe(src + 12) ^ load<u32>(rk, 12);
  for (let r = 1; r < 10; r++) {
    rk += 16;
    const t0 = td(0, s0 >> 24) ^ td(1, s3 >> 16) ^ td(2, s2 >> 8) ^ td(3, s1) ^ load<u32>(rk);
    const t1 = td(0, s1 >> 24) ^ td(1, s0 >> 16) ^ td(2, s3 >> 8) ^ td(3, s2) ^ load<u32>(rk, 4);
    const t2 = td(0, s2 >> 24) ^ td(1, s1 >> 16) ^ td(2, s0 >> 8) ^ td(3, s3) ^ load<u32>(rk, 8);
    const t3 = td(0, s3 >> 24) ^ td(1, s2 >> 16) ^ td(2, s1 >> 8) ^ td(3, s0) ^ load<u32>(rk, 12);
    s0 = t0;
    s1 = t1;
    s2 = t2;
    s3 = t3;
  }
  rk += 16;
  storeBe(dst, ((isb(s0 >> 24) << 24) | (isb(s3 >> 16) << 16) | (isb(s2 >> 8) << 8) | isb(s1)) ^ load<u32>(rk));
  storeBe(dst + 4, ((isb(s1 >> 24) << 24) | (isb(s0 >> 16) << 16) | (isb(s3 >> 8) << 8) | isb(s2)) ^ load<u32>(rk, 4));
  storeBe(dst + 8, ((isb(s2 >> 24) << 24) | (isb(s1 >> 16) << 16) | (isb(s0 >> 8) << 8) | isb(s3)) ^ load<u32>(rk, 8));
  storeBe(dst + 12, ((isb(s3 >> 24) << 24) | (isb(s2 >> 16) << 16) | (isb(s1 >> 8) << 8) | isb(s0)) ^ load<u32>(rk, 12));
}
