#!/usr/bin/env bash
# Make sure the base image `debian:bookworm-slim` exists locally.
#
# Why: our build machines reach Debian's mirror but no image registry, so
# `docker pull` fails there. On such machines we build an equivalent minimal
# rootfs with debootstrap and import it under the same tag, so the node
# Dockerfile stays an ordinary `FROM debian:bookworm-slim` that also works
# unchanged on machines with internet. Idempotent: does nothing if the image
# is already present.
set -euo pipefail

BASE_IMAGE="${BASE_IMAGE:-debian:bookworm-slim}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

log() { printf '[seed] %s\n' "$*"; }

if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  log "$BASE_IMAGE already present; nothing to do."
  exit 0
fi

log "$BASE_IMAGE not present; trying docker pull ..."
if timeout 60 docker pull "$BASE_IMAGE" >/dev/null 2>&1; then
  log "pulled $BASE_IMAGE."
  exit 0
fi

log "pull failed (no registry reachable); building $BASE_IMAGE with debootstrap from $MIRROR"
if ! command -v debootstrap >/dev/null 2>&1; then
  log "debootstrap is not installed: run 'apt-get install -y debootstrap' and retry." >&2
  exit 1
fi

ROOTFS="$(mktemp -d /tmp/seed-rootfs.XXXXXX)"
trap 'rm -rf "$ROOTFS"' EXIT
start=$(date +%s)
debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" >/tmp/seed-debootstrap.log 2>&1 || {
  log "debootstrap failed; last lines of /tmp/seed-debootstrap.log:" >&2
  tail -n 20 /tmp/seed-debootstrap.log >&2
  exit 1
}
# Like the official slim image: no apt lists or caches in the base layer.
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/cache/apt/archives/*.deb
# mktemp made the rootfs 0700, and tar records "./" with that mode: the
# image's / would be closed to every uid but root (gVisor's sandbox runs as
# nobody and fails "fork/exec /proc/self/exe: permission denied").
chmod 755 "$ROOTFS"
log "debootstrap done in $(( $(date +%s) - start ))s; importing as $BASE_IMAGE"
tar -C "$ROOTFS" -c . | docker import \
  --change 'CMD ["bash"]' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  - "$BASE_IMAGE" >/dev/null
log "imported $BASE_IMAGE in $(( $(date +%s) - start ))s total."
