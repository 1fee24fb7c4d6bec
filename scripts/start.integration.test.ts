/**
 * Stopping the server: `npm start` and scripts/start.sh hand SIGTERM and
 * SIGINT to the server itself (issue 16: killing the PID of `npm start` left
 * the real server running and holding its port). Each test starts the real
 * production server on a free port with its own DATA_DIR and no warm pool,
 * signals it as an operator or a service manager would, and checks that it
 * shut down gracefully, promptly and completely, leaving its log in
 * DATA_DIR/logs/server.log.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..");
// start.sh would build first (minutes); scripts/test.sh builds before the integration tier.
const built = fs.existsSync(path.join(root, ".next/BUILD_ID"));
const TITLE = built ? "stopping the server" : "stopping the server — SKIPPED: no production build (.next/BUILD_ID); run `npm run build` first";

/** Long enough for terminals, Next and the database to close; far shorter than a service manager's kill timeout. */
const PROMPT_EXIT_MS = 15_000;

interface Started {
  child: ChildProcess;
  dataDir: string;
  port: number;
  /** Parsed JSON log lines from stdout so far. */
  lines: Record<string, unknown>[];
  /** The "server ready" line, once it came. */
  ready: Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: Started[] = [];

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Starts `command` in the repository as an operator would, with a throwaway install's settings. */
async function start(command: string, args: string[]): Promise<Started> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "labs-start-"));
  const port = await freePort();
  const child = spawn(command, args, {
    cwd: root,
    // Its own process group, so a failed test can still clean up everything it started.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      DATABASE_URL: "",
      POOL_SIZE: "0",
      LABS_INSTANCE: `t-start-${process.pid}`,
      LOG_FORMAT: "json",
      LOG_LEVEL: "info",
      // Set, so start.sh never tries to bring up the sandbox engine itself.
      DOCKER_HOST: process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock",
    },
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    let pending = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      pending += chunk.toString();
      const complete = pending.split("\n");
      pending = complete.pop()!;
      for (const text of complete) {
        if (!text.startsWith("{")) continue; // npm's banner
        const line = JSON.parse(text) as Record<string, unknown>;
        lines.push(line);
        if (/server ready at/.test(String(line.msg))) resolve(line);
      }
    });
    void exited.then(({ code }) => reject(new Error(`the server exited (${code}) before it was ready:\n${stderr}\n${JSON.stringify(lines, null, 1)}`)));
  });
  const s = { child, dataDir, port, lines, ready, exited };
  started.push(s);
  return s;
}

/** Resolves with how it exited, or fails when it takes longer than a prompt shutdown should. */
async function exitWithin(s: Started, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`still running ${ms} ms after the signal`)), ms)));
  try {
    return await Promise.race([s.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const portAnswers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

/** The parent of a process, from /proc. */
const parentOf = (pid: number) => Number(/^PPid:\s+(\d+)$/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))![1]);

afterEach(() => {
  for (const s of started.splice(0)) {
    if (s.child.exitCode === null && s.child.signalCode === null) process.kill(-s.child.pid!, "SIGKILL");
    fs.rmSync(s.dataDir, { recursive: true, force: true });
  }
});

describe.skipIf(!built)(TITLE, () => {
  it.each(["SIGTERM", "SIGINT"] as const)("scripts/start.sh becomes the server (exec), which stops gracefully on %s and exits 0", async (signal) => {
    const s = await start("bash", ["scripts/start.sh"]);
    const ready = await s.ready;
    // exec: the PID the operator started is node running server/main.ts, not a shell in between.
    expect(ready.pid).toBe(s.child.pid);
    expect(fs.readFileSync(`/proc/${s.child.pid}/comm`, "utf8").trim()).toBe("node");
    expect(fs.readFileSync(`/proc/${s.child.pid}/cmdline`, "utf8").split("\0")).toContain("server/main.ts");

    s.child.kill(signal);
    expect(await exitWithin(s, PROMPT_EXIT_MS)).toEqual({ code: 0, signal: null });
    expect(s.lines.map((l) => l.msg)).toContain(`${signal}: shutting down`);
    expect(await portAnswers(s.port)).toBe(false);

    // The same lines are in DATA_DIR/logs/server.log, the last one included.
    const logged = fs
      .readFileSync(path.join(s.dataDir, "logs/server.log"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { msg: string });
    expect(logged.map((l) => l.msg)).toEqual(expect.arrayContaining([ready.msg, `${signal}: shutting down`]));
    // The control socket goes with the server.
    expect(fs.existsSync(path.join(s.dataDir, "control.sock"))).toBe(false);
  });

  it("`npm start` forwards SIGTERM: killing npm's PID stops the server, which frees its port", async () => {
    const s = await start("npm", ["start"]);
    const ready = await s.ready;
    const server = Number(ready.pid);
    // npm's `sh -c` and start.sh both exec: the server is npm's own child.
    expect(parentOf(server)).toBe(s.child.pid);

    s.child.kill("SIGTERM");
    expect(await exitWithin(s, PROMPT_EXIT_MS)).toEqual({ code: 0, signal: null });
    expect(s.lines.map((l) => l.msg)).toContain("SIGTERM: shutting down");
    expect(alive(server)).toBe(false);
    expect(await portAnswers(s.port)).toBe(false);
  });
});
