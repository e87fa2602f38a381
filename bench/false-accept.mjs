// CRC false accepts of the receiver's frame decision on garbage: random hard decisions with LLRs
// of the same signs and random magnitudes (what noise gives), implicit header (the CRC is the
// only check), SF7. Counts frames accepted (crcOk true) by the soft decoding alone, by soft then
// hard unconditionally (the old rule: two checks), and by decodeSymbols (hard consulted only when
// its decoder found few codewords in error), and the mean CRC checks per frame.
// Run: npm run -s build && node bench/false-accept.mjs [--frames 1000000] [--quick]
import os from "node:os";
import { decodeFrame, decodeFrameSoft, resolveParams, symbolToWord } from "../dist/phy/index.js";
import { decodeSymbols } from "../dist/rx/frame.js";

const argv = process.argv.slice(2);
const i = argv.indexOf("--frames");
const frames = i >= 0 ? Number(argv[i + 1]) : argv.includes("--quick") ? 20000 : 1000000;

let a = 12345;
const rnd = () => {
  a = (a + 0x6d2b79f5) >>> 0;
  let t = a;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
};
const gauss = () => Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());

console.log(
  `machine: ${os.cpus()[0]?.model ?? "unknown"} (${os.cpus().length} cores), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
);
console.log(`${frames} random frames per row, SF7, implicit header, CRC on\n`);
console.log("| CR | payload | soft only | soft then hard (old) | decodeSymbols | checks per frame | 2^-16 x checks |");
console.log("|---|---|---|---|---|---|---|");
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
    llr.fill(0);
    for (let s = 0; s < nsym; s++) {
      const sym = Math.floor(rnd() * 128);
      symbols[s] = sym;
      const reduced = s < 8;
      const bits = reduced ? sf - 2 : sf;
      const w = symbolToWord(sym, sf, reduced);
      for (let j = 0; j < bits; j++) llr[s * sf + j] = ((w >> (bits - 1 - j)) & 1 ? 1 : -1) * Math.abs(gauss());
    }
    const ds = decodeFrameSoft(llr, nsym, params, { implicit });
    const dh = decodeFrame(symbols, params, { implicit });
    if (ds.crcOk === true) soft++;
    if (ds.crcOk === true || dh.crcOk === true) old++;
    const d = decodeSymbols(llr, symbols, params, null, implicit);
    if (d.decoded?.crcOk === true) now++;
    checks += d.checks;
  }
  const per = (x) => (x / frames).toExponential(2);
  console.log(
    `| 4/${4 + cr} | ${payloadLength} B | ${soft} (${per(soft)}) | ${old} (${per(old)}) | ${now} (${per(now)}) | ${(checks / frames).toFixed(4)} | ${per(checks * 2 ** -16)} |`,
  );
  console.error(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
