import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterEach, describe, expect, inject, it } from "vitest";
import { DATABASE_KINDS, freshDatabase } from "../../test/support/databases";
import { resolveDatabaseTarget } from "./adapters";
import { openDatabase } from "./database";

const REAL_MIGRATIONS = path.resolve(__dirname, "../../prisma/migrations");

/** A copy of the committed migrations that a test may change. */
function copyMigrations(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "migrations-"));
  fs.cpSync(REAL_MIGRATIONS, dir, { recursive: true });
  return dir;
}

describe.each(DATABASE_KINDS)("migrations on %s", (kind) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  async function target() {
    const db = await freshDatabase(kind);
    cleanups.push(db.cleanup);
    return resolveDatabaseTarget(db.DATABASE_URL, db.DATA_DIR);
  }

  it("applies once, records in _prisma_migrations, and is a no-op the second time", async () => {
    const t = await target();
    const first = await openDatabase(t);
    const names = fs.readdirSync(REAL_MIGRATIONS).filter((n) => fs.statSync(path.join(REAL_MIGRATIONS, n)).isDirectory());
    expect(first.migrations.applied).toEqual(names.sort());
    const rows = await first.prisma.$queryRawUnsafe<{ migration_name: string; finished_at: Date | null }[]>(`SELECT migration_name, finished_at FROM "_prisma_migrations" ORDER BY migration_name`);
    expect(rows.map((r) => r.migration_name)).toEqual(names.sort());
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
    await first.close();

    const second = await openDatabase(t);
    expect(second.migrations).toEqual({ applied: [], alreadyApplied: names.length });
    await second.close();
  });

  it("refuses to start when an applied migration was edited", async () => {
    const t = await target();
    const dir = copyMigrations();
    await (await openDatabase(t, dir)).close();
    const [first] = fs.readdirSync(dir).filter((n) => n !== "migration_lock.toml");
    fs.appendFileSync(path.join(dir, first!, "migration.sql"), "\n-- edited later\n");
    await expect(openDatabase(t, dir)).rejects.toThrow(/was changed after it was applied/);
    fs.rmSync(dir, { recursive: true });
  });

  it("rolls back a failing migration completely and names it", async () => {
    const t = await target();
    const dir = copyMigrations();
    const bad = path.join(dir, "99990101000000_broken");
    fs.mkdirSync(bad);
    fs.writeFileSync(path.join(bad, "migration.sql"), `CREATE TABLE "half_done" (id int);\nSELECT * FROM no_such_table;\n`);
    await expect(openDatabase(t, dir)).rejects.toThrow(/Migration 99990101000000_broken failed and was rolled back/);
    // The good migrations stayed; the broken one left nothing behind.
    fs.rmSync(bad, { recursive: true });
    const db = await openDatabase(t, dir);
    const tables = await db.prisma.$queryRawUnsafe<{ n: bigint | number }[]>(`SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'half_done'`);
    expect(Number(tables[0]!.n)).toBe(0);
    expect(db.migrations.applied).toEqual([]);
    await db.close();
    fs.rmSync(dir, { recursive: true });
  });
});

// Only a server database has several processes starting at once (PGlite is
// one process's file).
describe("migrations on postgres, two servers", () => {
  it("survives the server closing its idle connections (a restart), and reconnects", async () => {
    const db = await freshDatabase("postgres");
    const t = resolveDatabaseTarget(db.DATABASE_URL, db.DATA_DIR);
    const opened = await openDatabase(t);
    try {
      await opened.ping();
      const name = new URL(db.DATABASE_URL!).pathname.slice(1);
      const admin = new pg.Client({ connectionString: inject("postgresUrl") });
      await admin.connect();
      const killed = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [name]);
      await admin.end();
      expect(killed.rowCount).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 200)); // the pool sees its idle clients die
      await opened.ping(); // a fresh connection; no crash
    } finally {
      await opened.close();
      await db.cleanup();
    }
  });

  it("lets two servers start at once: one applies, the other waits on the lock and applies nothing", async () => {
    const db = await freshDatabase("postgres");
    const t = resolveDatabaseTarget(db.DATABASE_URL, db.DATA_DIR);
    const [a, b] = await Promise.all([openDatabase(t), openDatabase(t)]);
    try {
      const names = fs.readdirSync(REAL_MIGRATIONS).filter((n) => fs.statSync(path.join(REAL_MIGRATIONS, n)).isDirectory());
      expect([a.migrations.applied.length, b.migrations.applied.length].sort()).toEqual([0, names.length]);
      // The lock was released on the connection that took it: a third start does not hang.
      const c = await openDatabase(t);
      expect(c.migrations.applied).toEqual([]);
      await c.close();
    } finally {
      await a.close();
      await b.close();
      await db.cleanup();
    }
  });
});
