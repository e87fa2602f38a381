// chirpkit/phy: the LoRa transmit chain, its symbol decoder and the modulator.
export {
  resolveParams, payloadSymbolCount, frameSymbolCount, timeOnAir, ldroAuto, oversamplingFor,
  type PhyParams, type ResolvedParams, type Ldro, type Engine, type HeaderFields, type TimeOnAir,
} from "./params.js";
export { encodeFrame } from "./encoder.js";
export { decodeHeader, decodeFrame, decodeFrameSoft, symbolToWord, type DecodeOptions, type HeaderInfo } from "./decoder.js";
export type { DecodedFrame } from "./types.js";
