import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

// OIDC third-party login initiation from an LMS (LTI 1.3): GET or POST.
function handler(req: Request) {
  return getServices().lti.login(req);
}

export { handler as GET, handler as POST };
