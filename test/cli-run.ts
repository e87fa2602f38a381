// Spawns the built CLI (dist/cli/main.js) the way a user runs it.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "./shared.js";

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function chirp(args: string[], opts: { cwd?: string; timeout?: number } = {}): RunResult {
  const r = spawnSync(process.execPath, [join(repoRoot, "dist/cli/main.js"), ...args], {
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
  return spawn(process.execPath, [join(repoRoot, "dist/cli/main.js"), ...args], {
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
