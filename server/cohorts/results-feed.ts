/**
 * A cohort's results matrix as a live feed for the instructor's dashboard:
 * pushed again after every change that touches it, with bursts coalesced.
 */
import { EventEmitter, on } from "node:events";
import type { PrismaClient } from "../generated/prisma/client";
import type { GradingService } from "../grading/service";
import type { CohortResults } from "../grades/types";
import type { SessionService } from "../sessions/service";

/** Dashboards coalesce bursts of changes (a poll round ticks several tasks) into one push. */
const PUSH_COALESCE_MS = 250;
/** Dashboards also refresh this often, for changes no event announces (a session expiring). */
const PUSH_REFRESH_MS = 15_000;

/** What a results feed listens to and reads. */
export interface ResultsFeedSources {
  prisma: PrismaClient;
  grading: Pick<GradingService, "onEvent">;
  sessions: Pick<SessionService, "onAnyChange">;
  /** The results matrix (server/grades/cohort-results.ts). */
  results: (cohortId: string) => Promise<CohortResults>;
  /** Subscribes to changes of the cohort itself (members, labs); returns the unsubscribe. */
  onCohortChange: (listener: () => void) => () => void;
  /** Throws when the watcher may no longer see the cohort; asked before every push after the first. */
  assertStillAllowed: () => Promise<void>;
}

/**
 * The matrix now and again after every change that touches it: a task of
 * a member's session in one of the cohort's labs changing, a member's
 * session changing state, a member joining. Bursts are coalesced.
 */
export async function* cohortResultsFeed(cohortId: string, sources: ResultsFeedSources, signal?: AbortSignal): AsyncGenerator<CohortResults> {
  const controller = new AbortController();
  signal?.addEventListener("abort", () => controller.abort());
  const wake = new EventEmitter();
  let timer: NodeJS.Timeout | undefined;
  const poke = () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      wake.emit("tick");
    }, PUSH_COALESCE_MS);
  };
  // Who and what this dashboard shows, taken from the last matrix it sent:
  // grading events are filtered in memory, with no query per event (session
  // changes need one query per session, once). A learner joining emits a
  // cohort event, whose push refreshes both sets.
  let members = new Set<string>();
  let labSlugs = new Set<string>();
  const relevant = (userId: string, labSlug: string) => members.has(userId) && labSlugs.has(labSlug);
  const send = async () => {
    const results = await sources.results(cohortId);
    members = new Set(results.learners.map((l) => l.userId));
    labSlugs = new Set(results.labs.map((l) => l.slug));
    return results;
  };
  const offGrading = sources.grading.onEvent((e) => {
    if (e.type === "task.changed" && relevant(e.userId, e.labSlug)) poke();
  });
  // A session's learner and lab never change: look each up once per
  // dashboard, not at every provisioning step of every session.
  const owners = new Map<string, { userId: string; labSlug: string } | null>();
  const offSessions = sources.sessions.onAnyChange((sessionId) => {
    const known = owners.get(sessionId);
    if (known !== undefined) {
      if (known && relevant(known.userId, known.labSlug)) poke();
      return;
    }
    void sources.prisma.labSession
      .findUnique({ where: { id: sessionId }, select: { userId: true, lab: { select: { slug: true } } } })
      .then((s) => {
        owners.set(sessionId, s ? { userId: s.userId, labSlug: s.lab.slug } : null);
        if (s && relevant(s.userId, s.lab.slug)) poke();
      })
      .catch(() => {});
  });
  const onCohort = () => poke();
  const offCohort = sources.onCohortChange(onCohort);
  const refresh = setInterval(poke, PUSH_REFRESH_MS);
  try {
    yield await send();
    for await (const _ of on(wake, "tick", { signal: controller.signal })) {
      // The stream outlives the request that opened it: a demoted
      // instructor, or one whose cohort changed hands, stops receiving.
      await sources.assertStillAllowed();
      yield await send();
    }
  } catch (err) {
    if ((err as Error).name !== "AbortError") throw err;
  } finally {
    controller.abort();
    clearTimeout(timer);
    clearInterval(refresh);
    offGrading();
    offSessions();
    offCohort();
  }
}
