// chirpkit/lorawan: LoRaWAN 1.0.x (to 1.0.4) and 1.1 frame codec, browser-native (Uint8Array and
// Wasm AES only). Errors are ChirpError with codes TOO_SHORT, BAD_VERSION, FOPTS_OVERRUN,
// BAD_FRAME, MIC_MISMATCH, MISSING_KEY, BAD_PARAMETER.
export type {
  MType,
  DataMType,
  LoRaWANVersion,
  Direction,
  LoRaWANKeys,
  FCtrl,
  Frame,
  DataFrame,
  JoinRequestFrame,
  JoinAcceptFrame,
  RejoinRequestFrame,
  ProprietaryFrame,
} from "./types.js";
export { MTYPES, isUplink } from "./types.js";
export { parseFrame } from "./frame.js";
export {
  buildFrame,
  buildDataFrame,
  type FrameSpec,
  type DataFrameSpec,
  type BuildOptions,
  type ProprietarySpec,
} from "./build.js";
export { computeMic, verifyMic, checkMic, type MicOptions } from "./mic.js";
export {
  decryptPayload,
  decryptFOpts,
  cryptFrmPayload,
  cryptFOpts,
  type CryptOptions,
  type FOptsVariant,
} from "./encryption.js";
export {
  decryptJoinAccept,
  computeJoinAcceptMic,
  parseJoinAcceptPlaintext,
  buildJoinAccept,
  buildJoinRequest,
  buildRejoinRequest,
  decodeCFList,
  encodeCFList,
  type CFList,
  type DLSettings,
  type JoinAcceptFields,
  type JoinAcceptOptions,
  type JoinAcceptSpec,
  type JoinRequestSpec,
  type RejoinRequestSpec,
} from "./join.js";
export {
  deriveSessionKeys10,
  deriveSessionKeys11,
  deriveJoinServerKeys,
  deriveRootWorSKey,
  deriveWorSessionKeys,
  type KeyInput,
  type JoinParams10,
  type JoinParams11,
} from "./keys.js";
export { reconstructFCnt, resolveFCnt, type FCntOptions } from "./fcnt.js";
export {
  parseMacCommands,
  buildMacCommands,
  macCommandTable,
  type MacCommand,
  type MacCommandSpec,
  type MacFields,
} from "./mac-commands.js";
export {
  decodeFrame,
  type DecodeOptions,
  type DecodedFrame,
  type DecodedDataFrame,
  type DecodedJoinRequest,
  type DecodedRejoinRequest,
  type DecodedJoinAccept,
  type DecodedProprietary,
} from "./decode.js";
export { toHex, fromHex, constantTimeEqual } from "./bytes.js";
export {
  parseBeacon,
  buildBeacon,
  computePingOffset,
  crc16Xmodem,
  BEACON_LAYOUTS,
  type Beacon,
  type BeaconLayout,
  type BeaconSpec,
} from "./beacon.js";
export { decodedFrameToJson, type Json } from "./json.js";
export {
  createSessions,
  type Sessions,
  type SessionFrame,
  type DeviceSession,
  type SessionCounters,
} from "./session.js";
export {
  REGION_NAMES,
  getRegion,
  regionChannels,
  dataRate,
  uplinkDataRate,
  receiverPlan,
  channelAt,
  datrName,
  type Region,
  type RegionName,
  type DataRate,
  type UplinkChannel,
} from "./regions.js";
export {
  explainFrame,
  explainMacCommand,
  explainJoinAccept,
  linkAdrChannels,
  describeDataRate,
  type Explained,
  type RegionalDataRate,
} from "./regional.js";
export {
  createExchange,
  type Exchange,
  type ExchangeDevice,
  type ExchangeEvent,
  type ExchangeFrame,
  type ExchangeOptions,
} from "./exchange.js";
