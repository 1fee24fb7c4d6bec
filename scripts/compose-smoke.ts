/**
 * The client half of scripts/compose-smoke.sh: drives a running platform
 * over HTTP and WebSocket only, as a browser would, and prints how long each
 * step took. Exits non-zero with a sentence on the first failure.
 *
 *   npx tsx scripts/compose-smoke.ts --url http://127.0.0.1:13000 [--labs 9]
 *     [--lab meet-your-node] [--metrics-token TOKEN]
 *
 * Steps: live, ready and health -> metrics (with --metrics-token) -> catalog
 * (--labs labs) -> sign up -> start a lab session and wait for `ready` ->
 * terminal echo over /api/terminal -> end the session.
 */
import { createTRPCClient, httpLink } from "@trpc/client";
import superjson from "superjson";
import { parseArgs } from "node:util";
import type { AppRouter } from "../server/trpc/root";
import { NodeTerminalClient } from "../server/terminal/node-client";

const { values: args } = parseArgs({
  options: {
    url: { type: "string" },
    labs: { type: "string" },
    lab: { type: "string", default: "meet-your-node" },
    "metrics-token": { type: "string" },
    "ready-timeout": { type: "string", default: "120" },
  },
});
if (!args.url) {
  console.error("Usage: tsx scripts/compose-smoke.ts --url http://HOST:PORT [--labs N] [--lab SLUG]");
  process.exit(2);
}
const baseUrl = args.url.replace(/\/$/, "");
const origin = new URL(baseUrl).origin;
const readyTimeoutMs = Number(args["ready-timeout"]) * 1000;

class SmokeFailure extends Error {}

const timings: { step: string; ms: number }[] = [];

/** Runs one named step, records its duration, prints it. */
async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    const value = await fn();
    const ms = Math.round(performance.now() - started);
    timings.push({ step: name, ms });
    console.log(`[smoke] ok   ${name} (${ms} ms)`);
    return value;
  } catch (err) {
    console.error(`[smoke] FAIL ${name}: ${(err as Error).message}`);
    throw new SmokeFailure(name);
  }
}

/** better-auth's session cookies from a sign-up answer, as a Cookie header. */
function cookieFrom(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

function api(cookie?: string) {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${baseUrl}/api/trpc`,
        transformer: superjson,
        headers: () => ({ origin, ...(cookie ? { cookie } : {}) }),
      }),
    ],
  });
}

async function main(): Promise<void> {
  await step("live and ready", async () => {
    const live = await fetch(`${baseUrl}/api/live`);
    if (live.status !== 200) throw new Error(`/api/live answered ${live.status}`);
    const ready = await fetch(`${baseUrl}/api/ready`);
    const body = (await ready.json()) as { reasons?: string[] };
    if (ready.status !== 200) throw new Error(`/api/ready answered ${ready.status}: ${(body.reasons ?? []).join(" ")}`);
  });

  await step("health", async () => {
    const res = await fetch(`${baseUrl}/api/health`);
    const body = (await res.json()) as { status: string; sandboxes: string; database: { kind: string; message: string }; docker: { message: string } };
    if (res.status !== 200 || body.status !== "ok") throw new Error(`/api/health answered ${res.status}: ${body.database.message}`);
    if (body.sandboxes !== "available") throw new Error(`sandboxes are unavailable: ${body.docker.message}`);
    console.log(`[smoke]      database: ${body.database.message} docker: ${body.docker.message}`);
  });

  if (args["metrics-token"]) {
    await step("metrics", async () => {
      const res = await fetch(`${baseUrl}/api/metrics`, { headers: { authorization: `Bearer ${args["metrics-token"]}` } });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`/api/metrics answered ${res.status}: ${text.slice(0, 200)}`);
      if (!/^labs_build_info\{/m.test(text)) throw new Error("/api/metrics has no labs_build_info sample");
    });
  }

  await step("catalog", async () => {
    const labs = await api().labs.list.query();
    const expected = args.labs === undefined ? undefined : Number(args.labs);
    if (expected !== undefined && labs.length !== expected) {
      throw new Error(`the catalog lists ${labs.length} labs, expected ${expected}: ${labs.map((l) => l.slug).join(", ")}`);
    }
    if (!labs.some((l) => l.slug === args.lab)) throw new Error(`lab ${args.lab} is not in the catalog`);
    console.log(`[smoke]      ${labs.length} labs`);
  });

  const cookie = await step("sign up", async () => {
    const email = `smoke-${Date.now()}@compose-smoke.example.com`;
    const res = await fetch(`${baseUrl}/api/auth/sign-up/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin },
      body: JSON.stringify({ email, password: "compose-smoke-password", name: "compose smoke" }),
    });
    if (!res.ok) throw new Error(`sign-up answered ${res.status}: ${await res.text()}`);
    const c = cookieFrom(res);
    if (!c) throw new Error("sign-up set no session cookie");
    return c;
  });
  const client = api(cookie);

  const session = await step(`start ${args.lab} until ready`, async () => {
    let s = await client.sessions.start.mutate({ slug: args.lab! });
    const deadline = Date.now() + readyTimeoutMs;
    while (s.state !== "ready") {
      if (s.state === "failed" || s.state === "ended") throw new Error(`the session ${s.state}: ${s.reason ?? "no reason given"}`);
      if (Date.now() > deadline) throw new Error(`the session is still ${s.state} after ${readyTimeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 200));
      s = await client.sessions.get.query({ id: s.id });
    }
    const steps = s.progress
      .filter((p) => p.status === "done")
      .map((p) => `${p.step}${p.durationMs === undefined ? "" : ` ${p.durationMs} ms`}`)
      .join(", ");
    console.log(`[smoke]      session ${s.id}, sandbox ${s.sandboxId}${s.warmStart ? " (warm)" : ""}${steps ? `: ${steps}` : ""}`);
    return s;
  });

  await step("terminal echo", async () => {
    const term = await NodeTerminalClient.connect(baseUrl, { session: session.id, terminal: "compose-smoke", cookie, origin });
    try {
      await term.frame("ready", 15_000);
      // The shell computes the marker, so the echoed keystrokes never match it.
      term.type("echo compose-smoke-$((40000 + 2))\r");
      await term.waitFor("compose-smoke-40002", 15_000);
    } finally {
      term.end();
      await term.close();
    }
  });

  await step("end session", async () => {
    const s = await client.sessions.end.mutate({ id: session.id });
    if (s.state !== "ended" && s.state !== "ending") throw new Error(`the session is ${s.state} after ending it`);
  });

  const total = timings.reduce((n, t) => n + t.ms, 0);
  console.log(`[smoke] client steps: ${timings.map((t) => `${t.step} ${t.ms} ms`).join(", ")}; total ${total} ms`);
}

main().catch((err: unknown) => {
  if (!(err instanceof SmokeFailure)) console.error(`[smoke] FAIL: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
