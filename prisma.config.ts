import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { defineConfig } from "prisma/config";

// Used by `prisma generate` and by scripts/new-migration.sh, which diffs the
// schema against a throwaway PGlite (DATA_DIR) holding the committed
// migrations. The app applies migrations itself (server/db/migrations.ts).
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  adapter: async () => new PrismaPGlite(new PGlite(path.join(process.env.DATA_DIR || ".data", "pglite"))),
});
