/**
 * Namespace kinds as named by /proc/<pid>/ns/. Its own module because both
 * the namespace check's schema and the host views need it, and the views must
 * not depend on the check types that read through them.
 */
export const NAMESPACE_KINDS = ["pid", "net", "mnt", "uts", "ipc", "user", "cgroup"] as const;

/** One namespace kind. */
export type NamespaceKind = (typeof NAMESPACE_KINDS)[number];
