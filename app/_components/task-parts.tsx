"use client";

/**
 * Pieces of the task checklist (task-checklist.tsx) and the task widgets in
 * the lab text: the status mark as an SVG icon, a title and a hint rendered
 * as authored markdown, and "Check now", offered only while the session's
 * node is up (a check needs it; after the lab ends the server answers 409).
 */
import { useMutation } from "@tanstack/react-query";
import { createContext, useContext, type ReactNode } from "react";
import type { TaskView } from "@/server/grading/service";
import { useTRPC } from "../_trpc/client";
import { AuthoredMarkdown } from "./authored-markdown";
import { CheckIcon, CircleIcon, LockIcon } from "./icons";

/** A task's status as a mark (the status words are beside it, for screen readers). */
export function TaskMark({ status }: { status: TaskView["status"] }) {
  if (status === "passed") return <CheckIcon className="inline-block h-4 w-4 text-emerald-600" />;
  if (status === "locked") return <LockIcon className="inline-block h-4 w-4 text-zinc-400" />;
  return <CircleIcon className="inline-block h-4 w-4 text-zinc-400" />;
}

/** A task's title: inline markdown (code, emphasis) as the author wrote it. */
export function TaskTitle({ title }: { title: string }) {
  return <AuthoredMarkdown text={title} place="title" />;
}

/** One hint: short markdown (inline code, emphasis, links, lists, code blocks). */
export function HintText({ hint }: { hint: string }) {
  return <AuthoredMarkdown text={hint} place="hint" />;
}

const SessionReadyContext = createContext<boolean>(true);

/** Says whether the session the checklist shows has a node up (session-panel.tsx provides it). */
export function SessionReadyProvider({ ready, children }: { ready: boolean; children: ReactNode }) {
  return <SessionReadyContext.Provider value={ready}>{children}</SessionReadyContext.Provider>;
}

/** "Check now" with its refusal (e.g. rate-limited) as a sentence; nothing once the session has ended. */
export function CheckNowButton({ sessionId }: { sessionId: string }) {
  const trpc = useTRPC();
  const ready = useContext(SessionReadyContext);
  const checkNow = useMutation(trpc.grading.checkNow.mutationOptions());
  if (!ready) return null;
  return (
    <span className="flex flex-col items-end">
      <button
        type="button"
        onClick={() => checkNow.mutate({ sessionId })}
        disabled={checkNow.isPending}
        className="rounded border border-zinc-300 px-2 py-1 text-xs disabled:opacity-50 dark:border-zinc-700"
      >
        {checkNow.isPending ? "Checking…" : "Check now"}
      </button>
      {/* E.g. "You are checking too often; wait a second and try again." */}
      {checkNow.error && (
        <span role="alert" className="mt-1 text-xs text-red-700 dark:text-red-300">
          {checkNow.error.message}
        </span>
      )}
    </span>
  );
}
