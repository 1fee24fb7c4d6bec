import { defineConfig } from "vitest/config";
import fs from "node:fs";

// Integration tests run nodes where the platform does: on the sandbox engine
// (user namespaces, disk caps) when it runs and DOCKER_HOST(S) say nothing
// else. The same rule as server/sandbox/providers/docker/sandbox-engine.ts,
// inlined: this config is loaded before TypeScript sources can be.
const sandboxSocket = process.env.LABS_SANDBOX_SOCKET || "/run/runtime-labs/docker.sock";
if (!process.env.DOCKER_HOST && !process.env.DOCKER_HOSTS && fs.statSync(sandboxSocket, { throwIfNoEntry: false })?.isSocket()) {
  process.env.DOCKER_HOST = `unix://${sandboxSocket}`;
}

// Tiers are named by file: `*.test.ts` are unit tests (no Docker, no database
// server), `*.integration.test.ts` run against real Docker and real databases.
export default defineConfig({
  resolve: { alias: { "@": import.meta.dirname } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["**/*.test.ts"],
          exclude: ["**/*.integration.test.ts", "node_modules/**", "e2e/**", ".next/**"],
          environment: "node",
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["**/*.integration.test.ts"],
          globalSetup: ["test/support/global-setup.ts"],
          exclude: ["node_modules/**", ".next/**"],
          environment: "node",
          // Real containers and databases: generous per-test time, files run one
          // at a time so 2 cores are not oversubscribed by parallel sandboxes.
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
