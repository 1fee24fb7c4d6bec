#!/usr/bin/env bash
# The sandbox engine: a Docker engine of its own for learners' nodes, with
# user-namespace remapping (root in a node is an unprivileged uid on the host)
# and a data-root on a btrfs filesystem (a sparse file, loop-mounted) with
# quota groups, so each node's writable layer, containerd's state included,
# gets a size limit. Platform
# containers (app, PostgreSQL) stay on the host's ordinary engine.
#
#   bash scripts/sandbox-engine.sh start    # idempotent; prints the socket
#   bash scripts/sandbox-engine.sh stop
#   bash scripts/sandbox-engine.sh reset    # stop, and drop the disk (all nodes)
#   bash scripts/sandbox-engine.sh status   # exit 0 when it answers
#   bash scripts/sandbox-engine.sh env      # prints DOCKER_HOST=... for it
#   bash scripts/sandbox-engine.sh load IMAGE  # copies an image from the
#                                           # host's ordinary engine into it
#
# Needs root, dockerd (Debian: docker.io), mkfs.btrfs (btrfs-progs) and a
# loop device. Why each flag is here: docs/isolation.md.
#
# Env (all optional):
#   LABS_ENGINE_NAME     default runtime-labs; names the socket, state, log
#   LABS_ENGINE_DISK_GB  size of the sparse btrfs image holding every node's
#                        disk (default: 64, or half the free space if less)
#   LABS_ENGINE_STATE    default /var/lib/<name>-engine
set -euo pipefail

name="${LABS_ENGINE_NAME:-runtime-labs}"
run_dir="/run/$name"
socket="$run_dir/docker.sock"
state="${LABS_ENGINE_STATE:-/var/lib/$name-engine}"
image="$state/disk.btrfs"
root="$state/root"
pidfile="$run_dir/dockerd.pid"
logfile="/var/log/$name-engine.log"

say() { printf '\033[1m[sandbox-engine]\033[0m %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }
answers() { DOCKER_HOST="unix://$socket" docker version >/dev/null 2>&1; }

start() {
  [ "$(id -u)" = 0 ] || die "must run as root (it starts a Docker engine and mounts a filesystem)."
  command -v dockerd >/dev/null || die "dockerd is not installed (Debian: apt-get install docker.io)."
  if answers; then say "already running at unix://$socket"; echo "unix://$socket"; return 0; fi
  command -v mkfs.btrfs >/dev/null || die "mkfs.btrfs is not installed (Debian: apt-get install btrfs-progs)."
  mkdir -p "$state" "$root" "$run_dir"

  # 1. The disk: a sparse file, btrfs with quota groups, mounted with discard
  #    so that space freed inside (a removed sandbox) goes back to the host.
  if ! mountpoint -q "$root"; then
    if [ ! -f "$image" ]; then
      local free_gb size_gb
      free_gb=$(df -BG --output=avail "$state" | tail -1 | tr -dc 0-9)
      size_gb="${LABS_ENGINE_DISK_GB:-$(( free_gb / 2 < 64 ? free_gb / 2 : 64 ))}"
      [ "$size_gb" -ge 4 ] || die "only ${free_gb} GiB free under $state; the sandbox disk needs at least 4 GiB (set LABS_ENGINE_DISK_GB)."
      say "creating the sandbox disk: $image, sparse, ${size_gb} GiB (btrfs)"
      truncate -s "${size_gb}G" "$image"
      mkfs.btrfs -q "$image" >/dev/null || die "mkfs.btrfs failed on $image"
    fi
    mount -o loop,discard "$image" "$root" ||
      die "could not mount $image (is there a free loop device? 'losetup -f' tells)."
  fi
  # Quota groups: what makes Docker's per-container size limit work on btrfs.
  btrfs quota enable "$root" || die "could not enable btrfs quotas on $root"


  # 2. The engine. userns-remap=default creates the 'dockremap' user and its
  #    subordinate id ranges on first start. No bridge, no iptables: nodes
  #    run with NetworkMode none. The cgroupfs driver lets the platform put a
  #    host-side fence above each node (server/sandbox/providers/docker/cgroup-fence.ts).
  say "starting dockerd (user namespaces, data-root on $root, socket $socket)"
  printf '{}\n' >"$state/daemon.json"
  # runc without a session keyring per process. Why: every node's root is the
  # same host uid (100000), and the kernel allows one uid 200 keys
  # (kernel.keys.maxkeys); runc gives the node's init and every exec into it
  # (shells, checks, `ctr events`) a keyring of their own, so about 60 nodes
  # exhausted it and then nodes failed at "start node" with "disk quota
  # exceeded". --no-new-keyring on create/run is stored with the container,
  # so its execs skip the keyring too.
  cat >"$state/runc-no-keyring" <<'WRAPPER'
#!/bin/sh
# runc, with --no-new-keyring after the create/run subcommand (written by sandbox-engine.sh).
n=$#
added=0
while [ "$n" -gt 0 ]; do
  a="$1"; shift; n=$((n - 1))
  set -- "$@" "$a"
  if [ "$added" = 0 ] && { [ "$a" = create ] || [ "$a" = run ]; }; then set -- "$@" --no-new-keyring; added=1; fi
done
exec runc "$@"
WRAPPER
  chmod 755 "$state/runc-no-keyring"
  nohup dockerd \
    --config-file="$state/daemon.json" \
    --host="unix://$socket" \
    --data-root="$root" \
    --exec-root="$run_dir/exec" \
    --pidfile="$pidfile" \
    --userns-remap=default \
    --storage-driver=btrfs \
    --exec-opt native.cgroupdriver=cgroupfs \
    --add-runtime "runc-no-keyring=$state/runc-no-keyring" \
    --default-runtime runc-no-keyring \
    --containerd-namespace="$name-sandboxes" \
    --containerd-plugins-namespace="$name-sandboxes-plugins" \
    --bridge=none --iptables=false --ip-masq=false \
    >>"$logfile" 2>&1 </dev/null &
  for _ in $(seq 1 120); do answers && break; sleep 0.25; done
  answers || { tail -20 "$logfile" >&2; die "dockerd did not answer on $socket within 30 s (log: $logfile)."; }
  chmod 660 "$socket"
  say "ready: DOCKER_HOST=unix://$socket ($(DOCKER_HOST="unix://$socket" docker info --format '{{.SecurityOptions}}'))"
  echo "unix://$socket"
}

stop() {
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    local pid; pid=$(cat "$pidfile")
    kill -TERM "$pid"
    for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    say "stopped dockerd ($pid)"
  else
    say "not running"
  fi
  # -R: the engine bind-mounts its remapped root (100000.100000/...) inside.
  if mountpoint -q "$root"; then umount -R "$root" && say "unmounted $root"; fi
}

# A new, empty sandbox disk. Why it exists: with quota groups on, btrfs frees
# a removed node's subvolumes lazily (the btrfs-cleaner kernel thread), and
# after thousands of nodes the backlog of deleted subvolumes can keep that
# thread busy for hours, slowing every node creation. Dropping the disk file
# is instant; the node image is copied back in by 'npm run images' (~5 s).
reset() {
  stop
  rm -f "$image"
  say "removed $image; the next start creates an empty disk"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  reset) reset ;;
  status) if answers; then say "running at unix://$socket"; else say "not running"; exit 1; fi ;;
  env) echo "DOCKER_HOST=unix://$socket" ;;
  load)
    [ -n "${2:-}" ] || { echo "usage: $0 load IMAGE" >&2; exit 2; }
    answers || die "the sandbox engine is not running; start it first: $0 start"
    # Images are built on the ordinary engine (a user-namespaced engine
    # refuses --network host builds), then copied here.
    env -u DOCKER_HOST docker save "$2" | DOCKER_HOST="unix://$socket" docker load -q >/dev/null || die "could not load $2 into the sandbox engine"
    say "loaded $2 into unix://$socket"
    ;;
  *) echo "usage: $0 start|stop|reset|status|env|load IMAGE" >&2; exit 2 ;;
esac
