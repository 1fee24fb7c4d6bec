import { apiRoute, methodNotAllowed, jsonResponse } from "@/server/rest/request";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/** Who the token (or cookie) acts as, and what it may do: the quickest way to test a new token. */
export const GET = apiRoute(getServices, async ({ caller }) => jsonResponse({ user: caller.user, via: caller.via, scopes: caller.scopes }));

// Every other method: a JSON 405 naming the one this endpoint answers.
const wrongMethod = methodNotAllowed("GET");
export { wrongMethod as POST, wrongMethod as PUT, wrongMethod as PATCH, wrongMethod as DELETE };
