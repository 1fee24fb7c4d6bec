import { apiRoute, methodNotAllowed } from "@/server/rest/request";
import { postGradeSession } from "@/server/rest/grades";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/** Runs a session's checks now and returns its score report (docs/api.md). */
export const POST = apiRoute(getServices, postGradeSession);

// Every other method: a JSON 405 naming the one this endpoint answers.
const wrongMethod = methodNotAllowed("POST");
export { wrongMethod as GET, wrongMethod as PUT, wrongMethod as PATCH, wrongMethod as DELETE };
