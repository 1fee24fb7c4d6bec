/**
 * Linux capability numbers and names (include/uapi/linux/capability.h), and
 * decoding of the hex masks in /proc/<pid>/status (CapEff, CapPrm, CapBnd...).
 */

/** Capability names indexed by number, 0..40 (CAP_CHECKPOINT_RESTORE is 40 since Linux 5.9). */
export const CAPABILITY_NAMES: readonly string[] = [
  "CAP_CHOWN", // 0
  "CAP_DAC_OVERRIDE", // 1
  "CAP_DAC_READ_SEARCH", // 2
  "CAP_FOWNER", // 3
  "CAP_FSETID", // 4
  "CAP_KILL", // 5
  "CAP_SETGID", // 6
  "CAP_SETUID", // 7
  "CAP_SETPCAP", // 8
  "CAP_LINUX_IMMUTABLE", // 9
  "CAP_NET_BIND_SERVICE", // 10
  "CAP_NET_BROADCAST", // 11
  "CAP_NET_ADMIN", // 12
  "CAP_NET_RAW", // 13
  "CAP_IPC_LOCK", // 14
  "CAP_IPC_OWNER", // 15
  "CAP_SYS_MODULE", // 16
  "CAP_SYS_RAWIO", // 17
  "CAP_SYS_CHROOT", // 18
  "CAP_SYS_PTRACE", // 19
  "CAP_SYS_PACCT", // 20
  "CAP_SYS_ADMIN", // 21
  "CAP_SYS_BOOT", // 22
  "CAP_SYS_NICE", // 23
  "CAP_SYS_RESOURCE", // 24
  "CAP_SYS_TIME", // 25
  "CAP_SYS_TTY_CONFIG", // 26
  "CAP_MKNOD", // 27
  "CAP_LEASE", // 28
  "CAP_AUDIT_WRITE", // 29
  "CAP_AUDIT_CONTROL", // 30
  "CAP_SETFCAP", // 31
  "CAP_MAC_OVERRIDE", // 32
  "CAP_MAC_ADMIN", // 33
  "CAP_SYSLOG", // 34
  "CAP_WAKE_ALARM", // 35
  "CAP_BLOCK_SUSPEND", // 36
  "CAP_AUDIT_READ", // 37
  "CAP_PERFMON", // 38
  "CAP_BPF", // 39
  "CAP_CHECKPOINT_RESTORE", // 40
];

/**
 * Normalises a capability name as instructors may write it: "net_admin",
 * "NET_ADMIN" and "CAP_NET_ADMIN" all become "CAP_NET_ADMIN". Returns null
 * for names that are not in the table.
 */
export function normaliseCapabilityName(name: string): string | null {
  const upper = name.trim().toUpperCase();
  const full = upper.startsWith("CAP_") ? upper : `CAP_${upper}`;
  return CAPABILITY_NAMES.includes(full) ? full : null;
}

/**
 * Decodes a capability mask as printed in /proc/<pid>/status (16 hex digits).
 * Bits above the table (a newer kernel) are named "CAP_<n>" rather than dropped.
 */
export function decodeCapabilities(hex: string): string[] {
  const t = hex.trim();
  if (!/^[0-9a-fA-F]{1,16}$/.test(t)) throw new Error(`not a capability mask: ${JSON.stringify(t.slice(0, 20))}`);
  const mask = BigInt(`0x${t}`);
  const out: string[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if ((mask >> BigInt(bit)) & 1n) out.push(CAPABILITY_NAMES[bit] ?? `CAP_${bit}`);
  }
  return out;
}
