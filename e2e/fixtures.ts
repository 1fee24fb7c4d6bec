import { test as base, expect, type Locator, type Page } from "@playwright/test";
import { signUp, terminalText } from "./support";

/**
 * The lab page as a learner uses it: the session panel, the terminals and
 * the task checklist, by the names and test ids the page gives them. Specs
 * say what the learner does; the selectors live here once.
 */
export class LabPage {
  readonly panel: Locator;

  constructor(readonly page: Page) {
    this.panel = page.getByTestId("session-panel");
  }

  /** Presses Start lab and waits for the node (a cold start included). */
  async start(): Promise<void> {
    await this.panel.getByRole("button", { name: "Start lab" }).click();
    await expect(this.panel).toHaveAttribute("data-state", "ready", { timeout: 60_000 });
  }

  /** Waits for the root prompt at the end of the active terminal. */
  async prompt(): Promise<void> {
    await expect.poll(() => terminalText(this.page), { timeout: 20_000 }).toMatch(/~# ?$/);
  }

  /** The node's cgroup version, as the panel shows it. */
  async cgroupVersion(): Promise<1 | 2> {
    return (await this.panel.getByTestId("node-cgroup-version").textContent())!.includes("v2") ? 2 : 1;
  }

  /** Types `line` and Enter into a terminal (focused first, as a click would). */
  async run(line: string, terminal = "Terminal 1"): Promise<void> {
    await this.page.getByTestId("terminals").getByRole("group", { name: terminal }).click();
    await this.page.keyboard.type(line);
    await this.page.keyboard.press("Enter");
  }

  /** A task of the checklist; its `data-status` is locked, pending, failed or passed. */
  task(id: string): Locator {
    return this.page.getByTestId(`task-${id}`);
  }
}

/** A learner with a fresh account, signed in on the page of `lab`. */
export interface Learner {
  email: string;
  /** Signs the fresh account up and lands on the lab's page. */
  openLab(slug: string): Promise<LabPage>;
}

/**
 * The suite's `test`: `learner` is a new account per test (the server's
 * auth limit is raised for the suite, so no waiting), named after the test.
 */
export const test = base.extend<{ learner: Learner }>({
  // Playwright calls the fixture's callback `use`; named `provide` here so the React hooks lint rule does not mistake it for a hook.
  learner: async ({ page }, provide, testInfo) => {
    const email = `${testInfo.title
      .replace(/[^a-z0-9]+/gi, "-")
      .slice(0, 40)
      .toLowerCase()}-${Date.now()}@example.com`;
    await provide({
      email,
      openLab: async (slug) => {
        await signUp(page, email, "learner-password", `/labs/${slug}`);
        return new LabPage(page);
      },
    });
  },
});

export { expect };
