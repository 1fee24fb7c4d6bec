import type { TestProject } from "vitest/node";
import { startTestPostgres } from "./postgres";

/**
 * One PostgreSQL server for the whole integration run; each test file makes
 * its own database on it (see test/support/databases.ts).
 */
export default async function setup(project: TestProject) {
  const pg = await startTestPostgres();
  project.provide("postgresUrl", pg.url);
  return () => pg.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}
