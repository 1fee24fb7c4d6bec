import { expect, test, type Page } from "@playwright/test";
import { signIn, signUp, terminalText } from "./support";

// Wide enough for the side-by-side lab layout (from Tailwind's lg: 1,024 px).
test.use({ viewport: { width: 1440, height: 900 } });

const isDark = (page: Page) => page.evaluate(() => document.documentElement.classList.contains("dark"));

test("the theme follows the system until chosen, the choice survives a reload with no flash, and the skip link works", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto("/");
  expect(await isDark(page)).toBe(true); // no stored choice: the system decides
  await page.emulateMedia({ colorScheme: "light" });
  await expect.poll(() => isDark(page)).toBe(false); // and it is followed live

  const toggle = page.getByRole("button", { name: "Dark theme" });
  await expect(toggle).toHaveAttribute("aria-pressed", "false");
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-pressed", "true");
  expect(await isDark(page)).toBe(true);
  await expect(page.locator("body")).not.toHaveCSS("background-color", "rgb(255, 255, 255)"); // dark: classes apply

  // The stored choice wins over the system's light preference after a reload.
  await page.reload();
  expect(await isDark(page)).toBe(true);
  await expect(toggle).toHaveAttribute("aria-pressed", "true");

  // No flash: with every script bundle blocked, only the inline script in
  // <head> can have set the class, so it is there before the first paint.
  await page.route("**/_next/static/**/*.js", (route) => route.abort());
  await page.reload();
  expect(await isDark(page)).toBe(true);
  await page.unroute("**/_next/static/**/*.js");

  await page.reload();
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-pressed", "false");
  await page.reload();
  expect(await isDark(page)).toBe(false);

  // The first Tab reaches "Skip to content", which moves focus to the page's content.
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.locator("main#main")).toBeFocused();
});

test("the profile shows the account, a new display name sticks, and the header links to it", async ({ page }) => {
  const email = `profile-${Date.now()}@example.com`;
  await signUp(page, email, "profile-password", "/");
  await page.getByTestId("current-user").click();
  await expect(page).toHaveURL((url) => url.pathname === "/account");

  await expect(page.getByTestId("profile-email")).toHaveText(email);
  await expect(page.getByTestId("profile-role")).toHaveText("Learner");
  await expect(page.getByTestId("profile-name")).toHaveText(email.split("@")[0]!);
  await expect(page.getByText("You have not started a lab yet.")).toBeVisible();

  await page.getByLabel("Display name").fill("Ada Lovelace");
  await page.getByRole("button", { name: "Save name" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Your display name was saved." })).toBeVisible();
  await expect(page.getByTestId("profile-name")).toHaveText("Ada Lovelace");
  await page.reload();
  await expect(page.getByTestId("profile-name")).toHaveText("Ada Lovelace");
  await expect(page.getByLabel("Display name")).toHaveValue("Ada Lovelace");

  // A wrong current password is refused with better-auth's sentence; nothing changes.
  await page.getByLabel("Current password").fill("not-my-password");
  await page.getByLabel("New password", { exact: true }).fill("another-password");
  await page.getByLabel("New password again").fill("another-password");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("alert").filter({ hasText: /invalid password/i })).toBeVisible();

  // With the right one it changes, and the new password signs in.
  await page.getByLabel("Current password").fill("profile-password");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Your password was changed." })).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  await signIn(page, email, "another-password", "/account");
  await expect(page.getByTestId("profile-name")).toHaveText("Ada Lovelace");
});

test("a learner resizes the split, resets the sandbox and keeps the task they passed", async ({ page }) => {
  test.setTimeout(180_000);
  // The theme class and local times differ between server and browser on
  // purpose; neither may cost a hydration error.
  const consoleErrors: string[] = [];
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
  page.on("pageerror", (e) => consoleErrors.push(e.message));
  const email = `learner-${Date.now()}@example.com`;
  await signUp(page, email, "learner-password", "/labs/meet-your-node");

  const panel = page.getByTestId("session-panel");
  await panel.getByRole("button", { name: "Start lab" }).click();
  await expect(panel).toHaveAttribute("data-state", "ready", { timeout: 60_000 });

  // ---- the split: keyboard, pointer, remembered ----
  const separator = page.getByRole("separator", { name: "Resize the steps and the terminal" });
  await expect(separator).toHaveAttribute("aria-valuenow", "50");
  const stepsShare = async () => {
    const steps = (await page.locator("#lab-steps").boundingBox())!;
    const article = (await page.locator("article").first().boundingBox())!;
    return Math.round((steps.width / article.width) * 100);
  };
  expect(await stepsShare()).toBe(50);
  await separator.focus();
  for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowLeft");
  await expect(separator).toHaveAttribute("aria-valuenow", "44");
  expect(await stepsShare()).toBe(44);
  await page.keyboard.press("End");
  await expect(separator).toHaveAttribute("aria-valuenow", "75");

  const article = (await page.locator("article").first().boundingBox())!;
  const handle = (await separator.boundingBox())!;
  await page.mouse.move(handle.x + handle.width / 2, handle.y + 100);
  await page.mouse.down();
  await page.mouse.move(article.x + article.width * 0.4, handle.y + 100, { steps: 8 });
  await page.mouse.up();
  const dragged = Number(await separator.getAttribute("aria-valuenow"));
  expect(dragged).toBeGreaterThanOrEqual(39);
  expect(dragged).toBeLessThanOrEqual(41);
  await page.reload();
  await expect(separator).toHaveAttribute("aria-valuenow", String(dragged));

  // ---- pass the first task in the terminal ----
  const terminals = page.getByTestId("terminals");
  await expect(page.getByTestId("terminal-status")).toHaveAttribute("data-state", "connected", { timeout: 20_000 });
  await expect.poll(() => terminalText(page), { timeout: 20_000 }).toMatch(/~# ?$/);
  await terminals.getByRole("group", { name: "Terminal 1" }).click();
  await page.keyboard.type("ps -C containerd -o pid= | tr -d ' ' > /root/containerd.pid");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("task-find-containerd")).toHaveAttribute("data-status", "passed", { timeout: 30_000 });
  await expect(page.getByTestId("task-gvisor-kernel")).not.toHaveAttribute("data-status", "locked");
  const oldSandbox = await page.getByTestId("sandbox-id").textContent();

  // ---- reset: confirm step, a new node, the task stays ticked ----
  await panel.getByRole("button", { name: "Reset sandbox" }).click();
  const confirm = page.getByTestId("reset-confirm");
  await expect(confirm).toContainText("Tasks you have passed stay passed.");
  await expect(confirm.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(confirm).toHaveCount(0);
  await expect(panel.getByRole("button", { name: "Reset sandbox" })).toBeFocused();

  await panel.getByRole("button", { name: "Reset sandbox" }).click();
  await confirm.getByRole("button", { name: "Reset now" }).click();
  await expect(page.getByTestId("sandbox-id")).not.toHaveText(oldSandbox!, { timeout: 60_000 });
  await expect(panel).toHaveAttribute("data-state", "ready");
  await expect(page.getByTestId("task-find-containerd")).toHaveAttribute("data-status", "passed");
  await expect(page.getByTestId("task-gvisor-kernel")).not.toHaveAttribute("data-status", "locked");

  // The terminal reconnected to the NEW node: the file written on the old one is gone.
  await expect(page.getByTestId("terminal-status")).toHaveAttribute("data-state", "connected", { timeout: 20_000 });
  await expect.poll(() => terminalText(page), { timeout: 20_000 }).toMatch(/~# ?$/);
  await terminals.getByRole("group", { name: "Terminal 1" }).click();
  await page.keyboard.type("test -e /root/containerd.pid && echo OLD-$((40+2)) || echo FRESH-$((40+2))");
  await page.keyboard.press("Enter");
  await expect.poll(() => terminalText(page), { timeout: 20_000 }).toContain("FRESH-42");
  expect(await terminalText(page)).not.toContain("OLD-42");

  // The terminal's colours follow the page theme.
  const screen = terminals.getByRole("group", { name: "Terminal 1" });
  const toggle = page.getByRole("button", { name: "Dark theme" });
  if ((await toggle.getAttribute("aria-pressed")) === "true") await toggle.click();
  await expect(screen).toHaveCSS("background-color", "rgb(250, 250, 250)");
  await toggle.click();
  await expect(screen).toHaveCSS("background-color", "rgb(11, 15, 20)");

  // Below 1,024 px, steps and terminal take turns under two tabs; no separator
  // (e2e/lab-page.spec.ts walks through the narrow layout).
  await page.setViewportSize({ width: 900, height: 900 });
  await expect(separator).toBeHidden();
  await expect(page.getByTestId("pane-tabs")).toBeVisible();
  await expect(page.getByTestId("terminals")).toBeHidden();
  await page.getByTestId("pane-tabs").getByRole("tab", { name: "Terminal" }).click();
  await expect(page.getByTestId("terminals")).toBeVisible();
  await expect(page.getByTestId("lab-body")).toBeHidden();
  await page.setViewportSize({ width: 1440, height: 900 });
  await expect(separator).toBeVisible();
  await expect(page.getByTestId("lab-body")).toBeVisible();

  // ---- the catalog and the profile show the progress ----
  await page.goto("/");
  const progress = page.getByTestId("lab-progress-meet-your-node");
  await expect(progress).toContainText("In progress");
  await expect(progress).toContainText("1 of 2 tasks passed");
  await expect(page.getByTestId("lab-progress-first-container")).toHaveAttribute("data-status", "not-started");

  await page.goto("/account");
  const rows = page.getByTestId("session-history").locator("tbody tr");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText("running");
  await expect(rows.nth(0)).toContainText("1 of 2");
  await expect(rows.nth(1)).toContainText("You reset your sandbox");
  await expect(rows.nth(1)).toContainText("1 of 2");

  await page.goto("/labs/meet-your-node");
  await panel.getByRole("button", { name: "End lab" }).click();
  await expect(panel.getByText("Lab ended")).toBeVisible();
  // Production React reports hydration failures as minified errors #418-#425.
  expect(consoleErrors.filter((e) => /hydrat|did not match|React error #4(1[89]|2[0-5])/i.test(e))).toEqual([]);
});
