/**
 * How a simulated learner reaches the platform over HTTP, as a browser does:
 * better-auth's sign-up under /api/auth, then tRPC at /api/trpc with the
 * session cookie and the platform's own Origin.
 */
import http from "node:http";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "../../server/trpc/root";

/** No single call of the soak waits longer than this (a server stuck on its database must not stall a learner for ever). */
const CALL_TIMEOUT_MS = 30_000;

export type Api = ReturnType<typeof apiClient>;

export function apiClient(baseUrl: string, cookie: string) {
  const origin = new URL(baseUrl).origin;
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${baseUrl}/api/trpc`,
        transformer: superjson,
        headers: () => ({ origin, cookie }),
        fetch: (url, init) =>
          fetch(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(CALL_TIMEOUT_MS)]) : AbortSignal.timeout(CALL_TIMEOUT_MS) } as RequestInit),
      }),
    ],
  });
}

/**
 * Signs up and returns the Cookie header a browser would send afterwards.
 * Each learner connects from an address of its own on 127/8 (`localAddress`),
 * as learners on their own machines do: better-auth allows 3 sign-ups per
 * 10 s per client address.
 */
export function signUp(baseUrl: string, email: string, localAddress: string): Promise<string> {
  const body = JSON.stringify({ email, password: "soak test password", name: email.split("@")[0] });
  const url = new URL("/api/auth/sign-up/email", baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: "POST",
        localAddress,
        timeout: CALL_TIMEOUT_MS,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), origin: url.origin },
      },
      (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () => {
          const cookie = (res.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]).join("; ");
          if (res.statusCode === 200 && cookie) resolve(cookie);
          else reject(new Error(`sign-up of ${email} answered ${res.statusCode}: ${text.slice(0, 200)}`));
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`sign-up of ${email} timed out`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** A short name for what went wrong in a call, for the error tally ("INTERNAL_SERVER_ERROR", "ECONNREFUSED", ...). */
export function errorKind(err: unknown): string {
  if (err instanceof TRPCClientError) {
    const data = err.data as { code?: string } | undefined;
    if (data?.code) return data.code;
    const cause = (err.cause as { cause?: { code?: string } } | undefined)?.cause;
    return cause?.code ?? (/aborted|timeout/i.test(err.message) ? "TIMEOUT" : "NETWORK");
  }
  const e = err as { code?: string; name?: string; message?: string };
  return e?.code ?? e?.name ?? "ERROR";
}
