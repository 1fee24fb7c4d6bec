import { apiRoute } from "@/server/api-tokens/request";
import { getCohortResults } from "@/server/grades/rest";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/** A cohort's results as JSON or CSV (docs/api.md). */
export const GET = apiRoute(getServices, getCohortResults);
