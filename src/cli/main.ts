#!/usr/bin/env node
// The `chirp` command: one file per command in src/cli/, loaded on demand. Every failure on bad
// input is one line on stderr and exit status 2; never a stack trace (CHIRP_DEBUG=1 shows it).
import { setFlagsFromString } from "node:v8";
import { ChirpError } from "../errors.js";

// A command is one short process, and compiling JavaScript is part of its CPU time: V8 optimises a
// function (TurboFan, on background threads) once it has run 67584 bytecode bytes (Node 20's
// default budget), and most of the receiver's per-frame functions then cost more to compile than
// their optimised code saves. Six times that budget leaves them to the baseline tiers while the
// per-window ones still get optimised early (docs/benchmarks.md, the process figures).
setFlagsFromString("--interrupt-budget=400000");
// TurboFan also inlines callees into an optimised function up to 920 bytecode bytes in all (Node
// 20's default): the receiver's step loops then take in most of its stages, and each such
// function costs tens of milliseconds to compile, again after a deoptimisation. A budget of 150
// keeps the small helpers inlined and leaves the stages their own code: `chirp decode --sf 7` on
// the throughput benchmark's recording took 22-27 ms less CPU (0.44 -> 0.41 s, median of 11
// runs each, same session) and on the 67 M-sample one no more (1.01 -> 0.96 s).
setFlagsFromString("--max-inlined-bytecode-size-cumulative=150");

type Command = { run(argv: string[]): Promise<number>; summary: string };
const commands: Record<string, () => Promise<Command>> = {
  decode: () => import("./decode.js"),
  encode: () => import("./encode.js"),
  simulate: () => import("./simulate.js"),
  per: () => import("./per.js"),
  toa: () => import("./toa.js"),
  lorawan: () => import("./lorawan.js"),
  info: () => import("./info.js"),
  spectrogram: () => import("./spectrogram.js"),
  demo: () => import("./demo.js"),
};

async function usage(): Promise<string> {
  const names = Object.keys(commands);
  const w = Math.max("-V, --version".length, ...names.map((n) => n.length));
  const rows: string[] = [];
  for (const n of names) {
    let s = "";
    try {
      s = (await commands[n]!()).summary;
    } catch {
      s = "(unavailable)";
    }
    rows.push(`  ${n.padEnd(w)}  ${s}`);
  }
  return [
    "chirp: LoRa PHY, receiver and LoRaWAN tools (chirpkit)",
    "",
    "usage: chirp <command> [options]     (chirp <command> --help for details and examples)",
    "",
    "commands:",
    ...rows,
    "",
    "options:",
    `  ${"-h, --help".padEnd(w)}  show this help`,
    `  ${"-V, --version".padEnd(w)}  print the chirpkit version`,
    "",
    "examples:",
    "  chirp demo",
    "  chirp decode capture.sigmf-meta --sf auto --sync 0x34",
    "",
  ].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    const text = await usage();
    (name ? process.stdout : process.stderr).write(text);
    return name ? 0 : 2;
  }
  if (name === "--version" || name === "-V") {
    const { createRequire } = await import("node:module");
    process.stdout.write(
      `chirpkit ${(createRequire(import.meta.url)("../../package.json") as { version: string }).version}\n`,
    );
    return 0;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(
      `chirp: unknown command '${name}'; commands: ${Object.keys(commands).join(", ")} (chirp --help)\n`,
    );
    return 2;
  }
  const cmd = await load();
  return cmd.run(rest);
}

/** Node's own file errors (EACCES, ENOSPC, EISDIR...) are bad input too: one line, status 2. */
function isSystemError(e: unknown): e is Error & { code: string; syscall?: string } {
  return (
    e instanceof Error &&
    typeof (e as { code?: unknown }).code === "string" &&
    /^E[A-Z]+$/.test((e as unknown as { code: string }).code)
  );
}

// A reader closing the pipe early (`chirp decode ... | head`) is not an error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (process.env.CHIRP_DEBUG) process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    if (err instanceof ChirpError) {
      process.stderr.write(`chirp: ${err.message}\n`);
      process.exitCode = 2;
    } else if (isSystemError(err)) {
      process.stderr.write(`chirp: ${err.message}\n`);
      process.exitCode = 2;
    } else {
      const msg = err instanceof Error ? err.message : String(err);
      process.stderr.write(
        `chirp: internal error: ${msg.split("\n")[0]} (a bug: please report it; CHIRP_DEBUG=1 shows the stack)\n`,
      );
      process.exitCode = 70;
    }
  },
);
