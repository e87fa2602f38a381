// Headless Chromium for the browser tests (Debian's package, driven by playwright-core; no browser
// download): a fresh profile, and no request leaves for anything but the test's own servers.
import { existsSync } from "node:fs";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);

/** Without Chromium: an error under CI=true, else a warning naming the suite that is skipped. */
export function requireChromium(suite: string): void {
  if (hasChromium) return;
  if (process.env.CI === "true")
    throw new Error(`${CHROMIUM} not found: CI=true requires Chromium for the browser test (.ci/run installs it)`);
  console.warn(`[skip] ${suite}: ${CHROMIUM} not found (apt-get install chromium); the browser test is skipped`);
}

/** A persistent context in `userDataDir`; requests whose URL does not start with an allowed prefix are aborted. */
export async function launchChromium(
  userDataDir: string,
  allowed: readonly string[],
): Promise<import("playwright-core").BrowserContext> {
  const { chromium } = await import("playwright-core");
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // Belt and braces: no name resolves except the loopback address we serve on.
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ],
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    serviceWorkers: "block",
  });
  await context.route("**/*", (route) =>
    allowed.some((a) => route.request().url().startsWith(a)) ? route.continue() : route.abort(),
  );
  return context;
}

/** The context's page at `base`, once the demo says it is ready; page errors and console errors go to `errors`. */
export async function openDemoPage(
  context: import("playwright-core").BrowserContext,
  base: string,
  errors: string[],
): Promise<import("playwright-core").Page> {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  await page.goto(base);
  await page.waitForSelector("body[data-ready]", { timeout: 30_000 });
  return page;
}
