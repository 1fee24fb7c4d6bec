#!/usr/bin/env bash
# Seeds the base images docker-compose.local.yml uses, on machines that reach
# the npm registry and Debian's mirror but no image registry (ours and CI's):
#
#   runtime-labs/local-node:20      stand-in for node:20-bookworm-slim:
#                                   debian:bookworm-slim + Node from the npm
#                                   package node-linux-<arch> + npm from the
#                                   npm package npm
#   runtime-labs/local-postgres:15  stand-in for postgres:15-bookworm:
#                                   debian:bookworm-slim + Debian's postgresql-15
#
# Both are named as ours on purpose: an official tag must only ever mean the
# official image. Machines with a registry do not need this script:
# `docker compose up` pulls node:20-bookworm-slim and postgres:15-bookworm.
#
# Idempotent: each image carries a hash of its inputs and is rebuilt only
# when they change (FORCE=1 rebuilds anyway).
#
# Env: LOCAL_NODE_IMAGE, LOCAL_POSTGRES_IMAGE (tags), NODE_VERSION (default
# 20.20.2), NPM_VERSION (default 10.9.8), BASE_IMAGE (default debian:bookworm-slim),
# LOCAL_CA_BUNDLE (default: $NODE_EXTRA_CA_CERTS): a PEM bundle the Node
# stand-in trusts in addition to Node's own roots, for hosts that reach the
# npm registry through a TLS-inspecting proxy; "none" for no extra CAs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$ROOT/deploy/local-images"
LOCAL_NODE_IMAGE="${LOCAL_NODE_IMAGE:-runtime-labs/local-node:20}"
LOCAL_POSTGRES_IMAGE="${LOCAL_POSTGRES_IMAGE:-runtime-labs/local-postgres:15}"
NODE_VERSION="${NODE_VERSION:-20.20.2}"
NPM_VERSION="${NPM_VERSION:-10.9.8}"
BASE_IMAGE="${BASE_IMAGE:-debian:bookworm-slim}"
LOCAL_CA_BUNDLE="${LOCAL_CA_BUNDLE:-${NODE_EXTRA_CA_CERTS:-none}}"
HASH_LABEL="dev.runtimelabs.local-standin-hash"

log() { printf '[local-images] %s\n' "$*"; }
now_ms() { date +%s%3N; }
T0=$(now_ms)
built=0

if ! docker version >/dev/null 2>&1; then
  log "Docker is not answering. Start it (e.g. 'dockerd --bridge=none --iptables=false &') and retry." >&2
  exit 1
fi

# Hash of a directory's files plus extra words (versions, base image id).
inputs_hash() {
  local dir=$1; shift
  { (cd "$dir" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum); printf '%s\n' "$@"; } | sha256sum | cut -c1-16
}
up_to_date() {
  [ "${FORCE:-0}" != 1 ] &&
    [ "$(docker image inspect -f "{{ index .Config.Labels \"$HASH_LABEL\" }}" "$1" 2>/dev/null || true)" = "$2" ]
}
# docker build with the classic builder (no buildx needed) and the host's
# network (dockerd may run without a bridge); prints only the step lines.
build() {
  local tag=$1 hash=$2 context=$3; shift 3
  DOCKER_BUILDKIT=0 docker build --network host --build-arg "BASE_IMAGE=$BASE_IMAGE" "$@" \
    --label "$HASH_LABEL=$hash" -t "$tag" "$context" 2>&1 |
    while IFS= read -r line; do
      case "$line" in Step*|Successfully*|E:*|*rror*) printf '[local-images]   %s\n' "$line" ;; esac
    done
  [ "${PIPESTATUS[0]}" -eq 0 ] || { log "build of $tag FAILED" >&2; exit 1; }
}

bash "$ROOT/scripts/seed-base-image.sh"
base_id=$(docker image inspect -f '{{.Id}}' "$BASE_IMAGE")

# --- Node ----------------------------------------------------------------------
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) log "no node-linux-* npm package is known for $(uname -m); set LOCAL_NODE_IMAGE to an image you built." >&2; exit 1 ;;
esac
ca_args=()
ca_hash=none
if [ "$LOCAL_CA_BUNDLE" != none ]; then
  [ -r "$LOCAL_CA_BUNDLE" ] || { log "LOCAL_CA_BUNDLE=$LOCAL_CA_BUNDLE is not a readable file (use \"none\" for no extra CAs)." >&2; exit 1; }
  ca_hash=$(sha256sum <"$LOCAL_CA_BUNDLE" | cut -c1-16)
  ca_args=(--build-arg EXTRA_CA_BUNDLE=extra-ca.crt)
fi
hash=$(inputs_hash "$SRC/node" "node-linux-$arch@$NODE_VERSION" "npm@$NPM_VERSION" "$base_id" "ca:$ca_hash")
if up_to_date "$LOCAL_NODE_IMAGE" "$hash"; then
  log "$LOCAL_NODE_IMAGE is up to date (Node $NODE_VERSION, npm $NPM_VERSION)"
else
  t=$(now_ms)
  work=$(mktemp -d /tmp/local-node.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  log "fetching node-linux-$arch@$NODE_VERSION and npm@$NPM_VERSION from the npm registry"
  (cd "$work" && npm pack --silent "node-linux-$arch@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  mkdir -p "$work/node" "$work/npm" "$work/ca"
  if [ "$LOCAL_CA_BUNDLE" != none ]; then
    log "the stand-in will also trust the CAs in $LOCAL_CA_BUNDLE"
    cp "$LOCAL_CA_BUNDLE" "$work/ca/extra-ca.crt"
  fi
  tar -xzf "$work"/node-linux-"$arch"-*.tgz -C "$work/node" --strip-components=1
  tar -xzf "$work"/npm-*.tgz -C "$work/npm" --strip-components=1
  cp "$SRC/node/Dockerfile" "$work/Dockerfile"
  log "building $LOCAL_NODE_IMAGE"
  build "$LOCAL_NODE_IMAGE" "$hash" "$work" "${ca_args[@]}"
  built=1
  rm -rf "$work"
  trap - EXIT
  log "built $LOCAL_NODE_IMAGE in $(( $(now_ms) - t )) ms"
fi

# --- PostgreSQL ------------------------------------------------------------------
hash=$(inputs_hash "$SRC/postgres" "$base_id")
if up_to_date "$LOCAL_POSTGRES_IMAGE" "$hash"; then
  log "$LOCAL_POSTGRES_IMAGE is up to date"
else
  t=$(now_ms)
  log "building $LOCAL_POSTGRES_IMAGE (apt-get from Debian's mirror)"
  build "$LOCAL_POSTGRES_IMAGE" "$hash" "$SRC/postgres"
  built=1
  log "built $LOCAL_POSTGRES_IMAGE in $(( $(now_ms) - t )) ms"
fi

# Earlier builds of the stand-ins are now untagged: keep the host tidy.
if [ "$built" = 1 ]; then docker image prune -f --filter "label=$HASH_LABEL" >/dev/null 2>&1 || true; fi
log "done in $(( $(now_ms) - T0 )) ms"
