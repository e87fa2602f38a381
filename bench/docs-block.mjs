// Writes a benchmark's table into docs/benchmarks.md between its begin/end markers, so that a
// re-run refreshes it; when the markers are not there yet, appends them under `heading`.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const benchmarksDoc = join(dirname(fileURLToPath(import.meta.url)), "..", "docs", "benchmarks.md");

const markers = (name) => [`<!-- ${name}: begin (written by the benchmark) -->`, `<!-- ${name}: end -->`];

/** What the block of `name` holds now ("" when it is not there yet). */
export function readDocsBlock(name) {
  const [begin, end] = markers(name);
  const text = readFileSync(benchmarksDoc, "utf8");
  const i = text.indexOf(begin),
    j = text.indexOf(end);
  return i >= 0 && j > i ? text.slice(i + begin.length, j) : "";
}

/** name: the script's file name (the markers' tag); heading: markdown put before the block when it is new. */
export function writeDocsBlock(name, content, heading) {
  const [begin, end] = markers(name);
  const block = `${begin}\n${content}\n${end}`;
  const text = readFileSync(benchmarksDoc, "utf8");
  const i = text.indexOf(begin),
    j = text.indexOf(end);
  if (i >= 0 && j > i) writeFileSync(benchmarksDoc, text.slice(0, i) + block + text.slice(j + end.length));
  else writeFileSync(benchmarksDoc, `${text.trimEnd()}\n\n${heading}\n\n${block}\n`);
  console.log(`\nwrote the table into ${benchmarksDoc}`);
}
