// Message types and the MHDR byte (LoRaWAN 1.0.4 section 4.2, 1.1 section 4.2).
import type { KeyInput } from "./keys.js";

export type MType =
  | "JoinRequest"
  | "JoinAccept"
  | "UnconfirmedDataUp"
  | "UnconfirmedDataDown"
  | "ConfirmedDataUp"
  | "ConfirmedDataDown"
  | "RejoinRequest"
  | "Proprietary";

/** MType index (MHDR bits 7..5) -> name. */
export const MTYPES: readonly MType[] = [
  "JoinRequest",
  "JoinAccept",
  "UnconfirmedDataUp",
  "UnconfirmedDataDown",
  "ConfirmedDataUp",
  "ConfirmedDataDown",
  "RejoinRequest",
  "Proprietary",
];

/** The four data message types. */
export type DataMType = "UnconfirmedDataUp" | "UnconfirmedDataDown" | "ConfirmedDataUp" | "ConfirmedDataDown";

export type LoRaWANVersion = "1.0" | "1.1";
export type Direction = "up" | "down";

/**
 * Keys by their LoRaWAN names (16 bytes or 32 hex digits each). For 1.0.x, `nwkSKey` stands in
 * for the three 1.1 network session keys when those are not given.
 */
export interface LoRaWANKeys {
  nwkSKey?: KeyInput;
  appSKey?: KeyInput;
  fNwkSIntKey?: KeyInput;
  sNwkSIntKey?: KeyInput;
  nwkSEncKey?: KeyInput;
  appKey?: KeyInput;
  nwkKey?: KeyInput;
  jsIntKey?: KeyInput;
  jsEncKey?: KeyInput;
}

export interface FCtrl {
  raw: number;
  adr: boolean;
  /** Uplink only (bit 6). */
  adrAckReq: boolean;
  ack: boolean;
  /** Uplink bit 4 (ClassB); on downlinks this bit is FPending. */
  classB: boolean;
  fPending: boolean;
  fOptsLen: number;
}

interface FrameBase {
  /** The whole PHYPayload as given (not copied). */
  bytes: Uint8Array;
  mhdr: number;
  major: number;
  /** The last four bytes of the frame as on the wire (encrypted for a join accept). */
  mic: Uint8Array;
}

export interface DataFrame extends FrameBase {
  kind: "data";
  mtype: DataMType;
  direction: Direction;
  confirmed: boolean;
  /** DevAddr as a number (the big-endian value people print). */
  devAddr: number;
  fCtrl: FCtrl;
  /** The 16 frame-counter bits on the wire. */
  fCnt: number;
  fOpts: Uint8Array;
  /** null when the frame has no FPort (and so no FRMPayload). */
  fPort: number | null;
  /** FRMPayload as on the wire (encrypted). */
  frmPayload: Uint8Array;
}

export interface JoinRequestFrame extends FrameBase {
  kind: "join-request";
  mtype: "JoinRequest";
  joinEui: string;
  devEui: string;
  devNonce: number;
}

export interface JoinAcceptFrame extends FrameBase {
  kind: "join-accept";
  mtype: "JoinAccept";
  /** Everything after MHDR (encrypted payload and MIC): 16 bytes, or 32 with a CFList. */
  encrypted: Uint8Array;
}

export interface RejoinRequestFrame extends FrameBase {
  kind: "rejoin-request";
  mtype: "RejoinRequest";
  rejoinType: 0 | 1 | 2;
  /** Types 0 and 2. */
  netId?: number;
  /** Type 1. */
  joinEui?: string;
  devEui: string;
  /** RJcount0 (types 0, 2) or RJcount1 (type 1). */
  rjCount: number;
}

export interface ProprietaryFrame extends FrameBase {
  kind: "proprietary";
  mtype: "Proprietary";
  /** Bytes between MHDR and the last four (which are reported as `mic`, as brocaar/lora-packet do). */
  payload: Uint8Array;
}

export type Frame = DataFrame | JoinRequestFrame | JoinAcceptFrame | RejoinRequestFrame | ProprietaryFrame;

export function isUplink(m: MType): boolean {
  return m === "JoinRequest" || m === "UnconfirmedDataUp" || m === "ConfirmedDataUp" || m === "RejoinRequest";
}
