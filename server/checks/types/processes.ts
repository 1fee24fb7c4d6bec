/**
 * Finding the node processes a process check (namespace, capability,
 * seccomp) talks about: those whose command line matches its regex. Such a
 * check passes when any one of them satisfies it.
 */
import type { HostView, NodeProcess } from "../host-view";
import { cap, type Outcome } from "./common";

/** A process as evidence lists it: pids (node and host) and a capped command line. */
export function describeProcess(p: NodeProcess) {
  return { pid: p.pid, ...(p.hostPid !== null ? { hostPid: p.hostPid } : {}), cmdline: cap(p.cmdline, 120) };
}

/** Processes whose command line matches; a failed result when there are none. */
export async function matchingProcesses(view: HostView, pattern: string): Promise<{ procs: NodeProcess[]; all: NodeProcess[] } | Outcome> {
  const all = await view.processes();
  const re = new RegExp(pattern);
  const procs = all.filter((p) => re.test(p.cmdline));
  if (procs.length > 0) return { procs, all };
  return {
    passed: false,
    message: `No process matching /${pattern}/ is running in your node.`,
    evidence: { view: view.source, processesSeen: all.length },
    tamperResistant: view.tamperResistant,
  };
}
