// chirpkit: LoRa PHY, receiver and codecs. Subpath exports (chirpkit/phy, chirpkit/lorawan, ...)
// let a user import only what they need; this entry re-exports the common pieces.
export { ChirpError, type ChirpErrorCode } from "./errors.js";
export * from "./phy/index.js";
// Receive front end: sample formats and the channel filter / resampler.
export { convert, createFrontend, type Frontend, type FrontendOptions, type SampleFormat } from "./dsp/index.js";
// LoRaWAN codec and Cayenne LPP as namespaces: phy also has a decodeFrame.
export * as lorawan from "./lorawan/index.js";
export * as lpp from "./lpp/index.js";
export { createReceiver, decodeRecording, type Frame, type ReceiverOptions } from "./rx/index.js";
export { createGatewayReceiver, decodeGateway, type GatewayFrame, type GatewayOptions } from "./rx/index.js";
