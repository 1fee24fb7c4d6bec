import { expect, type Page } from "@playwright/test";

/**
 * Signs up a new account and lands on `next`. The suite's server allows many
 * sign-ups per address (AUTH_ATTEMPTS_PER_10S in playwright.config.ts), so
 * there is nothing to wait out.
 */
export async function signUp(page: Page, email: string, password: string, next: string): Promise<void> {
  await submitAuthForm(page, "sign-up", email, password, next);
}

/** Signs in an existing account and lands on `next`. */
export async function signIn(page: Page, email: string, password: string, next = "/"): Promise<void> {
  await submitAuthForm(page, "sign-in", email, password, next);
}

async function submitAuthForm(page: Page, form: "sign-up" | "sign-in", email: string, password: string, next: string): Promise<void> {
  const button = form === "sign-up" ? "Sign up" : "Sign in";
  await page.goto(`/${form}?next=${next}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: button }).click();
  // A predicate, not a regex: the sign-up URL itself ends in ?next=<next>.
  await expect(page).toHaveURL((url) => url.pathname === next, { timeout: 15_000 });
}

/** The active terminal's buffer through the documented test hook. */
export const terminalText = (page: Page) => page.evaluate(() => window.__runtimeLabsTerminals?.active() ?? "");

/**
 * The run's first account, created by first-account.setup.ts before any
 * spec runs (so it is the admin whatever order the specs run in).
 */
export const FIRST_ACCOUNT = { email: "first-admin@e2e.example.com", password: "first-admin-password" };
