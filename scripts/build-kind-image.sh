#!/usr/bin/env bash
# Build the kind node image for cluster labs (images/kind-node): kindest/node
# plus gVisor. Needs Docker and internet access (it pulls kindest/node and
# downloads gVisor), so it is kept out of `npm run images`.
#   KIND_NODE_IMAGE  tag to build (default runtime-labs/kind-node:dev)
#   KIND_NODE_BASE   kindest/node image to start from
#   GVISOR_RELEASE   gVisor release, e.g. 20250512.0
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGE="${KIND_NODE_IMAGE:-runtime-labs/kind-node:dev}"
log() { printf '[kind-image] %s\n' "$*"; }

if ! docker version >/dev/null 2>&1; then
  log "Docker is not answering; start Docker (or Docker Desktop) and retry." >&2
  exit 1
fi
args=()
[ -n "${KIND_NODE_BASE:-}" ] && args+=(--build-arg "KIND_NODE_BASE=$KIND_NODE_BASE")
[ -n "${GVISOR_RELEASE:-}" ] && args+=(--build-arg "GVISOR_RELEASE=$GVISOR_RELEASE")
log "building $IMAGE"
t0=$(date +%s)
docker build "${args[@]}" -f "$ROOT/images/kind-node/Dockerfile" -t "$IMAGE" "$ROOT/images"
log "built $IMAGE in $(( $(date +%s) - t0 )) s"
if ! docker image inspect runtime-labs/node:dev >/dev/null 2>&1; then
  log "note: cluster labs also need runtime-labs/node:dev (the lab images come from it); run \`npm run images\`."
fi
