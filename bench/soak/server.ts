/**
 * The platform under test: the production server started as `npm start`
 * starts it (scripts/start.sh, which execs node on server/main.ts), on
 * loopback, with its own DATA_DIR, PostgreSQL database and LABS_INSTANCE.
 * It can be killed with SIGKILL and started again on the same port and data,
 * as a crash and a service manager's restart would.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const root = path.resolve(__dirname, "../..");
const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 20_000;

export interface ServerSettings {
  port: number;
  dataDir: string;
  databaseUrl: string;
  instance: string;
  poolSize: number;
  maxSandboxes: number;
  diskMb: number;
}

/** What the server logged at warn level or above, by level and message (a figure of the run). */
export type ErrorLines = Map<string, number>;

export class ServerProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> = Promise.resolve({ code: null, signal: null });
  /** Times the server was started. */
  starts = 0;
  readonly errorLines: ErrorLines = new Map();
  private stderrTail = "";

  constructor(private readonly settings: ServerSettings) {}

  get url(): string {
    return `http://127.0.0.1:${this.settings.port}`;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the server and resolves once it logged "server ready". */
  async start(): Promise<void> {
    const s = this.settings;
    const child = spawn("bash", ["scripts/start.sh"], {
      cwd: root,
      // Its own process group: cleanup can end it and anything it started.
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        PORT: String(s.port),
        HOST: "127.0.0.1",
        DATA_DIR: s.dataDir,
        DATABASE_URL: s.databaseUrl,
        LABS_INSTANCE: s.instance,
        POOL_SIZE: String(s.poolSize),
        LABS_MAX_SANDBOXES: String(s.maxSandboxes),
        SANDBOX_DISK_MB: String(s.diskMb),
        LOG_FORMAT: "json",
        LOG_LEVEL: "info",
      },
    });
    this.child = child;
    this.starts++;
    this.exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    child.stderr!.on("data", (d: Buffer) => (this.stderrTail = (this.stderrTail + d.toString()).slice(-4000)));
    const ready = new Promise<void>((resolve, reject) => {
      let pending = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        pending += chunk.toString();
        const lines = pending.split("\n");
        pending = lines.pop()!;
        for (const text of lines) {
          const line = parseLine(text);
          if (!line) continue;
          if (line.level === "warn" || line.level === "error" || line.level === "fatal") {
            // Ids, times and counts differ between lines of the same kind: one key per kind.
            const kind = String(line.msg)
              .replace(/\b(?=[a-z0-9]*\d)[a-z0-9]{8,}\b/g, "<id>")
              .replace(/\d+(\.\d+)?/g, "N");
            const key = `${line.level}: ${kind}`;
            this.errorLines.set(key, (this.errorLines.get(key) ?? 0) + 1);
          }
          if (/server ready at/.test(String(line.msg))) resolve();
        }
      });
      void this.exited.then(({ code, signal }) => reject(new Error(`the server exited (${code ?? signal}) before it was ready:\n${this.stderrTail}`)));
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the server was not ready within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS)));
    try {
      await Promise.race([ready, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The crash: SIGKILL, no chance to end shells or close connections. */
  async kill9(): Promise<void> {
    if (!this.running) return;
    this.child!.kill("SIGKILL");
    await this.exited;
  }

  /** An operator's stop (SIGTERM); returns the exit code, or null if it had to be killed. */
  async stop(): Promise<number | null> {
    if (!this.running) return null;
    this.child!.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), STOP_TIMEOUT_MS)));
    const outcome = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (outcome === "late") {
      this.forceStop();
      await this.exited;
      return null;
    }
    return outcome.code;
  }

  /** Cleanup: kills the server's whole process group, whatever state it is in. */
  forceStop(): void {
    if (!this.child?.pid || !this.running) return;
    try {
      process.kill(-this.child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

function parseLine(text: string): Record<string, unknown> | null {
  if (!text.startsWith("{")) return null; // npm's or Next's banner
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
}
