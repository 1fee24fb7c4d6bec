/**
 * `npx tsx scripts/screenshots.ts [baseUrl]`: captures docs/screenshots/*.png
 * from a running server (npm start) with Docker available. Signs up a fresh
 * learner, starts a lab, runs a task's command in the terminal and waits for
 * the task to tick, then photographs the catalog and the lab page.
 */
import fs from "node:fs";
import { chromium } from "@playwright/test";

async function main() {
  const base = process.argv[2] ?? "http://127.0.0.1:3000";
  fs.mkdirSync("docs/screenshots", { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`${base}/sign-up?next=/labs/first-container`);
  await page.getByLabel("Email").fill(`screens-${Date.now()}@example.com`);
  await page.getByLabel("Password").fill("screenshot-password");
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL(/\/labs\/first-container$/);
  await page.getByRole("button", { name: "Start lab" }).click();
  const panel = page.getByTestId("session-panel");
  await panel.locator('[data-state="ready"]').or(page.locator('[data-testid="session-panel"][data-state="ready"]')).first().waitFor({ timeout: 60_000 });
  // Type the first task's command into the terminal, as a learner would.
  await page.locator(".xterm").first().click();
  await page.waitForTimeout(1500);
  await page.keyboard.type("ctr -n k8s.io run -d localhost/labs/shell:1 first sleep 3600 && ctr -n k8s.io task ls\n", { delay: 5 });
  await page.locator('[data-testid="task-run-first"][data-status="passed"]').waitFor({ timeout: 30_000 });
  await page.waitForTimeout(500);
  await page.screenshot({ path: "docs/screenshots/lab-page.png" });
  await page.goto(base);
  await page.screenshot({ path: "docs/screenshots/catalog.png" });
  await browser.close();
  console.log("wrote docs/screenshots/lab-page.png and docs/screenshots/catalog.png");
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
