import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateWebhookSecret, parseSignatureHeader, sign, signatureHeader, verifySignature } from "./signing";

const SECRET = "whsec_test-secret";
const BODY = '{"event":"task.passed","learner":{"name":"Ada"}}';
const NOW = new Date("2030-01-01T10:00:00Z");
const T = Math.floor(NOW.getTime() / 1000);

describe("webhook signatures", () => {
  it("signs `${t}.${body}` with HMAC-SHA256 as hex", () => {
    // Computed independently of sign(): the scheme receivers implement.
    const expected = crypto.createHmac("sha256", SECRET).update(`${T}.${BODY}`).digest("hex");
    expect(sign(SECRET, T, BODY)).toBe(expected);
    expect(signatureHeader(SECRET, BODY, NOW)).toBe(`t=${T},v1=${expected}`);
  });

  it("verifies its own header", () => {
    expect(verifySignature(SECRET, signatureHeader(SECRET, BODY, NOW), BODY, { now: NOW })).toBeNull();
  });

  it("refuses a changed body, a wrong secret, and a missing or garbled header", () => {
    const header = signatureHeader(SECRET, BODY, NOW);
    expect(verifySignature(SECRET, header, BODY.replace("Ada", "Eve"), { now: NOW })).toMatch(/does not match/);
    expect(verifySignature("whsec_other", header, BODY, { now: NOW })).toMatch(/does not match/);
    expect(verifySignature(SECRET, null, BODY, { now: NOW })).toMatch(/missing/);
    expect(verifySignature(SECRET, "sha256=abc", BODY, { now: NOW })).toMatch(/not of the form/);
  });

  it("refuses a replay older than the tolerance, both ways", () => {
    const header = signatureHeader(SECRET, BODY, NOW);
    expect(verifySignature(SECRET, header, BODY, { now: new Date(NOW.getTime() + 299_000) })).toBeNull();
    expect(verifySignature(SECRET, header, BODY, { now: new Date(NOW.getTime() + 301_000) })).toMatch(/too old/);
    expect(verifySignature(SECRET, header, BODY, { now: new Date(NOW.getTime() - 301_000) })).toMatch(/too old/);
  });

  it("accepts any of several v1 values (secret rotation) and ignores unknown schemes", () => {
    const good = sign(SECRET, T, BODY);
    const header = `t=${T},v0=zzz,v1=${"0".repeat(64)},v1=${good}`;
    expect(parseSignatureHeader(header)).toEqual({ timestamp: T, v1: ["0".repeat(64), good] });
    expect(verifySignature(SECRET, header, BODY, { now: NOW })).toBeNull();
  });

  it("makes secrets of 32 random bytes", () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(generateWebhookSecret()).not.toBe(secret);
  });
});
