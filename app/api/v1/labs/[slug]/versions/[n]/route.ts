import { apiRoute, methodNotAllowed } from "@/server/rest/request";
import { getLabVersion } from "@/server/rest/labs";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/** One version of a lab: problems, published, its last test's status and lines (docs/api.md). */
export const GET = apiRoute(getServices, getLabVersion, { scope: "labs" });

// Every other method: a JSON 405 naming the one this endpoint answers.
const wrongMethod = methodNotAllowed("GET");
export { wrongMethod as POST, wrongMethod as PUT, wrongMethod as PATCH, wrongMethod as DELETE };
