import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { SqlRunner } from "./migrations";

/** Where the data lives: an embedded PGlite directory or a PostgreSQL server. */
export type DatabaseTarget = { kind: "pglite"; dir: string } | { kind: "postgres"; url: string };

/** DATABASE_URL selects a real server; otherwise PGlite under DATA_DIR/pglite. */
export function resolveDatabaseTarget(databaseUrl: string | undefined, dataDir: string): DatabaseTarget {
  if (databaseUrl) return { kind: "postgres", url: databaseUrl };
  return { kind: "pglite", dir: path.join(dataDir, "pglite") };
}

/** A human-readable name for logs and /api/health, without credentials. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === "pglite") return `embedded PGlite at ${target.dir}`;
  const u = new URL(target.url);
  return `PostgreSQL at ${u.hostname}:${u.port || 5432}${u.pathname}`;
}

/** A driver connection: the Prisma adapter plus raw SQL access for migrations. */
export interface DriverConnection {
  adapter: PrismaPg | PrismaPGlite;
  sql: SqlRunner;
  /**
   * Runs `fn` with a runner bound to ONE connection. Session state (an
   * advisory lock, BEGIN ... COMMIT) only holds on one connection: through
   * a pool, each statement may land on a different one.
   */
  withSession<T>(fn: (sql: SqlRunner) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Opens the driver for a target. PGlite is in-process and single-writer, so
 * exactly one handle may exist per data directory (see server/db/database.ts).
 */
export async function openDriver(target: DatabaseTarget): Promise<DriverConnection> {
  if (target.kind === "postgres") {
    const pool = new pg.Pool({ connectionString: target.url, max: 10 });
    // An idle connection the server closes (a restart, a failover, an admin's
    // pg_terminate_backend) is reported on the pool; without a listener Node
    // would crash the whole app. The pool drops that client and connects
    // afresh on next use; queries in flight fail with their own error.
    pool.on("error", (err) => console.warn(`[runtime-labs] database: an idle connection was closed by the server (${err.message}); reconnecting on next use`));
    // A bad URL or a server that is down should fail start-up here, with the
    // driver's reason, not at the first page view.
    const probe = await pool.connect().catch((err: Error) => {
      void pool.end();
      throw new Error(`Cannot connect to ${describeTarget(target)}: ${err.message}`);
    });
    probe.release();
    return {
      adapter: new PrismaPg(pool),
      sql: {
        exec: (s) => pool.query(s),
        query: async <T>(s: string, params?: unknown[]) => (await pool.query(s, params)).rows as T[],
      },
      withSession: async (fn) => {
        const client = await pool.connect();
        try {
          return await fn({ exec: (s) => client.query(s), query: async <T>(s: string, params?: unknown[]) => (await client.query(s, params)).rows as T[] });
        } finally {
          client.release();
        }
      },
      close: () => pool.end(),
    };
  }
  fs.mkdirSync(target.dir, { recursive: true });
  const lite = await PGlite.create(target.dir);
  const sql: SqlRunner = {
    exec: (s) => lite.exec(s),
    query: async <T>(s: string, params?: unknown[]) => (await lite.query<T>(s, params)).rows,
  };
  return {
    adapter: new PrismaPGlite(lite),
    sql,
    // PGlite is one connection already.
    withSession: (fn) => fn(sql),
    close: () => lite.close(),
  };
}
