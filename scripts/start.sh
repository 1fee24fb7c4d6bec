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
# After a reboot the sandbox engine (set up by `npm run setup`) is down: bring
# it back when we may (root, no other engine configured).
if [ -z "${DOCKER_HOST:-}${DOCKER_HOSTS:-}" ] && [ "$(id -u)" = 0 ] && [ -f "/var/lib/${LABS_ENGINE_NAME:-runtime-labs}-engine/disk.btrfs" ] &&
  ! bash scripts/sandbox-engine.sh status >/dev/null 2>&1; then
  bash scripts/sandbox-engine.sh start >/dev/null
fi
# exec: this shell becomes the server, so SIGTERM and SIGINT sent to it (or
# forwarded by `npm start`) reach server/main.ts's graceful shutdown. Node with
# tsx as a loader, not npx or tsx's CLI: each of those is one more process in
# between that a signal has to be relayed through (npx's `sh -c` does not).
exec node --import tsx server/main.ts
