import { existsSync } from "node:fs";

/**
 * Whether the machine running the tests is a cgroup v2 (unified) host. Our
 * build machines are v1; the VM tier (scripts/cgroup-v2-vm) is v2. Tests
 * that read cgroup files on the host pick their file names with it.
 */
export const HOST_CGROUP_V2 = existsSync("/sys/fs/cgroup/cgroup.controllers");
