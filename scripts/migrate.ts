// `npm run db:migrate`: apply committed migrations to the configured database
// (the app also does this at every start).
import { resolveDatabaseTarget } from "../server/db/adapters";
import { openDatabase } from "../server/db/database";
import { parseEnv } from "../server/env";

async function main() {
  const env = parseEnv();
  const db = await openDatabase(resolveDatabaseTarget(env.DATABASE_URL, env.dataDir));
  const { applied, alreadyApplied } = db.migrations;
  console.log(`${db.description}: ${applied.length} migration(s) applied${applied.length ? ` (${applied.join(", ")})` : ""}, ${alreadyApplied} already in place.`);
  await db.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
