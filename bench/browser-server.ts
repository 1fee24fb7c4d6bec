/**
 * The production server and accounts for the browser benchmarks
 * (bench/browser.ts, bench/authoring.ts): server/main.ts on the production
 * build, as `npm start` runs it, on a throwaway database.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type APIRequestContext, type Browser } from "@playwright/test";
import { DockerProvider } from "../server/sandbox/providers/docker/provider";

const ROOT = path.resolve(__dirname, "..");
const PORT = Number(process.env.BENCH_BROWSER_PORT ?? 3290);
export const BASE = `http://127.0.0.1:${PORT}`;
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

/** Serves the production build on a throwaway database, as `npm start` does. */
export async function startServer(instance: string, poolSize: number): Promise<{ server: ChildProcess; dataDir: string }> {
  if (!fs.existsSync(path.join(ROOT, ".next/BUILD_ID"))) {
    console.log("no production build: running `npx next build` first ...");
    const b = spawnSync("npx", ["next", "build"], { cwd: ROOT, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    if (b.status) throw new Error("next build failed");
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "labs-bench-browser-"));
  const server = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(PORT),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      DATABASE_URL: "",
      LABS_INSTANCE: instance,
      POOL_SIZE: String(poolSize),
      // Every sample is a new account from this one address (sign-ups are not measured).
      AUTH_ATTEMPTS_PER_10S: "1000",
      LOG_LEVEL: "warn",
      NEXT_TELEMETRY_DISABLED: "1",
    },
  });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}`);
    const ok = await fetch(`${BASE}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { server, dataDir };
    if (Date.now() > deadline) throw new Error("the server did not answer /api/health within 120 s");
    await sleep(500);
  }
}

/** A value of a metric from /api/metrics (this machine may read it without a token). */
export async function metric(name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${BASE}/api/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(" ").at(-1)) : 0;
}

/** Signs up through better-auth's endpoint, waiting out its 3-per-10-s limit. */
export async function signUp(request: APIRequestContext, email: string): Promise<void> {
  for (let attempt = 0; attempt < 4; attempt++) {
    const r = await request.post(`${BASE}/api/auth/sign-up/email`, { data: { email, password: "benchmark password", name: "bench" }, headers: { origin: BASE } });
    if (r.ok()) return;
    if (r.status() !== 429) throw new Error(`sign-up failed: ${r.status()} ${await r.text()}`);
    await sleep(10_000);
  }
  throw new Error("sign-up stayed rate-limited");
}

/** Headless Chromium as the browser benchmarks drive it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** Stops the server (SIGTERM, as an operator would), removes the nodes of its instance and its database. */
export async function stopServer(server: ChildProcess, instance: string, dataDir: string): Promise<void> {
  server.kill("SIGTERM");
  await new Promise((r) => server.once("exit", r));
  const provider = new DockerProvider({ instance });
  for (const sb of await provider.list().catch(() => [])) await provider.destroy(sb.id);
  fs.rmSync(dataDir, { recursive: true, force: true });
}
