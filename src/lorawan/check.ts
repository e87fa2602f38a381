// Argument checks for the codec's public functions: BAD_PARAMETER naming the parameter and what
// is allowed. Like errors.ts's helpers, but safe to call with any value a JavaScript caller may
// pass (objects whose toString throws, symbols), so a bad argument is never a TypeError.
import { ChirpError } from "../errors.js";

export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  try {
    return typeof value === "object" && value !== null ? Object.prototype.toString.call(value) : String(value);
  } catch {
    return typeof value;
  }
}

export function badParameter(parameter: string, value: unknown, allowed: string): never {
  throw new ChirpError("BAD_PARAMETER", `${parameter} = ${show(value)} is not allowed; allowed: ${allowed}`, { parameter, allowed });
}

export function checkInt(parameter: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    badParameter(parameter, value, `an integer from ${min} to ${max}`);
  }
  return value;
}
