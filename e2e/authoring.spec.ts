import type { Browser, Page } from "@playwright/test";
import { expect, LabPage, test } from "./fixtures";
import { FIRST_ACCOUNT, signIn, signUp } from "./support";

/**
 * Authoring on a running platform (issue 18): an instructor writes a lab in
 * the browser editor, sees a problem located as they type, fixes it, saves,
 * tests it on a real node and publishes it; a learner starts it. Version 2
 * is written, tested and published while that learner works: they keep
 * version 1's tasks, and a learner starting afterwards gets version 2's.
 * Each "Test this lab" replays one or two fast tasks on a fresh node
 * (about 10-20 s each here); the whole spec takes about a minute.
 */

const stamp = Date.now();
const slug = `authored-${stamp}`;
const title = `Authored lab ${stamp}`;

/** The lab's text; `checkType` is the first task's check type (a wrong one is the problem to find). */
const version1 = (checkType = "runtime") => `---
title: ${title}
summary: A lab written in the browser editor by the end-to-end suite.
difficulty: beginner
duration: 10m
environment: node
tasks:
  - id: start-a-container
    title: Start the demo container (first edition)
    hints:
      - "\`ctr -n k8s.io run -d <image> <id> <command>\` starts a container in the background."
    checks:
      - type: ${checkType}
        container: demo
        handler: runc
    solution: ctr -n k8s.io run -d localhost/labs/shell:1 demo sleep 3600
---

# ${title}

Start a container that keeps running:

\`\`\`bash
ctr -n k8s.io run -d localhost/labs/shell:1 demo sleep 3600
\`\`\`
`;

/** Version 2: the first task renamed, a second task added. */
const version2 = `---
title: ${title}
summary: A lab written in the browser editor by the end-to-end suite, second edition.
difficulty: beginner
duration: 10m
environment: node
tasks:
  - id: start-a-container
    title: Start the demo container (second edition)
    checks:
      - type: runtime
        container: demo
        handler: runc
    solution: ctr -n k8s.io run -d localhost/labs/shell:1 demo sleep 3600
  - id: write-a-file
    title: Write "done" into /root/done.txt (second edition)
    checks:
      - type: file
        path: /root/done.txt
        contains: done
    solution: echo done > /root/done.txt
---

# ${title}

Start a container, then say so in a file.
`;

const TEST_TIMEOUT = 180_000;

async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

/** Runs "Test this lab" and waits for every task to pass on the node. */
async function testLab(staff: Page, taskIds: string[]): Promise<void> {
  await staff.getByRole("button", { name: "Test this lab", exact: true }).click();
  for (const id of taskIds) await expect(staff.getByTestId(`test-task-${id}`)).toHaveAttribute("data-status", "passed", { timeout: TEST_TIMEOUT });
  await expect(staff.getByTestId("test-verdict")).toContainText("passed", { timeout: TEST_TIMEOUT });
}

test("an instructor writes, tests and publishes a lab in the browser; learners keep the version they started", async ({ browser, learner }) => {
  test.setTimeout(480_000);
  const staff = await newPage(browser);
  try {
    // --- a new lab, from the list of labs the instructor can write ---
    await signIn(staff, FIRST_ACCOUNT.email, FIRST_ACCOUNT.password, "/instructor");
    await staff.getByRole("link", { name: "Write labs" }).click();
    await expect(staff.getByRole("heading", { name: "Write labs", level: 1 })).toBeVisible();
    await staff.getByLabel("Slug").fill(slug);
    await staff.getByRole("button", { name: "Create lab" }).click();
    await expect(staff).toHaveURL((url) => url.pathname === `/instructor/authoring/${slug}`);
    const source = staff.getByLabel("Lab source (lab.md)");
    await expect(staff.getByTestId("editor-status")).toHaveText("No problems"); // the scaffold is valid

    // --- a problem, located as the instructor types; a click takes the caret there ---
    const broken = version1("runtimee");
    const badLine = broken.split("\n").findIndex((l) => l.includes("runtimee")) + 1;
    await source.fill(broken);
    await expect(staff.getByTestId("unsaved")).toBeVisible();
    await expect(staff.getByTestId("editor-status")).toHaveText("1 problem");
    const problem = staff.getByTestId("editor-problems").getByTestId("editor-problem");
    await expect(problem).toHaveCount(1);
    await expect(problem).toHaveAttribute("data-line", String(badLine));
    await expect(problem).toContainText(`${badLine}:`);
    await expect(problem).toContainText('unknown check type "runtimee"');
    await expect(staff.getByTestId("editor-gutter").locator(`[data-line="${badLine}"]`)).toHaveAttribute("data-problem", "true");
    await problem.click();
    await expect(source).toBeFocused();
    expect(await source.evaluate((el: HTMLTextAreaElement) => el.selectionStart)).toBe(broken.indexOf("runtimee"));

    // --- fixed, previewed, saved, tested on a real node, published ---
    await source.fill(version1());
    await expect(staff.getByTestId("editor-status")).toHaveText("No problems");
    await expect(staff.getByTestId("editor-problems")).toHaveText("No problems");
    await expect(staff.getByTestId("preview-title")).toHaveText(title);
    await expect(staff.getByTestId("preview-task-start-a-container")).toContainText("first edition");
    await staff.getByRole("button", { name: "Save", exact: true }).click();
    await expect(staff.getByTestId("editor-notice")).toHaveText("Saved as version 2");
    await expect(staff.getByTestId("unsaved")).toHaveCount(0);
    await testLab(staff, ["start-a-container"]);
    await staff.getByRole("button", { name: "Publish version 2", exact: true }).click();
    await expect(staff.getByTestId("publish-status")).toHaveText("Published version 2; new sessions get it, running sessions keep theirs.");
    await expect(staff.getByTestId("version-2")).toContainText("current");

    // --- a learner starts version 1 ---
    const first = await learner.openLab(slug);
    await expect(first.page.getByTestId("lab-title")).toHaveText(title);
    await first.start();
    const firstChecklist = first.page.getByTestId("task-checklist");
    await expect(firstChecklist.getByTestId("task-start-a-container")).toContainText("first edition");

    // --- version 2: renamed and added tasks, saved with Ctrl+S, tested, published ---
    await source.fill(version2);
    await expect(staff.getByTestId("editor-status")).toHaveText("No problems");
    await source.press("Control+s");
    await expect(staff.getByTestId("editor-notice")).toHaveText("Saved as version 3");
    await testLab(staff, ["start-a-container", "write-a-file"]);
    await staff.getByRole("button", { name: "Publish version 3", exact: true }).click();
    await expect(staff.getByTestId("publish-status")).toHaveText("Published version 3; new sessions get it, running sessions keep theirs.");

    // --- the first learner keeps version 1's tasks ---
    await first.page.reload();
    await expect(first.panel).toHaveAttribute("data-state", "ready", { timeout: 30_000 });
    await expect(firstChecklist.getByTestId("task-start-a-container")).toContainText("first edition");
    await expect(firstChecklist).not.toContainText("second edition");
    await expect(firstChecklist.getByTestId("task-write-a-file")).toHaveCount(0);

    // --- a learner starting now gets version 2 ---
    const secondPage = await newPage(browser);
    await signUp(secondPage, `authored-second-${stamp}@example.com`, "learner-password", `/labs/${slug}`);
    const second = new LabPage(secondPage);
    await second.start();
    const secondChecklist = secondPage.getByTestId("task-checklist");
    await expect(secondChecklist.getByTestId("task-start-a-container")).toContainText("second edition");
    await expect(secondChecklist.getByTestId("task-write-a-file")).toBeVisible();

    await first.panel.getByRole("button", { name: "End lab" }).click();
    await second.panel.getByRole("button", { name: "End lab" }).click();

    // --- archived: out of the catalog again (other specs count its labs) ---
    await staff.getByRole("button", { name: "Archive lab", exact: true }).click();
    await staff.getByRole("button", { name: `Archive “${slug}”` }).click();
    await expect(staff.getByRole("button", { name: "Restore lab" })).toBeVisible();
  } finally {
    // Whatever failed above, the lab leaves the catalog: other specs count the labs learners see.
    await staff.request.post("/api/trpc/authoring.setArchived", { data: { json: { slug, archived: true } } }).catch(() => undefined);
  }
});
