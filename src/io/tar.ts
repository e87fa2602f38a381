/**
 * Minimal tar (POSIX ustar, with pax `path` and GNU long-name records) for SigMF archives:
 * a `.sigmf` file is a tar holding `NAME/NAME.sigmf-meta` and `NAME/NAME.sigmf-data`
 * (SigMF spec, "SigMF Archive Format"). Entries are located by offset so a caller holding a file
 * handle can stream the data member without loading it. Isomorphic: no Node APIs.
 */
import { checkArray, checkBytesArg, checkNumber, checkString } from "../check.js";
import { ChirpError, badParameter, showValue } from "../errors.js";

export interface TarEntry {
  name: string;
  /** Byte offset of the member's content in the archive. */
  offset: number;
  size: number;
  type: "file" | "dir" | "other";
}

const BLOCK = 512;
const dec = new TextDecoder();

function str(b: Uint8Array, start: number, len: number): string {
  let end = start;
  while (end < start + len && b[end] !== 0) end++;
  return dec.decode(b.subarray(start, end));
}

function octal(b: Uint8Array, start: number, len: number, what: string): number {
  if (b[start]! & 0x80) {
    // GNU base-256 for sizes >= 8 GiB: big-endian two's complement in the remaining bytes.
    let v = 0;
    for (let i = start + 1; i < start + len; i++) v = v * 256 + b[i]!;
    return v;
  }
  const s = str(b, start, len).trim();
  if (s === "") return 0;
  if (!/^[0-7]+$/.test(s))
    throw new ChirpError(
      "BAD_INPUT",
      `tar archive: header field ${what} is not an octal number (${JSON.stringify(s)}): not a tar file or corrupt`,
    );
  return parseInt(s, 8);
}

/** True when a 512-byte block is all zeros (end-of-archive marker). */
function isZero(block: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

export interface TarHeader {
  name: string;
  size: number;
  typeflag: string;
}

/** Parses one 512-byte header block; null at the end-of-archive marker. Verifies the checksum. */
export function parseTarHeader(block: Uint8Array): TarHeader | null {
  checkBytesArg("block", block);
  if (block.length < BLOCK) throw new ChirpError("BAD_INPUT", "tar archive: truncated header");
  if (isZero(block)) return null;
  const stored = octal(block, 148, 8, "checksum");
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  if (sum !== stored)
    throw new ChirpError("BAD_INPUT", "tar archive: header checksum mismatch: not a tar file or corrupt");
  let name = str(block, 0, 100);
  const magic = str(block, 257, 6);
  if (magic.startsWith("ustar")) {
    const prefix = str(block, 345, 155);
    if (prefix) name = prefix + "/" + name;
  }
  const typeflag = String.fromCharCode(block[156] || 48);
  return { name, size: octal(block, 124, 12, "size"), typeflag };
}

/** Reads the `path` record of a pax extended header. */
function paxPath(content: Uint8Array): string | undefined {
  const text = dec.decode(content);
  let i = 0;
  while (i < text.length) {
    const sp = text.indexOf(" ", i);
    if (sp < 0) break;
    const len = parseInt(text.slice(i, sp), 10);
    if (!(len > 0)) break;
    const rec = text.slice(sp + 1, i + len - 1);
    const eq = rec.indexOf("=");
    if (rec.slice(0, eq) === "path") return rec.slice(eq + 1);
    i += len;
  }
  return undefined;
}

/**
 * Walks the headers of an archive. `read(offset, length)` returns those bytes (a whole Uint8Array
 * or a file reader); only headers and long-name records are read, never member contents.
 */
export function scanTar(read: (offset: number, length: number) => Uint8Array, totalBytes: number): TarEntry[] {
  if (typeof read !== "function") badParameter("read", read, "a function (offset, length) => Uint8Array");
  if (typeof totalBytes !== "number" || !Number.isSafeInteger(totalBytes) || totalBytes < 0)
    badParameter("totalBytes", totalBytes, "a whole number of bytes");
  const entries: TarEntry[] = [];
  let pos = 0;
  let longName: string | undefined;
  while (pos + BLOCK <= totalBytes) {
    const h = parseTarHeader(read(pos, BLOCK));
    if (!h) break;
    const offset = pos + BLOCK;
    if (offset + h.size > totalBytes)
      throw new ChirpError(
        "BAD_INPUT",
        `tar archive: member "${h.name}" runs past the end of the file (truncated archive)`,
      );
    pos = offset + Math.ceil(h.size / BLOCK) * BLOCK;
    if (h.typeflag === "x" || h.typeflag === "L") {
      longName = h.typeflag === "x" ? paxPath(read(offset, h.size)) : str(read(offset, h.size), 0, h.size);
      continue;
    }
    if (h.typeflag === "g") continue;
    const type =
      h.typeflag === "0" || h.typeflag === "\0" || h.typeflag === "7" ? "file" : h.typeflag === "5" ? "dir" : "other";
    entries.push({ name: longName ?? h.name, offset, size: h.size, type });
    longName = undefined;
  }
  if (entries.length === 0) throw new ChirpError("BAD_INPUT", "tar archive: no members found (not a tar file?)");
  return entries;
}

export function listTar(bytes: Uint8Array): TarEntry[] {
  checkBytesArg("bytes", bytes);
  return scanTar((o, l) => bytes.subarray(o, o + l), bytes.length);
}

/** The meta and data members of a SigMF archive (the first recording when it holds several). */
export function findSigmfMembers(entries: TarEntry[]): { meta: TarEntry; data: TarEntry } {
  checkArray("entries", entries, 1 << 20, "an array of tar entries (listTar, scanTar)");
  for (const [i, e] of entries.entries()) {
    if (
      typeof e !== "object" ||
      e === null ||
      typeof (e as TarEntry).name !== "string" ||
      typeof (e as TarEntry).offset !== "number" ||
      typeof (e as TarEntry).size !== "number"
    ) {
      badParameter(`entries[${i}]`, e, "a tar entry { name, offset, size, type }");
    }
  }
  const metas = entries.filter((e) => e.type === "file" && e.name.endsWith(".sigmf-meta"));
  if (metas.length === 0) throw new ChirpError("BAD_INPUT", "SigMF archive holds no .sigmf-meta member");
  const meta = metas[0]!;
  const want = meta.name.replace(/\.sigmf-meta$/, ".sigmf-data");
  const data = entries.find((e) => e.type === "file" && e.name === want);
  if (!data) throw new ChirpError("BAD_INPUT", `SigMF archive has ${meta.name} but no ${want}`);
  return { meta, data };
}

/** Reads a whole `.sigmf` archive held in memory: metadata text and data bytes (a view, no copy). */
export function readSigmfArchive(bytes: Uint8Array): { metaText: string; data: Uint8Array; name: string } {
  checkBytesArg("bytes", bytes);
  const { meta, data } = findSigmfMembers(listTar(bytes));
  return {
    metaText: dec.decode(bytes.subarray(meta.offset, meta.offset + meta.size)),
    data: bytes.subarray(data.offset, data.offset + data.size),
    name: meta.name.replace(/\.sigmf-meta$/, ""),
  };
}

function writeField(block: Uint8Array, start: number, len: number, value: string): void {
  const b = new TextEncoder().encode(value);
  if (b.length > len)
    throw new ChirpError("BAD_PARAMETER", `tar: ${showValue(value)} does not fit a ${len}-byte header field`, {
      parameter: "files[].name",
      allowed: `at most ${len} bytes`,
    });
  block.set(b, start);
}

function octalField(block: Uint8Array, start: number, len: number, value: number): void {
  writeField(block, start, len, value.toString(8).padStart(len - 1, "0"));
}

/** Builds a ustar archive from in-memory members (names up to 100 bytes). */
export function buildTar(files: { name: string; data: Uint8Array }[], mtime = 0): Uint8Array {
  checkArray("files", files, 1 << 16, "an array of { name, data } members");
  files.forEach((f, i) => {
    if (typeof f !== "object" || f === null)
      badParameter(`files[${i}]`, f, "a member { name: string, data: Uint8Array }");
    checkString(`files[${i}].name`, f.name, "a member name of at most 100 bytes");
    checkBytesArg(`files[${i}].data`, f.data);
  });
  checkNumber("mtime", mtime, 0, 8 ** 11 - 1, "seconds since 1970 (0 to 8^11 - 1)");
  let total = BLOCK * 2;
  for (const f of files) total += BLOCK + Math.ceil(f.data.length / BLOCK) * BLOCK;
  const out = new Uint8Array(total);
  let pos = 0;
  for (const f of files) {
    const h = out.subarray(pos, pos + BLOCK);
    writeField(h, 0, 100, f.name);
    octalField(h, 100, 8, 0o644);
    octalField(h, 108, 8, 0);
    octalField(h, 116, 8, 0);
    octalField(h, 124, 12, f.data.length);
    octalField(h, 136, 12, Math.floor(mtime));
    h[156] = 48; // '0' regular file
    writeField(h, 257, 6, "ustar");
    writeField(h, 263, 2, "00");
    h.fill(32, 148, 156);
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += h[i]!;
    writeField(h, 148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
    out.set(f.data, pos + BLOCK);
    pos += BLOCK + Math.ceil(f.data.length / BLOCK) * BLOCK;
  }
  return out;
}
