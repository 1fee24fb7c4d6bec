/**
 * Errors that mean "the database connection went away" rather than "this
 * query is wrong": the server restarting or failing over, an administrator's
 * pg_terminate_backend, a network blip. A read that hits one may simply be
 * tried again on a fresh connection; a caller that still fails is told the
 * platform is briefly unavailable (503), not that something broke (500).
 */
import { DomainError } from "../errors";

/** SQLSTATEs of a connection the server ended (admin shutdown, crash, cannot connect now). */
const CONNECTION_SQLSTATES = new Set(["57P01", "57P02", "57P03", "08000", "08003", "08006"]);
const CONNECTION_WORDS = /terminating connection|Connection terminated|connection (?:is )?closed|ECONNRESET|ECONNREFUSED|EPIPE|Client has encountered a connection error|server closed the connection/i;

/** True when `err` (or an error it wraps, however deep: Prisma, better-auth and pg all wrap) is a lost connection. */
export function isDatabaseConnectionError(err: unknown): boolean {
  const seen = new Set<unknown>();
  const visit = (e: unknown, depth: number): boolean => {
    if (!e || typeof e !== "object" || seen.has(e) || depth > 6) return false;
    seen.add(e);
    const o = e as { code?: unknown; message?: unknown; cause?: unknown; meta?: unknown; originalCode?: unknown };
    if (typeof o.code === "string" && CONNECTION_SQLSTATES.has(o.code)) return true;
    if (typeof o.originalCode === "string" && CONNECTION_SQLSTATES.has(o.originalCode)) return true;
    if (typeof o.message === "string" && CONNECTION_WORDS.test(o.message)) return true;
    return visit(o.cause, depth + 1) || visit(o.meta, depth + 1) || Object.values(o).some((v) => v !== o.cause && v !== o.meta && typeof v === "object" && visit(v, depth + 1));
  };
  return visit(err, 0);
}

/** The sentence a caller gets when the database stayed out of reach. */
export function databaseUnavailable(err: unknown): DomainError {
  return new DomainError("UNAVAILABLE", "The server lost its database connection for a moment. Try again in a second.", err instanceof Error ? err.message : String(err));
}

/**
 * Runs a read, once more on a fresh connection if the first attempt lost its
 * connection; a second loss becomes UNAVAILABLE. Only for reads: a write that
 * lost its connection may or may not have happened.
 */
export async function readWithReconnect<T>(read: () => Promise<T>, pauseMs = 100): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (!isDatabaseConnectionError(err)) throw err;
    await new Promise((r) => setTimeout(r, pauseMs));
    try {
      return await read();
    } catch (again) {
      throw isDatabaseConnectionError(again) ? databaseUnavailable(again) : again;
    }
  }
}
