// chirpkit/crypto: AES-128 and AES-CMAC in WebAssembly (no Node crypto or Buffer needed).
export { aesEncryptBlock, aesDecryptBlock, aesEcbEncrypt, aesEcbDecrypt, aesExpandKey } from "./aes.js";
export { aesCmac, aesCmac4, cmacSubkeys, ctrXor } from "./cmac.js";
