/**
 * Our small instantiation module (instead of the deprecated @assemblyscript/loader).
 *
 * The Wasm bytes are embedded as base64 by scripts/build-wasm.mjs, so Node, browsers, workers
 * and bundlers all load them the same way, with no fs or fetch. Kernels exchange data through
 * memory that the TypeScript side allocates once (alloc/free exported by each module) and views
 * as typed arrays; views are re-created after any call that may grow memory.
 */
import { ChirpError } from "../errors.js";

/** The exports every module of ours has besides its kernels. */
export interface WasmBase {
  memory: WebAssembly.Memory;
  /** Allocates `bytes` bytes (16-byte aligned) outside the garbage collector; never moves. */
  alloc(bytes: number): number;
  free(ptr: number): void;
}

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Reads an AssemblyScript string (UTF-16, byte length stored 4 bytes before it). */
function readAsString(memory: WebAssembly.Memory, ptr: number): string {
  if (!ptr) return "";
  const len = new Uint32Array(memory.buffer, ptr - 4, 1)[0]! >>> 1;
  return String.fromCharCode(...new Uint16Array(memory.buffer, ptr, len));
}

/** Modules compiled in this realm (or given to it), by name: what a worker is handed instead of compiling again. */
const compiled = new Map<string, WebAssembly.Module>();

/** The Wasm modules compiled in this realm so far, by name ("phy", "crypto"). */
export function compiledModules(): Record<string, WebAssembly.Module> {
  return Object.fromEntries(compiled);
}

/**
 * Modules compiled elsewhere (a worker's parent posts its own: a WebAssembly.Module is structured
 * cloneable); instantiateWasm then uses them instead of compiling the embedded bytes. Must be
 * called before the modules that instantiate them (src/wasm/phy.ts, crypto.ts) are imported.
 */
export function usePrecompiled(modules: Record<string, unknown>): void {
  for (const [name, m] of Object.entries(modules)) if (m instanceof WebAssembly.Module) compiled.set(name, m);
}

export async function instantiateWasm<E extends WasmBase>(base64: string, name: string): Promise<E> {
  let memory: WebAssembly.Memory | undefined;
  const imports = {
    env: {
      abort(msg: number, file: number, line: number, col: number): never {
        const m = memory ? readAsString(memory, msg) : "";
        const f = memory ? readAsString(memory, file) : "";
        throw new ChirpError("WASM_TRAP", `Wasm module '${name}' aborted: ${m} at ${f}:${line}:${col}`);
      },
    },
  };
  const module = compiled.get(name) ?? (await WebAssembly.compile(decodeBase64(base64) as BufferSource));
  compiled.set(name, module);
  const instance = await WebAssembly.instantiate(module, imports);
  const exports = instance.exports as unknown as E;
  memory = exports.memory;
  return exports;
}

/**
 * Largest Wasm memory of our modules (asconfig.json maximumMemory, 32768 pages): 2 GiB, so that
 * every pointer stays a positive 32-bit integer on the JavaScript side.
 */
export const MAX_MEMORY_BYTES = 2 ** 31;

/**
 * Runs f, which allocates in mod's memory; when memory cannot grow any more (the allocator traps)
 * the failure is a ChirpError OUT_OF_MEMORY naming `what`. The allocator fails before it changes
 * anything, so the module stays usable (for what fits).
 */
export function allocating<T>(mod: WasmBase, what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError) {
      throw new ChirpError(
        "OUT_OF_MEMORY",
        `out of Wasm memory (${Math.round(mod.memory.buffer.byteLength / 2 ** 20)} MiB of at most ${MAX_MEMORY_BYTES / 2 ** 20}) making ${what}: dispose() receivers no longer used`,
        { cause: e },
      );
    }
    throw e;
  }
}

/** Fresh typed-array views on a module's memory (valid until the next memory growth). */
export function f32(mod: WasmBase, ptr: number, length: number): Float32Array {
  return new Float32Array(mod.memory.buffer, ptr, length);
}
export function f64(mod: WasmBase, ptr: number, length: number): Float64Array {
  return new Float64Array(mod.memory.buffer, ptr, length);
}
export function u8(mod: WasmBase, ptr: number, length: number): Uint8Array {
  return new Uint8Array(mod.memory.buffer, ptr, length);
}
export function i32(mod: WasmBase, ptr: number, length: number): Int32Array {
  return new Int32Array(mod.memory.buffer, ptr, length);
}
export function u16(mod: WasmBase, ptr: number, length: number): Uint16Array {
  return new Uint16Array(mod.memory.buffer, ptr, length);
}
