import { initTRPC, TRPCError } from "@trpc/server";
import { TRPC_ERROR_CODES_BY_KEY, type TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import superjson from "superjson";
import { ZodError } from "zod";
import { databaseUnavailable, isDatabaseConnectionError } from "../db/connection-errors";
import { HTTP_STATUS, isDomainError, type DomainErrorCode } from "../errors";
import { rootLogger } from "../observability/logger";
import type { KeyedRateLimiter, RateLimits } from "../rate-limits";
import type { Context } from "./context";

/** tRPC's name for each HTTP status a domain error maps to (server/errors.ts HTTP_STATUS). */
const TRPC_CODE_OF_STATUS: Record<number, TRPC_ERROR_CODE_KEY> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  429: "TOO_MANY_REQUESTS",
  500: "INTERNAL_SERVER_ERROR",
  503: "SERVICE_UNAVAILABLE",
};
export const trpcCodeOf = (code: DomainErrorCode): TRPC_ERROR_CODE_KEY => TRPC_CODE_OF_STATUS[HTTP_STATUS[code]] ?? "INTERNAL_SERVER_ERROR";

/**
 * What clients get beyond tRPC's own error shape: the domain code, a
 * technical `detail` where we have one, and each bad input field. A
 * NOT_FOUND's detail could tell "exists but not yours" from "does not
 * exist", so it stays in the server's logs only.
 */
export function errorData(error: TRPCError) {
  const cause = error.cause;
  return {
    detail: isDomainError(cause) && cause.code !== "NOT_FOUND" ? (cause.detail ?? null) : null,
    domainCode: isDomainError(cause) ? cause.code : null,
    fieldErrors: cause instanceof ZodError ? cause.flatten().fieldErrors : null,
  };
}

// Refused input says at most this many of its problems: a malformed batch
// of thousands must not come back as thousands of sentences.
const INPUT_SENTENCES = 3;

/**
 * Refused input as sentences for people, instead of zod's JSON. Our own
 * messages are full sentences naming their field (server/fields.ts) and are
 * kept as they are; zod's defaults and short phrases get the field's path
 * in front.
 */
export function inputErrorSentence(err: ZodError): string {
  const sentences = err.issues.slice(0, INPUT_SENTENCES).map((i) => (/[.!?]$/.test(i.message) ? i.message : `${i.path.join(".") || "input"}: ${i.message}.`));
  const more = err.issues.length - INPUT_SENTENCES;
  return more > 0 ? `${sentences.join(" ")} (${more} more problem${more === 1 ? "" : "s"} not listed.)` : sentences.join(" ");
}

/**
 * A domain error thrown while a subscription streams (after the middleware
 * below has returned) reaches tRPC unconverted, as INTERNAL_SERVER_ERROR:
 * give it its own code and status here, so an SSE refusal is a 404 or 403
 * with its sentence, not a 500.
 */
export function domainShape<S extends { code: number; message: string; data: { code: string; httpStatus: number } }>(shape: S, error: TRPCError): S {
  const cause = error.cause;
  if (error.code !== "INTERNAL_SERVER_ERROR" || !isDomainError(cause)) return shape;
  const code = trpcCodeOf(cause.code);
  return { ...shape, code: TRPC_ERROR_CODES_BY_KEY[code], message: cause.message, data: { ...shape.data, code, httpStatus: HTTP_STATUS[cause.code] } };
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  // Every error reaches clients as a sentence (message) plus errorData().
  errorFormatter({ shape, error }) {
    return domainShape({ ...shape, data: { ...shape.data, ...errorData(error) } }, error);
  },
});

// The one place domain errors become API errors. Unknown errors stay
// INTERNAL_SERVER_ERROR with a generic sentence; their text is logged, not sent.
const domainErrors = t.middleware(async ({ next, path }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (isDomainError(cause)) {
      throw new TRPCError({ code: trpcCodeOf(cause.code), message: cause.message, cause });
    }
    if (result.error.code === "BAD_REQUEST" && cause instanceof ZodError) {
      throw new TRPCError({ code: "BAD_REQUEST", message: inputErrorSentence(cause), cause });
    }
    if (result.error.code === "INTERNAL_SERVER_ERROR" && isDatabaseConnectionError(cause)) {
      const unavailable = databaseUnavailable(cause);
      rootLogger().warn({ component: "trpc", procedure: path, err: cause }, `${path}: ${unavailable.message}`);
      throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: unavailable.message, cause: unavailable });
    }
    if (result.error.code === "INTERNAL_SERVER_ERROR") {
      rootLogger().error({ component: "trpc", procedure: path, err: cause ?? result.error }, `${path} failed`);
      throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "Something went wrong on our side; the error was logged.", cause: result.error });
    }
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Anyone, signed in or not. */
export const publicProcedure = t.procedure.use(domainErrors);

/** A signed-in user of any role. */
export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to do this." });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

/** Instructors and admins. */
export const instructorProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "instructor" && ctx.user.role !== "admin") {
    throw new TRPCError({ code: "FORBIDDEN", message: "Only instructors can do this." });
  }
  return next();
});

/** Admins only. */
export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "admin") throw new TRPCError({ code: "FORBIDDEN", message: "Only administrators can do this." });
  return next();
});

/**
 * A signed-in user's procedure that costs real work (a node's checks, a
 * `docker exec`): each call first spends one of the user's calls in the
 * budget `pick` chooses (server/rate-limits.ts), before its input is read.
 */
export function rateLimitedProcedure(pick: (limits: RateLimits) => KeyedRateLimiter) {
  return authedProcedure.use(({ ctx, next }) => {
    pick(ctx.services.rateLimits).take(ctx.user.id);
    return next();
  });
}
