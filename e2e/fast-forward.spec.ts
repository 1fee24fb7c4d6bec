import fs from "node:fs";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { FIRST_ACCOUNT, signIn, signUp } from "./support";

/**
 * Catching up: a learner stuck on a task fast-forwards to it; the tasks
 * before it pass on a fresh node, marked "assisted" in the checklist, the
 * dashboard and the CSV; the instructor turns it off for the cohort.
 */

const stamp = Date.now();

async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext({ acceptDownloads: true })).newPage();
}

test("fast-forward to a task: earlier tasks pass as assisted (checklist, dashboard, CSV), and a cohort can turn it off", async ({ browser }) => {
  test.setTimeout(180_000);
  // --- the admin (staff) makes a cohort with one lab ---
  const staff = await newPage(browser);
  await signIn(staff, FIRST_ACCOUNT.email, FIRST_ACCOUNT.password, "/instructor");
  await staff.getByLabel("Cohort name").fill(`Catch-up class ${stamp}`);
  await staff.getByLabel("Your first container, without Docker").check();
  await staff.getByRole("button", { name: "Create cohort" }).click();
  await expect(staff.getByTestId("cohort-name")).toHaveText(`Catch-up class ${stamp}`);
  const cohortUrl = staff.url();
  const joinPath = new URL(await staff.getByTestId("join-link").inputValue()).pathname;

  // --- the learner joins, starts the lab, and fast-forwards to the second task ---
  const learner = await newPage(browser);
  const email = `stuck-${stamp}@example.com`;
  await signUp(learner, email, "stuck-password", joinPath);
  await learner.getByRole("button", { name: "Join cohort" }).click();
  await expect(learner.getByTestId("joined")).toBeVisible();
  await learner.goto("/labs/first-container");
  const panel = learner.getByTestId("session-panel");
  await panel.getByRole("button", { name: "Start lab" }).click();
  await expect(panel).toHaveAttribute("data-state", "ready", { timeout: 60_000 });
  const checklist = learner.getByTestId("task-checklist");
  await expect(checklist.getByTestId("fast-forward-run-first")).toHaveCount(0); // nothing comes before the first task
  const ff = checklist.getByTestId("fast-forward-own-pid-namespace");
  await ff.getByRole("button", { name: "Fast-forward to here" }).click();
  await ff.getByRole("button", { name: "Yes, fast-forward" }).click();
  const first = learner.getByTestId("task-checklist").getByTestId("task-run-first");
  await expect(first).toHaveAttribute("data-status", "passed", { timeout: 120_000 });
  await expect(first).toContainText("assisted");
  await expect(learner.getByTestId("task-checklist").getByTestId("task-own-pid-namespace")).not.toHaveAttribute("data-status", "passed");
  // The page moved to the fresh node: its terminal answers there.
  await expect(panel).toHaveAttribute("data-state", "ready", { timeout: 60_000 });
  await expect(learner.getByTestId("terminal-status")).toHaveAttribute("data-state", "connected", { timeout: 20_000 });

  // --- the instructor sees it on the dashboard and in the CSV ---
  await staff.goto(cohortUrl);
  const cell = staff.getByTestId(`cell-${email}-first-container-run-first`);
  await expect(cell).toHaveAttribute("data-status", "passed", { timeout: 20_000 });
  await expect(cell).toHaveAttribute("data-assisted", "true");
  const [download] = await Promise.all([staff.waitForEvent("download"), staff.getByTestId("export-csv").click()]);
  const [header, ...rows] = fs
    .readFileSync((await download.path())!, "utf8")
    .trim()
    .split(/\r\n/);
  const columns = header!.split(",");
  const row = rows.find((r) => r.includes(email))!.split(",");
  expect(row[columns.indexOf("assisted tasks")]).toBe("run-first");
  expect(row[columns.indexOf("first-container/run-first")]).toBe("passed");

  // --- the instructor turns it off; the learner is told why ---
  const allow = staff.getByLabel("Let learners fast-forward");
  await allow.click(); // a controlled box: it follows the server, so assert after (below)
  await expect(allow).not.toBeChecked();
  await staff.reload();
  await expect(staff.getByLabel("Let learners fast-forward")).not.toBeChecked();
  const again = learner.getByTestId("task-checklist").getByTestId("fast-forward-own-pid-namespace");
  await again.getByRole("button", { name: "Fast-forward to here" }).click();
  await again.getByRole("button", { name: "Yes, fast-forward" }).click();
  await expect(again.getByRole("alert")).toHaveText(`Your instructor turned fast-forward off for this lab in "Catch-up class ${stamp}".`);
  await panel.getByRole("button", { name: "End lab" }).click();
});
