import { expect, test } from "@playwright/test";
import { signIn, signUp, terminalText } from "./support";

test("a learner types in the lab's terminal and still sees it after a reload", async ({ page }) => {
  const email = `terminal-${Date.now()}@example.com`;
  const marker = `hello-${Math.random().toString(36).slice(2, 10)}`;

  await signUp(page, email, "terminal-password", "/labs/meet-your-node");

  const panel = page.getByTestId("session-panel");
  await panel.getByRole("button", { name: "Start lab" }).click();
  await expect(panel).toHaveAttribute("data-state", "ready", { timeout: 60_000 });

  const terminals = page.getByTestId("terminals");
  await expect(terminals.getByRole("tab", { name: "Terminal 1" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByTestId("terminal-status")).toHaveAttribute("data-state", "connected", { timeout: 20_000 });
  await expect.poll(() => terminalText(page), { timeout: 20_000 }).toMatch(/~# ?$/);

  await terminals.getByRole("group", { name: "Terminal 1" }).click();
  await page.keyboard.type(`echo ${marker}`);
  await page.keyboard.press("Enter");
  // The echoed command and its output: the marker appears twice.
  await expect.poll(async () => (await terminalText(page)).split(marker).length - 1).toBeGreaterThanOrEqual(2);
  // The shell keeps Tab (completion); F6 moves keyboard focus out to the terminal's tab.
  await page.keyboard.press("F6");
  await expect(terminals.getByRole("tab", { name: "Terminal 1" })).toBeFocused();

  // Reload: the same shell, its screen replayed by the server.
  await page.reload();
  await expect(page.getByTestId("terminal-status")).toHaveAttribute("data-state", "connected", { timeout: 20_000 });
  await expect.poll(async () => (await terminalText(page)).split(marker).length - 1, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);

  // A "Run" button beside a bash block runs it in the active terminal.
  const firstRun = page.getByTestId("lab-body").getByRole("button", { name: "Run" }).first();
  await firstRun.click();
  await expect.poll(() => terminalText(page), { timeout: 20_000 }).toContain("containerd");

  // "Copy" beside a block puts its text on the clipboard.
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  const firstCopy = page.getByTestId("lab-body").getByTitle("Copy to the clipboard").first();
  await firstCopy.click();
  await expect(firstCopy).toHaveText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(/containerd/);

  // A second tab is a second shell.
  await terminals.getByRole("button", { name: "+ New terminal" }).click();
  await expect(terminals.getByRole("tab", { name: "Terminal 2" })).toHaveAttribute("aria-selected", "true");
  await expect.poll(() => terminalText(page), { timeout: 20_000 }).toMatch(/~# ?$/);
  expect(await terminalText(page)).not.toContain(marker);
  await terminals.getByRole("button", { name: "Close terminal 2" }).click();
  await expect(terminals.getByRole("tab", { name: "Terminal 1" })).toHaveAttribute("aria-selected", "true");

  // Another browser of the same learner: the session's shell follows them,
  // scrollback and all (no new blank shell beside it), and both can type.
  const other = await (await page.context().browser()!.newContext()).newPage();
  await signIn(other, email, "terminal-password", "/labs/meet-your-node");
  const otherTerminals = other.getByTestId("terminals");
  await expect(other.getByTestId("terminal-status")).toHaveAttribute("data-state", "connected", { timeout: 20_000 });
  await expect.poll(async () => (await terminalText(other)).split(marker).length - 1, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
  await expect(otherTerminals.getByRole("tab")).toHaveCount(1);
  await otherTerminals.getByRole("group", { name: "Terminal 1" }).click();
  await other.keyboard.type("echo other-browser-$((6*7))");
  await other.keyboard.press("Enter");
  await expect.poll(() => terminalText(page), { timeout: 20_000 }).toContain("other-browser-42");
  await other.context().close();

  await panel.getByRole("button", { name: "End lab" }).click();
  await expect(terminals).toHaveCount(0);
});
