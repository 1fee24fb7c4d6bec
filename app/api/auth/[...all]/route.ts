import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

// better-auth's endpoints (sign-up, sign-in, sign-out, session) under /api/auth.
function handler(req: Request) {
  return getServices().auth.handler(req);
}

export { handler as GET, handler as POST };
