"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../_trpc/client";
import { useTerminals } from "../terminal/terminals-context";

const mib = (n: number | null) => (n === null ? "no limit" : `${(n / 2 ** 20).toFixed(n < 2 ** 20 ? 2 : 1)} MiB`);

/**
 * The learner's own node's cgroup tree, refreshed every 3 s while the lab is
 * open; the newest cgroup (usually the container just started) is marked.
 */
export function CgroupTree() {
  const trpc = useTRPC();
  const { sessionId } = useTerminals();
  const tree = useQuery({ ...trpc.sessions.cgroupTree.queryOptions({ id: sessionId ?? "" }), enabled: !!sessionId, refetchInterval: 3000 });
  if (!sessionId) {
    return <p className="my-4 rounded border border-dashed border-zinc-300 p-3 text-sm dark:border-zinc-700">Start the lab to see your node&apos;s live cgroup tree here.</p>;
  }
  const nodes = tree.data ?? [];
  // Newest leaf: a parent's ctime also moves whenever a child appears, so
  // only cgroups without children are candidates (ctime has 1 s resolution).
  const leaves = nodes.filter((n) => n.path !== "/" && !nodes.some((m) => m.path.startsWith(`${n.path}/`)));
  const newest = leaves.reduce<(typeof nodes)[number] | null>((a, b) => (!a || b.createdAt >= a.createdAt ? b : a), null);
  return (
    <section className="not-prose my-6 rounded-lg border border-zinc-300 p-4 dark:border-zinc-700" aria-label="Live cgroup tree of your node" data-testid="cgroup-tree">
      <h3 className="mb-2 font-semibold">Your node&apos;s cgroups (memory and pids, live)</h3>
      <ul className="font-mono text-xs">
        {nodes.map((n) => {
          const depth = n.path === "/" ? 0 : n.path.split("/").length - 1;
          const isNew = newest?.path === n.path;
          return (
            <li key={n.path} style={{ paddingLeft: `${depth * 1.25}rem` }} className={isNew ? "font-bold" : ""} data-path={n.path}>
              {n.path === "/" ? "/ (your node)" : n.path.split("/").pop()} — memory {mib(n.memoryUsage)} of {mib(n.memoryLimit)}, pids {n.pidsCurrent ?? "?"} of {n.pidsMax ?? "no limit"}
              {isNew && <span className="ml-2 rounded border border-current px-1">newest</span>}
            </li>
          );
        })}
      </ul>
      {tree.error && (
        <p role="alert" className="mt-2 text-xs text-red-700">
          {tree.error.message}
        </p>
      )}
    </section>
  );
}
