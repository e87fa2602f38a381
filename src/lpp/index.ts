// chirpkit/lpp: Cayenne Low Power Payload, original and extended type tables.
export { decodeLpp, decodeLppDownlink, type LppReading } from "./decode.js";
export { encodeLpp, encodeLppDownlink, type LppInput, type LppEncodeOptions, type LppRounding } from "./encode.js";
export {
  LPP_TYPES,
  TTN_LEGACY_OVERRIDES,
  lppTable,
  type LppType,
  type LppComponent,
  type LppOptions,
} from "./types.js";
