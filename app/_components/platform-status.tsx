"use client";

import { useSubscription } from "@trpc/tanstack-react-query";
import { useTRPC } from "../_trpc/client";

/**
 * A live indicator of whether sandboxes can start, fed by the health
 * subscription (SSE). Text, not only colour, carries the state.
 */
export function PlatformStatus() {
  const trpc = useTRPC();
  const sub = useSubscription(trpc.system.watchHealth.subscriptionOptions({ intervalMs: 10_000 }));
  const report = sub.data;
  const state = !report ? "connecting" : report.sandboxes === "available" ? "available" : "unavailable";
  const label = {
    connecting: "Checking sandboxes…",
    available: "Sandboxes available",
    unavailable: "Sandboxes unavailable",
  }[state];
  const dot = { connecting: "bg-zinc-400", available: "bg-emerald-500", unavailable: "bg-amber-500" }[state];
  return (
    <span className="inline-flex items-center gap-1.5 text-xs text-zinc-600 dark:text-zinc-400" title={report?.docker.message} data-testid="platform-status" data-state={state} role="status">
      <span aria-hidden className={`h-2 w-2 rounded-full ${dot}`} />
      {label}
    </span>
  );
}
