/**
 * `npx tsx scripts/screenshots.ts [baseUrl]`: captures docs/screenshots/*.png
 * from a running server (npm start, on a fresh DATA_DIR so the first account
 * is an admin) with Docker available. An instructor creates a cohort; three
 * learners join and work in their terminals as learners would; then the lab
 * page, the instructor's dashboard and the catalog are photographed.
 * The learners' sandboxes stay until their sessions expire: end them, or
 * remove them with `npx labs sandbox ls` and `npx labs sandbox rm <id>...`.
 */
import fs from "node:fs";
import { chromium, type Browser, type Page } from "@playwright/test";

const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Signs up and lands on `next`, waiting out better-auth's limit of 3 sign-ups per 10 s. */
async function signUp(page: Page, base: string, email: string, next: string) {
  for (let attempt = 0; ; attempt++) {
    await page.goto(`${base}/sign-up?next=${encodeURIComponent(next)}`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("screenshot-password");
    await page.getByRole("button", { name: "Sign up" }).click();
    const limited = await Promise.race([
      page.waitForURL((url) => url.pathname === next, { timeout: 30_000 }).then(() => false),
      page
        .getByText("Too many requests")
        .waitFor({ timeout: 30_000 })
        .then(() => true),
    ]);
    if (!limited) return;
    if (attempt === 2) throw new Error("sign-up stayed rate-limited");
    await page.waitForTimeout(10_000);
  }
}

/** A learner joins the cohort, starts `lab` and types `command` in its terminal; waits for `task` to tick if given. */
async function learnerWorks(browser: Browser, base: string, joinPath: string, lab: string, command: string, task?: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await signUp(page, base, `learner-${Math.random().toString(36).slice(2, 8)}@example.com`, joinPath);
  await page.getByRole("button", { name: "Join cohort" }).click();
  await page.getByTestId("joined").waitFor();
  await page.goto(`${base}/labs/${lab}`);
  await page.getByRole("button", { name: "Start lab" }).click();
  await page.locator('[data-testid="session-panel"][data-state="ready"]').waitFor({ timeout: 60_000 });
  await page.locator(".xterm").first().click();
  await page.waitForTimeout(1500);
  await page.keyboard.type(`${command}\n`, { delay: 5 });
  if (task) await page.locator(`[data-testid="task-${task}"][data-status="passed"]`).waitFor({ timeout: 30_000 });
  await page.waitForTimeout(500);
  return page;
}

async function main() {
  const base = process.argv[2] ?? "http://127.0.0.1:3000";
  fs.mkdirSync("docs/screenshots", { recursive: true });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });

  // An instructor (the first account of a fresh server is an admin, who may teach too).
  const teacher = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await signUp(teacher, base, `instructor-${Date.now()}@example.com`, "/instructor");
  if (!(await teacher.getByRole("button", { name: "Create cohort" }).isVisible())) {
    throw new Error("This account cannot create cohorts: run against a fresh server (empty DATA_DIR), whose first account is an admin.");
  }
  await teacher.getByLabel("Cohort name").fill("Container runtimes, autumn cohort");
  await teacher.getByLabel("First container").check();
  await teacher.getByLabel("Meet your node").check();
  await teacher.getByRole("button", { name: "Create cohort" }).click();
  await teacher.getByTestId("join-link").waitFor();
  const joinPath = new URL(await teacher.getByTestId("join-link").inputValue()).pathname;

  // Three learners at different points.
  const first = await learnerWorks(browser, base, joinPath, "first-container", "ctr -n k8s.io run -d localhost/labs/shell:1 first sleep 3600 && ctr -n k8s.io task ls", "run-first");
  await first.screenshot({ path: "docs/screenshots/lab-page.png" });
  await learnerWorks(browser, base, joinPath, "meet-your-node", "ps -C containerd -o pid= | tr -d ' ' > /root/containerd.pid", "find-containerd");
  await learnerWorks(browser, base, joinPath, "first-container", "ctr -n k8s.io images ls");

  await teacher.reload();
  await teacher.getByTestId("cohort-matrix").waitFor();
  await teacher.waitForTimeout(1000);
  await teacher.screenshot({ path: "docs/screenshots/dashboard.png", fullPage: true });
  await first.goto(base);
  await first.screenshot({ path: "docs/screenshots/catalog.png" });
  await browser.close();
  console.log("wrote docs/screenshots/lab-page.png, dashboard.png and catalog.png");
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
