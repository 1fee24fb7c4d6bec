/**
 * Replacing a session with a successor on a fresh node, keeping progress:
 * what a reset asks for, and what happens when a learner's node dies. The
 * old session ends with a sentence and records its successor, so every page
 * watching it (a second tab, the instructor's view) follows.
 */
import type { SessionUser } from "../auth/principal";
import type { SandboxStop } from "../sandbox/provider";
import { asDomainError, describeStop } from "./reasons";
import type { SessionStore } from "./store";

/** A task result moved into a new session; passed tasks keep their time. */
export interface CarriedTaskResult {
  taskId: string;
  status: "passed" | "pending";
  passedAt: Date | null;
  message: string | null;
  hintsRevealed: number;
  /** Passed by a fast-forward, not by the learner (stays marked in the new session). */
  assisted: boolean;
}

export interface ReplacementDeps<V extends { id: string }> {
  store: SessionStore;
  /** Ends a session from any live state (SessionService.finish). */
  finish: (id: string, reason: string) => Promise<void>;
  /** Starts a session seeded with `carry`, on lab version `labVersionId` (SessionService.start). */
  start: (owner: SessionUser, labSlug: string, carry: CarriedTaskResult[], labVersionId: string | null) => Promise<V>;
  log: (msg: string) => void;
}

/** `V` is what a start returns (the service's session view). */
export class SessionReplacer<V extends { id: string }> {
  /** Sessions being replaced right now: their watchers stay on past "ended". */
  private readonly replacing = new Set<string>();
  /** Sessions being given a fresh node after theirs died. */
  private readonly recovering = new Set<string>();

  constructor(private readonly deps: ReplacementDeps<V>) {}

  /** True while the session's successor is not yet known (watchers wait for it). */
  isReplacing(id: string): boolean {
    return this.replacing.has(id);
  }

  /**
   * Ends session `id` with `reason` and starts its successor for `owner`,
   * seeded with the passed tasks and opened hints. Watchers of the old
   * session see the successor's id before their watch ends.
   */
  async replace(owner: SessionUser, id: string, labSlug: string, reason: string): Promise<V> {
    return this.keepWatchersOn(id, () => this.replaceNow(owner, id, labSlug, reason));
  }

  /**
   * The old session ends first with an interim sentence (one lab per learner
   * at a time), and says "replaced" only in the same write that names its
   * successor: a server killed in between leaves a session that promises
   * nothing it does not name, and the next start finishes the job
   * (resumeInterrupted).
   */
  private async replaceNow(owner: SessionUser, id: string, labSlug: string, reason: string): Promise<V> {
    await this.deps.finish(id, `${interimReason(reason)} ${INTERIM_MARK}`);
    return this.startSuccessor(owner, id, labSlug, reason);
  }

  /** Starts the successor of ended session `id` with its progress and names it there, with the final sentence. */
  private async startSuccessor(owner: SessionUser, id: string, labSlug: string, reason: string): Promise<V> {
    const { store } = this.deps;
    // Read after finishing, so a grading round that was running is included.
    const carry = carriedFrom(await store.prisma.taskResult.findMany({ where: { sessionId: id, OR: [{ status: "passed" }, { hintsRevealed: { gt: 0 } }] } }));
    // The successor runs the lab text its predecessor ran: a publish since changes nothing for this learner.
    const old = await store.prisma.labSession.findUnique({ where: { id }, select: { labVersionId: true } });
    const next = await this.deps.start(owner, labSlug, carry, old?.labVersionId ?? null);
    await store.prisma.labSession.update({ where: { id }, data: { replacedById: next.id, stateReason: reason } });
    store.changed(id);
    return next;
  }

  /**
   * At start: replacements a killed server left half done (the old session
   * ended with the interim sentence, no successor named) get their
   * successor now, with the progress; without this the learner's next start
   * would begin from nothing. Returns how many were resumed.
   */
  async resumeInterrupted(): Promise<number> {
    const { store, log } = this.deps;
    const since = new Date(Date.now() - RESUME_WITHIN_MS);
    const left = await store.prisma.labSession.findMany({
      where: { state: "ended", replacedById: null, stateReason: { endsWith: INTERIM_MARK }, updatedAt: { gte: since } },
      include: { user: true, lab: { select: { slug: true } } },
    });
    let resumed = 0;
    for (const row of left) {
      const owner: SessionUser = { id: row.user.id, email: row.user.email, name: row.user.name, role: row.user.role };
      const reason = finalReason(row.stateReason ?? "");
      try {
        await this.keepWatchersOn(row.id, () => this.startSuccessor(owner, row.id, row.lab.slug, reason));
        resumed++;
      } catch (err) {
        const e = asDomainError(err, "No fresh node could be started.");
        await store.prisma.labSession.update({
          where: { id: row.id },
          data: { stateReason: `${reason.split(". ")[0]}. No fresh node could be started for you (${e.message}) ${START_AGAIN_CARRIES}` },
        });
      }
    }
    if (resumed) log(`resumed ${resumed} replacement(s) a previous server process left half done`);
    return resumed;
  }

  /**
   * Runs `fn` (which ends session `id` and records what follows it) while
   * watchers of the session stay on past "ended", so they see the final
   * word: the successor's id, or why there is none.
   */
  private async keepWatchersOn<T>(id: string, fn: () => Promise<T>): Promise<T> {
    this.replacing.add(id);
    try {
      return await fn();
    } finally {
      this.replacing.delete(id);
      this.deps.store.changed(id);
    }
  }

  /**
   * A ready session's node is gone: end the session with a sentence saying
   * what happened and start a replacement with its progress. If no
   * replacement can be started, the sentence says that instead. The engine's
   * event and a reconcile pass may both report it: one recovery.
   */
  async recover(id: string, stop: SandboxStop): Promise<void> {
    if (this.recovering.has(id)) return;
    this.recovering.add(id);
    try {
      await this.recoverNow(id, stop);
    } finally {
      this.recovering.delete(id);
    }
  }

  private async recoverNow(id: string, stop: SandboxStop): Promise<void> {
    const { store, log } = this.deps;
    const row = await store.prisma.labSession.findUnique({ where: { id }, include: { user: true, lab: { select: { slug: true } } } });
    if (!row || row.state !== "ready" || !row.sandboxId) return;
    const what = `Your node stopped (${describeStop(stop)}).`;
    log(`session ${id}: node ${row.sandboxId} stopped (${describeStop(stop)}); replacing it`);
    // Ending the session removes the dead container too.
    const owner: SessionUser = { id: row.user.id, email: row.user.email, name: row.user.name, role: row.user.role };
    await this.keepWatchersOn(id, async () => {
      try {
        await this.replaceNow(owner, id, row.lab.slug, `${what} A fresh node replaced it, and your progress was kept.`);
      } catch (err) {
        const e = asDomainError(err, "No fresh node could be started.");
        await store.prisma.labSession.update({ where: { id }, data: { stateReason: `${what} No fresh node could be started for you (${e.message}) ${START_AGAIN_CARRIES}` } });
      }
    });
  }
}

/**
 * The end of the sentence of a session whose fresh node could not be
 * started: the learner's next start carries its progress (carryAfterFailure).
 */
export const START_AGAIN_CARRIES = "Start the lab again to try once more; your progress comes with you.";
/** A failed or unreplaced session older than this is not carried from (the learner has moved on). */
const CARRY_AFTER_FAILURE_MS = 24 * 60 * 60_000;

/**
 * What a learner's new start of a lab takes from their last session of it
 * when the platform failed that one: a session whose node could not be made
 * (failed), or whose dead node could not be replaced. Its passed tasks and
 * opened hints, and its lab version, as a replacement would have carried
 * them. A session the learner ended, or that ran out its time, gives
 * nothing: starting again is starting over.
 */
export async function carryAfterFailure(prisma: SessionStore["prisma"], userId: string, labSlug: string): Promise<{ carry: CarriedTaskResult[]; labVersionId: string | null } | null> {
  const last = await prisma.labSession.findFirst({
    where: { userId, lab: { slug: labSlug }, createdAt: { gte: new Date(Date.now() - CARRY_AFTER_FAILURE_MS) } },
    orderBy: { createdAt: "desc" },
    select: { state: true, stateReason: true, labVersionId: true, taskResults: true },
  });
  if (!last) return null;
  const failedUs = last.state === "failed" || (last.state === "ended" && !!last.stateReason?.endsWith(START_AGAIN_CARRIES));
  if (!failedUs) return null;
  const carry = carriedFrom(last.taskResults);
  return carry.length ? { carry, labVersionId: last.labVersionId } : null;
}

/** Passed tasks move as passed; of the others only the opened hints move (the fresh node has not been checked yet). */
function carriedFrom(rows: { taskId: string; status: string; passedAt: Date | null; message: string | null; hintsRevealed: number; assisted: boolean }[]): CarriedTaskResult[] {
  return rows
    .filter((r) => r.status === "passed" || r.hintsRevealed > 0)
    .map<CarriedTaskResult>((r) =>
      r.status === "passed"
        ? { taskId: r.taskId, status: "passed", passedAt: r.passedAt, message: r.message, hintsRevealed: r.hintsRevealed, assisted: r.assisted }
        : { taskId: r.taskId, status: "pending", passedAt: null, message: null, hintsRevealed: r.hintsRevealed, assisted: false },
    );
}

/**
 * Marks the interim sentence of a replacement in progress (ends it, so the
 * query for interrupted ones is exact). Never shown for long: the final
 * sentence replaces it once the successor is named.
 */
const INTERIM_MARK = "(A fresh node with your progress is being started.)";
/** Interrupted replacements older than this are left as they are (the learner has moved on). */
const RESUME_WITHIN_MS = 60 * 60_000;

/** The interim form of a final reason: the part before "A fresh node ..." (or the whole). */
function interimReason(reason: string): string {
  const cut = reason.search(/[:.] a fresh node|\. A fresh node/i);
  return cut >= 0 ? `${reason.slice(0, cut)}.` : reason;
}

/** The final reason stored beside an interim mark (see replaceNow): kept in the row as "<final> <mark>" is not possible, so it is rebuilt. */
function finalReason(stored: string): string {
  const head = stored.slice(0, stored.length - INTERIM_MARK.length).trim();
  return `${head} A fresh node replaced it, and your progress was kept.`;
}
