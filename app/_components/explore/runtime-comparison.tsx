"use client";

import { Stepper } from "./stepper";

const rows = (r: { boundary: string; startup: string; syscalls: string; choose: string }) => (
  <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
    <dt className="font-medium">Isolation boundary</dt>
    <dd>{r.boundary}</dd>
    <dt className="font-medium">Start-up cost</dt>
    <dd>{r.startup}</dd>
    <dt className="font-medium">Syscall compatibility</dt>
    <dd>{r.syscalls}</dd>
    <dt className="font-medium">Choose it when</dt>
    <dd>{r.choose}</dd>
  </dl>
);

/** runc, gVisor and Kata side by side, one at a time (keyboard: arrow keys). */
export function RuntimeComparison() {
  return (
    <Stepper
      title="Runtime comparison"
      steps={[
        {
          label: "runc (default)",
          body: rows({
            boundary: "The host kernel itself: namespaces, cgroups, capabilities and seccomp around an ordinary host process.",
            startup: "Lowest: runc sets up the process and exits.",
            syscalls: "Complete: the process talks to the host kernel.",
            choose: "The code is trusted, or one tenant per node; performance matters.",
          }),
        },
        {
          label: "gVisor (runsc)",
          body: rows({
            boundary: "A user-space kernel (the Sentry) implements Linux system calls; the host sees only a small, filtered set.",
            startup: "Low: tens of milliseconds more than runc.",
            syscalls: "Most, not all; some /proc files, ioctls and kernel features are missing. Syscall- and I/O-heavy work is slower.",
            choose: "Untrusted or multi-tenant code on ordinary hosts, where nested virtualisation is not available.",
          }),
        },
        {
          label: "Kata Containers",
          body: rows({
            boundary: "A lightweight virtual machine per pod with its own guest kernel; hardware virtualisation is the boundary.",
            startup: "Highest: a VM boots (hundreds of milliseconds or more) and each pod costs guest memory.",
            syscalls: "Complete: a real Linux kernel runs inside the VM.",
            choose: "Untrusted code that needs full Linux compatibility, on hosts with KVM.",
          }),
        },
      ]}
    />
  );
}
