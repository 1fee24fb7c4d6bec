import { apiRoute, methodNotAllowed } from "@/server/rest/request";
import { getLabVersions, postLabVersion } from "@/server/rest/labs";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/** A lab's versions (GET), and a push of a new one (POST, `labs push`) (docs/api.md). */
export const GET = apiRoute(getServices, getLabVersions, { scope: "labs" });
export const POST = apiRoute(getServices, postLabVersion, { scope: "labs" });

// Every other method: a JSON 405 naming the ones this endpoint answers.
const wrongMethod = methodNotAllowed("GET", "POST");
export { wrongMethod as PUT, wrongMethod as PATCH, wrongMethod as DELETE };
