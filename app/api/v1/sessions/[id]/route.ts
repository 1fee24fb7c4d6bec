import { apiRoute } from "@/server/api-tokens/request";
import { getSession } from "@/server/grades/rest";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/** A session's results, with check history and evidence for staff (docs/api.md). */
export const GET = apiRoute(getServices, getSession);
