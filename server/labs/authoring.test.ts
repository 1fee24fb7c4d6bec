/**
 * Unit tier: labs authored on the platform (server/labs/authoring.ts) and
 * versions (built-in imports, sessions keeping theirs, cohort pins), on an
 * in-process PGlite database and the fake sandbox provider. "Test this lab"
 * on a real node is in test-runs.integration.test.ts and e2e/authoring.spec.ts.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../db/database";
import { resolveDatabaseTarget } from "../db/adapters";
import type { SessionUser } from "../auth/principal";
import { FakeSandboxProvider } from "../sandbox/providers/fake/provider";
import { DEFAULT_SESSION_CONFIG } from "../sessions/config";
import { SessionService } from "../sessions/service";
import { pinLabVersion } from "../cohorts/pins";
import { cohortResults } from "../grades/cohort-results";
import { LabAuthoringService } from "./authoring";
import { LabCatalogService } from "./service";
import { labTemplate } from "./template";

let db: Database;
let dir: string;
let labsDir: string;
let catalog: LabCatalogService;
let authoring: LabAuthoringService;
let sessions: SessionService;
const users: Record<"ada" | "bo" | "cy" | "root", SessionUser> = {} as never;

/** A lab whose one task is called `title`. */
function labText(slug: string, title: string, extraTask = false): string {
  const base = labTemplate(slug).replace('title: Start a container called "demo" that keeps running', `title: ${title}`);
  if (!extraTask) return base;
  return base.replace(
    "---\n\n#",
    `  - id: second-task
    title: A second task
    checks:
      - type: runtime
        container: other
        handler: runc
    solution: ctr -n k8s.io run -d localhost/labs/shell:1 other sleep 3600
---

#`,
  );
}

/** Waits for the fake provider's node (microtask-driven, a few ms). */
async function ready(id: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if ((await sessions.get(users.cy, id)).state === "ready") return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`session ${id} never became ready`);
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "labs-authoring-unit-"));
  labsDir = path.join(dir, "labs");
  fs.mkdirSync(path.join(labsDir, "built-in-one"), { recursive: true });
  fs.writeFileSync(path.join(labsDir, "built-in-one", "lab.md"), labText("built-in-one", "Built-in task"));
  db = await openDatabase(resolveDatabaseTarget(undefined, path.join(dir, "data")));
  catalog = new LabCatalogService(db.prisma, labsDir);
  await catalog.reload();
  authoring = new LabAuthoringService({ prisma: db.prisma, labs: catalog, providerFor: () => undefined, log: () => {} });
  sessions = new SessionService({
    prisma: db.prisma,
    labs: catalog,
    providers: { node: new FakeSandboxProvider() },
    config: { ...DEFAULT_SESSION_CONFIG, poolSize: 0, tickMs: 3_600_000, reconcileMs: 3_600_000 },
  });
  await sessions.boot();
  const people = [
    ["ada", "instructor"],
    ["bo", "instructor"],
    ["cy", "learner"],
    ["root", "admin"],
  ] as const;
  for (const [name, role] of people) {
    const u = await db.prisma.user.create({ data: { id: `u-${name}`, name, email: `${name}@example.com`, role } });
    users[name] = { id: u.id, email: u.email, name: u.name, role: u.role };
  }
});

afterAll(async () => {
  await sessions?.shutdown();
  await db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await db.prisma.labSession.deleteMany();
});

describe("built-in labs", () => {
  it("become version 1 at import, a new version when the file changes, and none when it does not", async () => {
    const lab = await db.prisma.lab.findUniqueOrThrow({ where: { slug: "built-in-one" }, include: { versions: true, currentVersion: true } });
    expect(lab.origin).toBe("builtin");
    expect(lab.versions.map((v) => [v.number, v.via, !!v.publishedAt])).toEqual([[1, "disk", true]]);
    expect(lab.currentVersion?.number).toBe(1);

    await catalog.reload();
    expect(await db.prisma.labVersion.count({ where: { labId: lab.id } })).toBe(1);

    fs.writeFileSync(path.join(labsDir, "built-in-one", "lab.md"), labText("built-in-one", "Built-in task, reworded"));
    await catalog.reload();
    const after = await db.prisma.lab.findUniqueOrThrow({ where: { slug: "built-in-one" }, include: { currentVersion: true } });
    expect(after.currentVersion?.number).toBe(2);
    expect((await catalog.get("built-in-one")).tasks[0]!.title).toBe("Built-in task, reworded");
    // Version 1's text is still there for sessions that run it.
    expect((await catalog.get("built-in-one", lab.currentVersionId)).tasks[0]!.title).toBe("Built-in task");
  });

  it("cannot be changed on the platform, and their slug cannot be taken", async () => {
    await expect(authoring.save(users.ada, "built-in-one", "x", { via: "editor" })).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("labs/built-in-one/lab.md") });
    await expect(authoring.create(users.ada, "built-in-one", undefined, "editor")).rejects.toMatchObject({ code: "CONFLICT" });
  });
});

describe("authored labs", () => {
  it("are written by instructors, saved with their problems, and published only once valid and tested (or with a reason)", async () => {
    await expect(authoring.create(users.cy, "learner-lab", undefined, "editor")).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(authoring.create(users.ada, "Not A Slug", undefined, "editor")).rejects.toMatchObject({ code: "BAD_REQUEST" });

    const created = await authoring.create(users.ada, "ada-lab", undefined, "editor");
    expect(created).toMatchObject({ slug: "ada-lab", number: 1, problems: [] });
    // Not in the catalog until published.
    expect((await catalog.list()).map((l) => l.slug)).not.toContain("ada-lab");

    // A broken text is kept (nothing lost), with its problem located.
    const broken = labText("ada-lab", "Ada's task").replace("handler: runc", "handler: runc\n        colour: blue");
    const saved = await authoring.save(users.ada, "ada-lab", broken, { via: "editor", baseVersion: 1 });
    expect(saved.number).toBe(2);
    expect(saved.problems[0]).toMatchObject({ file: "lab.md", line: expect.any(Number) });
    expect((await authoring.version(users.ada, "ada-lab", 2)).source).toBe(broken);
    await expect(authoring.publish(users.ada, "ada-lab", 2, "no kind here")).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("problem") });

    const fixed = await authoring.save(users.ada, "ada-lab", labText("ada-lab", "Ada's task"), { via: "editor", baseVersion: 2 });
    expect(fixed).toMatchObject({ number: 3, problems: [], unchanged: false });
    expect(await authoring.save(users.ada, "ada-lab", labText("ada-lab", "Ada's task"), { via: "editor", baseVersion: 3 })).toMatchObject({ number: 3, unchanged: true });

    await expect(authoring.publish(users.ada, "ada-lab", 3)).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("not been tested") });
    await authoring.publish(users.ada, "ada-lab", 3, "tested by hand on a cgroup v2 host");
    const listed = await catalog.list();
    expect(listed.find((l) => l.slug === "ada-lab")).toMatchObject({ title: "Ada lab", taskCount: 1 });
    const versions = await authoring.versions(users.ada, "ada-lab");
    expect(versions.versions[0]).toMatchObject({ number: 3, published: true, current: true, publishOverride: "tested by hand on a cgroup v2 host" });
  });

  it("a cluster lab this server cannot test is refused a test with the way out, and published with a recorded reason", async () => {
    const cluster = fs
      .readFileSync(path.resolve(__dirname, "../../labs/pod-spec-to-process/lab.md"), "utf8")
      .replace(/^track: .*\n/m, "")
      .replace(/^order: .*\n/m, "");
    await authoring.create(users.ada, "cluster-copy", cluster, "push");
    await expect(authoring.startTest(users.ada, "cluster-copy", 1)).rejects.toMatchObject({ code: "UNAVAILABLE", message: expect.stringContaining("publish with the reason") });
    await expect(authoring.publish(users.ada, "cluster-copy", 1)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await authoring.publish(users.ada, "cluster-copy", 1, "no kind on this host; tested with labs test where kind runs");
    const v = (await authoring.versions(users.ada, "cluster-copy")).versions[0]!;
    expect(v).toMatchObject({ via: "push", published: true, testStatus: "untested", publishOverride: "no kind on this host; tested with labs test where kind runs" });
  });

  it("refuse a save based on a version someone else has replaced, keeping both texts intact", async () => {
    await authoring.create(users.ada, "race-lab", undefined, "editor");
    await authoring.save(users.root, "race-lab", labText("race-lab", "Admin's edit"), { via: "editor", baseVersion: 1 });
    await expect(authoring.save(users.ada, "race-lab", labText("race-lab", "Ada's edit"), { via: "editor", baseVersion: 1 })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("Version 2"),
    });
    expect((await authoring.version(users.ada, "race-lab")).source).toContain("Admin's edit");
  });

  it("belong to their owner: another instructor cannot see them, an admin can change them", async () => {
    await authoring.create(users.ada, "private-lab", undefined, "editor");
    await expect(authoring.version(users.bo, "private-lab")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(authoring.save(users.bo, "private-lab", "x", { via: "editor" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await authoring.list(users.bo)).map((l) => l.slug)).not.toContain("private-lab");
    expect(await authoring.save(users.root, "private-lab", labText("private-lab", "Admin was here"), { via: "editor" })).toMatchObject({ number: 2 });
    expect((await authoring.list(users.root)).find((l) => l.slug === "private-lab")).toMatchObject({ canEdit: true, owner: "ada" });
  });

  it("can be archived (gone from the catalog) and restored", async () => {
    await authoring.create(users.ada, "archive-lab", undefined, "editor");
    await authoring.publish(users.ada, "archive-lab", 1, "scaffold");
    expect((await catalog.list()).map((l) => l.slug)).toContain("archive-lab");
    await authoring.setArchived(users.ada, "archive-lab", true);
    expect((await catalog.list()).map((l) => l.slug)).not.toContain("archive-lab");
    await authoring.setArchived(users.ada, "archive-lab", false);
    expect((await catalog.list()).map((l) => l.slug)).toContain("archive-lab");
  });
});

describe("versions and sessions", () => {
  it("a running session keeps the version it started with; new sessions get the latest; a replacement keeps its predecessor's", async () => {
    await authoring.create(users.ada, "versioned-lab", labText("versioned-lab", "Version one task"), "editor");
    await authoring.publish(users.ada, "versioned-lab", 1, "unit test");
    const first = await sessions.start(users.cy, "versioned-lab");
    expect(first.labVersion).toBe(1);

    await authoring.save(users.ada, "versioned-lab", labText("versioned-lab", "Version two task", true), { via: "editor" });
    await authoring.publish(users.ada, "versioned-lab", 2, "unit test");

    const mine = await catalog.forSession(first);
    expect(mine.tasks.map((t) => t.title)).toEqual(["Version one task"]);
    await ready(first.id);
    const reset = await sessions.reset(users.cy, first.id);
    expect(reset.labVersion).toBe(1);

    await sessions.end(users.cy, reset.id);
    const fresh = await sessions.start(users.cy, "versioned-lab");
    expect(fresh.labVersion).toBe(2);
    expect((await catalog.forSession(fresh)).tasks.map((t) => t.title)).toEqual(["Version two task", "A second task"]);
    await sessions.end(users.cy, fresh.id);
  });

  it("a cohort that pins a version starts its learners on it; unpinned, they follow the latest", async () => {
    await authoring.create(users.ada, "pinned-lab", labText("pinned-lab", "Pinned one"), "editor");
    await authoring.publish(users.ada, "pinned-lab", 1, "unit test");
    await authoring.save(users.ada, "pinned-lab", labText("pinned-lab", "Pinned two"), { via: "editor" });
    const lab = await db.prisma.lab.findUniqueOrThrow({ where: { slug: "pinned-lab" } });
    const cohort = await db.prisma.cohort.create({
      data: { name: "Week 1", joinCode: "pin-test-code", ownerId: users.ada.id, labs: { create: [{ labId: lab.id, position: 0 }] }, members: { create: [{ userId: users.cy.id }] } },
    });
    // Version 2 is saved but not published: it cannot be pinned.
    await expect(pinLabVersion(db.prisma, cohort.id, "pinned-lab", 2)).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("not been published") });
    await authoring.publish(users.ada, "pinned-lab", 2, "unit test");
    await pinLabVersion(db.prisma, cohort.id, "pinned-lab", 1);

    const pinned = await sessions.start(users.cy, "pinned-lab");
    expect(pinned.labVersion).toBe(1);
    // The cohort's dashboard grades the pinned version's tasks.
    expect((await cohortResults(db.prisma, catalog, cohort.id)).labs[0]!.tasks.map((t) => t.title)).toEqual(["Pinned one"]);
    await sessions.end(users.cy, pinned.id);

    await pinLabVersion(db.prisma, cohort.id, "pinned-lab", null);
    const following = await sessions.start(users.cy, "pinned-lab");
    expect(following.labVersion).toBe(2);
    expect((await cohortResults(db.prisma, catalog, cohort.id)).labs[0]!.tasks.map((t) => t.title)).toEqual(["Pinned two"]);
    await sessions.end(users.cy, following.id);
  });
});
