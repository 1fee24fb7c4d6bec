import { describe, expect, it } from "vitest";
import { scoreOf, scoresUrl } from "./ags";
import { endpointProblem } from "./fields";
import { escapeHtml } from "./html";
import { isOurUrl } from "./login";

const tasks = [
  { id: "a", title: "Start it", points: 10 },
  { id: "b", title: "Kill it", points: 30 },
];
const cell = (a: string, b: string, completedAt: Date | null) => ({
  points: (a === "passed" ? 10 : 0) + (b === "passed" ? 30 : 0),
  maxPoints: 40,
  completedAt,
  tasks: { a: { status: a }, b: { status: b } } as never,
});
const at = new Date("2031-03-01T10:00:00.000Z");

describe("scoreOf", () => {
  it("posts partial credit as InProgress / Pending with the tasks passed", () => {
    expect(scoreOf("sub-1", tasks, cell("passed", "failed", null), at)).toEqual({
      userId: "sub-1",
      scoreGiven: 10,
      scoreMaximum: 40,
      comment: "1 of 2 tasks passed: Start it",
      timestamp: "2031-03-01T10:00:00.000Z",
      activityProgress: "InProgress",
      gradingProgress: "Pending",
    });
  });

  it("says Completed / FullyGraded only when every task has passed", () => {
    expect(scoreOf("sub-1", tasks, cell("passed", "passed", at), at)).toMatchObject({
      scoreGiven: 40,
      activityProgress: "Completed",
      gradingProgress: "FullyGraded",
      comment: "2 of 2 tasks passed: Start it; Kill it",
    });
    expect(scoreOf("sub-1", tasks, cell("failed", "pending", null), at)).toMatchObject({ scoreGiven: 0, comment: "0 of 2 tasks passed." });
  });

  it("keeps the comment within 1000 characters", () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ id: `t${i}`, title: "x".repeat(40), points: 1 }));
    const c = { points: 50, maxPoints: 50, completedAt: at, tasks: Object.fromEntries(many.map((t) => [t.id, { status: "passed" }])) as never };
    expect(scoreOf("s", many, c, at).comment).toHaveLength(1000);
  });
});

describe("scoresUrl", () => {
  it("adds /scores to the line item's path and keeps its query", () => {
    expect(scoresUrl("https://lms.example/api/lti/courses/1/line_items/7")).toBe("https://lms.example/api/lti/courses/1/line_items/7/scores");
    expect(scoresUrl("https://lms.example/mod/lti/services.php/2/lineitems/5/lineitem?type_id=3")).toBe("https://lms.example/mod/lti/services.php/2/lineitems/5/lineitem/scores?type_id=3");
  });
});

describe("URLs", () => {
  it("takes platform endpoints on https, or http on this machine only", () => {
    expect(endpointProblem("https://lms.example.edu/mod/lti/token.php")).toBeNull();
    expect(endpointProblem("http://127.0.0.1:4000/token")).toBeNull();
    expect(endpointProblem("http://lms.example.edu/token")).toMatch(/must use https/);
    expect(endpointProblem("https://user:pw@lms.example.edu/")).toMatch(/user name or password/);
    expect(endpointProblem("javascript:alert(1)")).toMatch(/must use https/);
    expect(endpointProblem("not a url")).toBe("is not a URL");
  });

  it("lets launches land on this install only", () => {
    expect(isOurUrl("https://labs.example.edu/labs/x", "https://labs.example.edu")).toBe(true);
    expect(isOurUrl("https://labs.example.edu.evil.example/", "https://labs.example.edu")).toBe(false);
    expect(isOurUrl("http://labs.example.edu/", "https://labs.example.edu")).toBe(false);
    expect(isOurUrl("//evil.example/", "https://labs.example.edu")).toBe(false);
  });

  it("escapes what goes into the LTI pages", () => {
    expect(escapeHtml(`"><script>'&`)).toBe("&#34;&#62;&#60;script&#62;&#39;&#38;");
  });
});
