import type { LookupAddress } from "node:dns";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LoopbackReceiver } from "../../test/support/loopback-receiver";
import { pinnedLookup, postToReceiver, RefusedTargetError, type Resolver } from "./post";

// Real HTTP to a receiver on 127.0.0.1 (tests only talk to loopback). Names
// are resolved by a fake resolver that maps them to loopback, so the check
// and the connection can be observed without any DNS or other network.
const PUBLIC_ONLY = { allowPrivateTargets: false };
const PRIVATE_OK = { allowPrivateTargets: true };

/** A resolver answering from a table, counting how often it was asked. */
function fakeResolver(table: Record<string, { address: string; family: number }[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string) => {
    calls.push(hostname);
    const answer = table[hostname];
    if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return answer;
  };
  return Object.assign(resolve, { calls });
}

describe("postToReceiver", () => {
  let receiver: LoopbackReceiver;
  let port = 0;
  const opts = (policy: { allowPrivateTargets: boolean }, resolve?: Resolver) => ({ timeoutMs: 2_000, policy, maxBodyBytes: 400, resolve });

  beforeAll(async () => {
    receiver = await LoopbackReceiver.start();
    port = Number(new URL(receiver.url).port);
  });
  beforeEach(() => {
    receiver.requests.length = 0;
  });
  afterAll(async () => {
    await receiver?.close();
  });

  it("refuses a literal loopback address before connecting", async () => {
    await expect(postToReceiver(new URL(`${receiver.url}/in`), "{}", {}, opts(PUBLIC_ONLY))).rejects.toThrow(/^Webhooks may not be sent to 127\.0\.0\.1: it is a loopback address/);
    expect(receiver.requests).toHaveLength(0);
  });

  it("refuses a name that resolves to loopback, and one with any private address among public ones", async () => {
    const resolve = fakeResolver({
      "rebind.example.test": [{ address: "127.0.0.1", family: 4 }],
      "mixed.example.test": [
        { address: "93.184.216.34", family: 4 },
        { address: "fd00::1", family: 6 },
      ],
    });
    const rebind = postToReceiver(new URL(`http://rebind.example.test:${port}/in`), "{}", {}, opts(PUBLIC_ONLY, resolve));
    await expect(rebind).rejects.toBeInstanceOf(RefusedTargetError);
    await expect(rebind).rejects.toThrow("Webhooks may not be sent to rebind.example.test: it resolves to a loopback address (127.0.0.0/8).");
    await expect(postToReceiver(new URL(`http://mixed.example.test:${port}/in`), "{}", {}, opts(PUBLIC_ONLY, resolve))).rejects.toThrow(/resolves to a unique local/);
    expect(receiver.requests).toHaveLength(0);
  });

  it("connects to the address it resolved and checked, once, keeping the URL's host in the Host header", async () => {
    const resolve = fakeResolver({ "lms.example.test": [{ address: "127.0.0.1", family: 4 }] });
    const answer = await postToReceiver(new URL(`http://lms.example.test:${port}/hooks?x=1`), '{"a":1}', { "x-test": "yes" }, opts(PRIVATE_OK, resolve));
    expect(answer.status).toBe(200);
    expect(resolve.calls).toEqual(["lms.example.test"]); // resolved once: the connection used that answer
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]).toMatchObject({ method: "POST", path: "/hooks?x=1", body: '{"a":1}' });
    expect(receiver.requests[0]!.headers).toMatchObject({ host: `lms.example.test:${port}`, "x-test": "yes", "content-length": "7" });
  });

  it("counts a 2xx once its head arrives, even if the body never ends", async () => {
    receiver.reply({ status: 202, body: "working on it", holdOpen: true });
    const answer = await postToReceiver(new URL(`${receiver.url}/in`), "{}", {}, opts(PRIVATE_OK));
    expect(answer).toEqual({ status: 202, body: Buffer.alloc(0) });
  });

  it("keeps at most maxBodyBytes of a refusal's body", async () => {
    receiver.reply({ status: 500, body: "x".repeat(100_000) });
    const answer = await postToReceiver(new URL(`${receiver.url}/in`), "{}", {}, { ...opts(PRIVATE_OK), maxBodyBytes: 50 });
    expect(answer.status).toBe(500);
    expect(answer.body.toString()).toBe("x".repeat(50));
  });

  it("gives up after the timeout", async () => {
    receiver.reply("hang");
    const started = Date.now();
    await expect(postToReceiver(new URL(`${receiver.url}/in`), "{}", {}, { ...opts(PRIVATE_OK), timeoutMs: 300 })).rejects.toMatchObject({ name: "AbortError" });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe("pinnedLookup", () => {
  const resolve = fakeResolver({
    "dual.example.test": [
      { address: "2606:4700:4700::1111", family: 6 },
      { address: "1.1.1.1", family: 4 },
    ],
    "meta.example.test": [{ address: "169.254.169.254", family: 4 }],
  });
  const lookup = (name: string, options: { all?: boolean; family?: number }, policy = PUBLIC_ONLY) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number }>((done) =>
      pinnedLookup(resolve, policy, name)(name, options, (err, address, family) => done({ err, address, family })),
    );

  it("hands every checked address to a connection that tries several, or the first of the family asked for", async () => {
    expect(await lookup("dual.example.test", { all: true })).toMatchObject({
      err: null,
      address: [
        { address: "2606:4700:4700::1111", family: 6 },
        { address: "1.1.1.1", family: 4 },
      ],
    });
    expect(await lookup("dual.example.test", { family: 4 })).toEqual({ err: null, address: "1.1.1.1", family: 4 });
    expect(await lookup("dual.example.test", {})).toEqual({ err: null, address: "2606:4700:4700::1111", family: 6 });
  });

  it("refuses the metadata address unless private targets are allowed", async () => {
    const refused = await lookup("meta.example.test", { all: true });
    expect(refused.err).toBeInstanceOf(RefusedTargetError);
    expect(refused.err!.message).toMatch(/meta\.example\.test: it resolves to a link-local address \(169\.254\.0\.0\/16, where cloud metadata services answer\)/);
    expect(await lookup("meta.example.test", {}, PRIVATE_OK)).toEqual({ err: null, address: "169.254.169.254", family: 4 });
  });

  it("passes resolution failures on", async () => {
    expect((await lookup("nowhere.example.test", {})).err).toMatchObject({ code: "ENOTFOUND" });
  });
});
