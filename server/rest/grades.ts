import { jsonResponse } from "./request";
import type { ApiCaller } from "./request";
import { idField, parseField } from "../fields";
import type { Services } from "../services";
import { exportFileName, resultsToCsv, resultsToJson } from "../grades/export";
import { gradeSession, sessionResults } from "../grades/session-report";

/**
 * The REST handlers of /api/v1 for grades (route files under app/api/v1
 * only wrap these). Every handler receives an authenticated caller, and
 * checks the id in its path before any query uses it.
 */

const cohortId = idField("The cohort id");
const sessionId = idField("The session id");

interface Args<P> {
  services: Services;
  caller: ApiCaller;
  req: Request;
  params: P;
}

/** The export format a request asks for: `?format=csv|json`, else `Accept: text/csv`, else JSON. */
export function requestedFormat(req: Request): { format: "csv" | "json"; download: boolean } {
  const param = new URL(req.url).searchParams.get("format")?.toLowerCase();
  if (param === "csv" || param === "json") return { format: param, download: true };
  const accept = req.headers.get("accept") ?? "";
  return { format: /\btext\/csv\b/i.test(accept) ? "csv" : "json", download: /\btext\/csv\b/i.test(accept) };
}

/**
 * GET /api/v1/cohorts/:id/results — the cohort's results for its instructor
 * (or an admin). JSON by default; CSV (an attachment) with `?format=csv` or
 * `Accept: text/csv`; `?format=json` makes the JSON an attachment too.
 */
export async function getCohortResults({ services, caller, req, params }: Args<{ id: string }>): Promise<Response> {
  const results = await services.cohorts.results(caller.user, parseField(cohortId, params.id)); // NOT_FOUND unless theirs
  const { format, download } = requestedFormat(req);
  if (format === "csv") {
    return new Response(resultsToCsv(results), {
      headers: {
        "content-type": "text/csv; charset=utf-8; header=present",
        "content-disposition": `attachment; filename="${exportFileName(results, "csv")}"`,
        "cache-control": "no-store",
      },
    });
  }
  const headers: Record<string, string> = {};
  if (download) headers["content-disposition"] = `attachment; filename="${exportFileName(results, "json")}"`;
  return jsonResponse(resultsToJson(results), { headers });
}

/** POST /api/v1/sessions/:id/grade — runs every pending check now and returns the score report. */
export async function postGradeSession({ services, caller, params }: Args<{ id: string }>): Promise<Response> {
  const report = await gradeSession({ prisma: services.db.prisma, labs: services.labs, grading: services.grading }, caller.user, parseField(sessionId, params.id));
  return jsonResponse(report);
}

/** GET /api/v1/sessions/:id — the stored results; staff also get each task's check history with evidence. */
export async function getSession({ services, caller, params }: Args<{ id: string }>): Promise<Response> {
  return jsonResponse(await sessionResults({ prisma: services.db.prisma, labs: services.labs }, caller.user, parseField(sessionId, params.id)));
}
