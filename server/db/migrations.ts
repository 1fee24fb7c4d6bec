import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * Applies the committed migrations in prisma/migrations, in name order, and
 * records them in Prisma's own `_prisma_migrations` table (same columns, same
 * sha256 checksum), so `prisma migrate status` reads the same history.
 *
 * Why not `prisma migrate deploy`: with driver adapters, Prisma 6.19's
 * WebAssembly schema engine cannot read `_prisma_migrations` through
 * adapter-pg ("Column type 'name' could not be deserialized") and, through
 * PGlite, lingers ~10 s after finishing. Applying in-process also lets the app
 * migrate the PGlite handle it already holds (PGlite is single-writer).
 */

/** Runs SQL that may hold several statements (PGlite.exec, pg Client.query). */
export interface SqlRunner {
  exec(sql: string): Promise<unknown>;
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
}

/** Raised when the database's history disagrees with the committed files. */
export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MigrationError";
  }
}

// Any fixed number: serialises concurrent app starts against one PostgreSQL.
const LOCK_KEY = 72707369;

/** Reads prisma/migrations/<name>/migration.sql files, sorted by name. */
export function readMigrations(dir: string): Migration[] {
  if (!fs.existsSync(dir)) throw new MigrationError(`No migrations directory at ${dir}.`);
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: crypto.createHash("sha256").update(sql).digest("hex") };
    });
}

const CREATE_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum"            VARCHAR(64) NOT NULL,
  "finished_at"         TIMESTAMPTZ,
  "migration_name"      VARCHAR(255) NOT NULL,
  "logs"                TEXT,
  "rolled_back_at"      TIMESTAMPTZ,
  "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/** Applies every pending migration; refuses if history was tampered with. */
export async function applyMigrations(db: SqlRunner, migrations: Migration[]): Promise<MigrationReport> {
  // Lock first: even CREATE TABLE IF NOT EXISTS races between two servers
  // starting at once (both see no table, one fails on the catalog's unique key).
  await db.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
  try {
    await db.exec(CREATE_TABLE);
    const rows = await db.query<AppliedRow>(`SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`);
    const byName = new Map(rows.map((r) => [r.migration_name, r]));
    const unfinished = rows.find((r) => r.finished_at === null);
    if (unfinished) {
      throw new MigrationError(
        `Migration ${unfinished.migration_name} started but never finished. Inspect the database, fix it by hand, then mark the row in _prisma_migrations as rolled back before starting again.`,
      );
    }
    const report: MigrationReport = { applied: [], alreadyApplied: 0 };
    for (const m of migrations) {
      const done = byName.get(m.name);
      if (done) {
        if (done.checksum !== m.checksum) {
          throw new MigrationError(
            `Migration ${m.name} was changed after it was applied (checksum differs). Applied migrations must never be edited: restore the file and add a new migration instead.`,
          );
        }
        report.alreadyApplied++;
        continue;
      }
      await db.exec("BEGIN");
      try {
        await db.exec(m.sql);
        await db.query(`INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), $3, 1)`, [crypto.randomUUID(), m.checksum, m.name]);
        await db.exec("COMMIT");
      } catch (err) {
        await db.exec("ROLLBACK");
        throw new MigrationError(`Migration ${m.name} failed and was rolled back: ${(err as Error).message}`);
      }
      report.applied.push(m.name);
    }
    return report;
  } finally {
    await db.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]);
  }
}
