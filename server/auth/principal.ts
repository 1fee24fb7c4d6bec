/**
 * Who is calling: the one home of the caller type for every layer (tRPC,
 * REST, the terminal gateway, services). Domain code takes a principal from
 * here and never reaches up into the API layer for it.
 */
import { readWithReconnect } from "../db/connection-errors";

/** A signed-in person. */
export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: "learner" | "instructor" | "admin";
}

/**
 * The platform itself (background polling, grading its own sessions): may
 * read any session, is never a person, and is never shown as one.
 */
export const SYSTEM = Object.freeze({ kind: "system" as const });
export type SystemPrincipal = typeof SYSTEM;

/** Anyone a service acts for. */
export type Principal = SessionUser | SystemPrincipal;

export function isSystem(p: unknown): p is SystemPrincipal {
  return p === SYSTEM;
}

/** The session store a request's cookie is checked against (better-auth's API). */
export interface SessionLookup {
  api: { getSession(opts: { headers: Headers }): Promise<{ user: { id: string; email: string; name: string } & Record<string, unknown> } | null> };
}

/** Resolves the signed-in user from a request's session cookie, or null. */
export async function userFromHeaders(auth: SessionLookup, headers: Headers): Promise<SessionUser | null> {
  // Every request starts here, so a dropped database connection would fail
  // them all at once (the soak saw 500s): the lookup is a read, tried again.
  const session = await readWithReconnect(() => auth.api.getSession({ headers }));
  if (!session) return null;
  const u = session.user;
  const role = u.role === "admin" || u.role === "instructor" ? u.role : "learner";
  return { id: u.id, email: u.email, name: u.name, role };
}
