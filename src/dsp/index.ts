// The receive front end: sample formats, channel filter design, createFrontend.
export { convert } from "./convert.js";
export { createFrontend, designChannelFilter, type Frontend, type FrontendOptions, type Engine } from "./frontend.js";
export {
  designLowpass,
  besselI0,
  kaiserBeta,
  kaiserLength,
  responseAt,
  type PolyphaseFilter,
  type LowpassSpec,
} from "./fir.js";
export { BYTES_PER_SAMPLE, type SampleFormat, type SampleInput } from "./formats.js";
