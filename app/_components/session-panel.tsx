"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";
import { PublishNodeFacts } from "./node-facts";
import type { SessionView } from "@/server/sessions/service";
import { useTRPC } from "../_trpc/client";
import { CheckIcon, CrossIcon } from "./icons";
import { OpenLabs } from "./open-labs";
import { useTerminals } from "./terminal/terminals-context";
import { TaskChecklist } from "./task-checklist";
import { SessionReadyProvider } from "./task-parts";

function useNow(intervalMs: number) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

function timeLeft(expiresAt: Date | null, now: number): string {
  if (!expiresAt) return "";
  const s = Math.max(0, Math.round((new Date(expiresAt).getTime() - now) / 1000));
  const m = Math.floor(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m} min ${String(s % 60).padStart(2, "0")} s`;
}

const stateText: Record<SessionView["state"], string> = {
  requested: "Waiting for a node",
  provisioning: "Preparing your node",
  ready: "Your node is ready",
  ending: "Ending the lab",
  ended: "Lab ended",
  failed: "Could not start",
};

/** Provisioning steps as a list with explicit status words (not colour alone). */
function Steps({ session }: { session: SessionView }) {
  if (session.warmStart) return <p className="text-sm text-zinc-600 dark:text-zinc-400">A ready node was waiting for you.</p>;
  if (!session.progress.length) return null;
  const mark = { started: "…", done: <CheckIcon />, failed: <CrossIcon /> } as const;
  return (
    <ol className="mt-2 space-y-1 text-sm" aria-label="Provisioning steps" data-testid="provision-steps">
      {session.progress.map((p) => (
        <li key={p.index} className="flex gap-2">
          <span aria-hidden className="w-4">
            {mark[p.status]}
          </span>
          <span>
            {p.step}
            <span className="sr-only"> ({p.status})</span>
            {p.durationMs !== undefined && <span className="ml-1 text-zinc-500">{p.durationMs} ms</span>}
            {p.error && <span className="block text-red-700 dark:text-red-300">{p.error}</span>}
          </span>
        </li>
      ))}
    </ol>
  );
}

/**
 * The confirm step of "Reset sandbox": says what is lost and what is kept.
 * Focus starts on "Cancel" (the safe choice); Escape cancels.
 */
function ResetConfirm({ busy, onConfirm, onCancel }: { busy: boolean; onConfirm(): void; onCancel(): void }) {
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => cancel.current?.focus(), []);
  const button = "rounded px-3 py-1.5 text-sm font-medium disabled:opacity-50";
  return (
    <div
      id="reset-confirm"
      role="group"
      aria-labelledby="reset-confirm-text"
      className="mt-3 rounded border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950"
      onKeyDown={(e) => e.key === "Escape" && onCancel()}
      data-testid="reset-confirm"
    >
      <p id="reset-confirm-text">Replace your node with a fresh one? Everything on the current node (files, containers, open shells) is deleted. Tasks you have passed stay passed.</p>
      <div className="mt-2 flex gap-2">
        <button type="button" className={`${button} bg-amber-600 text-white hover:bg-amber-700`} disabled={busy} onClick={onConfirm}>
          {busy ? "Resetting…" : "Reset now"}
        </button>
        <button ref={cancel} type="button" className={`${button} border border-zinc-300 dark:border-zinc-700`} disabled={busy} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

/**
 * Start, follow and control the learner's session for one lab. `unavailable`
 * is the sentence for learners when this install cannot provide the lab's
 * environment: then Start is not offered (an open session still shows).
 */
export function SessionPanel({ slug, signedIn, unavailable = null }: { slug: string; signedIn: boolean; unavailable?: string | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const now = useNow(1000);
  const current = useQuery({ ...trpc.sessions.current.queryOptions({ slug }), enabled: signedIn });
  // The session being shown stays pinned once seen, so an ended session keeps
  // showing its reason until the learner starts again.
  const [sessionId, setSessionId] = useState<string | null>(null);
  const id = sessionId ?? current.data?.id ?? null;
  const live = useSubscription(trpc.sessions.watch.subscriptionOptions({ id: id ?? "" }, { enabled: !!id }));
  const [ended, setEnded] = useState<SessionView | null>(null);
  const session: SessionView | null | undefined = (live.data?.id === id ? live.data : undefined) ?? (ended?.id === id ? ended : undefined) ?? current.data;
  const [error, setError] = useState<string | null>(null);
  // At the limit of labs open at once: which ones, with a way to end one.
  const [atLimit, setAtLimit] = useState(false);
  const onError = (e: { message: string; data?: { domainCode?: string | null } | null }) => {
    setError(e.message);
    setAtLimit(e.data?.domainCode === "CAPACITY");
  };
  // A lab ended from the list has freed its place: Start works again.
  const clearLimit = useCallback(() => {
    setError(null);
    setAtLimit(false);
  }, []);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.sessions.current.queryKey({ slug }) });
  // Terminals connect while the session is ready and close when it is not.
  const { setSession } = useTerminals();
  const readyId = session?.state === "ready" ? session.id : null;
  useEffect(() => setSession(readyId), [readyId, setSession]);
  // A session replaced by another (its node died and the platform started a
  // fresh one, or a reset in another tab): follow it, and say why once.
  const [replacedBecause, setReplacedBecause] = useState<string | null>(null);
  const successor = session && (session.state === "ended" || session.state === "failed") ? session.replacedBy : null;
  if (successor && sessionId !== successor) {
    // Adjusting state while rendering (React's pattern for state derived from props/data).
    setReplacedBecause(session?.reason ?? null);
    setEnded(null);
    setSessionId(successor);
  }
  // The cached `current` answer still names the old session, and the panel
  // falls back to it until the new session's stream speaks: ask again.
  useEffect(() => {
    if (successor) void queryClient.invalidateQueries({ queryKey: trpc.sessions.current.queryKey({ slug }) });
  }, [successor, queryClient, trpc, slug]);

  const start = useMutation(
    trpc.sessions.start.mutationOptions({
      onSuccess: (s) => {
        setError(null);
        setAtLimit(false);
        setEnded(null);
        setReplacedBecause(null);
        // The answer is the session as it is now (ready at once from the warm
        // pool): shown, and terminals opened, without waiting for the stream.
        queryClient.setQueryData(trpc.sessions.current.queryKey({ slug }), s);
        setSessionId(s.id);
      },
      onError,
    }),
  );
  const extend = useMutation(trpc.sessions.extend.mutationOptions({ onError, onSuccess: () => setError(null) }));
  // A reset ends this session and returns its successor, already seeded with
  // the passed tasks: the panel, checklist and terminals move over to it.
  const [confirmingReset, setConfirmingReset] = useState(false);
  const resetButton = useRef<HTMLButtonElement>(null);
  // To a session that replaced this one at the learner's request (a reset, a fast-forward).
  const moveTo = (id: string) => {
    setError(null);
    setEnded(null);
    setReplacedBecause(null);
    setSessionId(id);
    void refresh();
  };
  const reset = useMutation(
    trpc.sessions.reset.mutationOptions({
      onError,
      onSuccess: (s) => {
        moveTo(s.id);
        setConfirmingReset(false);
      },
    }),
  );
  const end = useMutation(
    trpc.sessions.end.mutationOptions({
      onError,
      onSuccess: (s) => {
        setSessionId(s.id);
        setEnded(s);
        void refresh();
      },
    }),
  );

  if (!signedIn) {
    return (
      <section aria-label="Lab session" className="rounded-lg border border-zinc-200 p-4 dark:border-zinc-800">
        {unavailable && <Unavailable message={unavailable} />}
        <p className="text-sm">
          <Link href={`/sign-in?next=/labs/${slug}`} className="text-sky-600 underline">
            Sign in
          </Link>{" "}
          to get a node of your own and start this lab.
        </p>
      </section>
    );
  }

  const finished = !session || session.state === "ended" || session.state === "failed";
  const button = "rounded px-3 py-1.5 text-sm font-medium disabled:opacity-50 focus-visible:outline-2 focus-visible:outline-sky-500";
  return (
    <section aria-label="Lab session" className="rounded-lg border border-zinc-200 p-4 dark:border-zinc-800" data-testid="session-panel" data-state={session?.state ?? "none"}>
      {session && (
        <div role="status" aria-live="polite">
          <p className="font-medium">{stateText[session.state]}</p>
          {session.queuePosition !== null && (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">The server is at capacity. You are number {session.queuePosition} in the queue; your node starts as soon as one is free.</p>
          )}
          {(session.state === "provisioning" || session.state === "ready") && <Steps session={session} />}
          {session.state === "ready" && (
            <p className="mt-2 text-sm" data-testid="time-left">
              Time left: {timeLeft(session.expiresAt, now)} · node <code data-testid="sandbox-id">{session.sandboxId}</code>
              {session.cgroupVersion && (
                <>
                  {" "}
                  · <span data-testid="node-cgroup-version">cgroup v{session.cgroupVersion}</span>
                </>
              )}
            </p>
          )}
          {reset.isPending && <p className="mt-1 text-sm">Replacing your node with a fresh one…</p>}
          {replacedBecause && !finished && !reset.isPending && (
            <p className="mt-1 text-sm text-amber-800 dark:text-amber-300" data-testid="replaced-notice">
              {replacedBecause}
            </p>
          )}
          {session.reason && finished && <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{session.reason}</p>}
        </div>
      )}
      <PublishNodeFacts cgroupVersion={session && !finished ? session.cgroupVersion : null} />
      {session && (session.state === "ready" || finished) && (
        // "Check now" needs a running node: gone once the lab has ended.
        <SessionReadyProvider ready={session.state === "ready"} moveTo={moveTo}>
          <TaskChecklist sessionId={session.id} />
        </SessionReadyProvider>
      )}
      {finished && unavailable && <Unavailable message={unavailable} />}
      {error && (
        <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      )}
      {atLimit && finished && <OpenLabs except={slug} onFreed={clearLimit} />}
      <div className="mt-3 flex gap-2">
        {finished ? (
          !unavailable && (
            <button type="button" className={`${button} bg-sky-600 text-white hover:bg-sky-700`} disabled={start.isPending || reset.isPending} onClick={() => start.mutate({ slug })}>
              {start.isPending ? "Starting…" : session ? "Start again" : "Start lab"}
            </button>
          )
        ) : (
          <>
            <button
              type="button"
              className={`${button} border border-zinc-300 dark:border-zinc-700`}
              disabled={session.state !== "ready" || extend.isPending}
              onClick={() => extend.mutate({ id: session.id })}
            >
              Extend
            </button>
            <button
              ref={resetButton}
              type="button"
              className={`${button} border border-zinc-300 dark:border-zinc-700`}
              disabled={session.state !== "ready" || reset.isPending || confirmingReset}
              aria-expanded={confirmingReset}
              aria-controls="reset-confirm"
              onClick={() => setConfirmingReset(true)}
            >
              Reset sandbox
            </button>
            <button
              type="button"
              className={`${button} border border-red-300 text-red-700 dark:border-red-800 dark:text-red-300`}
              disabled={end.isPending || session.state === "ending"}
              onClick={() => end.mutate({ id: session.id })}
            >
              End lab
            </button>
          </>
        )}
      </div>
      {confirmingReset && session && !finished && (
        <ResetConfirm
          busy={reset.isPending}
          onConfirm={() => reset.mutate({ id: session.id })}
          onCancel={() => {
            setConfirmingReset(false);
            // Back to where the learner was (after the button is enabled again).
            setTimeout(() => resetButton.current?.focus(), 0);
          }}
        />
      )}
    </section>
  );
}

/** Why this lab cannot start here, in the learner's words. */
function Unavailable({ message }: { message: string }) {
  return (
    <p className="mb-2 rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200" data-testid="lab-unavailable">
      <strong className="font-semibold">Not available here.</strong> {message}
    </p>
  );
}
