import { errorResponse } from "@/server/rest/request";
import { DomainError } from "@/server/errors";

export const dynamic = "force-dynamic";

/** Unknown /api/v1 paths answer in the API's JSON error shape, not with an HTML page. */
function notFound(req: Request): Response {
  const { pathname } = new URL(req.url);
  return errorResponse(new DomainError("NOT_FOUND", `There is no API endpoint ${req.method} ${pathname}; docs/api.md lists them.`));
}

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
