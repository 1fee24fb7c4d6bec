import { describe, expect, it } from "vitest";
import { DomainError } from "../errors";
import { assertScope, errorResponse, methodNotAllowed } from "./request";

describe("REST error responses", () => {
  it("send the code and sentence with the code's status, never the operator detail", async () => {
    const res = errorResponse(new DomainError("CONFLICT", "Only a running lab can be extended.", "state ended; owner cm123"));
    expect(res.status).toBe(409);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({ error: { code: "CONFLICT", message: "Only a running lab can be extended." } });
  });

  it("map capacity and unavailability to 429 and 503", () => {
    expect(errorResponse(new DomainError("CAPACITY", "All sandbox places are taken.")).status).toBe(429);
    expect(errorResponse(new DomainError("UNAVAILABLE", "Docker is not answering.")).status).toBe(503);
  });

  it("answer a caller going too fast with 429 and Retry-After: 1 (every limit refills a call within a second)", async () => {
    const res = errorResponse(new DomainError("RATE_LIMITED", "Too many API requests from your account: at most 20 a second (40 at once); wait a second and try again."));
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(await res.json()).toMatchObject({ error: { code: "RATE_LIMITED" } });
    expect(errorResponse(new DomainError("CAPACITY", "All sandbox places are taken.")).headers.get("retry-after")).toBeNull();
  });

  it("answer unknown failures with a sentence only", async () => {
    const logged = console.error;
    console.error = () => {};
    try {
      const res = errorResponse(new Error("connect ECONNREFUSED 10.0.0.5:5432"));
      expect(res.status).toBe(500);
      expect(JSON.stringify(await res.json())).not.toContain("10.0.0.5");
    } finally {
      console.error = logged;
    }
  });
});

describe("methodNotAllowed", () => {
  it("answers JSON 405 with an Allow header (HEAD comes with GET)", async () => {
    const res = methodNotAllowed("GET")(new Request("http://x.test/api/v1/me", { method: "DELETE" }));
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
    expect(await res.json()).toEqual({ error: { code: "METHOD_NOT_ALLOWED", message: "/api/v1/me does not answer DELETE; use GET (docs/api.md)." } });
    expect(methodNotAllowed("POST")(new Request("http://x.test/api/v1/sessions/s1/grade")).headers.get("allow")).toBe("POST");
  });
});

describe("assertScope", () => {
  const user = { id: "u1", email: "t@example.com", name: "t", role: "instructor" as const };

  it("lets a token with the scope through and refuses one without, naming the scope", () => {
    expect(() => assertScope({ user, via: "token", scopes: ["read", "labs"] }, "labs")).not.toThrow();
    expect(() => assertScope({ user, via: "token", scopes: ["read"] }, "labs")).toThrow(
      expect.objectContaining({ code: "FORBIDDEN", message: "This token may not push or pull labs: create a token with the labs scope on your Account page." }),
    );
    expect(() => assertScope({ user, via: "token", scopes: ["labs"] }, "read")).toThrow(expect.objectContaining({ code: "FORBIDDEN" }));
  });
});
