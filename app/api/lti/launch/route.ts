import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

// The LMS's form post of the id_token (LTI 1.3 launch); a GET is answered with a refusal page.
function handler(req: Request) {
  return getServices().lti.launch(req);
}

export { handler as GET, handler as POST };
