import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";
import { preferSandboxEngine } from "./server/sandbox/providers/docker/sandbox-engine";

// The server under test (and the teardown) use the sandbox engine when it runs.
preferSandboxEngine();

// The production build served by our own server (npm run build first), on a
// throwaway data directory so every run starts with an empty database.
const port = Number(process.env.E2E_PORT ?? 3210);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "labs-e2e-"));
// The repository's labs plus the broken fixtures beside them: the catalog
// still serves exactly the real labs (other specs count them), and
// e2e/lab-problems.spec.ts finds the broken ones on the instructors' page.
const labsDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "labs-e2e-catalog-")), "labs");
fs.cpSync("labs", labsDir, { recursive: true });
fs.cpSync("test/fixtures/broken-labs", labsDir, { recursive: true });
// Sandboxes of this run carry their own instance label; the teardown removes
// exactly those (the server keeps sandboxes across restarts by design).
process.env.E2E_INSTANCE ??= `e2e-${Date.now().toString(36)}`;

export default defineConfig({
  testDir: "e2e",
  // The setup project runs first (it creates the first, admin, account);
  // specs may then run in any order.
  projects: [
    { name: "first-account", testMatch: /.*\.setup\.ts/ },
    { name: "chromium", testMatch: /.*\.spec\.ts/, dependencies: ["first-account"] },
  ],
  globalTeardown: "./e2e/global-teardown.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      // Debian's Chromium: Playwright cannot download browsers here. These
      // flags keep it from reaching the network on its own.
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  webServer: {
    command: "npx tsx server/main.ts",
    url: `http://127.0.0.1:${port}/api/health`,
    timeout: 60_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      DATABASE_URL: "",
      LABS_DIR: labsDir,
      NEXT_TELEMETRY_DISABLED: "1",
      LABS_INSTANCE: process.env.E2E_INSTANCE,
      POOL_SIZE: "1",
      LABS_MAX_SANDBOXES: "4",
      // The suite signs many accounts up from one address: the limit is
      // raised explicitly instead of waiting it out (production keeps 3 per 10 s).
      AUTH_ATTEMPTS_PER_10S: "1000",
      // Tasks tick when a command finishes in the terminal; the safety poll
      // is pushed out of the suite's reach, so a task that ticks in a spec
      // ticked because of the learner's command (e2e/instant-feedback.spec.ts).
      GRADING_SAFETY_POLL_SECONDS: "3600",
      GRADING_IDLE_POLL_SECONDS: "3600",
      // One JSON access line per request would bury Playwright's report;
      // warnings and errors still show. E2E_LOG_LEVEL=info to see them all.
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? "warn",
    },
  },
});
