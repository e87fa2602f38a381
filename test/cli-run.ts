// Spawns the built CLI (dist/cli/main.js) the way a user runs it.
import { spawnSync } from "node:child_process";
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
  return out.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
}
