import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/**
 * A throwaway PostgreSQL server for integration tests: initdb into a temp
 * directory, listening on 127.0.0.1 only, trust auth, deleted on stop.
 * Uses the machine's PostgreSQL binaries (Debian: /usr/lib/postgresql/<v>/bin,
 * or PG_BIN). initdb refuses to run as root, so as root we run the server as
 * the `postgres` system user the Debian package creates.
 */
export interface TestPostgres {
  /** postgresql:// URL of the maintenance database. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

function findBinDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const base = "/usr/lib/postgresql";
  const versions = fs.existsSync(base) ? fs.readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const dir = path.join(base, v, "bin");
    if (fs.existsSync(path.join(dir, "initdb"))) return dir;
  }
  throw new Error("PostgreSQL server binaries not found: install the `postgresql` package (apt-get install -y postgresql) or set PG_BIN.");
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/** Runs argv as the postgres user when we are root. */
function asDbUser(argv: string[]): [string, string[]] {
  if (process.getuid?.() === 0) return ["runuser", ["-u", "postgres", "--", ...argv]];
  return [argv[0]!, argv.slice(1)];
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = findBinDir();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "labs-pg-"));
  const dataDir = path.join(root, "data");
  if (process.getuid?.() === 0) execFileSync("chown", ["postgres:postgres", root]);
  const [cmd, args] = asDbUser([path.join(bin, "initdb"), "-D", dataDir, "-U", "labs", "--auth=trust", "--no-sync", "-E", "UTF8"]);
  execFileSync(cmd, args, { stdio: "pipe" });

  const port = await freePort();
  const [scmd, sargs] = asDbUser([
    path.join(bin, "postgres"),
    "-D",
    dataDir,
    "-p",
    String(port),
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    `unix_socket_directories=${root}`,
    "-c",
    "fsync=off",
    "-c",
    "max_connections=200",
  ]);
  const child: ChildProcess = spawn(scmd, sargs, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));

  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`PostgreSQL exited during start-up:\n${stderr}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (ok && /ready to accept connections/.test(stderr)) break;
    if (Date.now() > deadline) throw new Error(`PostgreSQL did not start within 20 s:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url: `postgresql://labs@127.0.0.1:${port}/postgres`,
    port,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        // Signal the postmaster itself: runuser does not pass SIGINT on.
        // SIGINT is PostgreSQL's "fast shutdown".
        const pid = Number(fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
        try {
          process.kill(pid, "SIGINT");
        } catch {
          child.kill("SIGKILL");
        }
        const timer = setTimeout(() => {
          try {
            process.kill(pid, "SIGKILL");
          } catch {
            /* already gone */
          }
        }, 10_000);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
