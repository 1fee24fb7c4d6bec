/**
 * A shell waiting before the browser asks (issue 22, "faster start to
 * prompt"). When a session becomes ready and has no terminal yet, the
 * gateway opens one at once; the lab page lists the session's terminals
 * (sessions.terminals) and attaches to it, and the replay hands it the
 * welcome text and the prompt that are already there. The exec create and
 * start and bash's start-up leave the learner's wait. A shell nobody
 * attaches to ends after the grace period, like any other.
 */
import type { SessionUser } from "../auth/principal";
import type { Services } from "../services";
import type { TerminalRegistry } from "./registry";

/** Size of a shell opened before any browser said its size; the first client's handshake resizes it. */
const PRESTART_SIZE = { cols: 80, rows: 24 };

/** Starts opening shells for sessions as they become ready; returns the function that stops it. */
export function prestartShells(services: Pick<Services, "sessions" | "db">, registry: TerminalRegistry, log: (msg: string) => void): () => void {
  /** Sessions already given a shell (or being given one): once per session. */
  const started = new Set<string>();
  const prisma = services.db.prisma;

  async function prestart(sessionId: string): Promise<void> {
    const row = await prisma.labSession.findUnique({ where: { id: sessionId }, select: { state: true, user: { select: { id: true, email: true, name: true, role: true } } } });
    if (!row || row.state !== "ready") {
      if (row && row.state !== "requested" && row.state !== "provisioning") started.delete(sessionId);
      return;
    }
    if (started.has(sessionId) || registry.count(sessionId) > 0) return;
    started.add(sessionId);
    const owner: SessionUser = row.user;
    const where = await services.sessions.sandboxOf(owner, sessionId);
    await registry.getOrOpen({ sessionId, terminalId: `t-${Date.now().toString(36)}-ready`, ...where, ...PRESTART_SIZE, user: owner });
  }

  /** Sessions being looked at now: changes come in bursts, one look at a time is enough. */
  const looking = new Set<string>();
  return services.sessions.onAnyChange((sessionId) => {
    if (looking.has(sessionId)) return;
    looking.add(sessionId);
    prestart(sessionId)
      .catch((err: unknown) => log(`terminal: could not open a shell ahead for ${sessionId}: ${(err as Error).message}`))
      .finally(() => looking.delete(sessionId));
  });
}
