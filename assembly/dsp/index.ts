// Exports of the DSP kernels.

// transmit side and FFT (fft, chirp, dechirp/demod)
export { fft_forward, fft_inverse } from "./fft";
export { chirp_upchirp, chirp_downchirp } from "./chirp";
export { modulator_symbols, modulator_frame, modulator_downchirps, iq_conjugate } from "./modulator";
export { dechirp_symbols } from "./dechirp";


// receive front end (convert, fir, resample, nco) and the simulator's noise
export { convert_cs16, convert_cu8, convert_cs8, convert_cf32_check } from "./convert";
export { nco_mix } from "./nco";
export { fir_decimate, fir_halfband } from "./fir";
export { resample_block } from "./resample";
export { noise_add } from "./noise";

// SDR artefacts (DC, IQ imbalance)
export { iq_correct } from "./iqcorrect";

// narrowband-line canceller (detection spectrum, LMS tone canceller)
export { notch_spectrum, notch_cancel, notch_quiet } from "./notch";
