import { apiRoute } from "@/server/api-tokens/request";
import { postGradeSession } from "@/server/grades/rest";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/** Runs a session's checks now and returns its score report (docs/api.md). */
export const POST = apiRoute(getServices, postGradeSession);
