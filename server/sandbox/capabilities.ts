/**
 * Linux capability names by bit number, and decoding of the hex masks in
 * /proc/<pid>/status (CapBnd, CapEff, ...). Used by tests and, later, by
 * `capability` checks that read a nested container's status file.
 */

/** Capability names (without CAP_) indexed by bit number, per linux/capability.h. */
export const CAPABILITY_NAMES = [
  "CHOWN",
  "DAC_OVERRIDE",
  "DAC_READ_SEARCH",
  "FOWNER",
  "FSETID",
  "KILL",
  "SETGID",
  "SETUID",
  "SETPCAP",
  "LINUX_IMMUTABLE",
  "NET_BIND_SERVICE",
  "NET_BROADCAST",
  "NET_ADMIN",
  "NET_RAW",
  "IPC_LOCK",
  "IPC_OWNER",
  "SYS_MODULE",
  "SYS_RAWIO",
  "SYS_CHROOT",
  "SYS_PTRACE",
  "SYS_PACCT",
  "SYS_ADMIN",
  "SYS_BOOT",
  "SYS_NICE",
  "SYS_RESOURCE",
  "SYS_TIME",
  "SYS_TTY_CONFIG",
  "MKNOD",
  "LEASE",
  "AUDIT_WRITE",
  "AUDIT_CONTROL",
  "SETFCAP",
  "MAC_OVERRIDE",
  "MAC_ADMIN",
  "SYSLOG",
  "WAKE_ALARM",
  "BLOCK_SUSPEND",
  "AUDIT_READ",
  "PERFMON",
  "BPF",
  "CHECKPOINT_RESTORE",
] as const;

/** Names of the bits set in a mask like "00000000a82435fb"; unknown bits as "CAP_<n>". */
export function decodeCapabilities(hexMask: string): string[] {
  const mask = BigInt(`0x${hexMask.trim() || "0"}`);
  const names: string[] = [];
  for (let bit = 0n; bit < 64n; bit++) {
    if ((mask >> bit) & 1n) names.push(CAPABILITY_NAMES[Number(bit)] ?? `CAP_${bit}`);
  }
  return names;
}

/** The mask of one field (e.g. "CapBnd") from the text of /proc/<pid>/status. */
export function capabilityMask(statusText: string, field: "CapInh" | "CapPrm" | "CapEff" | "CapBnd" | "CapAmb"): string {
  const m = statusText.match(new RegExp(`^${field}:\\s*([0-9a-fA-F]+)$`, "m"));
  if (!m) throw new Error(`${field} not found in status text`);
  return m[1]!;
}
