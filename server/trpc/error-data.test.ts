import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { DomainError, HTTP_STATUS, type DomainErrorCode } from "../errors";
import { domainShape, errorData, inputErrorSentence, trpcCodeOf } from "./init";

describe("errors sent to API clients", () => {
  it("keep the detail of a NOT_FOUND on the server, so ids cannot be probed", () => {
    const err = new TRPCError({
      code: "NOT_FOUND",
      message: "That lab session does not exist.",
      cause: new DomainError("NOT_FOUND", "That lab session does not exist.", "session belongs to another user"),
    });
    expect(errorData(err)).toEqual({ detail: null, domainCode: "NOT_FOUND", fieldErrors: null });
  });

  it("pass other domain errors' detail through", () => {
    const err = new TRPCError({ code: "CONFLICT", message: "This lab's sandbox is not running.", cause: new DomainError("CONFLICT", "This lab's sandbox is not running.", "state ended") });
    expect(errorData(err)).toMatchObject({ detail: "state ended", domainCode: "CONFLICT" });
  });

  it("answer every domain error with the same HTTP status as REST and the terminal (one table, server/errors.ts)", () => {
    for (const code of Object.keys(HTTP_STATUS) as DomainErrorCode[]) {
      expect([code, getHTTPStatusCodeFromError(new TRPCError({ code: trpcCodeOf(code) }))]).toEqual([code, HTTP_STATUS[code]]);
    }
  });

  it("give a domain error thrown while a subscription streams its own code and status, not a 500", () => {
    const shape = { code: -32603, message: "x", data: { code: "INTERNAL_SERVER_ERROR", httpStatus: 500 } };
    const streamed = new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: new DomainError("NOT_FOUND", "That lab session does not exist.") });
    expect(domainShape(shape, streamed)).toEqual({ code: -32004, message: "That lab session does not exist.", data: { code: "NOT_FOUND", httpStatus: 404 } });
    // A real internal error stays one.
    expect(domainShape(shape, new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: new Error("boom") }))).toEqual(shape);
  });

  it("answer a caller going too fast with 429 / TOO_MANY_REQUESTS", () => {
    expect(HTTP_STATUS.RATE_LIMITED).toBe(429);
    expect(trpcCodeOf("RATE_LIMITED")).toBe("TOO_MANY_REQUESTS");
  });

  it("turn refused input into sentences naming each field, not zod's JSON", () => {
    const schema = z.object({
      name: z.string().max(3, { error: "The cohort name can be at most 3 characters (this one has 5)." }),
      cohortId: z.string().max(2),
      labSlugs: z.array(z.string()).min(1, "choose at least one lab"),
    });
    const err = schema.safeParse({ name: "abcde", cohortId: "xyz", labSlugs: [] }).error!;
    expect(inputErrorSentence(err)).toBe("The cohort name can be at most 3 characters (this one has 5). cohortId: Too big: expected string to have <=2 characters. labSlugs: choose at least one lab.");
  });
});
