// Builds the package when dist/ is missing or older than any source file, so that
// `npm run -s chirp -- ...` and `npm start` work in a fresh checkout without a manual build.
import { statSync, readdirSync, existsSync } from "node:fs";
import { execSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
function newest(dir) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "generated") t = Math.max(t, newest(p));
    } else t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}
const marker = join(root, "dist/bin/main.js");
const built = existsSync(marker) ? statSync(marker).mtimeMs : 0;
const src = Math.max(newest(join(root, "src")), newest(join(root, "assembly")));
if (built < src) {
  process.stderr.write("building chirpkit (sources changed)...\n");
  execSync("npm run -s build", { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
}
