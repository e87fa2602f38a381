// Result types of the PHY decoder (chirpkit/phy).

export interface DecodedFrame {
  /** Header checksum (and coding rate field) valid; always true in implicit mode. */
  headerOk: boolean;
  explicitHeader: boolean;
  payloadLength: number;
  /** Coding rate index 1..4 of the payload (from the header, or given in implicit mode). */
  cr: number;
  /** Whether the frame carries a payload CRC. */
  crc: boolean;
  /** CRC verdict; null when the frame has no CRC or the header failed. */
  crcOk: boolean | null;
  /** De-whitened payload bytes (empty when the header failed). */
  payload: Uint8Array;
  /** Codewords corrected by the Hamming decoder (soft: codewords whose hard decision was overruled). */
  correctedErrors: number;
  /** Codewords with an error detected but not corrected (hard decoding at CR 4/5, 4/6, or 2 bits at 4/8). */
  detectedErrors: number;
}
