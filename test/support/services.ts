import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseEnv } from "../../server/env";
import { createServices, type Services } from "../../server/services";
import type { SessionConfig } from "../../server/sessions/config";
import { userFromHeaders } from "../../server/auth/principal";
import { createContextInner } from "../../server/trpc/context";
import { createCaller } from "../../server/trpc/root";
import { freshDatabase, type DatabaseKind } from "./databases";
import { cookieHeader } from "./cookies";

const REPO_LABS = path.resolve(__dirname, "../../labs");
const BROKEN_LABS = path.resolve(__dirname, "../fixtures/labs");

/**
 * A labs directory for tests: the repository's real labs plus the broken
 * fixtures (so catalog tests see both), in a temp dir named `labs`.
 */
export function testLabsDir(): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "labs-catalog-")), "labs");
  fs.cpSync(REPO_LABS, dir, { recursive: true });
  fs.cpSync(BROKEN_LABS, dir, { recursive: true });
  return dir;
}

/** Platform services on a fresh database, plus helpers to act as users. */
export interface TestPlatform {
  services: Services;
  /** Signs up a user through better-auth; returns the cookie header and caller. */
  signUp(email: string, password?: string): Promise<{ cookie: string; caller: ReturnType<typeof createCaller> }>;
  /** Signs in an existing account; returns the cookie header and caller. */
  signIn(email: string, password?: string): Promise<{ cookie: string; caller: ReturnType<typeof createCaller> }>;
  /** A tRPC caller with no signed-in user. */
  anonymous(): ReturnType<typeof createCaller>;
  /** Closes services; keeps the data (for restart tests) unless `drop`. */
  close(drop?: boolean): Promise<void>;
  /** Opens services again on the same data. */
  reopen(): Promise<void>;
}

export async function startTestPlatform(kind: DatabaseKind, overrides: Record<string, string> = {}, sessionConfig: Partial<SessionConfig> = {}): Promise<TestPlatform> {
  const db = await freshDatabase(kind);
  const env = parseEnv({
    NODE_ENV: "test",
    DATA_DIR: db.DATA_DIR,
    DATABASE_URL: db.DATABASE_URL,
    LABS_DIR: overrides.LABS_DIR ?? testLabsDir(),
    PORT: "3999",
    ...overrides,
  });
  // Tests never reach across instances: each gets its own Docker label value.
  env.LABS_INSTANCE = overrides.LABS_INSTANCE ?? `t-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  let services = await createServices(env, { sessionConfig });

  const platform: TestPlatform = {
    get services() {
      return services;
    },
    async signUp(email, password = "correct horse battery") {
      const res = await services.auth.api.signUpEmail({
        body: { email, password, name: email.split("@")[0]! },
        asResponse: true,
      });
      if (!res.ok) throw new Error(`sign-up of ${email} failed: ${res.status} ${await res.text()}`);
      const cookie = cookieHeader(res);
      const user = await userFromHeaders(services.auth, new Headers({ cookie }));
      return { cookie, caller: createCaller(createContextInner({ services, user })) };
    },
    async signIn(email, password = "correct horse battery") {
      const res = await services.auth.api.signInEmail({ body: { email, password }, asResponse: true });
      if (!res.ok) throw new Error(`sign-in of ${email} failed: ${res.status} ${await res.text()}`);
      const cookie = cookieHeader(res);
      const user = await userFromHeaders(services.auth, new Headers({ cookie }));
      return { cookie, caller: createCaller(createContextInner({ services, user })) };
    },
    anonymous: () => createCaller(createContextInner({ services, user: null })),
    async close(drop = false) {
      await services.close();
      if (drop) await db.cleanup();
    },
    async reopen() {
      services = await createServices(env, { sessionConfig });
    },
  };
  return platform;
}
