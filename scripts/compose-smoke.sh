#!/usr/bin/env bash
# Smoke test of the compose deployment, for CI and for anyone changing the
# Dockerfile or the compose files:
#
#   seed base images (local file only) -> build -> start -> app healthy ->
#   health, catalog, sign-up, a lab session until `ready`, a terminal echo
#   over the WebSocket, end the session (scripts/compose-smoke.ts) ->
#   the session's sandbox is gone -> tear everything down, also on failure.
#
# Installs nothing. Needs: Docker, `docker-compose` (Debian package
# docker-compose; or set COMPOSE="docker compose"), and this repository's
# node_modules (npm ci) for the client. Run as root where the compose file
# gives the app the host's cgroups (it does).
#
# Env:
#   SMOKE_COMPOSE_FILE  default docker-compose.local.yml (no registry, no
#                       Docker networks); docker-compose.yml on normal hosts
#   SMOKE_EXPECT_LABS   labs the catalog must list (default: labs/*/lab.md)
#   SMOKE_KEEP=1        leave the stack running for inspection (prints how
#                       to remove it)
# Everything it creates is named labs-smoke-<pid> (compose project, volumes,
# LABS_INSTANCE of the sandboxes). The images runtime-labs/app:smoke and
# runtime-labs/node:smoke stay as the build cache of the next run.
set -euo pipefail
cd "$(dirname "$0")/.."

COMPOSE_FILE_PATH="${SMOKE_COMPOSE_FILE:-docker-compose.local.yml}"
read -r -a compose_cmd <<<"${COMPOSE:-docker-compose}"
project="labs-smoke-$$"
export COMPOSE_PROJECT_NAME="$project" LABS_INSTANCE="$project"
export LABS_APP_IMAGE=runtime-labs/app:smoke LABS_NODE_IMAGE=runtime-labs/node:smoke
# No warm pool: the smoke test measures (and exercises) a cold start.
export POOL_SIZE=0
# Its own app URL and this engine only, whatever the caller's environment says.
unset PUBLIC_URL DOCKER_HOSTS
# The stack runs on the host's ordinary engine; its sandboxes on the sandbox
# engine (scripts/sandbox-engine.sh), whose socket the app gets mounted.
SANDBOX_HOST="${DOCKER_HOST:-unix:///run/runtime-labs/docker.sock}"
unset DOCKER_HOST
export SANDBOX_SOCKET="${SANDBOX_HOST#unix://}"
sandbox_docker() { DOCKER_HOST="$SANDBOX_HOST" docker "$@"; }
# Lets the client read /api/metrics however its requests reach the app.
METRICS_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export METRICS_TOKEN
# The classic builder, as scripts/build-images.sh uses: no buildx needed,
# and the two share a layer cache.
export DOCKER_BUILDKIT="${DOCKER_BUILDKIT:-0}"

log() { printf '\033[1m[compose-smoke]\033[0m %s\n' "$*"; }
fail() { log "FAILED: $*" >&2; exit 1; }
now_ms() { date +%s%3N; }
compose() { "${compose_cmd[@]}" -f "$COMPOSE_FILE_PATH" "$@"; }
T0=$(now_ms)
timings=()
# timed LABEL CMD...: runs CMD, records and prints its duration.
timed() {
  local label=$1 t
  shift
  t=$(now_ms)
  "$@"
  timings+=("$label $(( $(now_ms) - t )) ms")
  log "$label: $(( $(now_ms) - t )) ms"
}

command -v docker >/dev/null || fail "docker is not installed."
docker version >/dev/null 2>&1 || fail "Docker is not answering; start dockerd and retry."
sandbox_docker version >/dev/null 2>&1 || fail "the sandbox engine is not answering at $SANDBOX_HOST; start it: sudo bash scripts/sandbox-engine.sh start"
"${compose_cmd[@]}" version >/dev/null 2>&1 || fail "${compose_cmd[*]} is not installed (apt-get install -y docker-compose, or set COMPOSE=\"docker compose\")."
[ -d node_modules/tsx ] || fail "node_modules is missing; run npm ci first (the smoke client runs on the host)."

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
if [ "$COMPOSE_FILE_PATH" = docker-compose.local.yml ]; then
  LABS_PORT=$(free_port)
  LABS_DB_PORT=$(free_port)
  export LABS_PORT LABS_DB_PORT
  url="http://127.0.0.1:$LABS_PORT"
else
  export LABS_PORT="${LABS_PORT:-$(free_port)}"
  url="http://127.0.0.1:$LABS_PORT"
  export PUBLIC_URL="$url"
fi
expect_labs="${SMOKE_EXPECT_LABS:-$(find labs -mindepth 2 -maxdepth 2 -name lab.md | wc -l)}"
build_log=$(mktemp /tmp/compose-smoke-build.XXXXXX)

# Sandboxes the app made and did not remove (it was killed, or the test
# failed before ending the session), and their host-side cgroup fences.
remove_sandboxes() {
  local filter="label=dev.runtimelabs.instance=$project" ids d
  mapfile -t ids < <(sandbox_docker ps -aq --filter "$filter")
  if [ ${#ids[@]} -gt 0 ]; then sandbox_docker rm -f "${ids[@]}" >/dev/null; fi
  mapfile -t ids < <(sandbox_docker volume ls -q --filter "$filter")
  if [ ${#ids[@]} -gt 0 ]; then sandbox_docker volume rm "${ids[@]}" >/dev/null; fi
  # Deepest first: a cgroup directory can only go once its children have.
  for d in /sys/fs/cgroup/*/runtime-labs/"$project" /sys/fs/cgroup/runtime-labs/"$project"; do
    if [ -d "$d" ]; then find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true; fi
  done
}

teardown() {
  local code=$?
  trap - EXIT
  if [ "$code" -ne 0 ]; then
    log "last app and database logs:"
    compose logs --no-color --tail=60 app db 2>&1 | sed 's/^/    /' || true
  fi
  if [ "${SMOKE_KEEP:-0}" = 1 ]; then
    log "SMOKE_KEEP=1: left running. Remove with: COMPOSE_PROJECT_NAME=$project ${compose_cmd[*]} -f $COMPOSE_FILE_PATH down -v"
  else
    local t
    t=$(now_ms)
    compose down -v --remove-orphans --timeout 20 >/dev/null 2>&1 || log "compose down reported an error"
    remove_sandboxes
    log "teardown: $(( $(now_ms) - t )) ms"
  fi
  rm -f "$build_log"
  if [ "$code" -eq 0 ]; then
    local joined
    joined=$(printf '%s, ' "${timings[@]}")
    log "passed in $(( $(now_ms) - T0 )) ms (${joined%, })"
  else
    log "FAILED after $(( $(now_ms) - T0 )) ms (exit $code)"
  fi
  exit "$code"
}
trap teardown EXIT
# Interrupted (Ctrl-C, a CI timeout): exit, which runs the teardown.
trap 'exit 130' INT TERM

log "project $project, file $COMPOSE_FILE_PATH, app at $url"
seed() { bash scripts/seed-local-images.sh >"$build_log" 2>&1 || { cat "$build_log" >&2; fail "seeding the local base images failed (output above)."; }; }
if [ "$COMPOSE_FILE_PATH" = docker-compose.local.yml ]; then timed "seed local base images" seed; fi

build() {
  compose build >"$build_log" 2>&1 || { tail -n 40 "$build_log" >&2; fail "the images did not build (output above)."; }
}
timed "build images" build
# The node image goes where sandboxes run (the cached copy is reused when unchanged).
load_node_image() {
  [ "$(docker image inspect -f '{{.Id}}' "$LABS_NODE_IMAGE")" = "$(sandbox_docker image inspect -f '{{.Id}}' "$LABS_NODE_IMAGE" 2>/dev/null)" ] && return 0
  docker save "$LABS_NODE_IMAGE" | sandbox_docker load -q >/dev/null || fail "could not load $LABS_NODE_IMAGE into the sandbox engine."
}
timed "node image into the sandbox engine" load_node_image

wait_healthy() {
  local id status deadline=$(( $(date +%s) + 180 ))
  id=$(compose ps -q app)
  [ -n "$id" ] || fail "the app container was not created."
  while :; do
    status=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$id")
    case "$status" in
      healthy) return 0 ;;
      unhealthy|exited|dead) fail "the app is $status." ;;
    esac
    [ "$(date +%s)" -lt "$deadline" ] || fail "the app is still $status after 180 s."
    sleep 1
  done
}
start() { compose up -d --no-build >"$build_log" 2>&1 || { cat "$build_log" >&2; fail "the stack did not start (output above)."; }; }
timed "start stack" start
timed "app healthy" wait_healthy

timed "client" node --import tsx scripts/compose-smoke.ts --url "$url" --labs "$expect_labs" --metrics-token "$METRICS_TOKEN"

# Ending the session must have removed its node container and volume.
sandbox_gone() {
  local deadline=$(( $(date +%s) + 15 ))
  while [ -n "$(sandbox_docker ps -aq --filter "label=dev.runtimelabs.instance=$project")" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "the session ended but its sandbox container is still there."
    sleep 0.5
  done
}
timed "sandbox removed" sandbox_gone
