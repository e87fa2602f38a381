// The simulated recordings the sensitivity benchmarks decode: `count` frames (at most 25) at SNR
// snrDb with a 2 % carrier offset, 5 ppm clock offset, 0.3-sample delay and random gaps; batch
// picks the seed, so every benchmark sees the same recordings at the same point. `params` adds
// to the frames' PHY parameters (an implicit header without CRC, say); `seedBase` gives a
// benchmark recordings of its own.
import { simulate } from "../dist/sim/index.js";

export function sensitivityRecording({
  sf,
  oversampling,
  snrDb,
  payloadLength = 16,
  cr = 1,
  bandwidth = 125000,
  count = 25,
  batch = 0,
  params: extra = {},
  seedBase = 7000,
}) {
  const params = { sf, bandwidth, cr, ...extra };
  return simulate({
    frames: Array.from({ length: count }, () => ({ payloadLength, params })),
    sampleRate: oversampling * bandwidth,
    snrDb,
    cfoHz: 0.02 * bandwidth,
    sfoPpm: 5,
    delay: 0.3,
    leadSamples: 2000,
    gapSamples: [300, 3000],
    tailSamples: 2000,
    seed: seedBase + 97 * batch + sf,
  });
}
