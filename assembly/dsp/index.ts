// Exports of the dsp room. Two owners add lines here, each in its own block, so merges stay clean.

// --- transmit side and FFT (fft, chirp, dechirp/demod): issue 2 ---


// --- receive front end (convert, fir, resample, nco): issue 3 ---


export const dspRoomVersion: i32 = 1;
