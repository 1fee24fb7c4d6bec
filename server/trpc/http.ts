import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { isDomainError } from "../errors";
import type { Context } from "./context";
import { appRouter } from "./root";

/**
 * Most calls one HTTP batch may carry. The UI batches at most 10
 * (app/_trpc/client.tsx, maxItems); a larger batch is refused with 400 before
 * any procedure runs, so one request cannot fan out into hundreds of
 * `docker exec`s (seen: 150 cgroupTree calls in one batch slowed another
 * learner's terminal).
 */
export const MAX_BATCH_SIZE = 20;

export interface TrpcHttpOptions {
  /**
   * Origins allowed to send state-changing requests (POST: mutations). A
   * browser always sends Origin on a POST; one from another site is refused
   * with 403 before anything runs, whatever its cookies (defence in depth
   * beside JSON bodies and SameSite=Lax). Requests without Origin (scripts,
   * server-side callers) are not browsers riding a cookie and pass.
   */
  allowedOrigins?: ReadonlySet<string>;
}

/** The /api/trpc handler, with the platform's limits. */
export async function handleTrpcRequest(req: Request, createContext: () => Promise<Context>, options: TrpcHttpOptions = {}): Promise<Response> {
  const origin = req.headers.get("origin");
  if (req.method === "POST" && origin && options.allowedOrigins && !options.allowedOrigins.has(origin)) {
    const message = `Requests from ${origin} are not accepted here; use the platform's own address.`;
    return Response.json([{ error: { message, code: -32003, data: { code: "FORBIDDEN", httpStatus: 403 } } }], { status: 403 });
  }
  // The context is made first, here: when even the caller's session cannot
  // be read (the database is out of reach), the answer is a 503 that says
  // so and when to try again, not tRPC's 500 for a failed context.
  let context: Context;
  try {
    context = await createContext();
  } catch (err) {
    if (isDomainError(err) && err.code === "UNAVAILABLE") {
      return Response.json([{ error: { message: err.message, code: -32603, data: { code: "SERVICE_UNAVAILABLE", httpStatus: 503 } } }], { status: 503, headers: { "retry-after": "1" } });
    }
    throw err;
  }
  return fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext: async () => context, maxBatchSize: MAX_BATCH_SIZE });
}
