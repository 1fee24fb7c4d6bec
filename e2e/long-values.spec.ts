import { expect, test, type Browser, type Page } from "@playwright/test";
import { FIRST_ACCOUNT, signIn, signUp } from "./support";

/**
 * What people type, at the longest the server accepts and with no space to
 * break at, does not widen any page that shows it: each value is one line
 * cut with "…", the whole of it in the tooltip (issue 16: a 10,000-character
 * name made the instructor's dashboard and the Accounts page 105,000 px
 * wide). The lengths are server/limits.ts's.
 */
test.setTimeout(180_000);

const stamp = Date.now().toString(36);
const long = (prefix: string, length: number) => `${prefix}${stamp}`.padEnd(length, prefix);
const TEACHER_NAME = long("t", 100); // MAX_DISPLAY_NAME
const LEARNER_NAME = long("l", 100);
const COHORT_NAME = long("c", 120); // MAX_COHORT_NAME
const TOKEN_NAME = long("k", 80); // MAX_TOKEN_NAME
const WEBHOOK_URL = `https://lms.example.edu/${long("w", 2000 - 24)}`; // MAX_WEBHOOK_URL
// Long local parts too: email addresses are shown beside names.
const teacher = { email: `${long("e", 60)}@example.com`, password: "teacher-password" };
const learner = { email: `${long("f", 60)}@example.com`, password: "learner-password" };
const VIEWPORT = { width: 800, height: 900 };

async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext({ viewport: VIEWPORT })).newPage();
}

/** The page is no wider than the window, and `text` is on it whole in a tooltip. */
async function expectBounded(page: Page, text: string) {
  await expect(page.getByText(text, { exact: true }).first()).toBeVisible();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, `${new URL(page.url()).pathname} is ${width} px wide`).toBeLessThanOrEqual(VIEWPORT.width);
  await expect(page.getByTitle(text, { exact: true }).first()).toBeAttached();
}

async function setDisplayName(page: Page, name: string) {
  await page.goto("/account");
  await page.getByLabel("Display name").fill(name);
  await page.getByRole("button", { name: "Save name" }).click();
  await expect(page.getByText("Your display name was saved.")).toBeVisible();
}

test("the longest names, titles and URLs stay on one line and never widen a page", async ({ browser }) => {
  const teacherPage = await newPage(browser);
  await signUp(teacherPage, teacher.email, teacher.password, "/");
  await setDisplayName(teacherPage, TEACHER_NAME);

  // --- the Accounts page, with the new account's name and email ---
  const adminPage = await newPage(browser);
  await signIn(adminPage, FIRST_ACCOUNT.email, FIRST_ACCOUNT.password, "/admin");
  await adminPage.getByLabel(`Role of ${teacher.email}`).selectOption("instructor");
  await expect(adminPage.getByLabel(`Role of ${teacher.email}`)).toHaveValue("instructor");
  await adminPage.reload();
  await expectBounded(adminPage, TEACHER_NAME);
  await expectBounded(adminPage, teacher.email);
  await adminPage.context().close();

  // --- the API tokens list ---
  await teacherPage.goto("/account");
  await teacherPage.getByTestId("api-token-name").fill(TOKEN_NAME);
  await teacherPage.getByTestId("api-token-create").click();
  await expect(teacherPage.getByTestId("api-token-created")).toBeVisible();
  await expectBounded(teacherPage, TOKEN_NAME);

  // --- a cohort: its page, its webhooks, the instructor's list ---
  await teacherPage.goto("/instructor");
  await teacherPage.getByLabel("Cohort name").fill(COHORT_NAME);
  await teacherPage.getByLabel("Meet your node").check();
  await teacherPage.getByRole("button", { name: "Create cohort" }).click();
  await expect(teacherPage.getByTestId("cohort-name")).toHaveText(COHORT_NAME);
  const cohortPath = new URL(teacherPage.url()).pathname;
  await expectBounded(teacherPage, COHORT_NAME);
  await expectBounded(teacherPage, TEACHER_NAME); // "owner ..."
  await teacherPage.getByTestId("webhook-url").fill(WEBHOOK_URL);
  await teacherPage.getByTestId("webhook-add").click();
  await expect(teacherPage.getByTestId("webhook-secret")).toBeVisible();
  await expect(teacherPage.getByTestId("webhook-row")).toHaveCount(1);
  await expectBounded(teacherPage, WEBHOOK_URL);
  const joinPath = new URL(await teacherPage.getByTestId("join-link").inputValue()).pathname;
  await teacherPage.goto("/instructor");
  await expectBounded(teacherPage, COHORT_NAME);

  // --- a learner with a long name joins: the join page, the learner's catalog, the matrix ---
  const learnerPage = await newPage(browser);
  await signUp(learnerPage, learner.email, learner.password, "/");
  await setDisplayName(learnerPage, LEARNER_NAME);
  await learnerPage.goto(joinPath);
  await expectBounded(learnerPage, COHORT_NAME);
  await learnerPage.getByRole("button", { name: "Join cohort" }).click();
  await expect(learnerPage.getByTestId("joined")).toBeVisible();
  await learnerPage.goto("/");
  await expectBounded(learnerPage, COHORT_NAME);
  await learnerPage.context().close();

  await teacherPage.goto(cohortPath);
  await expect(teacherPage.getByTestId(`learner-${learner.email}`)).toBeVisible({ timeout: 20_000 });
  await expectBounded(teacherPage, LEARNER_NAME);
  await expectBounded(teacherPage, learner.email);
  await teacherPage.context().close();
});
