// chirpkit/rx: find and decode every LoRa frame in a recording (streaming).
export {
  createReceiver,
  decodeRecording,
  SNR_MAX_DB,
  SNR_MIN_DB,
  type Receiver,
  type ReceiverStats,
} from "./receiver.js";
export type { Frame, IqPolarity, ReceiverOptions, SampleFormat, Samples } from "./types.js";
export type { PolyphaseFilter } from "../dsp/fir.js";
export {
  createGatewayReceiver,
  decodeGateway,
  type GatewayReceiver,
  type GatewayOptions,
  type GatewayFrame,
  type GatewayStats,
} from "./gateway.js";
export { decodeCollisions, decodeGatewayCollisions, cancelFrame, type CollisionOptions } from "./collide.js";
export {
  createChannelReceiver,
  type ChannelReceiver,
  type ChannelReceiverOptions,
  type ListenerKey,
  type StreamPlacement,
} from "./channel.js";
export {
  decodeRecordingParallel,
  decodeGatewayParallel,
  terminateIdleWorkers,
  IDLE_WORKER_MS,
  MAX_WORKERS,
  type ParallelOptions,
} from "./parallel.js";
