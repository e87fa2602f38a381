// Command-line parsing shared by every command: node:util parseArgs in strict mode, with its
// errors turned into our typed error so the user sees one clear line and exit status 2.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ChirpError, badParameter } from "../errors.js";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export function parseCli(argv: string[], options: OptionSpec, allowPositionals = true): Parsed {
  try {
    const r = parseArgs({ args: argv, options: { help: { type: "boolean", short: "h" }, ...options }, allowPositionals, strict: true });
    return { values: r.values as Parsed["values"], positionals: r.positionals };
  } catch (e) {
    throw new ChirpError("BAD_PARAMETER", (e as Error).message.split("\n")[0]!);
  }
}

/** Parses a number flag (accepts 125000, 125e3, 125k, 1.024M, 0x12). */
export function numberFlag(name: string, raw: unknown, fallback?: number): number {
  if (raw === undefined) {
    if (fallback === undefined) throw new ChirpError("BAD_PARAMETER", `--${name} is required`, { parameter: name });
    return fallback;
  }
  const s = String(raw).trim();
  const m = /^([-+]?(?:0x[0-9a-f]+|\d*\.?\d+(?:e[-+]?\d+)?))([kKmMgG]?)$/i.exec(s);
  if (!m) badParameter(name, s, "a number (e.g. 125000, 125k, 1.024M, 0x12)");
  const base = m[1]!.toLowerCase().includes("0x") ? parseInt(m[1]!, 16) : Number(m[1]);
  const mult = { "": 1, k: 1e3, m: 1e6, g: 1e9 }[m[2]!.toLowerCase()]!;
  return base * mult;
}
