import { apiRoute, jsonResponse } from "@/server/api-tokens/request";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/** Who the token (or cookie) acts as: the quickest way to test a new token. */
export const GET = apiRoute(getServices, async ({ caller }) => jsonResponse({ user: caller.user, via: caller.via }));
