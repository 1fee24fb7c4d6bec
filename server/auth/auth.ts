import { betterAuth } from "better-auth";
import { APIError } from "better-auth/api";
import { prismaAdapter } from "better-auth/adapters/prisma";
import type { PrismaClient } from "../generated/prisma/client";
import { MAX_DISPLAY_NAME, tooLongSentence } from "../limits";

/**
 * A display name as stored: trimmed, 1 to MAX_DISPLAY_NAME characters.
 * Refused with 400 otherwise (a 20 MiB name once made every instructor
 * page it appears on 20 MB and the server's memory double).
 */
function displayName(name: unknown): string {
  const n = typeof name === "string" ? name.trim() : "";
  if (!n) throw new APIError("BAD_REQUEST", { message: "A display name is required." });
  if ([...n].length > MAX_DISPLAY_NAME) {
    throw new APIError("BAD_REQUEST", { message: tooLongSentence("A display name", MAX_DISPLAY_NAME, [...n].length) });
  }
  return n;
}

export interface AuthOptions {
  prisma: PrismaClient;
  baseUrl: string;
  secret: string;
  /** Extra origins allowed to call the auth endpoints (tests, proxies). */
  trustedOrigins?: string[];
  /** Sign-in and sign-up attempts allowed per 10 s from one address (production); default 3. */
  attemptsPer10s?: number;
}

/**
 * Email-and-password accounts with cookie sessions (better-auth). Every user
 * has a role; the first account ever created becomes admin so a fresh install
 * can be administered without a seed script.
 */
export function createAuth({ prisma, baseUrl, secret, trustedOrigins = [], attemptsPer10s = 3 }: AuthOptions) {
  return betterAuth({
    appName: "Runtime Labs",
    baseURL: baseUrl,
    basePath: "/api/auth",
    secret,
    trustedOrigins: [baseUrl, ...trustedOrigins],
    telemetry: { enabled: false },
    rateLimit: {
      customRules: {
        "/sign-in/email": { window: 10, max: attemptsPer10s },
        "/sign-up/email": { window: 10, max: attemptsPer10s },
      },
    },
    database: prismaAdapter(prisma, { provider: "postgresql" }),
    emailAndPassword: { enabled: true, minPasswordLength: 8, maxPasswordLength: 128, autoSignIn: true },
    session: { modelName: "authSession", expiresIn: 60 * 60 * 24 * 14 },
    user: {
      additionalFields: {
        // input: false — a sign-up request cannot choose its own role.
        role: { type: "string", required: false, defaultValue: "learner", input: false },
      },
    },
    databaseHooks: {
      user: {
        create: {
          before: async (user) => {
            const name = displayName(user.name);
            const existing = await prisma.user.count();
            return { data: { ...user, name, role: existing === 0 ? "admin" : "learner" } };
          },
          // Two sign-ups racing on an empty database could both see zero
          // users; only the earliest keeps admin.
          after: async (user) => {
            const first = await prisma.user.findFirst({ orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
            if (first && first.id !== user.id && (user as { role?: string }).role === "admin") {
              await prisma.user.update({ where: { id: user.id }, data: { role: "learner" } });
            }
          },
        },
        update: {
          before: async (user) => (user.name === undefined ? { data: user } : { data: { ...user, name: displayName(user.name) } }),
        },
      },
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;
