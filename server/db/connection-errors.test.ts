import { describe, expect, it } from "vitest";
import { isDatabaseConnectionError, readWithReconnect } from "./connection-errors";

// What a dropped connection looks like by the time it reaches us: pg's error
// (SQLSTATE 57P01 for pg_terminate_backend), wrapped by Prisma's adapter and
// then by better-auth ("Failed to get session", with the cause kept).
const terminated = Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" });
const wrapped = new Error("Failed to get session", { cause: { name: "DriverAdapterError", cause: { originalCode: "57P01", originalMessage: "terminating connection" } } });

describe("database connection errors (unit)", () => {
  it("recognises a lost connection however deeply it is wrapped, and nothing else", () => {
    expect(isDatabaseConnectionError(terminated)).toBe(true);
    expect(isDatabaseConnectionError(wrapped)).toBe(true);
    expect(isDatabaseConnectionError(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isDatabaseConnectionError(Object.assign(new Error("duplicate key value"), { code: "23505" }))).toBe(false);
    expect(isDatabaseConnectionError(new Error("Failed to get session"))).toBe(false);
    expect(isDatabaseConnectionError(null)).toBe(false);
  });

  it("tries a read once more on a fresh connection", async () => {
    let calls = 0;
    const value = await readWithReconnect(async () => {
      if (calls++ === 0) throw wrapped;
      return "alice";
    }, 1);
    expect(value).toBe("alice");
    expect(calls).toBe(2);
  });

  it("a second loss is UNAVAILABLE with a sentence; other errors pass through untouched and untried", async () => {
    await expect(readWithReconnect(async () => Promise.reject(terminated), 1)).rejects.toMatchObject({ code: "UNAVAILABLE", message: expect.stringMatching(/lost its database connection/) });
    let calls = 0;
    const boom = new Error("syntax error");
    await expect(
      readWithReconnect(async () => {
        calls++;
        throw boom;
      }, 1),
    ).rejects.toBe(boom);
    expect(calls).toBe(1);
  });
});
