import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "../../test/support/services";

// Availability through the API on a real platform: Docker answers (node labs
// can start), and KIND_BIN names a file that is not there, so cluster labs
// cannot, whether or not this machine has kind. The rules themselves are
// unit-tested with fake providers (availability.test.ts); one database is
// enough here, since nothing of this is stored.
describe("lab availability through the API", () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform("pglite", { KIND_BIN: "/nonexistent/kind" });
    await platform.signUp("availability-admin@example.com"); // the first account is the admin
  });
  afterAll(async () => {
    await platform?.close(true);
  });

  it("tells learners which environments cannot start, in their words, and admins why", async () => {
    const learner = await platform.signUp("availability-learner@example.com");
    const seen = await learner.caller.labs.availability();
    expect(seen.node).toEqual({ environment: "node", available: true, learnerMessage: null });
    expect(seen.cluster).toEqual({
      environment: "cluster",
      available: false,
      learnerMessage: "This lab needs a Kubernetes cluster of your own, and this server is not set up to create one.",
    });
    expect(await platform.anonymous().labs.availability()).toEqual(seen);

    const admin = await platform.signIn("availability-admin@example.com");
    const full = await admin.caller.labs.availability();
    expect(full.cluster.operatorReason).toContain("KIND_BIN points at /nonexistent/kind, which is not an executable file");
    expect(full.node.operatorReason).toBeNull();
  });

  it("refuses to start a cluster lab with the learner's sentence and records no session", async () => {
    const learner = await platform.signUp("availability-starter@example.com");
    await expect(learner.caller.sessions.start({ slug: "pod-spec-to-process" })).rejects.toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      message: "This lab needs a Kubernetes cluster of your own, and this server is not set up to create one.",
    });
    const user = await platform.services.db.prisma.user.findUniqueOrThrow({ where: { email: "availability-starter@example.com" } });
    expect(await platform.services.db.prisma.labSession.count({ where: { userId: user.id } })).toBe(0);
  });
});
