import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/**
 * Liveness and dependencies. 200 while the platform can serve (database up);
 * Docker's state is reported but, when down, only disables sandboxes.
 */
export async function GET() {
  const report = await getServices().health();
  return Response.json(report, { status: report.database.status === "up" ? 200 : 503, headers: { "cache-control": "no-store" } });
}
