/**
 * The soak's PostgreSQL: a throwaway server on 127.0.0.1 (the integration
 * tests' harness), one database for the platform under test, and the two
 * things the soak does to it besides: terminate the server's connections
 * (a fault) and read the sessions back (verification).
 */
import pg from "pg";
import { startTestPostgres, type TestPostgres } from "../../test/support/postgres";

/** Connections the soak itself opens say so, and are never terminated by the fault. */
const SOAK_APPLICATION = "runtime-labs-soak";
const DATABASE = "soak";

export interface SessionRow {
  id: string;
  userId: string;
  state: string;
  stateReason: string | null;
  replacedById: string | null;
  sandboxId: string | null;
  createdAt: Date;
}

export class SoakDatabase {
  private constructor(
    private readonly server: TestPostgres,
    /** The platform's DATABASE_URL. */
    readonly url: string,
  ) {}

  static async start(): Promise<SoakDatabase> {
    const server = await startTestPostgres();
    const admin = new pg.Client({ connectionString: server.url, application_name: SOAK_APPLICATION });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${DATABASE}`);
    await admin.end();
    const url = new URL(server.url);
    url.pathname = `/${DATABASE}`;
    return new SoakDatabase(server, url.toString());
  }

  private async withClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const c = new pg.Client({ connectionString: this.url, application_name: SOAK_APPLICATION });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  }

  /** The fault: ends every connection the platform holds (pg_terminate_backend). Returns how many. */
  dropServerConnections(): Promise<number> {
    return this.withClient(async (c) => {
      const r = await c.query<{ n: number }>(
        `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
          WHERE datname = $1 AND pid <> pg_backend_pid() AND application_name IS DISTINCT FROM $2`,
        [DATABASE, SOAK_APPLICATION],
      );
      return r.rows[0]!.n;
    });
  }

  /** Every lab session the platform recorded. */
  sessions(): Promise<SessionRow[]> {
    return this.withClient(async (c) => {
      const r = await c.query<SessionRow>(`SELECT id, "userId", state::text AS state, "stateReason", "replacedById", "sandboxId", "createdAt" FROM lab_sessions ORDER BY "createdAt"`);
      return r.rows;
    });
  }

  stop(): Promise<void> {
    return this.server.stop();
  }
}
