// False accepts of the receiver's decisions on garbage: random hard decisions with LLRs of the same
// signs and random magnitudes (what noise gives).
// - Payload CRC (decodeSymbols): implicit header (the CRC is the only check), SF7. Counts frames
//   accepted (crcOk true) by the soft decoding alone, by soft then hard unconditionally (the old
//   rule: two checks), and by the receiver's rule (hard consulted only when its decoder found few
//   codewords in error), and the mean CRC checks per frame.
// - Header checksum (decideHeader): random header blocks (explicit header), SF7 and SF12, and SF5
//   whose header ends in the second block. The same three rules for the header's checksum (a
//   random header passes one test with probability 1/512), and the headers the hard decisions
//   would pass that the receiver's rule tests (the second test's share).
// Writes its tables into docs/benchmarks.md (the marked section) unless --quick or --no-docs.
// Run: npm run -s build && node bench/false-accept.mjs [--frames 1000000] [--quick] [--no-docs]
import os from "node:os";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeFrame, decodeFrameSoft, resolveParams, symbolToWord } from "../dist/phy/index.js";
import { decodeFrameJs, decodeFrameSoftJs } from "../dist/engines/js/frame.js";
import { decideHeader, decodeSymbols } from "../dist/rx/frame.js";

const argv = process.argv.slice(2);
const i = argv.indexOf("--frames");
const quick = argv.includes("--quick");
const frames = i >= 0 ? Number(argv[i + 1]) : quick ? 20000 : 1000000;
const writeDocs = !quick && i < 0 && !argv.includes("--no-docs");

let a = 12345;
const rnd = () => {
  a = (a + 0x6d2b79f5) >>> 0;
  let t = a;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
};
const gauss = () => Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());

/** Random symbols 0..nsym-1 and LLRs of their words' signs (reduced rate where `reduced(s)`). */
function garbage(symbols, llr, nsym, sf, reduced) {
  llr.fill(0);
  for (let s = 0; s < nsym; s++) {
    const sym = Math.floor(rnd() * (1 << sf));
    symbols[s] = sym;
    const red = reduced(s);
    const bits = red ? sf - 2 : sf;
    const w = symbolToWord(sym, sf, red);
    for (let j = 0; j < bits; j++) llr[s * sf + j] = ((w >> (bits - 1 - j)) & 1 ? 1 : -1) * Math.abs(gauss());
  }
}

const out = [];
const say = (line) => {
  console.log(line);
  out.push(line);
};
const machine = `${os.cpus()[0]?.model ?? "unknown"} (${os.cpus().length} cores), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
const per = (x, n) => (x / n).toExponential(2);
console.log(`machine: ${machine}\n`);

say(`Payload CRC: ${frames} random frames per row, SF7, implicit header, CRC on.\n`);
say("| CR | payload | soft only | soft then hard (old) | receiver | CRC checks per frame | 2^-16 x checks |");
say("|---|---|---|---|---|---|---|");
for (const [cr, payloadLength] of [
  [1, 16],
  [4, 16],
  [1, 1],
]) {
  const sf = 7;
  const implicit = { payloadLength, cr, crc: true };
  const params = resolveParams({ sf, bandwidth: 125000, cr, explicitHeader: false, crc: true });
  // symbols of the frame: 8 + blocks x (4 + cr)
  const nibbles = 2 * payloadLength + 4 - (sf - 2);
  const nsym = 8 + Math.max(0, Math.ceil(nibbles / sf)) * (4 + cr);
  const symbols = new Uint16Array(nsym);
  const llr = new Float32Array(nsym * sf);
  let soft = 0,
    old = 0,
    now = 0,
    checks = 0;
  const t0 = Date.now();
  for (let k = 0; k < frames; k++) {
    garbage(symbols, llr, nsym, sf, (s) => s < 8);
    const ds = decodeFrameSoft(llr, nsym, params, { implicit });
    const dh = decodeFrame(symbols, params, { implicit });
    if (ds.crcOk === true) soft++;
    if (ds.crcOk === true || dh.crcOk === true) old++;
    const d = decodeSymbols(llr, symbols, params, null, implicit);
    if (d.decoded?.crcOk === true) now++;
    checks += d.checks;
  }
  say(
    `| 4/${4 + cr} | ${payloadLength} B | ${soft} (${per(soft, frames)}) | ${old} (${per(old, frames)}) | ${now} (${per(now, frames)}) | ${(checks / frames).toFixed(4)} | ${per(checks * 2 ** -16, frames)} |`,
  );
  console.error(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

say(`\nHeader checksum: ${frames} random header blocks per row, explicit header, SX127x framing.\n`);
say("| SF | symbols | soft only | soft then hard (old) | receiver | hard passes tested | receiver / soft only |");
say("|---|---|---|---|---|---|---|");
for (const sf of [7, 12, 5]) {
  const params = resolveParams({ sf, bandwidth: 125000, cr: 1 });
  // the receiver reads the header from 8 symbols, 16 at SF5/SF6 (the header ends in the second block)
  const nsym = sf < 7 ? 16 : 8;
  const symbols = new Uint16Array(nsym);
  const llr = new Float32Array(nsym * sf);
  const read = (soft) => {
    try {
      return soft ? decodeFrameSoftJs(llr, nsym, params, {}, true) : decodeFrameJs(symbols, params, {}, true);
    } catch {
      return null; // too short for the header this garbage claims
    }
  };
  let soft = 0,
    old = 0,
    now = 0,
    hardPass = 0,
    hardTested = 0;
  const t0 = Date.now();
  for (let k = 0; k < frames; k++) {
    garbage(symbols, llr, nsym, sf, (s) => s < 8 || params.ldroOn);
    const s = read(true),
      h = read(false);
    if (s?.headerOk) soft++;
    if (s?.headerOk || h?.headerOk) old++;
    if (decideHeader(read, params).ok) now++;
    if (!s?.headerOk && h?.headerOk) {
      hardPass++;
      if (decideHeader((soft) => (soft ? null : h), params).ok) hardTested++;
    }
  }
  say(
    `| ${sf} | ${nsym} | ${soft} (${per(soft, frames)}) | ${old} (${per(old, frames)}) | ${now} (${per(now, frames)}) | ${hardTested} of ${hardPass} | ${(now / soft).toFixed(3)} |`,
  );
  console.error(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

if (writeDocs) {
  const docs = join(resolve(dirname(fileURLToPath(import.meta.url)), ".."), "docs", "benchmarks.md");
  const begin = "<!-- false-accept.mjs: begin (written by the benchmark) -->",
    end = "<!-- false-accept.mjs: end -->";
  const text = readFileSync(docs, "utf8");
  const block = `${begin}\n${machine}.\n\n${out.join("\n")}\n${end}`;
  const b = text.indexOf(begin),
    e = text.indexOf(end);
  if (b >= 0 && e > b) writeFileSync(docs, text.slice(0, b) + block + text.slice(e + end.length));
  else writeFileSync(docs, `${text.trimEnd()}\n\n### False accepts (\`node bench/false-accept.mjs\`)\n\n${block}\n`);
  console.log(`\nwrote the tables into ${docs}`);
}
