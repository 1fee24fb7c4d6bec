import "server-only";
import { headers } from "next/headers";
import { cache } from "react";
import { getServices } from "@/server/services";
import { userFromHeaders } from "@/server/auth/principal";
import { createContextInner } from "@/server/trpc/context";
import { createCaller } from "@/server/trpc/root";

/**
 * The API for server components: the same procedures, called in-process with
 * the request's user. Cached per request.
 */
export const api = cache(async () => {
  const services = getServices();
  const user = await userFromHeaders(services.auth, await headers());
  return createCaller(createContextInner({ services, user }));
});
