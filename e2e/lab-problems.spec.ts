import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { FIRST_ACCOUNT, signIn, signUp } from "./support";

/**
 * Broken labs beside the real ones (playwright.config.ts copies
 * test/fixtures/broken-labs into the server's LABS_DIR): the server starts,
 * serves every real lab, and shows staff each broken lab with every problem
 * located; /api/ready counts them without turning unready; learners see
 * neither the broken labs nor the page.
 */
const fixtures = path.join("test/fixtures/broken-labs");
const broken = fs
  .readdirSync(fixtures, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => ({
    slug: d.name,
    expected: fs
      .readFileSync(path.join(fixtures, d.name, "expected.txt"), "utf8")
      .trimEnd()
      .split("\n"),
  }));
const served = fs.readdirSync("labs", { withFileTypes: true }).filter((d) => d.isDirectory()).length;

test("staff see every broken lab with each problem located; the good labs still serve", async ({ page }) => {
  await signIn(page, FIRST_ACCOUNT.email, FIRST_ACCOUNT.password, "/instructor");
  await expect(page.getByTestId("lab-problems-notice")).toContainText(`${broken.length} labs have problems and are not served`);
  await page.getByRole("link", { name: "See lab problems" }).click();
  await expect(page).toHaveURL(/\/instructor\/labs$/);
  await expect(page.getByRole("heading", { name: "Lab problems", level: 1 })).toBeVisible();
  await expect(page.getByTestId("lab-status")).toContainText(`${served} labs are served`);
  for (const lab of broken) {
    const card = page.getByTestId(`broken-lab-${lab.slug}`);
    const problems = card.getByTestId("lab-problem");
    await expect(problems).toHaveCount(lab.expected.length);
    // expected.txt says "lab.md:L:C: message"; the page shows the lab's path before it.
    for (const [i, line] of lab.expected.entries()) {
      await expect(problems.nth(i)).toContainText(`/${lab.slug}/${line}`);
    }
  }
});

test("/api/ready counts broken labs but stays ok about them", async ({ request }) => {
  const res = await request.get("/api/ready");
  const body = (await res.json()) as { checks: Record<string, { ok: boolean; message: string }> };
  expect(body.checks.labs).toMatchObject({ ok: true, message: `${served} labs served; ${broken.length} labs have problems (see /instructor/labs).` });
  expect(body.checks.catalog!.ok).toBe(true);
});

test("learners get neither the broken labs nor the problems page", async ({ page }) => {
  await signUp(page, `problems-${Date.now()}@example.com`, "problems-password", "/");
  const catalog = page.getByTestId("lab-catalog");
  await expect(catalog.getByRole("link")).toHaveCount(served);
  await expect(catalog).not.toContainText("Tangled tasks");
  await page.goto("/instructor/labs");
  await expect(page.getByText("Only instructors can do this.")).toBeVisible();
  await expect(page.getByTestId("broken-labs")).toHaveCount(0);
});
