import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/** Our public signing keys, for LMSs verifying deep-linking responses and client assertions. */
export function GET() {
  return getServices().lti.jwks();
}
