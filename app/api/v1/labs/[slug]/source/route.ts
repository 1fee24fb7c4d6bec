import { apiRoute, methodNotAllowed } from "@/server/rest/request";
import { getLabSource } from "@/server/rest/labs";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/** A version's lab.md as text/markdown (`labs pull`) (docs/api.md). */
export const GET = apiRoute(getServices, getLabSource, { scope: "labs" });

// Every other method: a JSON 405 naming the one this endpoint answers.
const wrongMethod = methodNotAllowed("GET");
export { wrongMethod as POST, wrongMethod as PUT, wrongMethod as PATCH, wrongMethod as DELETE };
