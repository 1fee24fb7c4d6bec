import { expect, type Page } from "@playwright/test";

/**
 * Signs up a new account and lands on `next`. better-auth allows 3 sign-ups
 * (and 3 sign-ins) per 10 s per address and the suite makes several, so a
 * "Too many requests" answer is waited out (twice at most).
 */
export async function signUp(page: Page, email: string, password: string, next: string): Promise<void> {
  await submitAuthForm(page, "sign-up", email, password, next);
}

/** Signs in an existing account and lands on `next`; waits out the rate limit like signUp. */
export async function signIn(page: Page, email: string, password: string, next = "/"): Promise<void> {
  await submitAuthForm(page, "sign-in", email, password, next);
}

async function submitAuthForm(page: Page, form: "sign-up" | "sign-in", email: string, password: string, next: string): Promise<void> {
  const button = form === "sign-up" ? "Sign up" : "Sign in";
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.goto(`/${form}?next=${next}`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: button }).click();
    const outcome = await Promise.race([
      // A predicate, not a regex: the sign-up URL itself ends in ?next=<next>.
      page.waitForURL((url) => url.pathname === next, { timeout: 15_000 }).then(() => "signed-up", () => "timeout"),
      page.getByText("Too many requests").waitFor({ timeout: 15_000 }).then(() => "limited", () => "timeout"),
    ]);
    if (outcome !== "limited") break;
    await page.waitForTimeout(10_000);
  }
  await expect(page).toHaveURL((url) => url.pathname === next);
}

/** The active terminal's buffer through the documented test hook. */
export const terminalText = (page: Page) => page.evaluate(() => window.__runtimeLabsTerminals?.active() ?? "");

/**
 * The run's first account, created by first-account.setup.ts before any
 * spec runs (so it is the admin whatever order the specs run in).
 */
export const FIRST_ACCOUNT = { email: "first-admin@e2e.example.com", password: "first-admin-password" };
