import { userFromHeaders, type SessionUser } from "../auth/principal";
import { getServices, type Services } from "../services";

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

/** Context for an HTTP call to /api/trpc. */
export async function createContextFromRequest(req: Request): Promise<Context> {
  const services = getServices();
  return createContextInner({ services, user: await userFromHeaders(services.auth, req.headers) });
}
