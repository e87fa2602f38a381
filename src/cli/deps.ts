// The receiver and the channel simulator, as the CLI uses them (one place to adapt if they change).
import {
  createReceiver as create,
  type Frame,
  type ReceiverOptions,
  type Receiver,
  type Samples,
} from "../rx/index.js";
export {
  createGatewayReceiver,
  createChannelReceiver,
  decodeCollisions,
  decodeGatewayCollisions,
  type ChannelReceiver,
  type ChannelReceiverOptions,
  type GatewayFrame,
  type GatewayOptions,
} from "../rx/index.js";
export { simulate, type SimFrame, type SimulateOptions, type SimResult, type SimTruth } from "../sim/index.js";
export type { Frame, ReceiverOptions, Receiver, Samples };

export async function createReceiver(o: ReceiverOptions): Promise<Receiver> {
  return create(o);
}
