import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { inject } from "vitest";

/** The two databases every data test runs against. */
export const DATABASE_KINDS = ["pglite", "postgres"] as const;
export type DatabaseKind = (typeof DATABASE_KINDS)[number];

/**
 * A fresh, empty database of the given kind: a new PGlite directory, or a new
 * database on the run's PostgreSQL server. Returns env entries to use it.
 */
export async function freshDatabase(kind: DatabaseKind): Promise<{ DATA_DIR: string; DATABASE_URL?: string; cleanup(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "labs-data-"));
  if (kind === "pglite") {
    return { DATA_DIR: dataDir, cleanup: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const admin = inject("postgresUrl");
  const name = `t_${crypto.randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    DATA_DIR: dataDir,
    DATABASE_URL: url.toString(),
    cleanup: async () => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      // pg's pool.end() resolves before its sockets have closed. Dropping
      // WITH (FORCE) at once would terminate those closing connections, and
      // their clients (no longer in a pool with an error listener) throw
      // "terminating connection due to administrator command" into
      // whichever test runs next. Wait for them to go; FORCE is the fallback.
      for (let i = 0; i < 50; i++) {
        const r = await c.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1", [name]);
        if (r.rows[0]!.n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
