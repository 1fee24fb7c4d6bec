import { apiRoute, methodNotAllowed } from "@/server/rest/request";
import { getCohortResults } from "@/server/rest/grades";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/** A cohort's results as JSON or CSV (docs/api.md). */
export const GET = apiRoute(getServices, getCohortResults);

// Every other method: a JSON 405 naming the one this endpoint answers.
const wrongMethod = methodNotAllowed("GET");
export { wrongMethod as POST, wrongMethod as PUT, wrongMethod as PATCH, wrongMethod as DELETE };
