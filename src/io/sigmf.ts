/**
 * SigMF metadata (https://github.com/sigmf/SigMF, sigmf-spec.md v1.x): parse a `.sigmf-meta`
 * document into what a receiver needs (format, sample rate, centre frequency, annotations) and
 * build one for recordings we write. Isomorphic: works on strings and plain objects.
 */
import { checkArray, checkNumber, checkOptions, checkString } from "../check.js";
import { ChirpError, badParameter, showValue } from "../errors.js";
import { checkFormat, type IqFormat } from "./formats.js";

/** SigMF datatype <-> our raw format. SigMF spells 8-bit types without an endianness suffix. */
const FROM_DATATYPE: Record<string, IqFormat> = { cf32_le: "cf32", ci16_le: "cs16", ci8: "cs8", cu8: "cu8" };
const TO_DATATYPE: Record<IqFormat, string> = { cf32: "cf32_le", cs16: "ci16_le", cs8: "ci8", cu8: "cu8" };

export const SIGMF_VERSION = "1.0.0";
/** Our extension namespace for ground truth and decoded-frame fields in annotations. */
export const CHIRPKIT_EXTENSION = { name: "chirpkit", version: "0.1.0", optional: true };

export interface SigmfAnnotation {
  sampleStart: number;
  sampleCount?: number;
  freqLowerEdge?: number;
  freqUpperEdge?: number;
  label?: string;
  comment?: string;
  /** Other keys as written (e.g. "chirpkit:payload_hex"). */
  extra?: Record<string, unknown>;
}

export interface SigmfInfo {
  datatype: string;
  format: IqFormat;
  sampleRate?: number;
  centerFrequency?: number;
  description?: string;
  annotations: SigmfAnnotation[];
  /** The parsed document itself, to be extended and written back (e.g. `decode --annotate`). */
  doc: SigmfDoc;
}

export interface SigmfDoc {
  global: Record<string, unknown>;
  captures: Record<string, unknown>[];
  annotations: Record<string, unknown>[];
  [key: string]: unknown;
}

function bad(message: string): never {
  throw new ChirpError("BAD_INPUT", message);
}

export function formatFromDatatype(datatype: string): IqFormat {
  if (typeof datatype !== "string")
    badParameter("datatype", datatype, `a SigMF datatype: ${Object.keys(FROM_DATATYPE).join(", ")}`);
  const f = Object.hasOwn(FROM_DATATYPE, datatype) ? FROM_DATATYPE[datatype] : undefined;
  if (!f) {
    const why = /^r/.test(datatype)
      ? "real-valued recordings cannot carry LoRa (need complex I/Q)"
      : /_be$/.test(datatype)
        ? "big-endian data is not supported"
        : "unsupported datatype";
    bad(`SigMF core:datatype ${showValue(datatype)}: ${why}; supported: ${Object.keys(FROM_DATATYPE).join(", ")}`);
  }
  return f;
}

export function datatypeFromFormat(format: IqFormat): string {
  return TO_DATATYPE[checkFormat(format)];
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
const optNum = (o: Record<string, unknown>, key: string, where: string): number | undefined => {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v))
    bad(`SigMF ${where} ${key} must be a number, got ${JSON.stringify(v)}`);
  return v;
};

/** Parses a `.sigmf-meta` document (text or object). Throws BAD_INPUT with one clear sentence. */
export function parseSigmfMeta(input: string | unknown): SigmfInfo {
  let doc: unknown = input;
  if (typeof input === "string") {
    try {
      doc = JSON.parse(input);
    } catch (e) {
      bad(`SigMF metadata is not valid JSON (${(e as Error).message})`);
    }
  }
  if (!isObj(doc) || !isObj(doc.global)) bad(`SigMF metadata has no "global" object`);
  const g = doc.global;
  const datatype = g["core:datatype"];
  if (typeof datatype !== "string") bad(`SigMF metadata has no core:datatype`);
  const format = formatFromDatatype(datatype);
  const channels = optNum(g, "core:num_channels", "global");
  if (channels !== undefined && channels !== 1)
    bad(`SigMF core:num_channels = ${channels}: only single-channel recordings are supported`);
  const sampleRate = optNum(g, "core:sample_rate", "global");
  if (sampleRate !== undefined && !(sampleRate > 0)) bad(`SigMF core:sample_rate = ${sampleRate} must be positive`);
  const captures = doc.captures === undefined ? [] : doc.captures;
  if (!Array.isArray(captures) || !captures.every(isObj)) bad(`SigMF "captures" must be an array of objects`);
  const annotations = doc.annotations === undefined ? [] : doc.annotations;
  if (!Array.isArray(annotations) || !annotations.every(isObj)) bad(`SigMF "annotations" must be an array of objects`);
  let centerFrequency: number | undefined;
  for (const c of captures) {
    const f = optNum(c, "core:frequency", "capture");
    if (f !== undefined && centerFrequency === undefined) centerFrequency = f;
    else if (f !== undefined && f !== centerFrequency)
      bad(`SigMF captures change core:frequency mid-recording (${centerFrequency} -> ${f}); split the recording first`);
    const s = optNum(c, "core:sample_start", "capture");
    if (s !== undefined && (!Number.isInteger(s) || s < 0))
      bad(`SigMF capture core:sample_start = ${s} must be a non-negative integer`);
  }
  const parsedAnn: SigmfAnnotation[] = annotations.map((a) => {
    const sampleStart = optNum(a, "core:sample_start", "annotation");
    if (sampleStart === undefined || !Number.isInteger(sampleStart) || sampleStart < 0)
      bad(`SigMF annotation without a valid core:sample_start`);
    const out: SigmfAnnotation = { sampleStart };
    const cnt = optNum(a, "core:sample_count", "annotation");
    if (cnt !== undefined) out.sampleCount = cnt;
    const lo = optNum(a, "core:freq_lower_edge", "annotation");
    if (lo !== undefined) out.freqLowerEdge = lo;
    const hi = optNum(a, "core:freq_upper_edge", "annotation");
    if (hi !== undefined) out.freqUpperEdge = hi;
    if (typeof a["core:label"] === "string") out.label = a["core:label"];
    if (typeof a["core:comment"] === "string") out.comment = a["core:comment"];
    const extra: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(a)) if (!k.startsWith("core:")) extra[k] = v;
    if (Object.keys(extra).length) out.extra = extra;
    return out;
  });
  const info: SigmfInfo = {
    datatype,
    format,
    annotations: parsedAnn,
    doc: {
      ...doc,
      global: g,
      captures: captures as Record<string, unknown>[],
      annotations: annotations as Record<string, unknown>[],
    },
  };
  if (sampleRate !== undefined) info.sampleRate = sampleRate;
  if (centerFrequency !== undefined) info.centerFrequency = centerFrequency;
  if (typeof g["core:description"] === "string") info.description = g["core:description"];
  return info;
}

/**
 * Checks that metadata and data agree: the data holds a whole number of samples and every capture
 * and annotation starts inside it. Throws BAD_INPUT naming the disagreement.
 */
export function checkSigmfAgainstData(info: SigmfInfo, dataBytes: number, bytesPerSample: number): number {
  if (!isObj(info) || !isObj(info.doc) || !Array.isArray(info.doc.captures) || !Array.isArray(info.annotations))
    badParameter("info", info, "a SigmfInfo from parseSigmfMeta");
  if (typeof dataBytes !== "number" || !Number.isSafeInteger(dataBytes) || dataBytes < 0)
    badParameter("dataBytes", dataBytes, "a whole number of bytes");
  if (typeof bytesPerSample !== "number" || !Number.isSafeInteger(bytesPerSample) || bytesPerSample < 1)
    badParameter("bytesPerSample", bytesPerSample, "a positive whole number (2, 4 or 8)");
  if (dataBytes % bytesPerSample !== 0) {
    bad(
      `SigMF data has ${dataBytes} bytes, not a whole number of ${typeof info.datatype === "string" ? info.datatype : showValue(info.datatype)} samples (${bytesPerSample} bytes each): metadata and data disagree`,
    );
  }
  const n = dataBytes / bytesPerSample;
  for (const c of info.doc.captures) {
    const s = c["core:sample_start"];
    if (typeof s === "number" && s > n)
      bad(`SigMF capture starts at sample ${s} but the data holds only ${n} samples: metadata and data disagree`);
  }
  for (const a of info.annotations) {
    if (isObj(a) && typeof a.sampleStart === "number" && a.sampleStart > n)
      bad(
        `SigMF annotation starts at sample ${a.sampleStart} but the data holds only ${n} samples: metadata and data disagree`,
      );
  }
  return n;
}

export interface BuildSigmfOptions {
  format: IqFormat;
  sampleRate: number;
  centerFrequency?: number;
  description?: string;
  datetime?: string;
  annotations?: SigmfAnnotation[];
  /** Additional global keys, e.g. { "chirpkit:snr_db": 3 }. */
  global?: Record<string, unknown>;
}

function checkAnnotation(name: string, a: unknown): SigmfAnnotation {
  if (!isObj(a))
    badParameter(
      name,
      a,
      "an annotation { sampleStart, sampleCount?, freqLowerEdge?, freqUpperEdge?, label?, comment?, extra? }",
    );
  const x = a as unknown as SigmfAnnotation;
  if (typeof x.sampleStart !== "number" || !Number.isFinite(x.sampleStart) || x.sampleStart < 0)
    badParameter(`${name}.sampleStart`, x.sampleStart, "a sample index >= 0");
  for (const k of ["sampleCount", "freqLowerEdge", "freqUpperEdge"] as const) {
    if (x[k] !== undefined && (typeof x[k] !== "number" || !Number.isFinite(x[k])))
      badParameter(`${name}.${k}`, x[k], "a finite number");
  }
  for (const k of ["label", "comment"] as const)
    if (x[k] !== undefined && typeof x[k] !== "string") badParameter(`${name}.${k}`, x[k], "a string");
  if (x.extra !== undefined && !isObj(x.extra)) badParameter(`${name}.extra`, x.extra, "an object of extra keys");
  return x;
}

function checkAnnotations(name: string, list: unknown): SigmfAnnotation[] {
  checkArray(name, list, 1 << 24, "an array of annotations");
  return (list as unknown[]).map((a, i) => checkAnnotation(`${name}[${i}]`, a));
}

export function annotationToJson(a: SigmfAnnotation): Record<string, unknown> {
  checkAnnotation("annotation", a);
  const o: Record<string, unknown> = { "core:sample_start": a.sampleStart };
  if (a.sampleCount !== undefined) o["core:sample_count"] = a.sampleCount;
  if (a.freqLowerEdge !== undefined) o["core:freq_lower_edge"] = a.freqLowerEdge;
  if (a.freqUpperEdge !== undefined) o["core:freq_upper_edge"] = a.freqUpperEdge;
  if (a.label !== undefined) o["core:label"] = a.label;
  if (a.comment !== undefined) o["core:comment"] = a.comment;
  if (a.extra) Object.assign(o, a.extra);
  return o;
}

/** Builds a SigMF metadata document for a raw recording we write. */
export function buildSigmfMeta(o: BuildSigmfOptions): SigmfDoc {
  checkOptions("options", o);
  checkFormat(o.format, "format");
  checkNumber("sampleRate", o.sampleRate, Number.MIN_VALUE, Infinity, "a positive number of samples per second");
  if (o.centerFrequency !== undefined) checkNumber("centerFrequency", o.centerFrequency);
  if (o.description !== undefined) checkString("description", o.description);
  if (o.datetime !== undefined) checkString("datetime", o.datetime, "an ISO 8601 date and time");
  if (o.global !== undefined) checkOptions("global", o.global);
  if (o.annotations !== undefined) checkAnnotations("annotations", o.annotations);
  const global: Record<string, unknown> = {
    "core:datatype": datatypeFromFormat(o.format),
    "core:sample_rate": o.sampleRate,
    "core:version": SIGMF_VERSION,
    "core:num_channels": 1,
    "core:recorder": "chirpkit",
    "core:extensions": [CHIRPKIT_EXTENSION],
  };
  if (o.description !== undefined) global["core:description"] = o.description;
  if (o.global) Object.assign(global, o.global);
  const capture: Record<string, unknown> = { "core:sample_start": 0 };
  if (o.centerFrequency !== undefined) capture["core:frequency"] = o.centerFrequency;
  if (o.datetime !== undefined) capture["core:datetime"] = o.datetime;
  const annotations = (o.annotations ?? [])
    .slice()
    .sort((a, b) => a.sampleStart - b.sampleStart)
    .map(annotationToJson);
  return { global, captures: [capture], annotations };
}

/**
 * Replaces the annotations made by `generator` (leaving everyone else's) with new ones, sorted by
 * sample start as the spec asks. Returns a new document.
 */
export function withAnnotations(doc: SigmfDoc, annotations: SigmfAnnotation[], generator = "chirpkit"): SigmfDoc {
  if (!isObj(doc) || !isObj(doc.global) || !Array.isArray(doc.annotations) || !doc.annotations.every(isObj))
    badParameter("doc", doc, "a SigMF document { global, captures, annotations }");
  checkAnnotations("annotations", annotations);
  checkString("generator", generator);
  const kept = doc.annotations.filter((a) => a["core:generator"] !== generator);
  const added: Record<string, unknown>[] = annotations.map((a) => ({
    ...annotationToJson(a),
    "core:generator": generator,
  }));
  const all: Record<string, unknown>[] = [...kept, ...added].sort(
    (a, b) => (a["core:sample_start"] as number) - (b["core:sample_start"] as number),
  );
  const global = { ...doc.global };
  const ext = Array.isArray(global["core:extensions"]) ? (global["core:extensions"] as { name?: string }[]) : [];
  if (!ext.some((e) => e && e.name === CHIRPKIT_EXTENSION.name))
    global["core:extensions"] = [...ext, CHIRPKIT_EXTENSION];
  return { ...doc, global, annotations: all };
}

export function stringifySigmf(doc: SigmfDoc): string {
  if (!isObj(doc)) badParameter("doc", doc, "a SigMF document { global, captures, annotations }");
  try {
    return JSON.stringify(doc, null, 2) + "\n";
  } catch (e) {
    throw new ChirpError(
      "BAD_PARAMETER",
      `doc cannot be written as JSON (${e instanceof Error ? e.message : "unknown reason"})`,
      { parameter: "doc", allowed: "JSON values only (no BigInt, no cycles)" },
    );
  }
}

/** The `.sigmf-meta` / `.sigmf-data` pair for a base name (strips either extension). */
export function sigmfPair(path: string): { meta: string; data: string; base: string } {
  checkString("path", path, "a file path");
  const base = path.replace(/\.sigmf-(meta|data)$/, "").replace(/\.sigmf$/, "");
  return { meta: base + ".sigmf-meta", data: base + ".sigmf-data", base };
}
