import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LoopbackReceiver } from "../../test/support/loopback-receiver";
import { attemptDelivery, BODY_EXCERPT_CHARS, bodyExcerpt } from "./attempt";
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, verifySignature } from "./signing";

// One attempt against a real receiver on 127.0.0.1: what the instructor's
// deliveries table will say about it.
describe("attemptDelivery", () => {
  let receiver: LoopbackReceiver;
  const delivery = { id: "d1", event: "ping", payload: { event: "ping" } };
  const privateOk = { timeoutMs: 2_000, policy: { allowPrivateTargets: true } };

  beforeAll(async () => {
    receiver = await LoopbackReceiver.start();
  });
  beforeEach(() => {
    receiver.requests.length = 0;
  });
  afterAll(async () => {
    await receiver?.close();
  });

  it("sends a signed JSON POST and counts 2xx as delivered", async () => {
    expect(await attemptDelivery(`${receiver.url}/in`, "whsec_test", delivery, privateOk)).toEqual({ ok: true, statusCode: 200, error: null, permanent: false });
    const req = receiver.requests[0]!;
    expect(req.headers).toMatchObject({ "content-type": "application/json", "user-agent": "RuntimeLabs-Webhooks/1", [EVENT_HEADER.toLowerCase()]: "ping", [DELIVERY_HEADER.toLowerCase()]: "d1" });
    expect(verifySignature("whsec_test", req.headers[SIGNATURE_HEADER.toLowerCase()] as string, req.body)).toBeNull();
  });

  it("records only the status of a redirect, never where it points", async () => {
    receiver.reply({ status: 302, headers: { location: "http://169.254.169.254/latest/meta-data/iam" } });
    const result = await attemptDelivery(`${receiver.url}/in`, "s", delivery, privateOk);
    expect(result).toEqual({ ok: false, statusCode: 302, error: "The receiver answered with a redirect (HTTP 302); webhooks do not follow redirects, so use the final URL.", permanent: false });
    expect(receiver.requests).toHaveLength(1); // not followed
  });

  it("keeps a short, single-line excerpt of a refusal's body and none of its headers", async () => {
    receiver.reply({ status: 503, headers: { "x-internal-token": "secret-header-value" }, body: `down\n\tfor\u0007 maintenance ${"y".repeat(500)}` });
    const result = await attemptDelivery(`${receiver.url}/in`, "s", delivery, privateOk);
    expect(result.statusCode).toBe(503);
    expect(result.error).toBe(`The receiver answered HTTP 503; only 2xx counts as delivered. It said: down for maintenance ${"y".repeat(BODY_EXCERPT_CHARS - 21)}…`);
    expect(result.error).not.toContain("secret-header-value");
  });

  it("refuses a private destination for good when private targets are not allowed", async () => {
    const result = await attemptDelivery(`${receiver.url}/in`, "s", delivery, { timeoutMs: 2_000, policy: { allowPrivateTargets: false } });
    expect(result).toMatchObject({ ok: false, statusCode: null, permanent: true, error: expect.stringMatching(/^Webhooks may not be sent to 127\.0\.0\.1: it is a loopback address/) });
    expect(receiver.requests).toHaveLength(0);
  });

  it("says why nothing answered: refused connection, unknown host, timeout", async () => {
    const dead = await LoopbackReceiver.start();
    const deadUrl = dead.url;
    await dead.close();
    expect((await attemptDelivery(`${deadUrl}/in`, "s", delivery, privateOk)).error).toMatch(/^Nothing accepted the connection at 127\.0\.0\.1:\d+ \(connection refused\); is the receiver running\?$/);
    const unknown = await attemptDelivery("http://nowhere.example.test/in", "s", delivery, {
      ...privateOk,
      resolve: async () => Promise.reject(Object.assign(new Error("not found"), { code: "ENOTFOUND" })),
    });
    expect(unknown).toMatchObject({ permanent: false, error: "The host name nowhere.example.test could not be resolved; check the webhook URL." });
    receiver.reply("hang");
    expect(await attemptDelivery(`${receiver.url}/in`, "s", delivery, { ...privateOk, timeoutMs: 300 })).toEqual({
      ok: false,
      statusCode: null,
      error: "The receiver did not answer within 0.3 s.",
      permanent: false,
    });
  });
});

describe("bodyExcerpt", () => {
  it("flattens whitespace and control characters and cuts long text", () => {
    expect(bodyExcerpt(Buffer.from("  a\r\n b\u0000c  "))).toBe("a b c");
    expect(bodyExcerpt(Buffer.from("z".repeat(BODY_EXCERPT_CHARS + 1)))).toBe(`${"z".repeat(BODY_EXCERPT_CHARS)}…`);
    expect(bodyExcerpt(Buffer.alloc(0))).toBe("");
  });
});
