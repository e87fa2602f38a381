// Batch decoding: many recordings (several FILEs, a DIR or a GLOB) on all cores, one child process
// per file (`chirp decode FILE --json`), so a crash or bad file affects only itself. With
// --resume OUT.jsonl, each finished file's frames and a line {"file", "done": true, "frames": n}
// are appended to OUT.jsonl in one write, and files already marked done there are skipped.
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, lstatSync, readFileSync, readdirSync, statSync, truncateSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { ChirpError } from "../errors.js";
import { formatFromFileName } from "../io/index.js";
import { intFlag, jsonLine } from "./args.js";
import { createProgress } from "./progress.js";
import { siblingMeta } from "./recording.js";
import { forwardFlags, rxOptionSpec, type RxFlags } from "./rxflags.js";
import { fixed, formatTable } from "./table.js";

const GLOB = /[*?[]/;

export function isBatch(positionals: string[]): boolean {
  if (positionals.length > 1) return true;
  const p = positionals[0]!;
  if (existsSync(p)) return statSync(p).isDirectory();
  return GLOB.test(p);
}

function isRecordingName(name: string): boolean {
  return /\.sigmf(-meta)?$/.test(name) || formatFromFileName(name) !== undefined;
}

function globToRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i);
      if (end < 0) re += "\\[";
      else {
        re += "[" + pattern.slice(i + 1, end).replace(/^!/, "^") + "]";
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp("^" + re + "$");
}

/** Expands a glob (`*`, `?`, `[...]` in any path segment; `**` for any depth) to sorted files. */
export function expandGlob(pattern: string): string[] {
  const abs = pattern.startsWith("/");
  const parts = pattern.split("/").filter((s, i) => s !== "" || i === 0);
  const out: string[] = [];
  const walk = (base: string, i: number) => {
    if (i === parts.length) {
      if (existsSync(base) && statSync(base).isFile()) out.push(base);
      return;
    }
    const seg = parts[i]!;
    const join2 = (name: string) => (base === "" ? name : base === "/" ? "/" + name : base + "/" + name);
    if (seg === "" && i === 0) return walk(abs ? "/" : "", 1);
    if (seg === "**") {
      walk(base, i + 1);
      const dir = base === "" ? "." : base;
      if (!existsSync(dir) || !statSync(dir).isDirectory()) return;
      for (const e of readdirSync(dir, { withFileTypes: true }))
        if (e.isDirectory() && !e.name.startsWith(".")) walk(join2(e.name), i);
      return;
    }
    if (!GLOB.test(seg)) return walk(join2(seg), i + 1);
    const dir = base === "" ? "." : base;
    if (!existsSync(dir) || !statSync(dir).isDirectory()) return;
    const re = globToRegExp(seg);
    for (const name of readdirSync(dir).sort())
      if (re.test(name) && (seg.startsWith(".") || !name.startsWith("."))) walk(join2(name), i + 1);
  };
  walk("", 0);
  return [...new Set(out)].sort();
}

/** The recordings named by FILEs, DIRs and GLOBs; a .sigmf-data is represented by its .sigmf-meta. */
export function expandInputs(positionals: string[]): string[] {
  const files: string[] = [];
  for (const p of positionals) {
    if (existsSync(p) && statSync(p).isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        const f = join(p, name);
        // a dangling symbolic link is kept: its decode fails and is reported alone, the batch goes on
        if (isRecordingName(name) && (isDanglingLink(f) || statSync(f).isFile())) files.push(f);
      }
    } else if (existsSync(p)) files.push(p);
    else if (GLOB.test(p)) {
      const m = expandGlob(p);
      if (m.length === 0) throw new ChirpError("IO_ERROR", `no files match ${p}`);
      files.push(...m.filter((f) => isRecordingName(f) || !/\.sigmf-data$/.test(f)));
    } else throw new ChirpError("IO_ERROR", `file not found: ${p}`);
  }
  const set = new Set(files);
  // A raw file whose metadata is listed too (rec.cs16 beside rec.sigmf-meta naming it) is decoded once, as the metadata.
  const namedByMeta = (f: string) => {
    if (/\.sigmf(-meta|-data)?$/.test(f)) return false;
    const m = siblingMeta(f);
    return m !== undefined && set.has(m);
  };
  const out = files.filter(
    (f) => !(f.endsWith(".sigmf-data") && set.has(f.replace(/\.sigmf-data$/, ".sigmf-meta"))) && !namedByMeta(f),
  );
  if (out.length === 0) throw new ChirpError("IO_ERROR", `no recordings found in ${positionals.join(" ")}`);
  return [...new Set(out)];
}

function isDanglingLink(f: string): boolean {
  try {
    return lstatSync(f).isSymbolicLink() && !existsSync(f);
  } catch {
    return false;
  }
}

/** Files marked done in a resume file (tolerates a torn last block from an interrupted run). */
export function doneFiles(resumePath: string): Set<string> {
  return readResume(resumePath).done;
}

/**
 * Reads a resume file: the files marked done, and the byte length of its complete part. Each
 * file's frames and its done line are appended in one write, so whatever follows the last done
 * line is a block torn by an interrupted run (frames without their done line, perhaps a partial
 * line): its file is decoded again, and the torn block is cut off so that its frames are not
 * written twice. A line there that is no record of ours means this is not a resume file: refused.
 */
function readResume(resumePath: string): { done: Set<string>; complete: number; size: number } {
  const done = new Set<string>();
  if (!existsSync(resumePath)) return { done, complete: 0, size: 0 };
  const bytes = readFileSync(resumePath);
  let complete = 0;
  let pos = 0;
  const foreign: number[] = [];
  while (pos < bytes.length) {
    const nl = bytes.indexOf(10, pos);
    const end = nl < 0 ? bytes.length : nl + 1;
    const line = bytes.subarray(pos, end).toString("utf8").trim();
    if (line) {
      let o: { file?: unknown; done?: unknown } | null = null;
      try {
        o = JSON.parse(line) as { file?: unknown; done?: unknown };
      } catch {
        if (nl >= 0) foreign.push(pos); // only the very last line may be torn
      }
      if (o !== null && (typeof o !== "object" || typeof o.file !== "string")) foreign.push(pos);
      else if (o && o.done === true && nl >= 0) {
        done.add(o.file as string);
        complete = end;
        foreign.length = 0; // records before a done line are that block's frames
      }
    } else if (foreign.length === 0 && pos === complete) complete = end;
    pos = end;
  }
  if (foreign.length > 0) {
    throw new ChirpError(
      "IO_ERROR",
      `${resumePath} is not a resume file of chirp decode --resume (a line at byte ${foreign[0]} is not one of its records)`,
      { parameter: "--resume" },
    );
  }
  return { done, complete, size: bytes.length };
}

/** Cuts a torn last block off the resume file (its file is decoded again). */
function dropTornBlock(path: string, r: { complete: number; size: number }): number {
  if (r.size > r.complete) truncateSync(path, r.complete);
  return r.size - r.complete;
}

interface ChildResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runChild(args: string[]): Promise<ChildResult> {
  const main = join(dirname(fileURLToPath(import.meta.url)), "main.js");
  return new Promise((res) => {
    const child = spawn(process.execPath, [main, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (e) => res({ code: 70, stdout, stderr: String(e) }));
    child.on("close", (code) => res({ code: code ?? 70, stdout, stderr }));
  });
}

export async function runBatch(positionals: string[], v: Record<string, unknown>, _rx: RxFlags): Promise<number> {
  const files = expandInputs(positionals);
  const jobs = v.jobs !== undefined ? intFlag("jobs", v.jobs, 1, 256) : availableParallelism();
  const resumePath = v.resume !== undefined ? String(v.resume) : undefined;
  const resume = resumePath ? readResume(resumePath) : undefined;
  const done = resume?.done ?? new Set<string>();
  if (resumePath && resume) {
    const cut = dropTornBlock(resumePath, resume);
    if (cut > 0 && !v.quiet)
      process.stderr.write(
        `chirp: ${resumePath}: dropped an interrupted run's last ${cut} byte(s) (frames without their done line); that file is decoded again\n`,
      );
  }
  // Files are identified by the path as given; resolve both sides so ./a and a match.
  const key = (f: string) => resolve(f).split(sep).join("/");
  const doneKeys = new Set([...done].map(key));
  const todo = files.filter((f) => !doneKeys.has(key(f)));
  const skipped = files.length - todo.length;
  const forward = forwardFlags(v, [...Object.keys(rxOptionSpec), "annotate"]);
  const json = !!v.json;
  const progress = createProgress("batch", todo.length, { quiet: !!v.quiet, unit: "files" });
  const table: (Record<string, unknown> & { file: string })[] = [];
  let failed = 0;
  let frames = 0;
  let next = 0;
  let finished = 0;
  const worker = async () => {
    while (next < todo.length) {
      const file = todo[next++]!;
      const r = await runChild(["decode", file, "--json", "--quiet", ...forward]);
      finished++;
      progress.update(finished);
      if (r.code !== 0) {
        failed++;
        const msg =
          r.stderr
            .trim()
            .split("\n")[0]
            ?.replace(/^chirp( decode)?: /, "") || `exit status ${r.code}`;
        process.stderr.write(`chirp: ${file}: ${msg}\n`);
        continue;
      }
      const recs = r.stdout
        .split("\n")
        .filter((l) => l.trim())
        .map((l) => ({ file, ...(JSON.parse(l) as Record<string, unknown>) }));
      frames += recs.length;
      const lines = recs.map((o) => jsonLine(o)).join("");
      if (resumePath) appendFileSync(resumePath, lines + jsonLine({ file, done: true, frames: recs.length }));
      else if (json) process.stdout.write(lines);
      else table.push(...recs);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, Math.max(1, todo.length)) }, worker));
  progress.done();
  if (!json && !resumePath && table.length) {
    process.stdout.write(
      formatTable(table, [
        { header: "file", get: (o) => o.file, align: "left" },
        { header: "time s", get: (o) => fixed(o.timeS as number, 4) },
        { header: "SF", get: (o) => o.sf as number },
        { header: "len", get: (o) => o.payloadLength as number },
        { header: "CRC", get: (o) => (o.crcOk === null ? "none" : o.crcOk ? "ok" : "BAD") },
        { header: "SNR dB", get: (o) => fixed(o.snrDb as number, 1) },
        { header: "payload", get: (o) => String(o.payloadHex), align: "left" },
      ]),
    );
  }
  if (!json || resumePath) {
    process.stderr.write(
      `${files.length} file(s): ${todo.length - failed} decoded, ${resumePath ? `${skipped} skipped (already done), ` : ""}${failed} failed; ${frames} frame(s)${resumePath ? ` appended to ${resumePath}` : ""}\n`,
    );
  }
  return failed ? 2 : 0;
}
