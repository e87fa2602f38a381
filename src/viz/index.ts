// chirpkit/viz: pictures of signals (spectrogram and colormap), shared by the CLI and the browser demo.
export { computeSpectrogram, colormap } from "./spectrogram.js";
export type { Spectrogram, SpectrogramOptions, SpectrogramWindow } from "./spectrogram.js";
export { candidateBandwidths, detectChirpShape, type ChirpShape } from "./chirpshape.js";
