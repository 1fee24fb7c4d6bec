/**
 * What a learner feels, measured in a real browser: Playwright driving
 * Chromium against the production server (server/main.ts on the production
 * build, as `npm start` runs it), a fresh account for every sample.
 *
 *  - Start lab click → the shell's prompt on screen (warm pool; a claim
 *    that found the pool empty is reported apart, as cold);
 *  - Enter on the command that completes a task → its checkbox green, for
 *    three tasks of cgroups-and-oom, with the moment the command's prompt
 *    came back (what the command itself took) beside it.
 * Times are taken inside the page (performance.now() at the click or the
 * Enter key, at the frame the prompt is drawn, at the DOM change that turns
 * the task green), so Playwright's own round trips do not count.
 *
 *   npx tsx bench/browser.ts [samples=9] [--cold]
 *
 * --cold runs the server without a warm pool (POOL_SIZE=0): every Start
 * provisions a node, the figure for "Start → prompt, cold".
 */
import fs from "node:fs";
import type { Page } from "@playwright/test";
import { preferSandboxEngine } from "../server/sandbox/providers/docker/sandbox-engine";
import { loadLine } from "./cpu";
import { CGROUPS_LAB, cgroupsLabCommands } from "./cgroups-lab";
import { ms, percentile } from "./stats";
import { BASE, CHROMIUM, metric, signUp, sleep, startServer, launchChromium, stopServer } from "./browser-server";

/** The node's root prompt at the end of the terminal's text (as the e2e specs look for it). */
const PROMPT_SOURCE = "~# ?$";

declare global {
  interface Window {
    __bench?: { click?: number; enter?: number; prompt?: number; green?: number };
  }
}

interface Sample {
  startToPrompt: number;
  warm: boolean;
  tasks: { task: string; enterToGreen: number; enterToPrompt: number }[];
}

async function oneLearner(page: Page, i: number): Promise<Sample> {
  await signUp(page.request, `browser-${Date.now()}-${i}@example.com`);
  await page.goto(`/labs/${CGROUPS_LAB}`);
  const start = page.getByRole("button", { name: "Start lab" });
  await start.waitFor();
  await page.waitForLoadState("networkidle");
  await page.evaluate(() => {
    const bench: NonNullable<Window["__bench"]> = {};
    window.__bench = bench;
    document.addEventListener(
      "click",
      (e) => {
        if ((e.target as Element | null)?.closest("button")?.textContent?.includes("Start lab")) bench.click = performance.now();
      },
      true,
    );
    window.addEventListener(
      "keydown",
      (e) => {
        if (e.key === "Enter") bench.enter = performance.now();
      },
      true,
    );
  });
  const claims = await metric("labs_pool_claims_total", 'environment="node"');
  await start.click();
  // Checked every frame: the moment the prompt is drawn.
  await page.waitForFunction(
    (source) => {
      if (!new RegExp(source).test(window.__runtimeLabsTerminals?.active() ?? "")) return false;
      window.__bench!.prompt ??= performance.now();
      return true;
    },
    PROMPT_SOURCE,
    { polling: "raf", timeout: 60_000 },
  );
  const startToPrompt = await page.evaluate(() => window.__bench!.prompt! - window.__bench!.click!);
  const warm = (await metric("labs_pool_claims_total", 'environment="node"')) > claims;
  const version = Number((await page.getByTestId("node-cgroup-version").textContent())?.replace(/\D/g, ""));
  const tasks: Sample["tasks"] = [];
  for (const c of cgroupsLabCommands(version)) {
    await page.getByTestId("terminals").getByRole("group", { name: "Terminal 1" }).click();
    await page.keyboard.type(c.line);
    await sleep(300); // the echo of the typing lands; not measured
    await page.evaluate(
      ({ task, source }) => {
        const bench = window.__bench!;
        bench.enter = bench.prompt = bench.green = undefined;
        const list = document.querySelector('[data-testid="task-checklist"]')!;
        const passed = () => document.querySelector(`[data-testid="task-${task}"]`)?.getAttribute("data-status") === "passed";
        // The DOM change that turns the task green (the checklist is pushed over SSE).
        new MutationObserver((_, observer) => {
          if (bench.enter === undefined || !passed()) return;
          bench.green = performance.now();
          observer.disconnect();
        }).observe(list, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"] });
        // The frame the command's prompt comes back.
        const frame = () => {
          if (bench.enter !== undefined && new RegExp(source).test(window.__runtimeLabsTerminals?.active() ?? "")) bench.prompt = performance.now();
          else requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
      },
      { task: c.task, source: PROMPT_SOURCE },
    );
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => window.__bench!.green !== undefined && window.__bench!.prompt !== undefined, undefined, { timeout: 30_000 });
    const t = await page.evaluate(() => ({ ...window.__bench! }));
    tasks.push({ task: c.task, enterToGreen: t.green! - t.enter!, enterToPrompt: t.prompt! - t.enter! });
  }
  // Frees the node for the next learner.
  await page.getByTestId("session-panel").getByRole("button", { name: "End lab" }).click();
  await page.getByText("Lab ended").waitFor();
  return { startToPrompt, warm, tasks };
}

const line = (label: string, values: number[], target: string) =>
  values.length ? `${label} (n=${values.length}): p50 ${ms(percentile(values, 50))}, p90 ${ms(percentile(values, 90))}, max ${ms(Math.max(...values))}  [target ${target}]` : `${label}: no samples`;

async function main() {
  const cold = process.argv.includes("--cold");
  const samples = Number(process.argv.slice(2).find((a) => !a.startsWith("--")) ?? 9);
  if (!fs.existsSync(CHROMIUM)) {
    console.log(`SKIPPED: no Chromium at ${CHROMIUM} (Debian package \`chromium\`, or set CHROMIUM_PATH)`);
    return;
  }
  preferSandboxEngine();
  const instance = `bench-browser-${process.pid}`;
  const { server, dataDir } = await startServer(instance, cold ? 0 : 2);
  const browser = await launchChromium();
  const results: Sample[] = [];
  try {
    // The first account is the admin; the samples are learners.
    const admin = await browser.newContext({ baseURL: BASE });
    await signUp(admin.request, "browser-admin@example.com");
    await admin.close();
    const isolation = process.env.SANDBOX_ISOLATION ?? "userns";
    console.log(
      `server up (production build, ${cold ? "no warm pool: every start is cold" : "warm pool of 2"}, nodes on ${process.env.DOCKER_HOST}, isolation ${isolation}); ${samples} learners, 3 tasks each; ${loadLine()}`,
    );
    for (let i = 0; i < samples; i++) {
      // Each learner finds a warm node, as on a class day with POOL_SIZE set right.
      for (let w = 0; !cold && w < 60 && (await metric("labs_pool_sandboxes", 'state="ready"')) < 1; w++) await sleep(500);
      const context = await browser.newContext({ baseURL: BASE, viewport: { width: 1400, height: 900 } });
      // tsx names the functions handed to page.evaluate with a helper only Node has.
      await context.addInitScript("globalThis.__name = (fn) => fn;");
      try {
        results.push(await oneLearner(await context.newPage(), i));
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await stopServer(server, instance, dataDir);
  }
  const warmStarts = results.filter((r) => r.warm).map((r) => r.startToPrompt);
  const coldStarts = results.filter((r) => !r.warm).map((r) => r.startToPrompt);
  const all = results.flatMap((r) => r.tasks);
  if (warmStarts.length) console.log(line("Start click → shell prompt, warm pool", warmStarts, "p50 ≤ 500 ms"));
  if (coldStarts.length) console.log(line("Start click → shell prompt, pool empty (cold)", coldStarts, "p50 ≤ 1.5 s"));
  console.log(
    line(
      "Enter → checkbox green, 3 tasks",
      all.map((t) => t.enterToGreen),
      "p50 ≤ 300 ms, max ≤ 1 s",
    ),
  );
  for (const task of [...new Set(all.map((t) => t.task))]) {
    const mine = all.filter((t) => t.task === task);
    console.log(
      `  ${task}: Enter → green p50 ${ms(
        percentile(
          mine.map((t) => t.enterToGreen),
          50,
        ),
      )}, max ${ms(Math.max(...mine.map((t) => t.enterToGreen)))}; the command until its prompt p50 ${ms(
        percentile(
          mine.map((t) => t.enterToPrompt),
          50,
        ),
      )}`,
    );
  }
  console.log(
    line(
      "  prompt back → checkbox green",
      all.map((t) => t.enterToGreen - t.enterToPrompt),
      "what grading adds",
    ),
  );
  console.log(loadLine());
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
