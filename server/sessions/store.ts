/**
 * Session rows and their changes: the one place that writes a session's
 * state (compare-and-set through lifecycle.ts's `transition`) and the one
 * place that tells listeners a session changed. The scheduler, reconciler
 * and service all move sessions through here.
 */
import { EventEmitter, on } from "node:events";
import { DomainError } from "../errors";
import type { PrismaClient } from "../generated/prisma/client";
import { transition, type SessionState } from "./lifecycle";

/** What a session row is read with: its lab's slug and its lab version's number. */
export const SESSION_ROW_INCLUDE = { lab: { select: { slug: true } }, labVersion: { select: { number: true } } } as const;

/** A session row with its lab's slug and version. */
export type SessionRow = NonNullable<Awaited<ReturnType<SessionStore["find"]>>>;

/** Fields written together with a state change. */
export interface MoveData {
  reason?: string;
  sandboxId?: string;
  provider?: string;
  host?: string;
  cgroupVersion?: number | null;
  expiresAt?: Date;
}

/** Event name for "some session changed" (session ids are cuids, so no clash). */
const ANY_SESSION = "*";

export class SessionStore {
  private readonly events = new EventEmitter();
  private readonly finishedListeners: ((id: string) => void)[] = [];

  constructor(readonly prisma: PrismaClient) {
    this.events.setMaxListeners(0);
  }

  find(id: string) {
    return this.prisma.labSession.findUnique({ where: { id }, include: SESSION_ROW_INCLUDE });
  }

  /** The session, or NOT_FOUND. */
  async row(id: string): Promise<SessionRow> {
    const row = await this.find(id);
    if (!row) throw new DomainError("NOT_FOUND", "That lab session does not exist.", `session ${id}`);
    return row;
  }

  /**
   * Moves a session to `to` if it is still in `from` (compare-and-set, so two
   * writers cannot both win). Returns false when someone else moved it first.
   */
  async move(id: string, from: SessionState, to: SessionState, data: MoveData = {}): Promise<boolean> {
    transition(from, to);
    const now = new Date();
    const { count } = await this.prisma.labSession.updateMany({
      where: { id, state: from },
      data: {
        state: to,
        ...(data.reason !== undefined && { stateReason: data.reason }),
        ...(data.sandboxId !== undefined && { sandboxId: data.sandboxId }),
        ...(data.provider !== undefined && { provider: data.provider }),
        ...(data.host !== undefined && { host: data.host }),
        ...(data.cgroupVersion !== undefined && { cgroupVersion: data.cgroupVersion }),
        ...(data.expiresAt !== undefined && { expiresAt: data.expiresAt }),
        ...((to === "ended" || to === "failed") && { endedAt: now }),
        lastActivityAt: now,
      },
    });
    if (count === 1) {
      // A finished session needs none of the in-memory bookkeeping kept
      // about it elsewhere; dropping it keeps a long-running server flat.
      if (to === "ended" || to === "failed") for (const listener of this.finishedListeners) listener(id);
      this.changed(id);
    }
    return count === 1;
  }

  /** Calls `listener` with the id of each session that ends or fails. */
  onFinished(listener: (id: string) => void): void {
    this.finishedListeners.push(listener);
  }

  /** Tells watchers of the session, and of all sessions, that it changed. */
  changed(id: string): void {
    this.events.emit(id);
    this.events.emit(ANY_SESSION, id);
  }

  /** Yields once per change of the session until `signal` aborts (throws AbortError then). */
  changes(id: string, signal: AbortSignal): AsyncIterable<unknown> {
    return on(this.events, id, { signal });
  }

  /** Calls `listener` with the id of every session that changes (dashboards). Returns the unsubscribe function. */
  onAnyChange(listener: (sessionId: string) => void): () => void {
    this.events.on(ANY_SESSION, listener);
    return () => this.events.off(ANY_SESSION, listener);
  }
}
