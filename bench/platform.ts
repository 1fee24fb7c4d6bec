import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseEnv } from "../server/env";
import type { GradingConfig } from "../server/grading/service";
import { createServices, type Services } from "../server/services";
import type { SessionConfig } from "../server/sessions/config";
import { userFromHeaders, type SessionUser } from "../server/auth/principal";
import { cookieHeader } from "../test/support/cookies";

/** Platform services on a throwaway PGlite database, for benchmarks. */
export async function startTestPlatformOutsideVitest(instance: string, sessionConfig: Partial<SessionConfig>, options: { gradingConfig?: Partial<GradingConfig>; env?: Record<string, string> } = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "labs-bench-"));
  // SANDBOX_ISOLATION and SANDBOX_DISK_MB pass through: a benchmark may run on the ordinary engine on purpose (it says so).
  const { SANDBOX_ISOLATION, SANDBOX_DISK_MB } = process.env;
  const env = parseEnv({ NODE_ENV: "test", DATA_DIR: dataDir, LABS_INSTANCE: instance, PORT: "3999", SANDBOX_ISOLATION, SANDBOX_DISK_MB, ...options.env });
  const gradingConfig = options.gradingConfig;
  const services: Services = await createServices(env, { sessionConfig, gradingConfig });
  const signUp = async (email: string): Promise<{ user: SessionUser; cookie: string }> => {
    const res = await services.auth.api.signUpEmail({ body: { email, password: "benchmark password", name: "bench" }, asResponse: true });
    const cookie = cookieHeader(res);
    return { user: (await userFromHeaders(services.auth, new Headers({ cookie })))!, cookie };
  };
  return {
    services,
    async user(email: string): Promise<SessionUser> {
      return (await signUp(email)).user;
    },
    /** A new account and its session cookie (for terminal connections). */
    signUp,
    async close() {
      await services.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
