import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseEnv } from "../server/env";
import { createServices, type Services } from "../server/services";
import type { SessionConfig } from "../server/sessions/config";
import { userFromHeaders, type SessionUser } from "../server/auth/principal";
import { cookieHeader } from "../test/support/cookies";

/** Platform services on a throwaway PGlite database, for benchmarks. */
export async function startTestPlatformOutsideVitest(instance: string, sessionConfig: Partial<SessionConfig>) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "labs-bench-"));
  const env = parseEnv({ NODE_ENV: "test", DATA_DIR: dataDir, LABS_INSTANCE: instance, PORT: "3999" });
  const services: Services = await createServices(env, { sessionConfig });
  return {
    services,
    async user(email: string): Promise<SessionUser> {
      const res = await services.auth.api.signUpEmail({ body: { email, password: "benchmark password", name: "bench" }, asResponse: true });
      const cookie = cookieHeader(res);
      return (await userFromHeaders(services.auth, new Headers({ cookie })))!;
    },
    async close() {
      await services.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
