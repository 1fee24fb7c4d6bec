import { expect, test } from "@playwright/test";
import { signUp } from "./support";

test("a learner starts a lab, gets a node with time left, and ends it", async ({ page }) => {
  const email = `session-${Date.now()}@example.com`;
  await page.goto("/labs/first-container");
  await expect(page.getByText("to get a node of your own and start this lab.")).toBeVisible();

  await signUp(page, email, "session-password", "/labs/first-container");

  const panel = page.getByTestId("session-panel");
  // Task widgets placed in the text say what they are before any session.
  const widget = page.getByTestId("inline-task-run-first");
  await expect(widget).toContainText('Task: Start a container called "first" that keeps running');
  await expect(widget).toContainText("start the lab to check this");
  await panel.getByRole("button", { name: "Start lab" }).click();
  await expect(panel).toHaveAttribute("data-state", "ready", { timeout: 60_000 });
  // Once graded, the widget shows the task's live state (nothing done yet).
  await expect(widget).toHaveAttribute("data-status", "failed", { timeout: 20_000 });
  await expect(page.getByTestId("inline-task-own-pid-namespace")).toHaveAttribute("data-status", "locked");
  await expect(panel.getByText("Your node is ready")).toBeVisible();
  await expect(panel.getByTestId("time-left")).toContainText(/Time left: (59|60) min/);

  // The session survives a reload.
  await page.reload();
  await expect(panel).toHaveAttribute("data-state", "ready");

  await panel.getByRole("button", { name: "Extend" }).click();
  await expect(panel.getByTestId("time-left")).toContainText(/Time left: 1 h (29|30) min/);

  await panel.getByRole("button", { name: "End lab" }).click();
  await expect(panel.getByText("Lab ended")).toBeVisible();
  await expect(panel.getByText("You ended this lab.")).toBeVisible();
  await expect(panel.getByRole("button", { name: "Start again" })).toBeVisible();
});
