// The crypto module's exports (AES-128, AES-CMAC), loaded only by the LoRaWAN codec.
export { alloc, free } from "./memory";
export * from "./crypto/index";
