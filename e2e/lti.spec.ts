import { expect, test, type Browser, type Page } from "@playwright/test";
import { LtiTestPlatform, ROLE } from "../test/support/lti-platform";
import { FIRST_ACCOUNT, signIn, terminalText } from "./support";

/**
 * LTI 1.3 end to end in a real browser, with the fake LMS of
 * test/support/lti-platform.ts on 127.0.0.1 beside the server (tests talk to
 * loopback only): an admin registers the LMS; an instructor launches a
 * deep-linking request and adds two labs; a learner launches one of them,
 * passes a task in the terminal, and the LMS receives the score for that
 * line item; tampered launches are refused with a page saying why.
 */
test.describe.configure({ mode: "serial" });
test.setTimeout(240_000);
// Wide enough for the side-by-side lab layout.
test.use({ viewport: { width: 1440, height: 900 } });

const toolUrl = `http://127.0.0.1:${process.env.E2E_PORT ?? 3210}`;
let lms: LtiTestPlatform;
/** Resource links the deep link made, by lab slug. */
const linkOf: Record<string, string> = {};

async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

test.beforeAll(async () => {
  lms = await LtiTestPlatform.start({ toolUrl, toolJwks: `${toolUrl}/api/lti/jwks` });
  lms.addUser({ id: "teacher-1", name: "Grace Hopper", roles: [ROLE.instructor] });
  lms.addUser({ id: "student-1", name: "Ada Lovelace", roles: [ROLE.learner] });
});
test.afterAll(async () => {
  await lms?.close();
});

test("an admin registers the LMS on the LTI page", async ({ page }) => {
  await signIn(page, FIRST_ACCOUNT.email, FIRST_ACCOUNT.password, "/admin/lti");
  await expect(page.getByTestId("lti-login-url")).toHaveText(`${toolUrl}/api/lti/login`);
  await expect(page.getByTestId("lti-jwks-url")).toHaveText(`${toolUrl}/api/lti/jwks`);
  const r = lms.registration;
  const form = page.getByTestId("lti-platform-form");
  await form.getByLabel("Name (for you)").fill(r.name);
  await form.getByLabel("Issuer (platform ID)").fill(r.issuer);
  await form.getByLabel("Client ID").fill(r.clientId);
  await form.getByLabel("Deployment IDs (one per line)").fill(r.deploymentIds.join("\n"));
  await form.getByLabel("Authentication request URL (OIDC)").fill(r.authUrl);
  await form.getByLabel("Access token URL", { exact: true }).fill(r.tokenUrl);
  await form.getByLabel("Public keyset URL").fill(r.jwksUrl);
  await form.getByRole("button", { name: "Register LMS" }).click();
  await expect(page.getByTestId("lti-platforms")).toContainText(`${r.issuer} · client ${r.clientId}`);
});

test("an instructor deep-links two labs from the LMS, each with a line item", async ({ browser }) => {
  const page = await newPage(browser);
  await page.goto(lms.loginUrl("teacher-1", { kind: "deep" }));
  await expect(page).toHaveURL(/\/lti\/deep-link\/[\w-]+$/);
  await expect(page.getByRole("heading", { name: "Add labs to your course" })).toBeVisible();
  // Signed in as an account made for the LMS user (an address under .invalid: never the LMS's email).
  await expect(page.getByTestId("current-user")).toContainText(/lti-[0-9a-f]{24}@lti\.invalid\s*instructor/);
  const picker = page.getByTestId("lti-picker");
  await picker.getByLabel(/^Meet your node/).check();
  await picker.getByLabel(/^Your first container/).check();
  await picker.getByRole("button", { name: "Add to course" }).click();
  // Our page posts the signed response to the LMS, which shows what it added.
  await expect(page.getByTestId("lms-deep-link-done")).toHaveText("Added 2 item(s) to Container Runtimes 101");
  const links = [...lms.links.values()];
  for (const l of links) linkOf[l.custom.lab!] = l.id;
  expect(Object.keys(linkOf).sort()).toEqual(["first-container", "meet-your-node"]);
  const meet = lms.links.get(linkOf["meet-your-node"]!)!;
  expect(meet.url).toBe(`${toolUrl}/labs/meet-your-node`);
  expect(lms.lineItems.get(meet.lineItemId!)).toMatchObject({ label: "Meet your node", scoreMaximum: 20, resourceId: "meet-your-node" });
  await page.context().close();
});

test("a learner launches a lab, passes a task in the terminal, and the LMS receives the score", async ({ browser }) => {
  const page = await newPage(browser);
  await page.goto(lms.loginUrl("student-1", { kind: "resource", linkId: linkOf["meet-your-node"]! }));
  await expect(page).toHaveURL(`${toolUrl}/labs/meet-your-node`);
  await expect(page.getByTestId("current-user")).toContainText(/@lti\.invalid\s*learner/);

  const panel = page.getByTestId("session-panel");
  await panel.getByRole("button", { name: "Start lab" }).click();
  await expect(panel).toHaveAttribute("data-state", "ready", { timeout: 60_000 });
  await expect(page.getByTestId("terminal-status")).toHaveAttribute("data-state", "connected", { timeout: 20_000 });
  await expect.poll(() => terminalText(page), { timeout: 20_000 }).toMatch(/~# ?$/);
  await page.getByTestId("terminals").getByRole("group", { name: "Terminal 1" }).click();
  await page.keyboard.type("ps -C containerd -o pid= | tr -d ' ' > /root/containerd.pid");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("task-find-containerd")).toHaveAttribute("data-status", "passed", { timeout: 30_000 });

  // Grade passback: points earned over points possible, partial, for this learner's LMS id.
  await expect.poll(() => lms.scoresOf(linkOf["meet-your-node"]!).length, { timeout: 30_000 }).toBeGreaterThan(0);
  expect(lms.scoresOf(linkOf["meet-your-node"]!).at(-1)).toMatchObject({
    userId: "student-1",
    scoreGiven: 10,
    scoreMaximum: 20,
    activityProgress: "InProgress",
    gradingProgress: "Pending",
    comment: expect.stringContaining("Write containerd's process id"),
  });
  // Nothing went to the other lab's line item.
  expect(lms.scoresOf(linkOf["first-container"]!)).toEqual([]);
  await page.getByTestId("session-panel").getByRole("button", { name: "End lab" }).click();
  await page.context().close();
});

test("tampered launches are refused with a page saying what was wrong", async ({ browser }) => {
  const page = await newPage(browser);
  const tries: { misbehave: NonNullable<LtiTestPlatform["misbehaveOnce"]>; says: RegExp }[] = [
    { misbehave: { stranger: true }, says: /signature does not match any key of Test LMS/ },
    { misbehave: { change: (c) => (c.aud = "another-tool") }, says: /wrong audience/ },
    { misbehave: { change: (c) => (c["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] = "elsewhere") }, says: /unknown deployment/ },
  ];
  for (const t of tries) {
    lms.misbehaveOnce = t.misbehave;
    await page.goto(lms.loginUrl("student-1", { kind: "resource", linkId: linkOf["meet-your-node"]! }));
    await expect(page.getByTestId("lti-refused")).toHaveText("This LMS launch was refused");
    await expect(page.getByTestId("lti-reason")).toHaveText(t.says);
  }
  // Not signed in by any of them.
  await page.goto("/");
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  await page.context().close();
});
