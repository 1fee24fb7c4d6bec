import { getServices, type Services } from "../services";

/** The signed-in user as procedures see it. */
export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: "learner" | "instructor" | "admin";
}

export interface Context {
  services: Services;
  user: SessionUser | null;
}

/**
 * Builds a context without an HTTP request, so tests and server components
 * can call procedures directly (tRPC's createContextInner pattern).
 */
export function createContextInner(opts: { services: Services; user: SessionUser | null }): Context {
  return { services: opts.services, user: opts.user };
}

/** Resolves the user from the request's session cookie. */
export async function userFromHeaders(services: Services, headers: Headers): Promise<SessionUser | null> {
  const session = await services.auth.api.getSession({ headers });
  if (!session) return null;
  const u = session.user as typeof session.user & { role?: string };
  const role = u.role === "admin" || u.role === "instructor" ? u.role : "learner";
  return { id: u.id, email: u.email, name: u.name, role };
}

/** Context for an HTTP call to /api/trpc. */
export async function createContextFromRequest(req: Request): Promise<Context> {
  const services = getServices();
  return createContextInner({ services, user: await userFromHeaders(services, req.headers) });
}
