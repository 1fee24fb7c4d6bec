import { expect, test as setup } from "@playwright/test";
import { FIRST_ACCOUNT } from "./support";

// Runs before every spec (a Playwright setup project): on the run's empty
// database, the first account to sign up becomes admin.
setup("the first account to sign up becomes admin", async ({ page }) => {
  await page.goto("/sign-up");
  await page.getByLabel("Email").fill(FIRST_ACCOUNT.email);
  await page.getByLabel("Password").fill(FIRST_ACCOUNT.password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByTestId("current-user")).toContainText(FIRST_ACCOUNT.email);
  await expect(page.getByTestId("current-user")).toContainText("admin");
});
