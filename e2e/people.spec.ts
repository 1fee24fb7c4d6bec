import fs from "node:fs";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { FIRST_ACCOUNT, signIn, signUp, terminalText } from "./support";

/**
 * The classroom flow end to end, three browsers at once: an instructor
 * creates a cohort and watches its matrix; a learner joins with the link,
 * solves a task in the terminal and sees it tick; the matrix changes live;
 * the instructor watches the terminal read-only and exports CSV; a second
 * learner is refused the first one's session in the UI and over every API.
 */
test.describe.configure({ mode: "serial" });
test.setTimeout(240_000);

const stamp = Date.now().toString(36);
const teacher = { email: `teacher-${stamp}@example.com`, password: "teacher-password" };
const learner = { email: `learner-${stamp}@example.com`, password: "learner-password" };
const intruder = { email: `intruder-${stamp}@example.com`, password: "intruder-password" };

async function newPage(browser: Browser, viewport = { width: 1280, height: 720 }): Promise<Page> {
  return (await browser.newContext({ acceptDownloads: true, viewport })).newPage();
}

test("instructor sees a learner's task tick live, watches the terminal, exports CSV; another learner is refused", async ({ browser }) => {
  // --- the admin makes an instructor ---
  // A wider window than the learner's: the watched terminal must still break lines where the learner's does.
  const teacherPage = await newPage(browser, { width: 1680, height: 1000 });
  await signUp(teacherPage, teacher.email, teacher.password, "/");
  const adminPage = await newPage(browser);
  await signIn(adminPage, FIRST_ACCOUNT.email, FIRST_ACCOUNT.password, "/admin");
  await adminPage.getByLabel(`Role of ${teacher.email}`).selectOption("instructor");
  await expect(adminPage.getByLabel(`Role of ${teacher.email}`)).toHaveValue("instructor");
  await adminPage.context().close();

  // --- the instructor creates a cohort ---
  await teacherPage.goto("/instructor");
  await teacherPage.getByLabel("Cohort name").fill(`Runtime class ${stamp}`);
  await teacherPage.getByLabel("Meet your node").check();
  await teacherPage.getByRole("button", { name: "Create cohort" }).click();
  await expect(teacherPage.getByTestId("cohort-name")).toHaveText(`Runtime class ${stamp}`);
  const cohortUrl = new URL(teacherPage.url());
  const cohortId = cohortUrl.pathname.split("/").pop()!;
  const joinLink = await teacherPage.getByTestId("join-link").inputValue();
  expect(joinLink).toMatch(/\/join\/[2-9a-z]{10}$/);
  await expect(teacherPage.getByText("Nobody has joined yet")).toBeVisible();

  // --- the learner joins with the link (signing up on the way) ---
  const learnerPage = await newPage(browser);
  const joinPath = new URL(joinLink).pathname;
  await signUp(learnerPage, learner.email, learner.password, joinPath);
  await expect(learnerPage.getByTestId("join-cohort-name")).toHaveText(`Runtime class ${stamp}`);
  await learnerPage.getByRole("button", { name: "Join cohort" }).click();
  await expect(learnerPage.getByTestId("joined")).toBeVisible();

  // The instructor's matrix shows the learner without a reload.
  const row = teacherPage.getByTestId(`learner-${learner.email}`);
  await expect(row).toBeVisible({ timeout: 20_000 });
  const cell = teacherPage.getByTestId(`cell-${learner.email}-meet-your-node-find-containerd`);
  await expect(cell).toHaveAttribute("data-status", "not-started");

  // --- the learner starts the lab and solves the first task in the terminal ---
  await learnerPage.getByRole("link", { name: "Open the first lab →" }).click();
  const panel = learnerPage.getByTestId("session-panel");
  await panel.getByRole("button", { name: "Start lab" }).click();
  await expect(panel).toHaveAttribute("data-state", "ready", { timeout: 60_000 });
  await expect(learnerPage.getByTestId("terminal-status")).toHaveAttribute("data-state", "connected", { timeout: 20_000 });
  await expect.poll(() => terminalText(learnerPage), { timeout: 20_000 }).toMatch(/~# ?$/);
  await learnerPage.getByTestId("terminals").getByRole("group", { name: "Terminal 1" }).click();
  await learnerPage.keyboard.type("ps -C containerd -o pid= | tr -d ' ' > /root/containerd.pid; echo saved-$((6*7))");
  await learnerPage.keyboard.press("Enter");
  await expect.poll(() => terminalText(learnerPage)).toContain("saved-42");

  // The learner's checklist ticks by itself...
  await expect(learnerPage.getByTestId("task-find-containerd")).toHaveAttribute("data-status", "passed", { timeout: 30_000 });
  // ...and so does the instructor's matrix, pushed over SSE (no reload).
  await expect(cell).toHaveAttribute("data-status", "passed", { timeout: 30_000 });
  await expect(teacherPage.getByTestId(`score-${learner.email}`)).not.toHaveText(/^0\//);

  // --- the instructor drills in and watches the terminal read-only ---
  await row.getByRole("link", { name: "watch" }).click();
  await expect(teacherPage.getByTestId("drill-task-find-containerd")).toHaveAttribute("data-status", "passed");
  await expect(teacherPage.getByTestId("check-history")).toContainText("passed");
  await teacherPage.getByRole("button", { name: "Watch terminal 1" }).click();
  await expect(teacherPage.getByTestId("watch-state")).toContainText("Read-only", { timeout: 20_000 });
  const watched = teacherPage.getByRole("group", { name: "Learner's terminal (read-only)" });
  const watchedText = () =>
    teacherPage.evaluate(
      () =>
        window.__runtimeLabsTerminals
          ?.ids()
          .map((id) => window.__runtimeLabsTerminals!.text(id))
          .join("\n") ?? "",
    );
  await expect.poll(watchedText, { timeout: 20_000 }).toContain("saved-42");
  // What the learner types next appears on the instructor's screen.
  await learnerPage.keyboard.type("echo live-$((7*8))");
  await learnerPage.keyboard.press("Enter");
  await expect.poll(watchedText, { timeout: 20_000 }).toContain("live-56");
  // A command line longer than the learner's terminal is wide wraps; the
  // watcher's screen, drawn at the learner's size, wraps it at the same place.
  await learnerPage.keyboard.type(`echo wrapped-${"x".repeat(160)}-end`);
  await learnerPage.keyboard.press("Enter");
  const lastLines = (text: string) => text.split("\n").slice(-4).join("\n");
  await expect.poll(async () => lastLines(await terminalText(learnerPage)), { timeout: 20_000 }).toMatch(/-end\n.*~# ?$/);
  const learnerScreen = lastLines(await terminalText(learnerPage));
  await expect.poll(async () => lastLines(await watchedText()), { timeout: 20_000 }).toBe(learnerScreen);
  // The instructor's keystrokes never reach the learner's shell.
  await watched.click();
  await teacherPage.keyboard.type("echo teacher-typed-$((2*2))");
  await teacherPage.keyboard.press("Enter");
  // A marker the learner types after: once it shows, anything the instructor's
  // keystrokes had sent would be on screen before it.
  await learnerPage.keyboard.type("echo learner-after-$((3*3))");
  await learnerPage.keyboard.press("Enter");
  await expect.poll(() => terminalText(learnerPage), { timeout: 20_000 }).toContain("learner-after-9");
  expect(await terminalText(learnerPage)).not.toContain("teacher-typed");
  const sessionId = new URL(teacherPage.url()).pathname.split("/").pop()!;

  // --- CSV export ---
  await teacherPage.goto(`/instructor/cohorts/${cohortId}`);
  const [download] = await Promise.all([teacherPage.waitForEvent("download"), teacherPage.getByTestId("export-csv").click()]);
  const csv = fs.readFileSync((await download.path())!, "utf8");
  expect(csv.split(/\r?\n/)[0]).toMatch(/email/i);
  expect(csv).toContain(learner.email);
  expect(csv).toMatch(/passed/);

  // --- a second learner may not see any of it ---
  const intruderPage = await newPage(browser);
  await signUp(intruderPage, intruder.email, intruder.password, "/");
  const page404 = await intruderPage.goto(`/instructor/sessions/${sessionId}`);
  expect(page404?.status()).toBe(404);
  const denied = await intruderPage.evaluate(
    async ({ sessionId, cohortId }) => {
      const trpc = (path: string, input: unknown) => fetch(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`).then((r) => r.status);
      const ws = await new Promise<string>((resolve) => {
        const s = new WebSocket(`${location.origin.replace(/^http/, "ws")}/api/terminal?session=${sessionId}&terminal=t1&offset=0&cols=80&rows=24`);
        s.onopen = () => resolve("opened");
        s.onerror = () => resolve("refused");
      });
      return {
        tasks: await trpc("grading.tasks", { sessionId }),
        session: await trpc("sessions.get", { id: sessionId }),
        detail: await trpc("cohorts.sessionDetail", { sessionId }),
        results: await trpc("cohorts.results", { cohortId }),
        restResults: (await fetch(`/api/v1/cohorts/${cohortId}/results`)).status,
        restGrade: (await fetch(`/api/v1/sessions/${sessionId}/grade`, { method: "POST" })).status,
        ws,
      };
    },
    { sessionId, cohortId },
  );
  expect(denied).toEqual({ tasks: 404, session: 404, detail: 403, results: 403, restResults: 404, restGrade: 404, ws: "refused" });

  await learnerPage.getByTestId("session-panel").getByRole("button", { name: "End lab" }).click();
  await expect(learnerPage.getByTestId("terminals")).toHaveCount(0);
});
