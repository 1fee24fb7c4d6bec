#!/usr/bin/env bash
# A real cgroup v2 (unified) host for tests, on machines that are cgroup v1:
# a Debian 12 VM booted with QEMU under TCG (software emulation; KVM guests
# hang on our machines), built only from Debian's packages.
#
#   bash scripts/cgroup-v2-vm/vm.sh build         # the VM disk (cached by content)
#   bash scripts/cgroup-v2-vm/vm.sh run JOB.sh [OUT]  # boots, runs JOB.sh as root
#                                                 # in the guest, powers off;
#                                                 # copies the guest's /share/out
#                                                 # to OUT; exits with the job's
#                                                 # exit code
#   bash scripts/cgroup-v2-vm/vm.sh run scripts/cgroup-v2-vm/tier.sh OUT
#                                                 # the v2 tier of npm test
#   bash scripts/cgroup-v2-vm/vm.sh clean         # removes the cache
#
# In the guest: systemd with the unified hierarchy, Debian's docker.io
# (systemd cgroup driver) and the platform's own sandbox engine
# (scripts/sandbox-engine.sh: user namespaces, btrfs, cgroupfs driver), both
# running before the job starts. The repository is shared at /repo (virtio-9p),
# a scratch directory at /share (the job's log and exit code come back there),
# and the host's `node` binary is in the guest, so the platform's own code runs
# where the engine runs, as in production. The guest has no network (-nic none).
#
# Why a job per boot rather than a long-running VM reached over the network:
# user-namespaced nodes and the tamper-resistant host view need the platform
# on the engine's machine (it hands each node its cgroup and reads /proc), so
# the tests run inside; and a VM that powers off leaves nothing behind.
#
# Env (optional): LABS_VM_STATE (cache, default /var/lib/runtime-labs-v2vm),
# LABS_VM_MEMORY_MB (default 6144), LABS_VM_CPUS (default: the host's cores),
# LABS_VM_CPU (QEMU's -cpu model, default max),
# LABS_VM_TIMEOUT_S (default 2400), LABS_V2_* (passed to the job's
# environment, e.g. LABS_V2_FULL=1 for tier.sh), LABS_VM_IMAGES (images copied from the
# host's ordinary engine into the guest's engines; default runtime-labs/node:dev).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
state="${LABS_VM_STATE:-/var/lib/runtime-labs-v2vm}"
mirror="http://deb.debian.org/debian"
t0=$SECONDS

say() { printf '\033[1m[v2-vm +%ss]\033[0m %s\n' "$((SECONDS - t0))" "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# What the guest is made of. Changing any of these files rebuilds the disk.
packages=(systemd systemd-sysv udev dbus kmod iproute2 procps iptables ca-certificates apparmor
  linux-image-amd64 initramfs-tools docker.io btrfs-progs uidmap socat libstdc++6 e2fsprogs jq postgresql)
# The cache key: the build steps themselves (not the rest of this file), the
# guest's files, the engine script and the Node.js copied in.
key() {
  { declare -f build; cat "$here"/guest/* "$repo/scripts/sandbox-engine.sh"; node --version; printf '%s\n' "${packages[@]}"; } |
    sha256sum | cut -c1-16
}

need() { command -v "$1" >/dev/null || die "$1 is not installed (Debian: apt-get install $2)."; }

build() {
  [ "$(id -u)" = 0 ] || die "must run as root (debootstrap, mkfs with owners)."
  need debootstrap debootstrap
  need qemu-system-x86_64 qemu-system-x86
  need qemu-img qemu-utils
  need mkfs.ext4 e2fsprogs
  local k; k=$(key)
  local out="$state/$k"
  if [ -f "$out/disk.img" ] && [ -f "$out/vmlinuz" ] && [ -f "$out/initrd.img" ]; then
    say "VM disk cached: $out"
    echo "$out"; return 0
  fi
  rm -rf "$state"/*.partial
  local work="$state/$k.partial" rootfs="$state/$k.partial/rootfs"
  mkdir -p "$rootfs"
  say "debootstrap bookworm (${#packages[@]} packages and their dependencies) from $mirror"
  local include; include=$(IFS=,; echo "${packages[*]}")
  debootstrap --variant=minbase --include="$include" bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed (log: $work/debootstrap.log)"; }

  say "configuring the guest"
  echo "runtime-labs-v2" >"$rootfs/etc/hostname"
  printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' >"$rootfs/etc/fstab"
  chroot "$rootfs" passwd -d root >/dev/null
  install -m 0755 "$repo/scripts/sandbox-engine.sh" "$rootfs/usr/local/sbin/sandbox-engine.sh"
  install -m 0755 "$here/guest/runtime-labs-guest" "$rootfs/usr/local/sbin/runtime-labs-guest"
  install -m 0644 "$here/guest/runtime-labs-guest.service" "$rootfs/etc/systemd/system/runtime-labs-guest.service"
  ln -sf /etc/systemd/system/runtime-labs-guest.service "$rootfs/etc/systemd/system/multi-user.target.wants/runtime-labs-guest.service"
  # The platform's code runs in the guest with the host's Node.js (same glibc: both Debian 12).
  install -m 0755 "$(readlink -f "$(command -v node)")" "$rootfs/usr/local/bin/node"
  # Nothing in the guest needs these at boot; under TCG every unit costs seconds.
  for unit in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer systemd-timesyncd.service; do
    chroot "$rootfs" systemctl mask "$unit" >/dev/null 2>&1 || true
  done
  cp -L "$rootfs/vmlinuz" "$work/vmlinuz"
  cp -L "$rootfs/initrd.img" "$work/initrd.img"
  rm -rf "$rootfs/var/cache/apt/archives"/*.deb

  say "making the disk image (ext4, sparse, 24 GiB)"
  mkfs.ext4 -q -F -L rootfs -d "$rootfs" "$work/disk.img" 24G >/dev/null
  rm -rf "$rootfs"
  mv "$work" "$out"
  # Older builds are of no use once the inputs changed.
  find "$state" -mindepth 1 -maxdepth 1 -type d ! -name "$k" -exec rm -rf {} +
  say "VM disk built: $out ($(du -sh "$out/disk.img" | cut -f1) used)"
  echo "$out"
}

run() {
  local job="${1:-}" out="${2:-}"
  [ -n "$job" ] && [ -f "$job" ] || die "usage: $0 run JOB.sh [OUT_DIR] (a script to run as root in the guest)"
  local vm; vm=$(build)
  run_dir="$state/run-$$"
  mkdir -p "$run_dir/share"
  trap 'kill "$(cat "$run_dir/qemu.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$run_dir"' EXIT
  install -m 0755 "$job" "$run_dir/share/job.sh"
  # The job's settings: every LABS_V2_* variable of the caller.
  env | grep '^LABS_V2_' >"$run_dir/share/job.env" || true

  # Images: saved from the host's ordinary engine (where `npm run images`
  # builds them); the job loads them into the guest's engines it uses.
  local images="${LABS_VM_IMAGES:-runtime-labs/node:dev}"
  say "saving images for the guest: $images"
  # shellcheck disable=SC2086
  env -u DOCKER_HOST docker save -o "$run_dir/share/images.tar" $images || die "docker save $images failed (run \`npm run images\` first)"

  # A copy-on-write layer over the cached disk: every run starts clean.
  qemu-img create -q -f qcow2 -F raw -b "$vm/disk.img" "$run_dir/disk.qcow2"
  local cpus="${LABS_VM_CPUS:-$(nproc)}" mem="${LABS_VM_MEMORY_MB:-6144}" timeout_s="${LABS_VM_TIMEOUT_S:-2400}"
  say "booting Debian 12 under QEMU TCG ($cpus vCPU, $mem MiB, cgroup v2, no network)"
  : >"$run_dir/console.log"
  qemu-system-x86_64 -M q35,accel=tcg -cpu "${LABS_VM_CPU:-max}" -smp "$cpus" -m "$mem" \
    -nodefaults -no-user-config -display none -no-reboot -nic none \
    -serial "file:$run_dir/console.log" \
    -kernel "$vm/vmlinuz" -initrd "$vm/initrd.img" \
    -append "root=/dev/vda rw console=ttyS0 systemd.unified_cgroup_hierarchy=1 panic=-1 quiet" \
    -drive "file=$run_dir/disk.qcow2,if=virtio,format=qcow2,cache=unsafe" \
    -virtfs "local,path=$repo,mount_tag=repo,security_model=none,id=repo" \
    -virtfs "local,path=$run_dir/share,mount_tag=share,security_model=none,id=share" \
    -pidfile "$run_dir/qemu.pid" &
  local qemu=$!

  # Progress: the guest's own console lines, then the job's log as it grows.
  local console_seen=0 log_seen=0 log="$run_dir/share/job.log"
  follow() {
    local n
    n=$(grep -ac '^\[guest\]' "$run_dir/console.log" || true)
    if (( n > console_seen )); then
      grep -a '^\[guest\]' "$run_dir/console.log" | sed -n "$((console_seen + 1)),${n}p" | while IFS= read -r l; do say "$l"; done
      console_seen=$n
    fi
    if [ -f "$log" ]; then
      n=$(wc -l <"$log")
      if (( n > log_seen )); then sed -n "$((log_seen + 1)),${n}p" "$log"; log_seen=$n; fi
    fi
  }
  while kill -0 "$qemu" 2>/dev/null; do
    if (( SECONDS - t0 > timeout_s )); then
      follow; say "timed out after ${timeout_s}s; last console lines:"; tail -30 "$run_dir/console.log" >&2
      kill "$qemu"; wait "$qemu" || true; return 124
    fi
    follow
    sleep 2
  done
  follow
  wait "$qemu" || true
  if [ ! -f "$run_dir/share/job.rc" ]; then
    say "the guest stopped without finishing the job; last console lines:"; tail -40 "$run_dir/console.log" >&2
    return 1
  fi
  if [ -n "$out" ] && [ -d "$run_dir/share/out" ]; then mkdir -p "$out" && cp -r "$run_dir/share/out/." "$out/"; fi
  local rc; rc=$(cat "$run_dir/share/job.rc")
  say "guest job finished with exit code $rc"
  return "$rc"
}

case "${1:-}" in
  build) build >/dev/null ;;
  run) shift; run "$@" ;;
  clean) rm -rf "$state"; say "removed $state" ;;
  *) echo "usage: $0 build | run JOB.sh | clean" >&2; exit 2 ;;
esac
