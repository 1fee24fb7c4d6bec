import { apiRoute, methodNotAllowed } from "@/server/rest/request";
import { postLabVersionPublish } from "@/server/rest/labs";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/** Makes a version the one new sessions get (docs/api.md). */
export const POST = apiRoute(getServices, postLabVersionPublish, { scope: "labs" });

// Every other method: a JSON 405 naming the one this endpoint answers.
const wrongMethod = methodNotAllowed("POST");
export { wrongMethod as GET, wrongMethod as PUT, wrongMethod as PATCH, wrongMethod as DELETE };
