import { createHash } from "node:crypto";
import { makeSignature } from "better-auth/crypto";
import type { Auth } from "../auth/auth";
import type { PrismaClient } from "../generated/prisma/client";
import { MAX_DISPLAY_NAME } from "../limits";
import { isUniqueViolation } from "./unique";

/** What a launch tells us about the person, beyond their LMS user id. */
export interface LmsProfile {
  name?: string;
  givenName?: string;
  familyName?: string;
}

/**
 * The address an LMS-made account carries. Accounts are linked by issuer
 * and LMS user id only; the LMS's email is not used, because an account
 * with that address may already exist (made with a password by whoever
 * typed it) and must never be taken over by a launch. `.invalid` is
 * reserved (RFC 2606): nothing is ever sent there.
 */
export function ltiEmail(issuer: string, subject: string): string {
  return `lti-${createHash("sha256").update(`${issuer}\n${subject}`).digest("hex").slice(0, 24)}@lti.invalid`;
}

/** A display name from the launch's name claims, trimmed to what accounts allow. */
export function displayNameOf(profile: LmsProfile): string {
  const joined = [profile.givenName, profile.familyName].filter(Boolean).join(" ");
  const name = (profile.name?.trim() || joined.trim() || "LMS user").replace(/\s+/g, " ");
  return [...name].slice(0, MAX_DISPLAY_NAME).join("");
}

/**
 * Accounts for people who arrive from an LMS, and the sign-in a launch
 * gives them (a better-auth session, made server-side).
 */
export class LtiAccounts {
  constructor(private readonly deps: { prisma: PrismaClient; auth: Auth; log?: (msg: string) => void }) {}

  /**
   * The account linked to (issuer, subject), made on first launch. A new
   * account gets `role`; an existing learner is made an instructor when the
   * LMS says they teach, and nobody is ever demoted by a launch (an admin
   * changes roles on the Accounts page).
   */
  async linkOrCreate(issuer: string, subject: string, profile: LmsProfile, role: "instructor" | "learner"): Promise<{ userId: string; created: boolean }> {
    const prisma = this.deps.prisma;
    const identity = await prisma.ltiIdentity.findUnique({ where: { issuer_subject: { issuer, subject } } });
    if (identity) {
      const user = await prisma.user.findUnique({ where: { id: identity.userId }, select: { id: true, role: true } });
      if (user) {
        if (role === "instructor" && user.role === "learner") await prisma.user.update({ where: { id: user.id }, data: { role: "instructor" } });
        return { userId: user.id, created: false };
      }
      // The account was deleted since: the LMS user gets a new one.
      await prisma.ltiIdentity.delete({ where: { id: identity.id } });
    }
    const ctx = await this.deps.auth.$context;
    const user = await ctx.internalAdapter.createUser({ email: ltiEmail(issuer, subject), name: displayNameOf(profile), emailVerified: false }, { method: "lti" });
    // better-auth's hook gives every new account "learner" (or admin to the very first).
    if (role === "instructor") await prisma.user.updateMany({ where: { id: user.id, role: "learner" }, data: { role: "instructor" } });
    try {
      await prisma.ltiIdentity.create({ data: { issuer, subject, userId: user.id } });
    } catch (err) {
      // Two first launches of the same person raced: keep the identity that won, drop our account.
      if (!isUniqueViolation(err)) throw err;
      await prisma.user.delete({ where: { id: user.id } });
      const winner = await prisma.ltiIdentity.findUniqueOrThrow({ where: { issuer_subject: { issuer, subject } } });
      return { userId: winner.userId, created: false };
    }
    this.deps.log?.(`lti: made account ${user.id} (${role}) for an LMS user of ${issuer}`);
    return { userId: user.id, created: true };
  }

  /**
   * Signs `userId` in: a better-auth session, and the Set-Cookie header
   * value that carries it (the same signed cookie better-auth sets on
   * sign-in, so every page and the API recognise it).
   */
  async sessionCookie(userId: string, client: { ipAddress: string; userAgent: string }): Promise<string> {
    const ctx = await this.deps.auth.$context;
    const session = await ctx.internalAdapter.createSession(userId, false, { ipAddress: client.ipAddress, userAgent: client.userAgent });
    const { name, attributes } = ctx.authCookies.sessionToken;
    const value = encodeURIComponent(`${session.token}.${await makeSignature(session.token, ctx.secret)}`);
    const parts = [`${name}=${value}`, `Max-Age=${ctx.sessionConfig.expiresIn}`, `Path=${attributes.path || "/"}`];
    if (attributes.httpOnly) parts.push("HttpOnly");
    if (attributes.secure) parts.push("Secure");
    parts.push(`SameSite=${attributes.sameSite ? attributes.sameSite[0]!.toUpperCase() + attributes.sameSite.slice(1).toLowerCase() : "Lax"}`);
    return parts.join("; ");
  }
}
