import { expect, test } from "@playwright/test";
import { signUp, terminalText } from "./support";

test("the Pod-creation stepper moves with the keyboard and says where it is in words", async ({ page }) => {
  await page.goto("/labs/containerd-and-the-shim");
  const stepper = page.getByRole("region", { name: "From Pod spec to running process" });
  const panel = stepper.getByTestId("stepper-panel");
  await expect(panel).toContainText("Step 1 of 9: API server");
  await stepper.getByRole("tab", { name: "1. API server" }).focus();
  await page.keyboard.press("ArrowRight");
  await expect(panel).toContainText("Step 2 of 9: etcd");
  await expect(stepper.getByRole("tab", { name: "2. etcd" })).toBeFocused();
  await page.keyboard.press("End");
  await expect(panel).toContainText("Step 9 of 9: Process");
  await stepper.getByRole("button", { name: "Previous" }).click();
  await expect(panel).toContainText("Step 8 of 9: runc");
  await expect(panel).toContainText("runc --root /run/containerd/runc/k8s.io list");
});

test("the live cgroup tree shows the learner's node and marks the container just started", async ({ page }) => {
  await signUp(page, `cgroups-${Date.now()}@example.com`, "cgroup-password", "/labs/cgroups-and-oom");
  await expect(page.getByText("Start the lab to see your node's live cgroup tree here.")).toBeVisible();
  // No node yet: the steps show both cgroup versions, each labelled.
  await expect(page.getByTestId("cgroup-v1-section").first()).toContainText("On a cgroup v1 node");
  await expect(page.getByTestId("cgroup-v2-section").first()).toContainText("On a cgroup v2 node");
  const panel = page.getByTestId("session-panel");
  await panel.getByRole("button", { name: "Start lab" }).click();
  await expect(panel).toHaveAttribute("data-state", "ready", { timeout: 60_000 });
  // With a node: only its version's steps (this host's; test/ui/cgroup-sections.test.ts renders a v2 node).
  const version = (await panel.getByTestId("node-cgroup-version").textContent())!.trim();
  expect(version).toMatch(/^cgroup v[12]$/);
  const [mine, other] = version === "cgroup v1" ? ["v1", "v2"] : ["v2", "v1"];
  await expect(page.getByTestId(`cgroup-${mine}-section`).first()).toContainText(`Your node: cgroup ${mine}`);
  await expect(page.getByTestId(`cgroup-${other}-section`)).toHaveCount(0);
  const tree = page.getByTestId("cgroup-tree");
  await expect(tree).toContainText("/ (your node) — memory", { timeout: 20_000 });
  await expect(tree).toContainText("of 1024.0 MiB");

  await expect.poll(() => terminalText(page), { timeout: 20_000 }).toMatch(/~# ?$/);
  await page.getByTestId("terminals").getByRole("group", { name: "Terminal 1" }).click();
  await page.keyboard.type("ctr -n k8s.io run -d --memory-limit 67108864 localhost/labs/shell:1 capped sleep 3600\n");
  const capped = tree.locator('[data-path="/k8s.io/capped"]');
  await expect(capped).toContainText("of 64.0 MiB", { timeout: 15_000 });
  await expect(capped).toContainText("newest");
  // The typed task check sees it too: the first task ticks by itself.
  await expect(page.getByTestId("task-limit-memory")).toHaveAttribute("data-status", "passed", { timeout: 20_000 });
});
