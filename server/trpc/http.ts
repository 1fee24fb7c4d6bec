import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
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

/** The /api/trpc handler, with the platform's limits. */
export function handleTrpcRequest(req: Request, createContext: () => Promise<Context>): Promise<Response> {
  return fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext, maxBatchSize: MAX_BATCH_SIZE });
}
