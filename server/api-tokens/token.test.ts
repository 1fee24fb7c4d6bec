import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateToken, hashToken, looksLikeToken, parseAuthorization, tokenPrefix } from "./token";

describe("API tokens", () => {
  it("are rl_ plus 32 random bytes in base64url", () => {
    const token = generateToken();
    expect(token).toMatch(/^rl_[A-Za-z0-9_-]{43}$/);
    expect(token).toHaveLength(46);
    expect(generateToken()).not.toBe(token);
    expect(generateToken(() => Buffer.alloc(32, 0xff))).toBe(`rl_${"_".repeat(42)}8`);
  });

  it("are stored as hex SHA-256 and listed by an 11-character prefix", () => {
    const token = generateToken();
    expect(hashToken(token)).toBe(crypto.createHash("sha256").update(token).digest("hex"));
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenPrefix(token)).toBe(token.slice(0, 11));
    expect(tokenPrefix(token).startsWith("rl_")).toBe(true);
  });

  it("are recognised by shape only", () => {
    expect(looksLikeToken(generateToken())).toBe(true);
    expect(looksLikeToken("rl_short")).toBe(false);
    expect(looksLikeToken(`xx_${"a".repeat(43)}`)).toBe(false);
    expect(looksLikeToken(`rl_${"a".repeat(42)}!`)).toBe(false);
  });
});

describe("parseAuthorization", () => {
  const token = generateToken();

  it("reads Bearer tokens, case-insensitively and with spaces around", () => {
    expect(parseAuthorization(`Bearer ${token}`)).toEqual({ kind: "token", token });
    expect(parseAuthorization(`  bearer   ${token} `)).toEqual({ kind: "token", token });
  });

  it("reports no header as none", () => {
    expect(parseAuthorization(null)).toEqual({ kind: "none" });
    expect(parseAuthorization(undefined)).toEqual({ kind: "none" });
    expect(parseAuthorization("  ")).toEqual({ kind: "none" });
  });

  it("calls other schemes and other tokens malformed, with a sentence", () => {
    expect(parseAuthorization(`Basic ${Buffer.from("a:b").toString("base64")}`)).toEqual({ kind: "malformed", reason: "The Authorization header must be `Bearer <token>`." });
    expect(parseAuthorization("Bearer ghp_123")).toMatchObject({ kind: "malformed", reason: expect.stringMatching(/start with rl_/) });
    expect(parseAuthorization(`Bearer ${token} extra`)).toMatchObject({ kind: "malformed" });
  });
});
