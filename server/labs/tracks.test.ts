import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatProblem, loadCatalog, parseLab } from "./catalog";
import { arrangeTracks, nextInTrack } from "./tracks";

const lab = (extra: string) => `---
title: A lab in a path
summary: Ten or more characters of summary.
difficulty: beginner
duration: 20m
environment: node
${extra}
---

# Steps
`;

describe("track and order in frontmatter", () => {
  it("reads both, and refuses one without the other at its line", () => {
    expect(parseLab("a-lab", "f.md", lab("track: Runtime basics\norder: 2")).lab).toMatchObject({ track: "Runtime basics", order: 2 });
    expect(parseLab("a-lab", "f.md", lab("order: 2")).problems.map(formatProblem)).toEqual([
      "f.md:7:8: order needs a track: name the learning path this lab belongs to (track: ...)",
    ]);
    expect(parseLab("a-lab", "f.md", lab("track: Runtime basics")).problems.map(formatProblem)).toEqual([
      "f.md:7:8: a lab in a track needs its place in it: add order: 1 for the first lab, 2 for the next, ...",
    ]);
    expect(parseLab("a-lab", "f.md", lab("track: Runtime basics\norder: 0")).problems.map((p) => p.message)).toEqual(["order starts at 1"]);
    expect(parseLab("a-lab", "f.md", lab("track: Runtime basics\norder: first")).problems.map((p) => p.message)).toEqual([
      "order is the lab's place in its track: a whole number from 1",
    ]);
  });

  it("reports two labs at one place of a track at the later one's order line, and still serves both", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tracks-"));
    for (const [slug, extra] of [
      ["alpha", "track: Runtime basics\norder: 1"],
      ["beta", "track: Runtime basics\norder: 1"],
      ["gamma", "track: Other path\norder: 1"],
    ] as const) {
      fs.mkdirSync(path.join(dir, slug));
      fs.writeFileSync(path.join(dir, slug, "lab.md"), lab(extra));
    }
    const catalog = loadCatalog(dir);
    expect(catalog.labs.map((l) => l.slug)).toEqual(["alpha", "beta", "gamma"]);
    expect(catalog.problems.map(formatProblem)).toEqual([
      `${path.join(dir, "beta", "lab.md")}:8:8: order 1 in track "Runtime basics" is already taken by alpha; give each lab of a track its own place`,
    ]);
  });
});

describe("arrangeTracks and nextInTrack", () => {
  const labs = [
    { slug: "oom", track: "Runtime basics", order: 3 },
    { slug: "kind", track: null, order: null },
    { slug: "meet", track: "Runtime basics", order: 1 },
    { slug: "first", track: "Runtime basics", order: 2 },
    { slug: "pods", track: "Kubernetes", order: 1 },
  ];

  it("groups labs by track in order, tracks by name, labs without one last; next up is the first not completed", () => {
    const { tracks, untracked } = arrangeTracks(labs, [
      { slug: "meet", status: "completed" },
      { slug: "first", status: "in-progress" },
    ]);
    expect(tracks.map((t) => [t.name, t.labs.map((l) => l.slug), t.completed, t.nextUp])).toEqual([
      ["Kubernetes", ["pods"], 0, "pods"],
      ["Runtime basics", ["meet", "first", "oom"], 1, "first"],
    ]);
    expect(untracked.map((l) => l.slug)).toEqual(["kind"]);
    expect(arrangeTracks(labs, ["meet", "first", "oom"].map((slug) => ({ slug, status: "completed" as const }))).tracks[1]!.nextUp).toBeNull();
  });

  it("points from a lab to the one after it in its track, and nowhere from the last or from a lab in none", () => {
    expect(nextInTrack(labs, "meet")?.slug).toBe("first");
    expect(nextInTrack(labs, "first")?.slug).toBe("oom");
    expect(nextInTrack(labs, "oom")).toBeNull();
    expect(nextInTrack(labs, "kind")).toBeNull();
    expect(nextInTrack(labs, "no-such-lab")).toBeNull();
  });
});
