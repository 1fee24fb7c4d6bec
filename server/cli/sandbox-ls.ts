/**
 * `labs sandbox ls [--json]`: this instance's sandboxes from the engine's
 * labels, joined with the database's sessions (server/ops/sandbox-report.ts),
 * so an operator sees whose node each one is before removing anything.
 *
 * Where the sessions come from: PostgreSQL (DATABASE_URL) is read directly.
 * The embedded database belongs to the server while it runs, so the CLI asks
 * the server over its control socket, and opens the directory itself only
 * when no server answers there. When neither works the labels are still
 * listed, with a warning saying why the session columns are empty.
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { resolveDatabaseTarget } from "../db/adapters";
import { openDatabaseAsIs } from "../db/database";
import type { Env } from "../env";
import { askSessionRecords, controlSocketPath } from "../ops/control-socket";
import { sandboxReport, type SandboxReportRow } from "../ops/sandbox-report";
import { readSessionRecords, type RecordQuery, type SessionRecord } from "../ops/session-records";
import type { Sandbox, SandboxProvider } from "../sandbox/provider";
import { DEFAULT_SESSION_CONFIG } from "../sessions/config";

export async function sandboxLs(args: string[], env: Env, provider: SandboxProvider): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: "boolean", default: false } } });
  const { sandboxes, unanswered } = await listSandboxes(provider);
  const query: RecordQuery = {
    sandboxIds: sandboxes.map((s) => s.id),
    sessionIds: sandboxes.flatMap((s) => (s.sessionId ? [s.sessionId] : [])),
  };
  const records = await readRecords(env, query).catch((err: unknown) => {
    process.stderr.write(`labs: the database could not be read, so the session columns are empty and nothing is flagged: ${(err as Error).message}\n`);
    return null;
  });
  const rows = sandboxReport(sandboxes, records, unanswered);
  if (values.json) console.log(JSON.stringify(rows));
  else printTable(rows);
  return 0;
}

/** Every host that answers; the silent ones are named on stderr, not fatal. */
async function listSandboxes(provider: SandboxProvider): Promise<{ sandboxes: Sandbox[]; unanswered: string[] }> {
  if (!provider.listByHost) return { sandboxes: await provider.list(), unanswered: [] };
  const byHost = await provider.listByHost();
  for (const host of byHost.unanswered) process.stderr.write(`labs: docker host ${host} did not answer; its sandboxes are not listed\n`);
  return { sandboxes: byHost.sandboxes, unanswered: byHost.unanswered };
}

async function readRecords(env: Env, query: RecordQuery): Promise<SessionRecord[]> {
  const target = resolveDatabaseTarget(env.DATABASE_URL, env.dataDir);
  if (target.kind === "pglite") {
    const socket = controlSocketPath(env.dataDir);
    if (!socket) throw new Error(`DATA_DIR ${env.dataDir} is too long a path for the server's control socket, and the embedded database cannot be opened while a server may hold it`);
    try {
      return await askSessionRecords(socket, query);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // No socket, or a killed server's: nobody holds the directory.
      if (code !== "ENOENT" && code !== "ECONNREFUSED") throw err;
    }
    // Never create a database just to list sandboxes: no directory, no sessions.
    if (!fs.existsSync(path.join(target.dir, "PG_VERSION"))) return [];
  }
  const db = await openDatabaseAsIs(target);
  try {
    return await readSessionRecords(db.prisma, query);
  } finally {
    await db.close();
  }
}

const COLUMNS = ["ID", "STATE", "HOST", "POOL", "SESSION", "SESSION-STATE", "LAB", "LEARNER", "FLAG"];

/** Tab-separated, one sandbox a line, then what the flags mean when there are any. */
function printTable(rows: SandboxReportRow[]): void {
  if (!rows.length) {
    console.log("no sandboxes");
    return;
  }
  console.log(COLUMNS.join("\t"));
  for (const r of rows) {
    const lab = r.session?.lab ?? r.labels?.lab;
    console.log([r.id, r.state, r.host ?? "-", r.pool ? "yes" : "no", r.session?.id ?? "-", r.session?.state ?? "-", lab ?? "-", r.session?.learner.email ?? "-", r.flag ?? "-"].join("\t"));
  }
  const { orphanGraceMs, reconcileMs } = DEFAULT_SESSION_CONFIG;
  const notes = [
    rows.some((r) => r.flag === "orphan") && `orphan: no live session holds it and it is not a warm-pool node; a running server removes it once it is ${orphanGraceMs / 60_000} minutes old`,
    rows.some((r) => r.flag === "missing") && `missing: a live session's sandbox that the engine does not have; a running server ends the session within ${reconcileMs / 1000} s`,
  ].filter(Boolean);
  if (notes.length) console.log(`\n${notes.join("\n")}`);
}
