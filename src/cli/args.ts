// Command-line parsing shared by every command: node:util parseArgs in strict mode, with its
// errors turned into our typed error so the user sees one clear line and exit status 2.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ChirpError, badParameter } from "../errors.js";
import { hex } from "../hex.js";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Joins `--snr -12:-4` into `--snr=-12:-4`: parseArgs would take a negative number for a flag. */
function joinNegativeValues(argv: string[], options: OptionSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const t = argv[i]!;
    const m = /^--([A-Za-z][\w-]*)$/.exec(t);
    const next = argv[i + 1];
    if (m && options[m[1]!]?.type === "string" && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${t}=${next}`);
      i++;
    } else out.push(t);
  }
  return out;
}

export function parseCli(argv: string[], options: OptionSpec, allowPositionals = true): Parsed {
  try {
    const r = parseArgs({
      args: joinNegativeValues(argv, options),
      options: { help: { type: "boolean", short: "h" }, ...options },
      allowPositionals,
      strict: true,
    });
    return { values: r.values as Parsed["values"], positionals: r.positionals };
  } catch (e) {
    // node's messages go on to explain `--` for positionals; the first sentence is the useful part.
    const msg = (e as Error).message.split("\n")[0]!.replace(/\. To specify a positional.*$/, "");
    throw new ChirpError("BAD_PARAMETER", msg.endsWith(".") ? msg.slice(0, -1) : msg);
  }
}

/** Parses a number flag (accepts 125000, 125e3, 125k, 1.024M, 0x12). */
export function numberFlag(name: string, raw: unknown, fallback?: number): number {
  const flag = name.startsWith("-") ? name : `--${name}`;
  if (raw === undefined) {
    if (fallback === undefined) throw new ChirpError("BAD_PARAMETER", `${flag} is required`, { parameter: flag });
    return fallback;
  }
  const s = String(raw).trim();
  const m = /^([-+]?(?:0x[0-9a-f]+|\d*\.?\d+(?:e[-+]?\d+)?))([kKmMgG]?)$/i.exec(s);
  if (!m) badParameter(flag, s, "a number (e.g. 125000, 125k, 1.024M, 0x12)");
  const base = m[1]!.toLowerCase().includes("0x") ? parseInt(m[1]!, 16) : Number(m[1]);
  const mult = { "": 1, k: 1e3, m: 1e6, g: 1e9 }[m[2]!.toLowerCase()]!;
  return base * mult;
}

/** A command's help: what it does, its usage line, options and at least one example. */
export interface Help {
  name: string;
  summary: string;
  usage: string;
  options: [string, string][];
  /** Paragraph lines printed after the options (exit status, formats). */
  notes?: string[];
  examples: string[];
}

export function formatHelp(h: Help): string {
  const w = Math.max("-h, --help".length, ...h.options.map((o) => o[0].length));
  return [
    `chirp ${h.name}: ${h.summary}`,
    "",
    `usage: chirp ${h.name} ${h.usage}`,
    "",
    "options:",
    ...h.options.map(([f, d]) => `  ${f.padEnd(w)}  ${d}`),
    `  ${"-h, --help".padEnd(w)}  show this help`,
    "",
    ...(h.notes?.length ? [...h.notes, ""] : []),
    "examples:",
    ...h.examples.map((e) => `  ${e}`),
    "",
  ].join("\n");
}

/**
 * Parses argv for a command; prints help and returns null on --help (the caller returns 0).
 */
export function parseCommand(argv: string[], help: Help, options: OptionSpec, allowPositionals = true): Parsed | null {
  const p = parseCli(argv, options, allowPositionals);
  if (p.values.help) {
    process.stdout.write(formatHelp(help));
    return null;
  }
  return p;
}

/** An integer flag within [min, max]. */
export function intFlag(name: string, raw: unknown, min: number, max: number, fallback?: number): number {
  const v = numberFlag(name, raw, fallback);
  if (!Number.isInteger(v) || v < min || v > max)
    badParameter(`--${name}`, raw ?? v, `an integer from ${min} to ${max}`);
  return v;
}

/** An optional number flag. */
export function optNumber(name: string, raw: unknown): number | undefined {
  return raw === undefined ? undefined : numberFlag(name, raw);
}

/** One of a fixed set of words. */
export function choiceFlag<T extends string>(name: string, raw: unknown, allowed: readonly T[], fallback: T): T {
  if (raw === undefined) return fallback;
  if (!allowed.includes(raw as T)) badParameter(`--${name}`, raw, allowed.join(", "));
  return raw as T;
}

/** Writes one JSON object per line (bytes as hex, non-finite numbers as null). */
export function jsonLine(o: unknown): string {
  // A flat record (a decoded frame) needs no replacer: JSON writes non-finite numbers as null by
  // itself, and a replacer takes JSON.stringify off its fast path (about half its time per frame).
  if (isFlat(o)) return `${JSON.stringify(o)}\n`;
  return (
    JSON.stringify(o, (_k, v) => {
      if (v instanceof Uint8Array) return hex(v);
      if (typeof v === "bigint") return Number(v);
      return v;
    }) + "\n"
  );
}

/** A plain object whose values are all strings, numbers, booleans, null or undefined. */
function isFlat(o: unknown): boolean {
  if (typeof o !== "object" || o === null || Object.getPrototypeOf(o) !== Object.prototype) return false;
  for (const k in o) {
    const v = (o as Record<string, unknown>)[k];
    const t = typeof v;
    if (t === "object" ? v !== null : t === "bigint" || t === "function" || t === "symbol") return false;
  }
  return true;
}

/** Parses a range "from:to:step" (inclusive of `to` within rounding) or a single value. */
export function rangeFlag(name: string, raw: unknown): number[] {
  if (raw === undefined) throw new ChirpError("BAD_PARAMETER", `--${name} is required`, { parameter: `--${name}` });
  const parts = String(raw).split(":");
  if (parts.length === 1) return [numberFlag(name, parts[0])];
  if (parts.length !== 3) badParameter(`--${name}`, raw, "a value or FROM:TO:STEP, e.g. -12:-4:0.5");
  const [a, b, s] = parts.map((p) => numberFlag(name, p)) as [number, number, number];
  if (!(s > 0) || b < a) badParameter(`--${name}`, raw, "FROM:TO:STEP with STEP > 0 and TO >= FROM");
  const n = Math.floor((b - a) / s + 1e-9) + 1;
  if (n > 10000) badParameter(`--${name}`, raw, "at most 10000 points");
  return Array.from({ length: n }, (_, i) => +(a + i * s).toFixed(10));
}
