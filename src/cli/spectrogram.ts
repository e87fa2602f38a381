// `chirp spectrogram`: scaffolding until its issue lands (replaced by the real command).
import { ChirpError } from "../errors.js";

export const summary = "spectrogram (not built yet)";
export async function run(_argv: string[]): Promise<number> {
  throw new ChirpError("BAD_PARAMETER", "chirp spectrogram is not built yet");
}
