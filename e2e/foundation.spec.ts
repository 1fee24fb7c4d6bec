import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { FIRST_ACCOUNT, signIn, signUp } from "./support";

// Every lab directory of the repository is a valid lab (labs validate runs in npm test).
const labCount = fs.readdirSync("labs", { withFileTypes: true }).filter((d) => d.isDirectory()).length;

test.describe.configure({ mode: "serial" });

const stamp = Date.now();
const learner = { email: `second-${stamp}@example.com`, password: "second-password-2" };

test("the home page lists the labs and shows live sandbox status", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Labs", level: 1 })).toBeVisible();
  const catalog = page.getByTestId("lab-catalog");
  await expect(catalog.getByRole("link")).toHaveCount(labCount);
  await expect(catalog.getByRole("heading", { name: "Meet your node" })).toBeVisible();
  await expect(catalog.getByRole("heading", { name: "Your first container, without Docker" })).toBeVisible();
  // The status comes over the SSE subscription; it leaves "connecting".
  await expect(page.getByTestId("platform-status")).not.toHaveAttribute("data-state", "connecting");
});

test("a lab page renders its steps with highlighted code", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("link", { name: /Meet your node/ }).click();
  await expect(page).toHaveURL(/\/labs\/meet-your-node$/);
  await expect(page.getByRole("heading", { name: "Meet your node", level: 1 })).toBeVisible();
  await expect(page.getByRole("heading", { name: "2. Ask containerd about itself" })).toBeVisible();
  const code = page.getByTestId("lab-body").locator("pre code.hljs").first();
  await expect(code).toContainText("ps -o pid,ppid,cmd -C containerd");
  await expect(page).toHaveTitle("Meet your node · Runtime Labs");
});

test("an unknown lab is a 404 page with a way back", async ({ page }) => {
  const res = await page.goto("/labs/no-such-lab");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Back to the labs" })).toBeVisible();
});

test("the admin signs out, a wrong password is refused, and signs in again", async ({ page }) => {
  await signIn(page, FIRST_ACCOUNT.email, FIRST_ACCOUNT.password);
  await expect(page.getByTestId("current-user")).toContainText(FIRST_ACCOUNT.email);
  await expect(page.getByTestId("current-user")).toContainText("admin");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();

  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(FIRST_ACCOUNT.email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: /\w/ })).toHaveText("Invalid email or password");

  await page.getByLabel("Password").fill(FIRST_ACCOUNT.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("current-user")).toContainText(FIRST_ACCOUNT.email);
});

test("a second account is a learner", async ({ page }) => {
  await signUp(page, learner.email, learner.password, "/");
  await expect(page.getByTestId("current-user")).toContainText(learner.email);
  await expect(page.getByTestId("current-user")).toContainText("learner");
});

test("GET /api/health reports the database and Docker", async ({ request }) => {
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body.status).toBe("ok");
  expect(body.database).toMatchObject({ status: "up", kind: "pglite" });
  expect(["up", "down"]).toContain(body.docker.status);
});

test("the admin changes a learner's role on the accounts page; learners cannot open it", async ({ page }) => {
  await signIn(page, FIRST_ACCOUNT.email, FIRST_ACCOUNT.password);
  await page.getByRole("link", { name: "Accounts" }).click();
  await expect(page.getByRole("heading", { name: "Accounts" })).toBeVisible();
  const select = page.getByLabel(`Role of ${learner.email}`);
  await expect(select).toHaveValue("learner");
  await select.selectOption("instructor");
  await page.reload();
  await expect(page.getByLabel(`Role of ${learner.email}`)).toHaveValue("instructor");
  // The only admin cannot demote themselves: the sentence comes from the server.
  await page.getByLabel(`Role of ${FIRST_ACCOUNT.email}`).selectOption("learner");
  await expect(page.getByRole("alert").filter({ hasText: /\w/ })).toHaveText("This is the only administrator; make someone else an administrator first.");

  await page.getByRole("button", { name: "Sign out" }).click();
  await signIn(page, learner.email, learner.password);
  await expect(page.getByTestId("current-user")).toContainText("instructor");
  await expect(page.getByRole("link", { name: "Accounts" })).toHaveCount(0);
  await page.goto("/admin");
  await expect(page.getByText("Only administrators can do this.")).toBeVisible();
});
