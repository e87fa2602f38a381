// chirpkit/sim: the channel simulator (frames, offsets, fading, multipath, interferers, SDR artefacts) and error-rate sweeps.
export {
  simulate,
  type SimulateOptions,
  type SimFrame,
  type SimResult,
  type SimTruth,
  type SimTransmitter,
  type LoraInterferer,
} from "./simulate.js";
export type { FadingOptions, MultipathTap } from "./fading.js";
export {
  imageRejectionDb,
  iqImbalanceCoefficients,
  phaseNoiseStepVariance,
  type SdrArtefacts,
  type ToneInterferer,
} from "./impairments.js";
export { serSweep, type SerSweepOptions, type SerPoint } from "./ser.js";
export { Rng } from "./rng.js";
export { perSweep, perSweepPoints, type PerSweepOptions, type PerPoint } from "./per.js";
