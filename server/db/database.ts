import path from "node:path";
import { PrismaClient } from "../generated/prisma/client";
import { describeTarget, openDriver, type DatabaseTarget } from "./adapters";
import { applyMigrations, readMigrations, type MigrationReport } from "./migrations";

const MIGRATIONS_DIR = path.resolve(__dirname, "../../prisma/migrations");

/** An open database: the Prisma client and what it is connected to. */
export interface Database {
  prisma: PrismaClient;
  target: DatabaseTarget;
  description: string;
  migrations: MigrationReport;
  /** Round trip to the database; throws when it does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the database, brings its schema up to date with the committed
 * migrations, and returns a Prisma client bound to it.
 */
export async function openDatabase(target: DatabaseTarget, migrationsDir = MIGRATIONS_DIR): Promise<Database> {
  const driver = await openDriver(target);
  try {
    const migrations = await driver.withSession((sql) => applyMigrations(sql, readMigrations(migrationsDir)));
    const prisma = new PrismaClient({ adapter: driver.adapter });
    return {
      prisma,
      target,
      description: describeTarget(target),
      migrations,
      ping: async () => {
        await driver.sql.query("SELECT 1");
      },
      close: async () => {
        await prisma.$disconnect();
        await driver.close();
      },
    };
  } catch (err) {
    await driver.close();
    throw err;
  }
}

/**
 * Opens the database as it is, without migrating: for tools that only read
 * (`labs sandbox ls`) and must not change the schema of a database a server
 * of another version may be using.
 */
export async function openDatabaseAsIs(target: DatabaseTarget): Promise<Pick<Database, "prisma" | "close">> {
  const driver = await openDriver(target);
  const prisma = new PrismaClient({ adapter: driver.adapter });
  return {
    prisma,
    close: async () => {
      await prisma.$disconnect();
      await driver.close();
    },
  };
}
