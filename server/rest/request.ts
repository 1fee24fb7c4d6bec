import { DomainError, HTTP_STATUS, isDomainError } from "../errors";
import type { Services } from "../services";
import { userFromHeaders, type SessionUser } from "../auth/principal";
import { authenticateApiToken } from "../api-tokens/service";
import { parseAuthorization } from "../api-tokens/token";
import { missingScopeSentence, TOKEN_SCOPES, type TokenScope } from "../api-tokens/scopes";

/**
 * The edge of the REST API (/api/v1): who is calling, and errors as JSON
 * `{ error: { code, message } }` with the matching HTTP status. Route files
 * wrap their work in `apiRoute` and stay a few lines long.
 */

/** A REST caller: the user, whether they came with a token or a browser cookie, and what they may do. */
export interface ApiCaller {
  user: SessionUser;
  via: "token" | "cookie";
  /** The token's scopes (server/api-tokens/scopes.ts); a browser session has them all. */
  scopes: TokenScope[];
}

/**
 * The caller of a request: `Authorization: Bearer rl_...` if the header is
 * there (a bad token is refused, never silently replaced by the cookie), else
 * the browser's session cookie, so the dashboard's download buttons work.
 */
export async function callerFromRequest(services: Services, req: Request): Promise<ApiCaller> {
  const credential = parseAuthorization(req.headers.get("authorization"));
  if (credential.kind === "malformed") throw new DomainError("UNAUTHORIZED", credential.reason);
  if (credential.kind === "token") {
    const { user, scopes } = await authenticateApiToken(services.db.prisma, credential.token);
    return { user, via: "token", scopes };
  }
  const user = await userFromHeaders(services.auth, req.headers);
  if (!user) throw new DomainError("UNAUTHORIZED", "Sign in, or send an API token as `Authorization: Bearer rl_...` (create one on your Account page).");
  return { user, via: "cookie", scopes: [...TOKEN_SCOPES] };
}

/** Refuses a caller without `scope` (403, with the sentence saying which scope a token needs). */
export function assertScope(caller: ApiCaller, scope: TokenScope): void {
  if (!caller.scopes.includes(scope)) throw new DomainError("FORBIDDEN", missingScopeSentence(scope));
}

/**
 * Cookie-authenticated writes must come from our own pages: a browser sends
 * cookies with cross-site form posts in some configurations, tokens it never
 * sends by itself. A missing Origin (curl, server-side callers) is allowed.
 */
export function assertSameOrigin(req: Request, publicUrl: string): void {
  const origin = req.headers.get("origin");
  if (!origin) return;
  const allowed = new Set([new URL(req.url).origin, new URL(publicUrl).origin]);
  if (!allowed.has(origin)) throw new DomainError("FORBIDDEN", `Requests from ${origin} may not use your browser session; send an API token instead.`);
}

/**
 * A JSON error body with the status its code means: the code and the
 * sentence only. A DomainError's `detail` is for operators (it can name
 * internal ids, states or a library's error text) and is never sent.
 */
export function errorResponse(err: unknown): Response {
  if (isDomainError(err)) {
    const headers: Record<string, string> = { "cache-control": "no-store" };
    if (err.code === "UNAUTHORIZED") headers["www-authenticate"] = 'Bearer realm="runtime-labs"';
    // Every rate limit refills at least one call a second (server/env.ts RATE_LIMIT_*).
    if (err.code === "RATE_LIMITED") headers["retry-after"] = "1";
    return Response.json({ error: { code: err.code, message: err.message } }, { status: HTTP_STATUS[err.code], headers });
  }
  // Unknown failures: logged with their text, answered with a sentence only.
  console.error("[api/v1] request failed:", err);
  return Response.json({ error: { code: "INTERNAL", message: "Something went wrong on our side; the error was logged." } }, { status: 500, headers: { "cache-control": "no-store" } });
}

/** JSON with no caching (results change as learners work). */
export function jsonResponse(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("cache-control", "no-store");
  return Response.json(body, { ...init, headers });
}

type RouteContext<P> = { params: Promise<P> };

/** How an endpoint is guarded beyond authentication. */
export interface ApiRouteOptions {
  /** The token scope the endpoint needs (default "read": every endpoint the API had before scopes). */
  scope?: TokenScope;
}

/**
 * Wraps a REST handler: resolves the services and the caller, spends one
 * call of the caller's API budget (per account: its tokens and its cookie
 * share it, so twenty tokens do not make twenty budgets), refuses a token
 * without the endpoint's scope and cross-site cookie writes, and turns every
 * error into a JSON error response.
 */
export function apiRoute<P>(
  getServices: () => Services,
  handler: (args: { services: Services; caller: ApiCaller; req: Request; params: P }) => Promise<Response>,
  options: ApiRouteOptions = {},
): (req: Request, ctx: RouteContext<P>) => Promise<Response> {
  const scope = options.scope ?? "read";
  return async (req, ctx) => {
    try {
      const services = getServices();
      const caller = await callerFromRequest(services, req);
      services.rateLimits.api.take(caller.user.id);
      assertScope(caller, scope);
      if (caller.via === "cookie" && req.method !== "GET" && req.method !== "HEAD") assertSameOrigin(req, services.env.publicUrl);
      return await handler({ services, caller, req, params: await ctx.params });
    } catch (err) {
      return errorResponse(err);
    }
  };
}

/**
 * A handler for the methods an endpoint does not answer: JSON 405 with an
 * `Allow` header, in the API's error shape (Next's own 405 has no body).
 * Route files export it under each other method name.
 */
export function methodNotAllowed(...allowed: string[]): (req: Request) => Response {
  const allow = allowed.includes("GET") && !allowed.includes("HEAD") ? [...allowed, "HEAD"] : allowed;
  return (req) => {
    const { pathname } = new URL(req.url);
    return Response.json(
      { error: { code: "METHOD_NOT_ALLOWED", message: `${pathname} does not answer ${req.method}; use ${allowed.join(" or ")} (docs/api.md).` } },
      { status: 405, headers: { allow: allow.join(", "), "cache-control": "no-store" } },
    );
  };
}
