#!/usr/bin/env bash
# `npm start`: serve the production build on $PORT (default 3000).
# Builds first when there is no build yet (setup normally did it).
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_ENV=production NEXT_TELEMETRY_DISABLED=1
if [ ! -f .next/BUILD_ID ]; then
  echo "[runtime-labs] no production build found: running \`npm run build\` first ..."
  npx next build
fi
exec npx tsx server/main.ts
