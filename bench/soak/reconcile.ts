/**
 * One reconcile pass of the platform's own code (SessionService.reconcile)
 * over the soak's database and instance, after the server has stopped: with
 * no warm pool and no grace period, everything no live session holds is an
 * orphan and is removed, as a running server removes it two minutes later.
 */
import { parseEnv } from "../../server/env";
import { createServices } from "../../server/services";

export interface ReconcileTarget {
  dataDir: string;
  databaseUrl: string;
  instance: string;
  labsDir: string;
}

export async function reconcileOnce(t: ReconcileTarget): Promise<{ removed: string[]; ended: string[] }> {
  const env = parseEnv({ NODE_ENV: "production", DATA_DIR: t.dataDir, DATABASE_URL: t.databaseUrl, LABS_INSTANCE: t.instance, LABS_DIR: t.labsDir, POOL_SIZE: "0", LOG_LEVEL: "warn" });
  const services = await createServices(env, { sessionConfig: { poolSize: 0, orphanGraceMs: 0 } });
  try {
    return await services.sessions.reconcile({ adopt: false });
  } finally {
    await services.close();
  }
}
