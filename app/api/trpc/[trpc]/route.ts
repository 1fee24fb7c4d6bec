import { getServices } from "@/server/services";
import { createContextFromRequest } from "@/server/trpc/context";
import { handleTrpcRequest } from "@/server/trpc/http";

export const dynamic = "force-dynamic";

function handler(req: Request) {
  // The same rule as the terminal's upgrade: the platform's public address only.
  const allowedOrigins = new Set([new URL(getServices().env.publicUrl).origin]);
  return handleTrpcRequest(req, () => createContextFromRequest(req), { allowedOrigins });
}

export { handler as GET, handler as POST };
