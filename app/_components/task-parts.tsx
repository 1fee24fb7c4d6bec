"use client";

/**
 * Pieces of the task checklist (task-checklist.tsx) and the task widgets in
 * the lab text: the status mark as an SVG icon, a title and a hint rendered
 * as authored markdown, and "Check now", offered only while the session's
 * node is up (a check needs it; after the lab ends the server answers 409).
 */
import { useMutation } from "@tanstack/react-query";
import { createContext, useContext, useState, type ReactNode } from "react";
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
/** Moves the lab page to another session (the fresh one a fast-forward returns). */
const MoveToSessionContext = createContext<(sessionId: string) => void>(() => {});

/**
 * Says whether the session the checklist shows has a node up, and how to
 * move the page to a session that replaced it (session-panel.tsx provides both).
 */
export function SessionReadyProvider({ ready, moveTo, children }: { ready: boolean; moveTo?: (sessionId: string) => void; children: ReactNode }) {
  return (
    <SessionReadyContext.Provider value={ready}>
      <MoveToSessionContext.Provider value={moveTo ?? (() => {})}>{children}</MoveToSessionContext.Provider>
    </SessionReadyContext.Provider>
  );
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

/**
 * Catching up: applies the reference solutions of every task before this one
 * on a fresh node (server/grading/fast-forward.ts). Asks first, says what it
 * is doing while it works (a node, then one solution after another), and
 * gives the server's sentence if refused (the cohort turned it off, a
 * solution failed). The page follows the learner to the new session.
 */
export function FastForwardButton({ sessionId, taskId }: { sessionId: string; taskId: string }) {
  const trpc = useTRPC();
  const ready = useContext(SessionReadyContext);
  const moveTo = useContext(MoveToSessionContext);
  const [asking, setAsking] = useState(false);
  const ff = useMutation(trpc.grading.fastForward.mutationOptions({ onSuccess: (r) => moveTo(r.session.id) }));
  if (!ready && !ff.isPending) return null;
  const link = "text-xs text-sky-700 underline disabled:opacity-50 dark:text-sky-400";
  return (
    <div className="mt-1 text-xs" data-testid={`fast-forward-${taskId}`}>
      {ff.isPending ? (
        <p role="status">Fast-forwarding: a fresh node, then the reference solutions of the tasks before this one…</p>
      ) : asking ? (
        <p className="flex flex-wrap items-center gap-2">
          <span>Apply the reference solutions of the tasks before this one on a fresh node? Those you have not passed are marked &ldquo;assisted&rdquo;.</span>
          <button type="button" className={link} onClick={() => (setAsking(false), ff.mutate({ sessionId, taskId }))}>
            Yes, fast-forward
          </button>
          <button type="button" className={link} onClick={() => setAsking(false)}>
            Cancel
          </button>
        </p>
      ) : (
        <button type="button" className={link} onClick={() => setAsking(true)} title="Stuck? Have the tasks before this one done for you, marked assisted">
          Fast-forward to here
        </button>
      )}
      {ff.error && (
        <p role="alert" className="mt-1 text-red-700 dark:text-red-300">
          {ff.error.message}
        </p>
      )}
    </div>
  );
}

/** The mark beside a task passed by a fast-forward. */
export function AssistedBadge() {
  return (
    <span
      className="ml-1 rounded bg-violet-100 px-1 text-xs font-medium text-violet-800 dark:bg-violet-950 dark:text-violet-300"
      title="Passed by a fast-forward: the reference solution was applied for you"
    >
      assisted
    </span>
  );
}
