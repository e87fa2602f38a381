// Result types of the PHY decoder (chirpkit/phy).

interface DecodedCommon {
  explicitHeader: boolean;
  /** Codewords corrected by the Hamming decoder (soft: codewords whose hard decision was overruled). */
  correctedErrors: number;
  /** Codewords with an error detected but not corrected (hard decoding at CR 4/5, 4/6, or 2 bits at 4/8). */
  detectedErrors: number;
}

/** A frame whose header was read: explicit with a valid checksum, or implicit (fields as given). */
export interface DecodedFrameHeaderOk extends DecodedCommon {
  headerOk: true;
  payloadLength: number;
  /** Coding rate index 1..4 of the payload (from the header, or given in implicit mode). */
  cr: number;
  /** Whether the frame carries a payload CRC. */
  crc: boolean;
  /** CRC verdict; null when the frame has no CRC. */
  crcOk: boolean | null;
  /** De-whitened payload bytes. */
  payload: Uint8Array;
}

/**
 * An explicit header whose checksum (or coding rate field) failed: its fields were not read, so
 * they are null, and there is no payload.
 */
export interface DecodedFrameHeaderFailed extends DecodedCommon {
  headerOk: false;
  payloadLength: null;
  cr: null;
  crc: null;
  crcOk: null;
  payload: Uint8Array;
}

/** Result of decodeFrame / decodeFrameSoft; headerOk tells the two cases apart. */
export type DecodedFrame = DecodedFrameHeaderOk | DecodedFrameHeaderFailed;
