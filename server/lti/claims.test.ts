import { describe, expect, it } from "vitest";
import { displayNameOf, ltiEmail } from "./accounts";
import { isLearnerRole, roleFromLti } from "./claims";
import { nextLink } from "./nrps";

const M = "http://purl.imsglobal.org/vocab/lis/v2/membership#";

describe("roleFromLti", () => {
  it("makes course instructors and administrators instructors, in full or short form, sub-roles included", () => {
    expect(roleFromLti([`${M}Instructor`])).toBe("instructor");
    expect(roleFromLti([`${M}Administrator`])).toBe("instructor");
    expect(roleFromLti(["Instructor"])).toBe("instructor");
    expect(roleFromLti([`${M}Learner`, "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"])).toBe("instructor");
  });

  it("makes everyone else a learner, institution-wide administrators launching as students included", () => {
    expect(roleFromLti([`${M}Learner`])).toBe("learner");
    expect(roleFromLti([])).toBe("learner");
    expect(roleFromLti(["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator", `${M}Learner`])).toBe("learner");
    expect(roleFromLti([`${M}InstructorX`, `${M}Mentor`])).toBe("learner");
  });

  it("tells the learners of a roster", () => {
    expect(isLearnerRole([`${M}Learner`])).toBe(true);
    expect(isLearnerRole(["Learner"])).toBe(true);
    expect(isLearnerRole([`${M}Instructor`])).toBe(false);
  });
});

describe("LMS accounts", () => {
  it("get a stable address under .invalid from issuer and user id, never the LMS's email", () => {
    expect(ltiEmail("https://lms.example.edu", "42")).toBe(ltiEmail("https://lms.example.edu", "42"));
    expect(ltiEmail("https://lms.example.edu", "42")).not.toBe(ltiEmail("https://other.example.edu", "42"));
    expect(ltiEmail("https://lms.example.edu", "42")).toMatch(/^lti-[0-9a-f]{24}@lti\.invalid$/);
  });

  it("get a display name from the name claims, within the accounts' limit", () => {
    expect(displayNameOf({ name: "  Ada   Lovelace " })).toBe("Ada Lovelace");
    expect(displayNameOf({ givenName: "Grace", familyName: "Hopper" })).toBe("Grace Hopper");
    expect(displayNameOf({})).toBe("LMS user");
    expect([...displayNameOf({ name: "é".repeat(500) })]).toHaveLength(100);
  });
});

describe("nextLink", () => {
  it("finds the next page of a roster in a Link header", () => {
    expect(nextLink('<https://lms.example/m?p=2>; rel="next", <https://lms.example/m?p=9>; rel="last"')).toBe("https://lms.example/m?p=2");
    expect(nextLink('<https://lms.example/m?p=1>; rel="first"')).toBeNull();
    expect(nextLink(null)).toBeNull();
  });
});
