import { describe, expect, it } from "vitest";
import { csvLine, exportFileName, formatDuration, formatPercent, guardFormula, quoteCsvField, resultsToCsv, resultsToJson } from "./export";
import { emptyLabCell, labCell } from "./score";
import type { CohortResults } from "./types";

const at = (minute: number) => new Date(Date.UTC(2030, 0, 1, 10, minute));

const firstTasks = [
  { id: "run-first", title: "Run a container", points: 10 },
  { id: "own-pid", title: "Own PID namespace", points: 30 },
];
const oomTasks = [{ id: "oom-kill", title: "Get OOM-killed", points: 20 }];

function fixture(): CohortResults {
  const done = labCell(firstTasks, [
    {
      id: "s1",
      state: "ended",
      createdAt: at(0),
      taskResults: [
        { taskId: "run-first", status: "passed", message: "ok", attempts: 2, hintsRevealed: 1, passedAt: at(5), updatedAt: at(5), assisted: false },
        { taskId: "own-pid", status: "passed", message: "ok", attempts: 3, hintsRevealed: 0, passedAt: at(65), updatedAt: at(65), assisted: true },
      ],
    },
  ]);
  const partial = labCell(oomTasks, [
    {
      id: "s2",
      state: "ready",
      createdAt: at(70),
      taskResults: [{ taskId: "oom-kill", status: "failed", message: "no", attempts: 1, hintsRevealed: 2, passedAt: null, updatedAt: at(71), assisted: false }],
    },
  ]);
  return {
    cohort: { id: "c1", name: "Runtime Week / Spring 2030", dueAt: at(120), includeWorkBeforeJoining: true },
    labs: [
      { slug: "first-container", title: "First container", tasks: firstTasks, maxPoints: 40 },
      { slug: "cgroups-and-oom", title: "cgroups and OOM", tasks: oomTasks, maxPoints: 20 },
    ],
    learners: [
      {
        userId: "u1",
        name: '=HYPERLINK("http://evil.example","click")',
        email: "ada@example.com",
        joinedAt: at(0),
        labs: { "first-container": done, "cgroups-and-oom": partial },
        points: 40,
        maxPoints: 60,
        score: 40 / 60,
      },
      {
        userId: "u2",
        name: "Grace, Hopper",
        email: "grace@example.com",
        joinedAt: at(1),
        labs: { "first-container": emptyLabCell(firstTasks), "cgroups-and-oom": emptyLabCell(oomTasks) },
        points: 0,
        maxPoints: 60,
        score: 0,
      },
    ],
    generatedAt: at(90),
  };
}

describe("CSV cells", () => {
  it("guards text that a spreadsheet would run as a formula", () => {
    for (const bad of ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]) expect(guardFormula(bad)).toBe(`'${bad}`);
    expect(guardFormula("Ada")).toBe("Ada");
    expect(guardFormula("a=b")).toBe("a=b");
  });

  it("quotes fields with commas, quotes and line breaks (RFC 4180)", () => {
    expect(quoteCsvField("plain")).toBe("plain");
    expect(quoteCsvField("a,b")).toBe('"a,b"');
    expect(quoteCsvField('say "hi"')).toBe('"say ""hi"""');
    expect(quoteCsvField("two\nlines")).toBe('"two\nlines"');
    expect(quoteCsvField("cr\rhere")).toBe('"cr\rhere"');
  });

  it("writes numbers as numbers and null as an empty field", () => {
    expect(csvLine(["x", 12.5, null, 0])).toBe("x,12.5,,0");
  });

  it("formats durations and percentages for spreadsheets", () => {
    expect(formatDuration(65 * 60_000)).toBe("1:05:00");
    expect(formatDuration(26 * 3600_000 + 1_499)).toBe("26:00:01");
    expect(formatPercent(2 / 3)).toBe(66.7);
    expect(formatPercent(1)).toBe(100);
    expect(formatPercent(0.625)).toBe(62.5);
  });
});

describe("resultsToCsv", () => {
  const csv = resultsToCsv(fixture());
  const lines = csv.split("\r\n");

  it("ends every line with CRLF and has one row per learner x lab", () => {
    expect(csv.endsWith("\r\n")).toBe(true);
    expect(lines.at(-1)).toBe("");
    expect(lines.length - 2).toBe(4);
  });

  it("has the fixed columns, then one column per task of every lab", () => {
    expect(lines[0]).toBe(
      "learner name,email,lab,points,max points,score %,completed at,time to complete,hints used,points before joining,assisted tasks,first-container/run-first,first-container/own-pid,cgroups-and-oom/oom-kill",
    );
  });

  it("writes a completed lab with its time, hints and task statuses; other labs' task columns stay empty", () => {
    expect(lines[1]).toBe(`"'=HYPERLINK(""http://evil.example"",""click"")",ada@example.com,first-container,40,40,100,2030-01-01T11:05:00.000Z,1:05:00,1,0,own-pid,passed,passed,`);
    expect(lines[2]).toBe(`"'=HYPERLINK(""http://evil.example"",""click"")",ada@example.com,cgroups-and-oom,0,20,0,,,2,0,,,,failed`);
  });

  it("writes an untouched lab as not-started (the dashboard's word) with no points, and quotes a comma in a name", () => {
    expect(lines[3]).toBe('"Grace, Hopper",grace@example.com,first-container,0,40,0,,,0,0,,not-started,not-started,');
  });

  it("says how many points were earned before joining, counted or not as the cohort says", () => {
    const results = fixture();
    const joined = at(30); // after run-first passed (minute 5), before own-pid (minute 65)
    const sessions = [
      {
        id: "s1",
        state: "ended" as const,
        createdAt: at(0),
        taskResults: [
          { taskId: "run-first", status: "passed" as const, message: "ok", attempts: 1, hintsRevealed: 0, passedAt: at(5), updatedAt: at(5), assisted: false },
          { taskId: "own-pid", status: "passed" as const, message: "ok", attempts: 1, hintsRevealed: 0, passedAt: at(65), updatedAt: at(65), assisted: false },
        ],
      },
    ];
    results.learners[0]!.labs["first-container"] = labCell(firstTasks, sessions, { joinedAt: joined, includeBeforeJoining: false });
    const row = resultsToCsv(results).split("\r\n")[1]!;
    expect(row).toBe(`"'=HYPERLINK(""http://evil.example"",""click"")",ada@example.com,first-container,30,40,75,,,0,10,,passed,passed,`);
  });
});

describe("resultsToJson", () => {
  it("keeps the shape and turns every date into ISO 8601", () => {
    const json = resultsToJson(fixture());
    expect(json.cohort.dueAt).toBe("2030-01-01T12:00:00.000Z");
    expect(json.generatedAt).toBe("2030-01-01T11:30:00.000Z");
    expect(json.learners[0]!.labs["first-container"]!.completedAt).toBe("2030-01-01T11:05:00.000Z");
    expect(json.learners[0]!.labs["first-container"]!.tasks["run-first"]!.passedAt).toBe("2030-01-01T10:05:00.000Z");
    expect(json.learners[1]!.labs["first-container"]!.startedAt).toBeNull();
    expect(json.learners[0]!.score).toBeCloseTo(2 / 3);
  });
});

describe("exportFileName", () => {
  it("makes a safe, dated name from the cohort's name", () => {
    expect(exportFileName(fixture(), "csv")).toBe("runtime-week-spring-2030-results-2030-01-01.csv");
    expect(exportFileName({ cohort: { id: "c", name: "///", dueAt: null, includeWorkBeforeJoining: true }, generatedAt: at(0) }, "json")).toBe("cohort-results-2030-01-01.json");
  });
});
