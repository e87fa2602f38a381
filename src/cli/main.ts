#!/usr/bin/env node
// The `chirp` command: one file per command in src/cli/, loaded on demand.
import { ChirpError } from "../errors.js";

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

function usage(): string {
  return [
    "usage: chirp <command> [options]     (chirp <command> --help for details)",
    "",
    "commands: " + Object.keys(commands).join(", "),
  ].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(usage() + "\n");
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`chirp: unknown command '${name}'\n${usage()}\n`);
    return 2;
  }
  const cmd = await load();
  return cmd.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ChirpError) {
      process.stderr.write(`chirp: ${err.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`chirp: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exitCode = 70;
    }
  },
);
