import { expect, test } from "./fixtures";

/**
 * Tasks tick because of the learner's command, not a clock: the suite's
 * server polls once an hour at most (GRADING_SAFETY_POLL_SECONDS in
 * playwright.config.ts) and "Check now" is never pressed, so only the
 * terminal's finished command can turn these tasks green, each within a few
 * seconds. How fast exactly is bench/browser.ts's business, not a test's.
 */
test("tasks tick moments after the commands that complete them, without Check now or a poll, in `needs` order", async ({ page, learner }) => {
  const lab = await learner.openLab("cgroups-and-oom");
  await lab.start();
  await lab.prompt();
  const v2 = (await lab.cgroupVersion()) === 2;
  const memoryDir = v2 ? "/sys/fs/cgroup/k8s.io/capped" : "/sys/fs/cgroup/memory/k8s.io/capped";
  const pidsDir = v2 ? "/sys/fs/cgroup/k8s.io/capped" : "/sys/fs/cgroup/pids/k8s.io/capped";

  // The shell's first prompt asked for one evaluation: nothing done yet, the rest waits on it.
  await expect(lab.task("limit-memory")).toHaveAttribute("data-status", "failed", { timeout: 10_000 });
  await expect(lab.task("read-the-limit")).toHaveAttribute("data-status", "locked");

  const steps = [
    { id: "limit-memory", line: "ctr -n k8s.io run -d --memory-limit 67108864 localhost/labs/shell:1 capped sleep 3600" },
    { id: "read-the-limit", line: `cat ${memoryDir}/${v2 ? "memory.max" : "memory.limit_in_bytes"} > /root/capped-limit` },
    { id: "cap-processes", line: `echo 20 > ${pidsDir}/pids.max` },
  ];
  for (const step of steps) {
    await lab.run(step.line);
    await expect(lab.task(step.id)).toHaveAttribute("data-status", "passed", { timeout: 10_000 });
  }
  // Unlocked by read-the-limit and checked by the same runs: failing, not locked.
  await expect(lab.task("oom-kill")).toHaveAttribute("data-status", "failed", { timeout: 10_000 });
  await expect(page.getByRole("button", { name: "Check now" })).toBeEnabled();
});
