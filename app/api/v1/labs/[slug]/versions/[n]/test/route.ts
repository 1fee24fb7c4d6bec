import { apiRoute, methodNotAllowed } from "@/server/rest/request";
import { postLabVersionTest } from "@/server/rest/labs";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/** Starts "Test this lab" on a version; its lines are read from the version (docs/api.md). */
export const POST = apiRoute(getServices, postLabVersionTest, { scope: "labs" });

// Every other method: a JSON 405 naming the one this endpoint answers.
const wrongMethod = methodNotAllowed("POST");
export { wrongMethod as GET, wrongMethod as PUT, wrongMethod as PATCH, wrongMethod as DELETE };
