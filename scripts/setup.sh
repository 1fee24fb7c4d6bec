#!/usr/bin/env bash
# `npm run setup`: everything a fresh clone needs before `npm start`.
#   dependencies -> database (migrated) -> production build -> sandbox images
# Safe to run again; each step skips work that is already done.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then say "Node.js 20 or newer is required (found $(node -v))."; exit 1; fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing dependencies (npm ci) ..."
  npm ci --no-audit --no-fund
else
  say "dependencies are up to date"
fi

say "preparing the database ..."
npm run -s db:migrate

say "building the web app (next build) ..."
npx next build >/tmp/runtime-labs-build.log 2>&1 || { cat /tmp/runtime-labs-build.log; say "build failed (log above)"; exit 1; }

# Learners' nodes run on a Docker engine of their own: user namespaces and a
# disk cap per node (docs/isolation.md). Starting it needs root.
if [ -z "${DOCKER_HOST:-}${DOCKER_HOSTS:-}" ] && docker version >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    say "starting the sandbox engine (scripts/sandbox-engine.sh start) ..."
    bash scripts/sandbox-engine.sh start >/dev/null
  elif ! bash scripts/sandbox-engine.sh status >/dev/null 2>&1; then
    say "The sandbox engine is not running and starting it needs root. Run:"
    say "  sudo bash scripts/sandbox-engine.sh start && npm run images"
    say "Until then sandboxes will not start (or set SANDBOX_ISOLATION=shared-kernel-root SANDBOX_DISK_MB=0 for trusted learners only)."
  fi
fi

if docker version >/dev/null 2>&1; then
  say "building sandbox images (npm run images) ..."
  npm run -s images
else
  say "Docker is not reachable, so the sandbox images were not built."
  say "The catalog works without Docker; to run labs, start Docker and run: npm run images"
fi

say "done. Start the platform with: npm start   (then open http://127.0.0.1:${PORT:-3000})"
