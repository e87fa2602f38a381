// chirpkit/phy: the LoRa transmit chain, its symbol decoder and the modulator.
export {
  resolveParams,
  payloadSymbolCount,
  frameSymbolCount,
  timeOnAir,
  ldroAuto,
  oversamplingFor,
  isSx1280Bandwidth,
  syncWordByte,
  syncWordRegister,
  SX1280_BANDWIDTHS,
  LORA_BANDWIDTHS,
  type PhyParams,
  type ResolvedParams,
  type Ldro,
  type Engine,
  type Framing,
  type HeaderFields,
  type TimeOnAir,
} from "./params.js";
export { encodeFrame } from "./encoder.js";
export {
  decodeHeader,
  decodeFrame,
  decodeFrameSoft,
  symbolToWord,
  type DecodeOptions,
  type HeaderInfo,
} from "./decoder.js";
export type { DecodedFrame, DecodedFrameHeaderFailed, DecodedFrameHeaderOk } from "./types.js";
export {
  modulateSymbols,
  modulateFrame,
  frameLayout,
  syncSymbols,
  type ModulateOptions,
  type FrameLayout,
} from "./modulator.js";
export { createFft, type Fft } from "./fft.js";
export { demodulateSymbols, type DemodulateOptions } from "./demodulator.js";
