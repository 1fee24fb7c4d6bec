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

current="$(docker image inspect -f "{{ index .Config.Labels \"$HASH_LABEL\" }}" "$NODE_IMAGE" 2>/dev/null || true)"
if [ "$current" = "$HASH" ] && [ "${FORCE:-0}" != 1 ]; then
  log "$NODE_IMAGE is up to date (images hash $HASH); nothing to build. ($(( $(now_ms) - T0 )) ms)"
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
