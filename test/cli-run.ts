// Spawns the built CLI the way a user runs it: the package's bin (dist/bin/main.js, the bundle of
// dist/cli/ that npm run build makes).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "./shared.js";

/** The `chirp` bin of package.json. */
export const CHIRP_BIN = join(repoRoot, "dist/bin/main.js");

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function chirp(args: string[], opts: { cwd?: string; timeout?: number } = {}): RunResult {
  const r = spawnSync(process.execPath, [CHIRP_BIN, ...args], {
    cwd: opts.cwd ?? repoRoot,
    encoding: "utf8",
    timeout: opts.timeout ?? 60_000,
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Parses JSON lines output. */
export function lines(out: string): Record<string, any>[] {
  return out
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

/** Starts the built CLI without waiting (for tests that talk to it while it runs). */
export function spawnChirp(args: string[], opts: { cwd?: string } = {}): ChildProcess {
  return spawn(process.execPath, [CHIRP_BIN, ...args], {
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, FORCE_COLOR: "0" },
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** Runs the built CLI asynchronously (the test's event loop keeps running: servers can answer). */
export function chirpAsync(args: string[], opts: { timeout?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawnChirp(args);
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr!.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeout ?? 60_000);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.stdin!.end();
  });
}
