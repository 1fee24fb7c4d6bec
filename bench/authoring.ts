/**
 * What an author feels in the browser editor, measured in Chromium against
 * the production server (as bench/browser.ts does for learners), a fresh lab
 * for every sample:
 *
 *  - a keystroke that breaks the text → its problem listed (the editor waits
 *    300 ms after the last key before asking the server; that wait is in the
 *    figure, as the author feels it), and the key that fixes it → "No problems";
 *  - "Test this lab" click → the verdict on screen, for a two-task lab (a
 *    fresh node, each task's checks fail, its solution runs, its checks pass);
 *  - "Publish" click → the lab in the learners' catalog (the API the catalog
 *    page reads).
 *
 *   npx tsx bench/authoring.ts [samples=5]
 */
import fs from "node:fs";
import path from "node:path";
import type { Page } from "@playwright/test";
import { preferSandboxEngine } from "../server/sandbox/providers/docker/sandbox-engine";
import { loadLine } from "./cpu";
import { ms, percentile } from "./stats";
import { BASE, CHROMIUM, signUp, startServer, launchChromium, stopServer } from "./browser-server";

/** A built-in two-task lab, out of its learning path (an authored copy must not take its place there). */
function labText(): string {
  return fs
    .readFileSync(path.resolve(__dirname, "../labs/first-container/lab.md"), "utf8")
    .replace(/^track: .*\n/m, "")
    .replace(/^order: .*\n/m, "");
}

declare global {
  interface Window {
    __author?: { key?: number; shown?: number; click?: number; done?: number };
  }
}

interface Sample {
  keyToProblem: number;
  keyToClean: number;
  testClickToVerdict: number;
  publishToCatalog: number;
}

/** Records performance.now() of the next keydown, and of the first DOM change after it that satisfies `ready`. */
async function armKey(page: Page, ready: string): Promise<void> {
  await page.evaluate((readySource) => {
    const t: NonNullable<Window["__author"]> = {};
    window.__author = t;
    const isReady = new Function(`return (${readySource})();`) as () => boolean;
    window.addEventListener("keydown", () => (t.key ??= performance.now()), { capture: true, once: true });
    new MutationObserver((_, observer) => {
      if (t.key === undefined || !isReady()) return;
      t.shown = performance.now();
      observer.disconnect();
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  }, ready);
}

async function oneLab(page: Page, i: number): Promise<Sample> {
  const slug = `bench-authored-${Date.now().toString(36)}-${i}`;
  await page.goto("/instructor/authoring");
  await page.getByLabel("Slug").fill(slug);
  await page.getByRole("button", { name: "Create lab" }).click();
  await page.waitForURL(`**/instructor/authoring/${slug}`);
  const source = page.getByLabel("Lab source (lab.md)");
  const text = labText();
  await source.fill(text);
  await page.getByTestId("editor-status").filter({ hasText: "No problems" }).waitFor();

  // A key that breaks a check type: "runtime" → "runtimex".
  const at = text.indexOf("type: runtime") + "type: runtime".length;
  await source.evaluate((el: HTMLTextAreaElement, pos) => {
    el.focus();
    el.setSelectionRange(pos, pos);
  }, at);
  await armKey(page, `() => !!document.querySelector('[data-testid="editor-problem"]')`);
  await page.keyboard.type("x");
  await page.waitForFunction(() => window.__author?.shown !== undefined, undefined, { timeout: 10_000 });
  const broke = await page.evaluate(() => window.__author!.shown! - window.__author!.key!);
  await armKey(page, `() => document.querySelector('[data-testid="editor-status"]')?.textContent === "No problems"`);
  await page.keyboard.press("Backspace");
  await page.waitForFunction(() => window.__author?.shown !== undefined, undefined, { timeout: 10_000 });
  const fixed = await page.evaluate(() => window.__author!.shown! - window.__author!.key!);

  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByTestId("editor-notice").filter({ hasText: "Saved as version 2" }).waitFor();

  // Test this lab: click → the verdict drawn.
  await page.evaluate(() => {
    const t: NonNullable<Window["__author"]> = {};
    window.__author = t;
    document.addEventListener("click", (e) => ((e.target as Element | null)?.closest("button")?.textContent?.includes("Test this lab") ? (t.click ??= performance.now()) : undefined), true);
    new MutationObserver((_, observer) => {
      const verdict = document.querySelector('[data-testid="test-verdict"]')?.textContent ?? "";
      if (t.click === undefined || !/passed|failed/.test(verdict)) return;
      t.done = performance.now();
      observer.disconnect();
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await page.getByRole("button", { name: "Test this lab" }).click();
  await page.waitForFunction(() => window.__author?.done !== undefined, undefined, { timeout: 300_000 });
  const verdict = (await page.getByTestId("test-verdict").textContent()) ?? "";
  if (!verdict.includes("passed")) throw new Error(`the test of ${slug} did not pass: ${verdict}`);
  const tested = await page.evaluate(() => window.__author!.done! - window.__author!.click!);

  // Publish → the catalog learners read lists it.
  const t0 = performance.now();
  await page.getByRole("button", { name: "Publish version 2", exact: true }).click();
  for (;;) {
    const r = await page.request.get(`${BASE}/api/trpc/labs.list`);
    const body = (await r.json()) as { result?: { data?: { json?: { slug: string }[] } } };
    if (body.result?.data?.json?.some((l) => l.slug === slug)) break;
    if (performance.now() - t0 > 30_000) throw new Error(`${slug} never reached the catalog`);
  }
  const published = performance.now() - t0;
  // Out of the catalog again, so the next sample's lab is the only new one.
  await page.request.post(`${BASE}/api/trpc/authoring.setArchived`, { data: { json: { slug, archived: true } }, headers: { origin: BASE } });
  return { keyToProblem: broke, keyToClean: fixed, testClickToVerdict: tested, publishToCatalog: published };
}

const line = (label: string, values: number[], note: string) =>
  `${label} (n=${values.length}): p50 ${ms(percentile(values, 50))}, p90 ${ms(percentile(values, 90))}, max ${ms(Math.max(...values))}  [${note}]`;

async function main() {
  const samples = Number(process.argv[2] ?? 5);
  if (!fs.existsSync(CHROMIUM)) {
    console.log(`SKIPPED: no Chromium at ${CHROMIUM} (Debian package \`chromium\`, or set CHROMIUM_PATH)`);
    return;
  }
  preferSandboxEngine();
  const instance = `bench-authoring-${process.pid}`;
  const { server, dataDir } = await startServer(instance, 0);
  const browser = await launchChromium();
  const results: Sample[] = [];
  try {
    const context = await browser.newContext({ baseURL: BASE, viewport: { width: 1400, height: 900 } });
    await context.addInitScript("globalThis.__name = (fn) => fn;");
    // The first account is the admin, who may write labs.
    await signUp(context.request, "authoring-admin@example.com");
    console.log(`server up (production build, nodes on ${process.env.DOCKER_HOST}); ${samples} labs, each typed, tested and published; ${loadLine()}`);
    const page = await context.newPage();
    for (let i = 0; i < samples; i++) results.push(await oneLab(page, i));
    await context.close();
  } finally {
    await browser.close();
    await stopServer(server, instance, dataDir);
  }
  console.log(
    line(
      "key that breaks the text → its problem listed",
      results.map((r) => r.keyToProblem),
      "includes the editor's 300 ms pause after typing",
    ),
  );
  console.log(
    line(
      "key that fixes it → No problems",
      results.map((r) => r.keyToClean),
      "the same",
    ),
  );
  console.log(
    line(
      "Test this lab click → verdict (2 tasks, each with another way: 3 fresh nodes)",
      results.map((r) => r.testClickToVerdict),
      "a node per run",
    ),
  );
  console.log(
    line(
      "Publish click → in the learners' catalog",
      results.map((r) => r.publishToCatalog),
      "",
    ),
  );
  console.log(loadLine());
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
