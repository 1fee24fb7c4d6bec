import { expect, test, type Page } from "@playwright/test";
import { FIRST_ACCOUNT, signIn, signUp, terminalText } from "./support";

/**
 * The lab page's layout at three widths (screenshots in docs/screenshots),
 * "Run" of a multi-line snippet, labs this install cannot provide, and the
 * catalog as a learning path.
 */

const box = async (page: Page, testId: string) => (await page.getByTestId(testId).boundingBox())!;

async function startLab(page: Page, slug: string, who: string) {
  await signUp(page, `${who}-${Date.now()}@example.com`, `${who}-password`, `/labs/${slug}`);
  const panel = page.getByTestId("session-panel");
  await panel.getByRole("button", { name: "Start lab" }).click();
  await expect(panel).toHaveAttribute("data-state", "ready", { timeout: 60_000 });
  await expect(page.getByTestId("terminal-status")).toHaveAttribute("data-state", "connected", { timeout: 20_000 });
  await expect.poll(() => terminalText(page), { timeout: 20_000 }).toMatch(/~# ?$/);
  return panel;
}

test("the lab page: title first, side by side from 1,024 px, steps and terminal as tabs below", async ({ page }) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  const panel = await startLab(page, "cgroups-and-oom", "layout");

  // The title is the first thing, above the Start box; the body does not repeat it.
  await expect(page.getByTestId("lab-title")).toHaveText("cgroups and the OOM killer");
  expect((await box(page, "lab-title")).y).toBeLessThan((await box(page, "session-panel")).y);
  await expect(page.getByTestId("lab-body").getByRole("heading", { level: 1 })).toHaveCount(0);

  const separator = page.getByRole("separator", { name: "Resize the steps and the terminal" });
  const tabs = page.getByTestId("pane-tabs");
  for (const width of [1440, 1024]) {
    await page.setViewportSize({ width, height: 900 });
    await expect(separator).toBeVisible();
    await expect(tabs).toBeHidden();
    // Side by side: the terminal beside the steps, both starting near the top.
    const steps = await box(page, "lab-body");
    const terminal = await box(page, "terminals");
    expect(terminal.x).toBeGreaterThan(steps.x + steps.width - 1);
    expect(terminal.y).toBeLessThan(300);
    expect(terminal.width).toBeGreaterThan(380);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `docs/screenshots/lab-page-${width}.png` });
  }

  // Narrow: Steps and Terminal are tabs, one pane at a time.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(separator).toBeHidden();
  await expect(tabs).toBeVisible();
  const stepsTab = tabs.getByRole("tab", { name: "Steps" });
  const terminalTab = tabs.getByRole("tab", { name: "Terminal" });
  await expect(stepsTab).toHaveAttribute("aria-selected", "true");
  await expect(page.getByTestId("lab-body")).toBeVisible();
  await expect(page.getByTestId("terminals")).toBeHidden();
  await page.screenshot({ path: "docs/screenshots/lab-page-390-steps.png" });

  // The learner reads on, switches to the terminal (focused, filling the screen)...
  await page.getByRole("heading", { name: "3. Going over: the OOM killer" }).scrollIntoViewIfNeeded();
  const readingAt = await page.evaluate(() => window.scrollY);
  expect(readingAt).toBeGreaterThan(500);
  await terminalTab.click();
  await expect(terminalTab).toHaveAttribute("aria-selected", "true");
  await expect(page.getByTestId("lab-body")).toBeHidden();
  const terminal = await box(page, "terminals");
  expect(terminal.width).toBeGreaterThan(340);
  expect(terminal.height).toBeGreaterThan(600);
  await expect(page.locator(".xterm-helper-textarea").first()).toBeFocused();
  await page.keyboard.type("echo narrow-$((6*7))");
  await page.keyboard.press("Enter");
  await expect.poll(() => terminalText(page)).toContain("narrow-42");
  await page.screenshot({ path: "docs/screenshots/lab-page-390-terminal.png" });

  // ...and F6 brings the steps back where they were.
  await page.keyboard.press("F6");
  await expect(stepsTab).toHaveAttribute("aria-selected", "true");
  await expect(page.getByTestId("lab-body")).toBeVisible();
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBe(readingAt);
  await page.keyboard.press("F6");
  await expect(terminalTab).toHaveAttribute("aria-selected", "true");
  await stepsTab.click();

  // "Run" on a narrow screen shows the terminal, where the command runs.
  await page.getByTestId("code-block").filter({ hasText: "stat -fc %T /sys/fs/cgroup" }).getByRole("button", { name: "Run" }).click();
  await expect(terminalTab).toHaveAttribute("aria-selected", "true");
  await expect.poll(() => terminalText(page)).toMatch(/cgroup2fs|tmpfs/);

  await stepsTab.click();
  await panel.getByRole("button", { name: "End lab" }).click();
  await expect(tabs).toBeHidden();
  await expect(page.getByTestId("lab-body")).toBeVisible();
});

test("Run types a multi-line snippet one command at a time, each after the prompt is back", async ({ page }) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  const panel = await startLab(page, "capabilities-and-seccomp", "snippet");

  // A here-document (one unit) writes a profile; the next line starts a
  // container with it; the last runs mkdir in that container: each line
  // needs the one before it to have finished.
  const block = page.getByTestId("code-block").filter({ hasText: "no-mkdir.json <<'JSON'" });
  await expect(block.getByRole("button", { name: "Copy" })).toBeVisible();
  await block.getByRole("button", { name: "Run" }).click();
  await expect.poll(() => terminalText(page), { timeout: 60_000 }).toMatch(/can't create directory '\/tmp\/x': Operation not permitted/);
  // Each command was typed at a prompt of its own, i.e. after the previous
  // one had finished (pasted at once, they would follow the first prompt).
  const screen = (await terminalText(page)).replace(/\n/g, "");
  expect(screen).toMatch(/~# cat > \/root\/no-mkdir\.json <<'JSON'/);
  expect(screen).toMatch(/~# ctr -n k8s\.io run -d --seccomp --seccomp-profile \/root\/no-mkdir\.json/);
  expect(screen).toMatch(/~# ctr -n k8s\.io task exec --exec-id m nomk mkdir \/tmp\/x/);
  // The here-document arrived whole.
  await page.getByTestId("terminals").getByRole("group", { name: "Terminal 1" }).click();
  await page.keyboard.type("jq -c .syscalls /root/no-mkdir.json");
  await page.keyboard.press("Enter");
  await expect.poll(() => terminalText(page)).toContain('[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]');

  // The buttons sit above the code, not over the end of a long line.
  const code = (await block.locator("pre").boundingBox())!;
  const run = (await block.getByRole("button", { name: "Run" }).boundingBox())!;
  expect(run.y + run.height).toBeLessThanOrEqual(code.y + 1);

  // Hints are markdown: `ctr run` is code, not text in backticks.
  const task = page.getByTestId("task-drop-net-raw");
  await task.getByRole("button", { name: /Show a hint/ }).click();
  const hint = task.getByRole("list", { name: /^Hints for / });
  await expect(hint.locator("code").first()).toHaveText("ctr run");
  await expect(hint).not.toContainText("`");

  // "Check now" needs a running node: it goes when the lab ends.
  await expect(panel.getByRole("button", { name: "Check now" })).toBeVisible();
  await panel.getByRole("button", { name: "End lab" }).click();
  // Removing the node can take a while on a busy host.
  await expect(panel.getByText("Lab ended")).toBeVisible({ timeout: 60_000 });
  await expect(panel.getByTestId("task-checklist")).toBeVisible();
  await expect(panel.getByRole("button", { name: "Check now" })).toHaveCount(0);
});

test("a lab this install cannot provide says so to learners, offers no Start, and tells the admin why", async ({ page }) => {
  // The cluster lab needs kind (not installed here) and privileged nodes,
  // which SANDBOX_ISOLATION=userns (the default) refuses anyway.
  await signUp(page, `unavailable-${Date.now()}@example.com`, "unavailable-password", "/");
  const card = page.getByTestId("lab-card-pod-spec-to-process");
  await expect(card).toHaveAttribute("data-available", "false");
  await expect(card).toContainText("Not available here. This lab needs a Kubernetes cluster of your own");
  await expect(card).not.toContainText(/KIND_BIN|SANDBOX_ISOLATION/);
  await expect(page.getByTestId("lab-card-first-container")).toHaveAttribute("data-available", "true");

  await card.getByRole("link").click();
  const panel = page.getByTestId("session-panel");
  await expect(panel.getByTestId("lab-unavailable")).toContainText("This lab needs a Kubernetes cluster of your own");
  await expect(panel.getByRole("button", { name: /Start/ })).toHaveCount(0);

  await page.context().clearCookies();
  await signIn(page, FIRST_ACCOUNT.email, FIRST_ACCOUNT.password, "/admin");
  const cluster = page.getByTestId("environment-cluster");
  await expect(cluster).toHaveAttribute("data-available", "false");
  await expect(cluster).toContainText(/kind is not installed on this server.*KIND_BIN|SANDBOX_ISOLATION/);
  await expect(page.getByTestId("environment-node")).toHaveAttribute("data-available", "true");
});

test("at the limit of open labs, the learner sees which are open and can end one to start another", async ({ page }) => {
  test.setTimeout(180_000);
  await signUp(page, `limit-${Date.now()}@example.com`, "limit-password", "/labs/first-container");
  const panel = page.getByTestId("session-panel");
  // Two labs open (starting counts as open): the limit.
  await panel.getByRole("button", { name: "Start lab" }).click();
  await expect(panel).not.toHaveAttribute("data-state", "none");
  await page.goto("/labs/meet-your-node");
  await panel.getByRole("button", { name: "Start lab" }).click();
  await expect(panel).not.toHaveAttribute("data-state", "none");

  await page.goto("/labs/namespaces-by-hand");
  await panel.getByRole("button", { name: "Start lab" }).click();
  await expect(panel.getByRole("alert")).toContainText("You already have 2 labs open");
  const open = panel.getByTestId("open-labs");
  await expect(open.getByRole("link", { name: "Your first container, without Docker" })).toBeVisible();
  await expect(open.getByRole("link", { name: "Meet your node" })).toBeVisible();

  // Ending one: once its node is gone (it holds its place until then), the way is clear.
  await open.getByRole("button", { name: "End Meet your node" }).click();
  await expect(open).toHaveCount(0, { timeout: 60_000 });
  await expect(panel.getByRole("alert")).toHaveCount(0);
  await panel.getByRole("button", { name: "Start lab" }).click();
  await expect(panel).not.toHaveAttribute("data-state", "none");
  // Leave nothing running (the nodes may still be starting; ending stops that).
  await panel.getByRole("button", { name: "End lab" }).click();
  await expect(panel).toHaveAttribute("data-state", /ending|ended/);
  await page.goto("/labs/first-container");
  await panel.getByRole("button", { name: "End lab" }).click();
  await expect(panel).toHaveAttribute("data-state", /ending|ended/);
});

test("refusing to demote the last admin puts the role picker back", async ({ page }) => {
  await signIn(page, FIRST_ACCOUNT.email, FIRST_ACCOUNT.password, "/admin");
  const picker = page.getByLabel(`Role of ${FIRST_ACCOUNT.email}`);
  await expect(picker).toHaveValue("admin");
  await picker.selectOption("learner");
  await expect(page.getByRole("alert").filter({ hasText: "This is the only administrator" })).toBeVisible();
  await expect(picker).toHaveValue("admin");
});

test("the catalog is a learning path: labs in order, the learner's next one marked, each lab pointing to the next", async ({ page }) => {
  await signUp(page, `path-${Date.now()}@example.com`, "path-password", "/");
  const track = page.getByTestId("track-container-runtimes-from-the-ground-up");
  await expect(track.getByRole("heading", { level: 2 })).toHaveText("Container runtimes from the ground up");
  const titles = await track.getByRole("heading", { level: 3 }).allTextContents();
  expect(titles.slice(0, 3)).toEqual(["Meet your node", "Your first container, without Docker", "Namespaces by hand"]);
  await expect(track.getByTestId("track-progress")).toContainText(/0 of \d+ completed/);
  // A new learner's next lab is the first one.
  await expect(page.locator('[data-next-up="true"]')).toHaveCount(1);
  await expect(page.getByTestId("lab-card-meet-your-node")).toHaveAttribute("data-next-up", "true");
  await expect(page.getByTestId("lab-card-meet-your-node")).toContainText("Next up");

  // The end of a lab's steps leads on to the next lab of its track.
  await track.getByRole("link", { name: /Meet your node/ }).click();
  const next = page.getByTestId("next-lab");
  await expect(next).toContainText("Next in Container runtimes from the ground up");
  await next.getByRole("link", { name: "Your first container, without Docker →" }).click();
  await expect(page).toHaveURL(/\/labs\/first-container$/);
});
