#!/usr/bin/env bash
# Build the images Runtime Labs needs locally: today the "node" image
# (runtime-labs/node:dev), which bundles the lab images for nested containers.
#
# The image carries a label with a content hash of images/; when an image
# with that hash already exists the build is skipped, so reruns in CI are a
# fast no-op. FORCE=1 rebuilds anyway.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_IMAGE="${NODE_IMAGE:-runtime-labs/node:dev}"
HASH_LABEL="dev.runtimelabs.images-hash"

log() { printf '[images] %s\n' "$*"; }

# Images are built on the host's ordinary engine (a user-namespaced engine
# refuses `docker build --network host`, which apt-get needs where dockerd
# runs without a bridge) and then loaded into the engine sandboxes run on:
# DOCKER_HOST if set, else the sandbox engine (scripts/sandbox-engine.sh)
# when it runs, else the same ordinary engine.
SANDBOX_SOCKET="${LABS_SANDBOX_SOCKET:-/run/runtime-labs/docker.sock}"
TARGET="${DOCKER_HOST:-}"
[ -z "$TARGET" ] && [ -S "$SANDBOX_SOCKET" ] && TARGET="unix://$SANDBOX_SOCKET"
unset DOCKER_HOST
target_docker() { DOCKER_HOST="$TARGET" docker "$@"; }
now_ms() { date +%s%3N; }
T0=$(now_ms)

if ! docker version >/dev/null 2>&1; then
  log "Docker is not answering. Start it (e.g. 'dockerd --bridge=none --iptables=false &') and retry." >&2
  exit 1
fi

# Content hash of every file under images/ (path + content), independent of
# mtimes and of the order find returns files in. Markdown is documentation,
# not build input: editing it must not force a rebuild.
HASH="$(cd "$ROOT/images" && find . -type f ! -name '*.md' -print0 | LC_ALL=C sort -z |
  xargs -0 sha256sum | sha256sum | cut -c1-16)"

label_on() { "$@" image inspect -f "{{ index .Config.Labels \"$HASH_LABEL\" }}" "$NODE_IMAGE" 2>/dev/null || true; }
# copy_to_target: loads the built image into the sandboxes' engine when that
# is another engine and does not hold this build yet.
copy_to_target() {
  [ -n "$TARGET" ] || return 0
  if ! target_docker version >/dev/null 2>&1; then
    log "the sandbox engine at $TARGET is not answering; start it with: bash scripts/sandbox-engine.sh start" >&2
    exit 1
  fi
  if [ "$(label_on target_docker)" = "$HASH" ]; then
    log "$NODE_IMAGE is up to date on $TARGET"
    return 0
  fi
  local t; t=$(now_ms)
  docker save "$NODE_IMAGE" | target_docker load -q >/dev/null || { log "loading $NODE_IMAGE into $TARGET FAILED" >&2; exit 1; }
  target_docker image prune -f --filter "label=$HASH_LABEL" >/dev/null 2>&1 || true
  log "loaded $NODE_IMAGE into $TARGET in $(( $(now_ms) - t )) ms"
}

current="$(label_on docker)"
if [ "$current" = "$HASH" ] && [ "${FORCE:-0}" != 1 ]; then
  log "$NODE_IMAGE is up to date (images hash $HASH); nothing to build. ($(( $(now_ms) - T0 )) ms)"
  copy_to_target
  exit 0
fi

log "step 1/2: base image"
t=$(now_ms)
bash "$ROOT/scripts/seed-base-image.sh"
log "step 1/2 done in $(( $(now_ms) - t )) ms"

log "step 2/2: building $NODE_IMAGE (images hash $HASH${current:+, was $current})"
t=$(now_ms)
# The classic builder: no buildx plugin is needed, and --network host lets
# apt-get reach the Debian mirror on hosts whose dockerd runs without a bridge.
DOCKER_BUILDKIT=0 docker build --network host \
  --label "$HASH_LABEL=$HASH" \
  -f "$ROOT/images/node/Dockerfile" -t "$NODE_IMAGE" "$ROOT/images" |
  while IFS= read -r line; do
    case "$line" in
      Step*|Successfully*|" ---> Running"*|E:*|*rror*) printf '[images]   %s\n' "$line" ;;
    esac
  done
[ "${PIPESTATUS[0]}" -eq 0 ] || { log "build of $NODE_IMAGE FAILED" >&2; exit 1; }
log "step 2/2 done in $(( $(now_ms) - t )) ms"

# Old builds of the node image become dangling; keep the host tidy.
docker image prune -f --filter "label=$HASH_LABEL" >/dev/null 2>&1 || true
log "built $NODE_IMAGE ($(docker image inspect -f '{{.Size}}' "$NODE_IMAGE" | awk '{printf "%.0f MB", $1/1e6}')) in $(( $(now_ms) - T0 )) ms"
copy_to_target
