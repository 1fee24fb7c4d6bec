#!/usr/bin/env bash
# Writes a new migration: the SQL difference between the schema the latest
# migration was written from and prisma/schema.prisma.
#   npm run db:new-migration -- <snake_case_name>
#
# Each migration directory keeps a copy of the schema it was generated from
# (schema.prisma beside migration.sql), so the diff is datamodel to datamodel
# and needs no database: `prisma migrate dev` and shadow-database diffs do not
# work with the WebAssembly schema engine we are limited to (no native engine
# downloads). Never edit an applied migration: change the schema, run this.
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: npm run db:new-migration -- <snake_case_name>}
[[ $name =~ ^[a-z0-9_]+$ ]] || { echo "migration name must be snake_case: $name" >&2; exit 2; }
export PRISMA_SCHEMA_ENGINE_BINARY=/bin/false PRISMA_QUERY_ENGINE_LIBRARY=/dev/null PRISMA_HIDE_UPDATE_MESSAGE=1

latest=$(ls -d prisma/migrations/*/ 2>/dev/null | sort | tail -n 1 || true)
if [ -n "$latest" ]; then
  [ -f "$latest/schema.prisma" ] || { echo "$latest has no schema.prisma snapshot to diff from" >&2; exit 1; }
  from=(--from-schema-datamodel "$latest/schema.prisma")
else
  from=(--from-empty)
fi
# prisma.config.ts opens a throwaway PGlite under DATA_DIR: it must exist.
mkdir -p "${DATA_DIR:-.data}"
if ! sql=$(npx prisma migrate diff "${from[@]}" --to-schema-datamodel prisma/schema.prisma --script 2>/tmp/new-migration.err); then
  cat /tmp/new-migration.err >&2; echo "prisma migrate diff failed (above)" >&2; exit 1
fi
if ! grep -qvE '^\s*(--.*)?$' <<<"$sql"; then
  echo "No schema changes since ${latest:-the start}: nothing to write."; exit 0
fi
dir="prisma/migrations/$(date -u +%Y%m%d%H%M%S)_${name}"
mkdir -p "$dir"
printf '%s\n' "$sql" >"$dir/migration.sql"
cp prisma/schema.prisma "$dir/schema.prisma"
[ -f prisma/migrations/migration_lock.toml ] || printf 'provider = "postgresql"\n' >prisma/migrations/migration_lock.toml
echo "Wrote $dir/migration.sql"
