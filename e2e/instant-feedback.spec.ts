import { expect, test } from "@playwright/test";
import { signUp, terminalText } from "./support";

/**
 * Tasks tick because of the learner's command, not a clock: the suite's
 * server polls once an hour at most (GRADING_SAFETY_POLL_SECONDS in
 * playwright.config.ts) and "Check now" is never pressed, so only the
 * terminal's finished command can turn these tasks green, each within a few
 * seconds. How fast exactly is bench/browser.ts's business, not a test's.
 */
test("tasks tick moments after the commands that complete them, without Check now or a poll, in `needs` order", async ({ page }) => {
  await signUp(page, `instant-${Date.now()}@example.com`, "instant-password", "/labs/cgroups-and-oom");
  const panel = page.getByTestId("session-panel");
  await panel.getByRole("button", { name: "Start lab" }).click();
  await expect(panel).toHaveAttribute("data-state", "ready", { timeout: 60_000 });
  await expect.poll(() => terminalText(page), { timeout: 20_000 }).toMatch(/~# ?$/);
  const v2 = (await panel.getByTestId("node-cgroup-version").textContent())!.includes("v2");
  const memoryDir = v2 ? "/sys/fs/cgroup/k8s.io/capped" : "/sys/fs/cgroup/memory/k8s.io/capped";
  const pidsDir = v2 ? "/sys/fs/cgroup/k8s.io/capped" : "/sys/fs/cgroup/pids/k8s.io/capped";

  const task = (id: string) => page.getByTestId(`task-${id}`);
  // The shell's first prompt asked for one evaluation: nothing done yet, the rest waits on it.
  await expect(task("limit-memory")).toHaveAttribute("data-status", "failed", { timeout: 10_000 });
  await expect(task("read-the-limit")).toHaveAttribute("data-status", "locked");

  const steps = [
    { id: "limit-memory", line: "ctr -n k8s.io run -d --memory-limit 67108864 localhost/labs/shell:1 capped sleep 3600" },
    { id: "read-the-limit", line: `cat ${memoryDir}/${v2 ? "memory.max" : "memory.limit_in_bytes"} > /root/capped-limit` },
    { id: "cap-processes", line: `echo 20 > ${pidsDir}/pids.max` },
  ];
  for (const step of steps) {
    await page.getByTestId("terminals").getByRole("group", { name: "Terminal 1" }).click();
    await page.keyboard.type(step.line);
    await page.keyboard.press("Enter");
    await expect(task(step.id)).toHaveAttribute("data-status", "passed", { timeout: 10_000 });
  }
  // Unlocked by read-the-limit and checked by the same runs: failing, not locked.
  await expect(task("oom-kill")).toHaveAttribute("data-status", "failed", { timeout: 10_000 });
  await expect(page.getByRole("button", { name: "Check now" })).toBeEnabled();
});
