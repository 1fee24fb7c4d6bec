import Link from "next/link";
import type { SessionHistoryItem } from "@/server/labs/progress";
import { LocalTime } from "../_components/local-time";

const stateText: Record<SessionHistoryItem["state"], string> = {
  requested: "waiting for a node",
  provisioning: "starting",
  ready: "running",
  ending: "ending",
  ended: "ended",
  failed: "could not start",
};

/** The learner's lab sessions, newest first: lab, start time, state (with the reason it ended) and tasks passed. */
export function SessionHistory({ sessions }: { sessions: SessionHistoryItem[] }) {
  if (!sessions.length) {
    return (
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        You have not started a lab yet.{" "}
        <Link href="/" className="text-sky-700 underline dark:text-sky-400">
          Pick one from the catalog.
        </Link>
      </p>
    );
  }
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm" data-testid="session-history">
        <caption className="sr-only">Your lab sessions, newest first</caption>
        <thead>
          <tr className="border-b border-zinc-200 dark:border-zinc-800">
            <th scope="col" className="py-2 pr-4">
              Lab
            </th>
            <th scope="col" className="pr-4">
              Started
            </th>
            <th scope="col" className="pr-4">
              State
            </th>
            <th scope="col">Tasks passed</th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={s.id} className="border-b border-zinc-100 align-top dark:border-zinc-900" data-testid={`history-${s.id}`}>
              <td className="py-2 pr-4">
                <Link href={`/labs/${s.labSlug}`} className="text-sky-700 underline dark:text-sky-400">
                  {s.labTitle}
                </Link>
              </td>
              <td className="py-2 pr-4 whitespace-nowrap">
                <LocalTime date={s.startedAt} />
              </td>
              <td className="py-2 pr-4">
                {stateText[s.state]}
                {s.reason && s.state !== "ready" && <span className="block text-xs text-zinc-500">{s.reason}</span>}
              </td>
              <td className="py-2">{s.total === null ? `${s.passed} (lab removed)` : `${s.passed} of ${s.total}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
