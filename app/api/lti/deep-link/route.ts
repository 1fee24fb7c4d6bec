import { userFromHeaders } from "@/server/auth/principal";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/** The lab picker's form: signs the picked labs and posts them back to the LMS through the browser. */
export async function POST(req: Request) {
  const services = getServices();
  return services.lti.deepLinkReturn(req, await userFromHeaders(services.auth, req.headers));
}
