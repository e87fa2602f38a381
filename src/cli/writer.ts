// Writing a recording: raw IQ plus SigMF metadata. `-o NAME` (or NAME.sigmf-meta/-data) writes the
// pair NAME.sigmf-data + NAME.sigmf-meta; `-o NAME.sigmf` an archive; `-o NAME.cs16` (any raw
// extension) the raw file plus NAME.sigmf-meta naming it as a non-conforming dataset (core:dataset).
import { statSync, writeFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { ChirpError } from "../errors.js";
import {
  buildSigmfMeta,
  buildTar,
  formatFromFileName,
  stringifySigmf,
  writeIq,
  type BuildSigmfOptions,
  type IqFormat,
} from "../io/index.js";

export interface Written {
  data: string;
  meta: string;
  format: IqFormat;
  clipped: number;
  scale: number;
}

/** Why a path cannot be written, in words (Node's system errors name the syscall, not the problem). */
export function writeFailure(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  if (code === "ENOENT") return "no such directory";
  if (code === "EACCES" || code === "EPERM" || code === "EROFS") return "permission denied";
  if (code === "EISDIR") return "it is a directory";
  if (code === "ENOTDIR") return "a part of the path is not a directory";
  if (code === "ENOSPC") return "no space left on the device";
  return typeof code === "string" ? code : e instanceof Error ? e.message : String(e);
}

/** Checks, before any work, that the directory of an output file exists (it is never created). */
export function checkOutputDir(out: string, parameter = "--out"): void {
  const dir = dirname(out) || ".";
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir)
    throw new ChirpError("BAD_PARAMETER", `cannot write ${out}: no such directory ${dir}`, {
      parameter,
      allowed: "a file in an existing directory",
    });
}

/** writeFileSync with one clear line on failure, naming the file the user asked for (shown). */
export function writeOutput(path: string, data: string | Uint8Array, shown = path, parameter = "--out"): void {
  try {
    writeFileSync(path, data);
  } catch (e) {
    throw new ChirpError("BAD_PARAMETER", `cannot write ${shown}: ${writeFailure(e)}`, { parameter });
  }
}

/** The format implied by an output name, if any. */
export function outputFormat(out: string): IqFormat | undefined {
  return /\.sigmf(-meta|-data)?$/.test(out) ? undefined : formatFromFileName(out);
}

/** The format to write: --format, else the output name's extension, else cf32 for a bare NAME; an
 * unknown extension (a.wav) is an error rather than cf32 under a misleading name. */
export function chooseOutputFormat(out: string, flag: IqFormat | undefined): IqFormat {
  if (flag !== undefined) return flag;
  const f = outputFormat(out);
  if (f) return f;
  const ext = /\.([A-Za-z0-9]+)$/.exec(basename(out))?.[1];
  if (ext !== undefined && !/\.sigmf(-meta|-data)?$/.test(out)) {
    throw new ChirpError(
      "BAD_PARAMETER",
      `cannot tell the sample format of ${out} from its extension .${ext}; name it NAME, NAME.sigmf or NAME.cf32|cs16|cs8|cu8, or give --format`,
      { parameter: "--format", allowed: "cf32, cs16, cs8, cu8" },
    );
  }
  return "cf32";
}

/** opts.scale: the integer formats' scale (default: the peak at 90 % of full scale; 1 for samples already on an ADC's grid). */
export function writeRecording(
  out: string,
  iq: Float32Array,
  meta: Omit<BuildSigmfOptions, "format"> & { format: IqFormat },
  opts: { scale?: number } = {},
): Written {
  const fromName = outputFormat(out);
  if (fromName && fromName !== meta.format) {
    throw new ChirpError(
      "BAD_PARAMETER",
      `--format ${meta.format} disagrees with the output name ${out} (${fromName})`,
      { parameter: "--format" },
    );
  }
  // Integer formats: scale so the largest I or Q value sits at 90% of full scale.
  let peak = 0;
  for (let i = 0; i < iq.length; i++) peak = Math.max(peak, Math.abs(iq[i]!));
  const scale = opts.scale ?? (meta.format === "cf32" || peak === 0 ? 1 : 0.9 / peak);
  const { bytes, clipped } = writeIq(iq, meta.format, { scale });
  checkOutputDir(out);
  const base = out.replace(/\.sigmf(-meta|-data)?$/, "").replace(/\.[A-Za-z0-9]+$/, (ext) => (fromName ? "" : ext));
  const doc = buildSigmfMeta(meta);
  if (scale !== 1) doc.global["chirpkit:scale"] = scale;
  if (/\.sigmf$/.test(out)) {
    const name = basename(base);
    const enc = new TextEncoder();
    writeOutput(
      out,
      buildTar(
        [
          { name: `${name}/${name}.sigmf-meta`, data: enc.encode(stringifySigmf(doc)) },
          { name: `${name}/${name}.sigmf-data`, data: bytes },
        ],
        Date.now() / 1000,
      ),
    );
    return { data: out, meta: out, format: meta.format, clipped, scale };
  }
  const data = fromName ? out : base + ".sigmf-data";
  if (fromName) doc.global["core:dataset"] = basename(out);
  writeOutput(data, bytes);
  writeOutput(base + ".sigmf-meta", stringifySigmf(doc));
  return { data, meta: base + ".sigmf-meta", format: meta.format, clipped, scale };
}
