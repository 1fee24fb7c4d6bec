import { describe, expect, it } from "vitest";
import { isDomainError } from "./errors";
import { cohortName, idField, labSlug, parseField, tokenName, webhookUrl } from "./fields";
import { MAX_COHORT_NAME, MAX_ID, MAX_LAB_SLUG, MAX_TOKEN_NAME, MAX_WEBHOOK_URL } from "./limits";

const messages = (result: { error?: { issues: { message: string }[] } }) => result.error?.issues.map((i) => i.message);

describe("fields people type, as the API and the services check them", () => {
  it("accept a value at the limit, trimmed", () => {
    expect(cohortName.parse(`  ${"c".repeat(MAX_COHORT_NAME)}  `)).toBe("c".repeat(MAX_COHORT_NAME));
    expect(tokenName.parse("LMS grade sync")).toBe("LMS grade sync");
    expect(webhookUrl.parse(`https://lms.example.edu/${"h".repeat(MAX_WEBHOOK_URL - 24)}`)).toHaveLength(MAX_WEBHOOK_URL);
  });

  it("refuse one character over the limit with one sentence naming the field, the limit and the length", () => {
    expect(messages(cohortName.safeParse("c".repeat(MAX_COHORT_NAME + 1)))).toEqual([`The cohort name can be at most ${MAX_COHORT_NAME} characters (this one has ${MAX_COHORT_NAME + 1}).`]);
    expect(messages(tokenName.safeParse("t".repeat(10_000)))).toEqual([`The token name can be at most ${MAX_TOKEN_NAME} characters (this one has 10000).`]);
    expect(messages(webhookUrl.safeParse(`https://x.example/${"u".repeat(MAX_WEBHOOK_URL)}`))).toEqual([
      `The webhook URL can be at most ${MAX_WEBHOOK_URL} characters (this one has ${MAX_WEBHOOK_URL + 18}).`,
    ]);
  });

  it("refuse blank values with a sentence saying what to give", () => {
    expect(messages(cohortName.safeParse("   "))).toEqual(["Give the cohort a name."]);
    expect(messages(tokenName.safeParse(""))).toEqual(["Give the token a name that says where it is used, e.g. “LMS grade sync”."]);
    expect(messages(webhookUrl.safeParse(" "))).toEqual(["Give the receiver's URL."]);
  });

  it("refuse a megabyte slug by its length alone (the pattern is not tried on it)", () => {
    expect(messages(labSlug.safeParse("a".repeat(1 << 20)))).toEqual([`A lab slug can be at most ${MAX_LAB_SLUG} characters (this one has 1048576).`]);
  });

  it("refuse slugs that are not slugs, with an example", () => {
    expect(labSlug.parse("first-container")).toBe("first-container");
    for (const bad of ["First-Container", "-lead", "x", "a/b", "../etc"]) {
      expect(messages(labSlug.safeParse(bad)), bad).toEqual([`A lab slug is 2 to ${MAX_LAB_SLUG} lowercase letters, digits and dashes, like first-container.`]);
    }
  });

  it("refuse ids over the limit, naming which id", () => {
    expect(idField("The session id").parse("cm7x0abc")).toBe("cm7x0abc");
    expect(messages(idField("The session id").safeParse("s".repeat(MAX_ID + 1)))).toEqual([`The session id can be at most ${MAX_ID} characters (this one has ${MAX_ID + 1}).`]);
    expect(messages(idField("The cohort id").safeParse(""))).toEqual(["The cohort id is missing."]);
  });

  it("parseField: the same rule for services, as a BAD_REQUEST domain error with the same sentence", () => {
    expect(parseField(cohortName, " Runtime week ")).toBe("Runtime week");
    let caught: unknown;
    try {
      parseField(cohortName, "c".repeat(500));
    } catch (err) {
      caught = err;
    }
    expect(isDomainError(caught)).toBe(true);
    expect(caught).toMatchObject({ code: "BAD_REQUEST", message: `The cohort name can be at most ${MAX_COHORT_NAME} characters (this one has 500).` });
  });
});
