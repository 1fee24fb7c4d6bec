import http from "node:http";
import Docker from "dockerode";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DockerProvider } from "../sandbox/providers/docker/provider";
import { startTestPlatform, type TestPlatform } from "../../test/support/services";
import type { SessionUser } from "../auth/principal";
import { createTerminalGateway, type TerminalGateway } from "./gateway";
import { NodeTerminalClient, UpgradeRefused, type ConnectOptions } from "./node-client";
import { ClientFrameType, CloseCode, MAX_INPUT_BYTES } from "./protocol";
import { until } from "../../test/support/wait";

// Real Docker, a real node, a real HTTP server with the gateway, real `ws`
// clients. This file's own instance label keeps other tests' reconcilers away.
const INSTANCE = `t-terminal-${process.pid}`;
const GRACE_MS = 1_500;
const PROMPT = /[#$] $/;

describe("terminal gateway on real Docker", () => {
  let platform: TestPlatform;
  let provider: DockerProvider;
  let gateway: TerminalGateway;
  let server: http.Server;
  let base: string;
  let origin: string;
  let alice: { cookie: string; user: SessionUser };
  let bob: { cookie: string };
  let carol: { cookie: string };
  let dave: { cookie: string };
  let sessionId: string;
  let sandboxId: string;
  const open: NodeTerminalClient[] = [];

  /** Connects as alice (unless overridden) to her session. */
  async function connect(terminal: string, o: Partial<ConnectOptions> = {}): Promise<NodeTerminalClient> {
    const c = await NodeTerminalClient.connect(base, { session: sessionId, terminal, cookie: alice.cookie, origin, ...o });
    open.push(c);
    return c;
  }

  /** Connects and waits for the shell's prompt. */
  async function shell(terminal: string, o: Partial<ConnectOptions> = {}): Promise<NodeTerminalClient> {
    const c = await connect(terminal, o);
    await c.until("the prompt", () => PROMPT.test(c.text()), 20_000);
    return c;
  }

  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error("the upgrade was accepted");
      },
      (err: unknown) => {
        if (!(err instanceof UpgradeRefused)) throw err;
        return { status: err.status, body: err.body.trim() };
      },
    );

  const psInNode = async () => (await provider.exec(sandboxId, ["ps", "-eo", "pid,args"])).stdout;

  // Every test starts with no terminal: clients are dropped and the grace
  // period reaps their shells, so the per-session maximum never carries over.
  afterEach(async () => {
    for (const c of open.splice(0)) c.ws.terminate();
    await until("the session's terminals to close", async () => gateway.registry.count(sessionId) === 0, 20_000);
  });

  beforeAll(async () => {
    platform = await startTestPlatform("pglite", { LABS_INSTANCE: INSTANCE }, { poolSize: 0, tickMs: 3_600_000, reconcileMs: 3_600_000 });
    provider = new DockerProvider({ instance: INSTANCE });
    const services = platform.services;
    await platform.signUp("admin@example.com"); // the first account is admin
    const a = await platform.signUp("alice@example.com");
    alice = { cookie: a.cookie, user: (await a.caller.system.me())! };
    bob = await platform.signUp("bob@example.com");
    carol = await platform.signUp("carol@example.com");
    await services.db.prisma.user.update({ where: { email: "carol@example.com" }, data: { role: "instructor" } });
    await services.sessions.boot();

    gateway = createTerminalGateway(services, { graceMs: GRACE_MS, touchEveryMs: 0, watcherRecheckMs: 300 });
    server = http.createServer((_req, res) => res.writeHead(404).end());
    server.on("upgrade", (req, socket, head) => {
      if (!gateway.handleUpgrade(req, socket, head)) socket.destroy();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    origin = services.env.publicUrl;

    const s = await services.sessions.start(alice.user, "meet-your-node");
    const ready = await until(
      "the session to be ready",
      async () => {
        const v = await services.sessions.get(alice.user, s.id);
        if (v.state === "failed") throw new Error(`session failed: ${v.reason}`);
        return v.state === "ready" ? v : undefined;
      },
      120_000,
    );
    sessionId = ready.id;
    sandboxId = ready.sandboxId!;
    // Carol teaches Alice: a cohort of hers holds Alice and this lab. Dave is
    // an instructor too, but not Alice's.
    const carolUser = await services.db.prisma.user.findUniqueOrThrow({ where: { email: "carol@example.com" } });
    const lab = await services.db.prisma.lab.findUniqueOrThrow({ where: { slug: "meet-your-node" } });
    await services.db.prisma.cohort.create({
      data: {
        name: "Carol's class",
        joinCode: "carolclass1",
        ownerId: carolUser.id,
        labs: { create: [{ labId: lab.id, position: 0 }] },
        members: { create: [{ userId: alice.user.id }] },
      },
    });
    dave = await platform.signUp("dave@example.com");
    await services.db.prisma.user.update({ where: { email: "dave@example.com" }, data: { role: "instructor" } });
  });

  afterAll(async () => {
    for (const c of open) c.ws.terminate();
    await gateway?.close();
    server?.close();
    await platform?.services.sessions.shutdown({ destroyPool: true });
    for (const sb of (await provider?.list()) ?? []) await provider.destroy(sb.id);
    await platform?.close(true);
  });

  it("refuses before upgrading: no cookie 401, foreign Origin 403, another learner 404, bad handshake 400", async () => {
    expect(await refusal(connect("t-auth", { cookie: undefined }))).toEqual({ status: 401, body: "Sign in to open a terminal." });
    expect(await refusal(connect("t-auth", { origin: "https://evil.example" }))).toEqual({ status: 403, body: "This terminal cannot be opened from another site." });
    expect(await refusal(connect("t-auth", { cookie: bob.cookie }))).toEqual({ status: 404, body: "That lab session does not exist." });
    expect((await refusal(connect("a/b"))).status).toBe(400);
    expect((await refusal(connect("t-auth", { session: "no-such-session" }))).status).toBe(404);
    expect(gateway.registry.count(sessionId)).toBe(0);
  });

  it("echoes a command round trip and honours the size from the handshake and from resize", async () => {
    const c = await shell("t-echo", { cols: 100, rows: 30 });
    expect(c.frames[0]).toEqual({ type: "ready", readOnly: false, resumeFrom: 0, reset: false });
    c.type("echo round-$((6*7))-trip\r");
    await c.waitFor("round-42-trip");
    c.type("stty size\r");
    await c.waitFor("30 100");
    c.resize(123, 45);
    c.type("stty size\r");
    await c.waitFor("45 123");
    expect(c.gaps).toBe(0);
  });

  it("keeps keystrokes sent before Ready (typing or a Run during shell start-up) and runs them once the shell is there", async () => {
    const c = await connect("t-early");
    // The socket is open; the shell is still starting and Ready has not come.
    expect(c.frames.some((f) => f.type === "ready")).toBe(false);
    c.type("echo early-$((40+2))-keys\r");
    await c.frame("ready");
    await c.waitFor("early-42-keys");
  });

  it("delivers multibyte UTF-8 intact, even split across writes and frames", async () => {
    const c = await shell("t-utf8");
    // One emoji written in two halves 200 ms apart: two frames on the wire.
    c.type("printf '\\360\\237'; sleep 0.2; printf '\\230\\200 split-ok\\n'\r");
    await c.waitFor("😀 split-ok");
    // 20,000 emoji after one ASCII byte: batches of 64 KiB cut characters.
    c.type("printf x; for i in $(seq 1 20000); do printf '😀'; done; echo \" many-$((1+1))\"\r");
    await c.waitFor(" many-2", 60_000);
    const text = c.text();
    expect(text).not.toContain("\uFFFD");
    expect(text.match(/😀/g)!.length).toBeGreaterThanOrEqual(20_001);
  });

  it("resumes from the last offset without duplicates, and replays scrollback to a fresh screen", async () => {
    const a = await shell("t-replay");
    a.type("echo before-$((1+1)); sleep 0.5; echo while-$((2+2))-away\r");
    await a.waitFor("before-2");
    const offset = a.offset;
    await a.close();
    // Output arrives while nobody is attached; reconnect within the grace period.
    await new Promise((r) => setTimeout(r, GRACE_MS / 2 + 200));

    const b = await connect("t-replay", { offset });
    expect(await b.frame("ready")).toEqual({ type: "ready", readOnly: false, resumeFrom: offset, reset: false });
    await b.waitFor("while-4-away");
    expect(b.text()).not.toContain("before-2");
    expect(b.gaps).toBe(0);

    const fresh = await connect("t-replay");
    await fresh.waitFor("while-4-away");
    expect(fresh.text()).toContain("before-2");
    expect(fresh.text().split("while-4-away").length - 1).toBe(1);

    // An offset from another shell (e.g. before a server restart) resets the screen.
    const stale = await connect("t-replay", { offset: 10_000_000 });
    expect(await stale.frame("ready")).toMatchObject({ reset: true });
  });

  it("gives the learner's instructors read-only access to existing terminals only", async () => {
    const owner = await shell("t-watch", { cols: 82, rows: 30 });
    const watcher = await connect("t-watch", { cookie: carol.cookie, cols: 200, rows: 60 });
    expect(await watcher.frame("ready")).toMatchObject({ readOnly: true });
    // The watcher draws at the learner's size (its own window is ignored) and follows resizes.
    expect(await watcher.frame("size")).toEqual({ type: "size", cols: 82, rows: 30 });
    owner.resize(100, 31);
    await watcher.until("the learner's new size", () => watcher.frames.some((f) => f.type === "size" && f.cols === 100 && f.rows === 31), 10_000);
    expect(owner.frames.some((f) => f.type === "size")).toBe(false);
    watcher.type("echo carol-$((3*3))-typed\r");
    expect(await watcher.frame("error")).toMatchObject({ code: "READ_ONLY" });
    owner.type("echo owner-$((5*5))\r");
    await watcher.waitFor("owner-25");
    expect(owner.text()).not.toContain("carol-9-typed");
    expect((await refusal(connect("t-not-open", { cookie: carol.cookie }))).status).toBe(404);
    // An instructor who does not teach Alice cannot even watch.
    expect((await refusal(connect("t-watch", { cookie: dave.cookie }))).status).toBe(404);
  });

  it("closes a watcher whose access ends while watching (cohort archived)", async () => {
    const owner = await shell("t-revoke");
    const watcher = await connect("t-revoke", { cookie: carol.cookie });
    expect(await watcher.frame("ready")).toMatchObject({ readOnly: true });
    await platform.services.db.prisma.cohort.update({ where: { joinCode: "carolclass1" }, data: { archivedAt: new Date() } });
    try {
      expect(await watcher.frame("error")).toMatchObject({ code: "ACCESS_REVOKED" });
      expect((await watcher.closed).code).toBe(CloseCode.AccessRevoked);
      // The learner's own terminal carries on.
      owner.type("echo still-$((4*4))-here\r");
      await owner.waitFor("still-16-here");
    } finally {
      await platform.services.db.prisma.cohort.update({ where: { joinCode: "carolclass1" }, data: { archivedAt: null } });
    }
  });

  it("rejects malformed and oversized frames without harming the shell or other clients", async () => {
    const good = await shell("t-frames");
    const cases: [string, (c: NodeTerminalClient) => void][] = [
      ["unknown type", (c) => c.sendRaw(new Uint8Array([0x7f, 1, 2]))],
      ["short resize", (c) => c.sendRaw(new Uint8Array([ClientFrameType.Resize, 1]))],
      ["text message", (c) => c.sendRaw("hello", false)],
      ["oversized input", (c) => c.sendRaw(new Uint8Array(MAX_INPUT_BYTES + 100).fill(ClientFrameType.Input))],
    ];
    for (const [what, send] of cases) {
      const bad = await connect("t-frames");
      await bad.frame("ready");
      send(bad);
      expect(await bad.frame("error"), what).toMatchObject({ code: "BAD_FRAME" });
      expect((await bad.closed).code, what).toBe(CloseCode.BadFrame);
    }
    // Beyond ws's hard payload cap the socket is closed by ws itself (1009).
    const huge = await connect("t-frames");
    huge.sendRaw(new Uint8Array(1024 * 1024).fill(ClientFrameType.Input));
    expect((await huge.closed).code).toBe(1009);

    good.type("echo still-$((7*6))-alive\r");
    await good.waitFor("still-42-alive");
  });

  it("refuses a terminal beyond the per-session maximum with a clear error frame", async () => {
    const have = gateway.registry.count(sessionId);
    for (let i = have; i < 4; i++) await shell(`t-max-${i}`);
    expect(gateway.registry.count(sessionId)).toBe(4);
    const fifth = await connect("t-max-extra");
    expect(await fifth.frame("error")).toEqual({ type: "error", code: "TOO_MANY_TERMINALS", message: "This lab already has 4 terminals open. Close one of them to open another." });
    expect((await fifth.closed).code).toBe(CloseCode.TooManyTerminals);
  });

  it("kills the shell inside the node once the grace period passes with no client", async () => {
    const c = await shell("t-grace");
    c.type("sleep 31337\r");
    await until("sleep to run in the node", async () => (await psInNode()).includes("sleep 31337"), 10_000);
    await c.close();
    // Still alive within the grace period: a reload would re-attach to it.
    await new Promise((r) => setTimeout(r, GRACE_MS / 3));
    expect(await psInNode()).toContain("sleep 31337");
    await until("the shell to die in the node", async () => !(await psInNode()).includes("sleep 31337"), 15_000);
    expect(gateway.registry.get(sessionId, "t-grace")).toBeUndefined();
  });

  it("kills the shell at once when the learner closes the terminal", async () => {
    const c = await shell("t-close");
    c.type("sleep 42424\r");
    await until("sleep to run in the node", async () => (await psInNode()).includes("sleep 42424"), 10_000);
    c.end();
    expect(await c.frame("error")).toMatchObject({ code: "CLOSED" });
    expect((await c.closed).code).toBe(CloseCode.Closed);
    expect(await psInNode()).not.toContain("sleep 42424");
  });

  it("keeps memory bounded under a `yes` flood to a client that stops reading, and Ctrl-C stops it at once", async () => {
    const c = await shell("t-flood");
    const before = process.memoryUsage().rss;
    c.type("yes flood-line-with-some-length\r");
    await c.waitFor("flood-line-with-some-length\r\n", 10_000, 50);
    c.ws.pause(); // a slow client: the socket stops reading
    const terminal = gateway.registry.get(sessionId, "t-flood")!;
    await until("the shell's output to pause", async () => terminal.outputPaused, 15_000);
    await new Promise((r) => setTimeout(r, 2_000));
    const grown = process.memoryUsage().rss - before;
    expect(terminal.outputPaused).toBe(true);
    expect(terminal.replayBytes).toBeLessThanOrEqual(256 * 1024 + 64 * 1024);
    expect(grown).toBeLessThan(100 * 1024 * 1024);

    c.type("\x03"); // Ctrl-C while paused: input is never blocked by output
    c.ws.resume();
    c.type("echo after-$((20+22))-flood\r");
    await c.waitFor("after-42-flood", 30_000);
    expect(c.gaps).toBe(0);
  });

  it("a restarted server ends the shells the previous one left (and their jobs), and keeps its own", async () => {
    // Gateway 1 is "the server that crashed": its shell and a background job run on.
    const c = await shell("t-crashed");
    c.type("sleep 4242 &\r");
    await until("the job", async () => (await psInNode()).includes("sleep 4242"), 10_000);
    const mine = await shell("t-survivor");
    // A second gateway is what a restarted server creates: a new owner mark.
    const restarted = createTerminalGateway(platform.services, { graceMs: GRACE_MS });
    try {
      const reaped = await restarted.leftoversReaped;
      expect(reaped.shells).toBeGreaterThanOrEqual(2); // t-crashed and t-survivor both belong to gateway 1
      expect(reaped.nodes).toBe(1);
      const ps = await psInNode();
      expect(ps).not.toContain("sleep 4242");
      expect(ps).not.toContain("labs-shell");
      // A shell the new server opened is never touched by its own reaping.
      const node = { provider: platform.services.sessions.providerFor("node")!, sandboxId };
      const own = await restarted.registry.getOrOpen({ sessionId, terminalId: "t-new", ...node, cols: 80, rows: 24, user: alice.user });
      expect((await restarted.registry.reapLeftovers([node])).shells).toBe(0);
      expect(own.closed).toBe(false);
      expect(await psInNode()).toContain("labs-shell");
    } finally {
      await restarted.close();
    }
    await c.closed;
    await mine.closed;
  });

  it("a learner reconnecting while the restarted server reaps gets a shell that waits for the node's old ones to end, and lives", async () => {
    const old = await shell("t-before-crash");
    const restarted = createTerminalGateway(platform.services, { graceMs: GRACE_MS });
    try {
      const node = { provider: platform.services.sessions.providerFor("node")!, sandboxId };
      // Asked for at once, before the reaper has even listed the nodes.
      const early = restarted.registry.getOrOpen({ sessionId, terminalId: "t-reconnected", ...node, cols: 80, rows: 24, user: alice.user });
      expect((await restarted.leftoversReaped).shells).toBeGreaterThanOrEqual(1);
      await old.closed;
      const fresh = await early;
      await new Promise((r) => setTimeout(r, 300));
      expect(fresh.closed).toBe(false);
      expect(await psInNode()).toContain("labs-shell");
    } finally {
      await restarted.close();
    }
  });
  it("closes terminals with a SESSION_ENDED frame when the session ends, then refuses with 409", async () => {
    const c = await shell("t-end");
    await platform.services.sessions.end(alice.user, sessionId);
    const { code } = await c.closed;
    expect([CloseCode.SessionEnded, CloseCode.Exited]).toContain(code);
    expect(c.frames.some((f) => (f.type === "error" && f.code === "SESSION_ENDED") || f.type === "exit")).toBe(true);
    expect((await refusal(connect("t-after-end"))).status).toBe(409);
  });

  it("tells the client its node stopped (not 'shell exited') when the node is killed, and the session moves on", async () => {
    const sessions = platform.services.sessions;
    const started = await sessions.start(alice.user, "meet-your-node");
    for await (const v of sessions.watch(alice.user, started.id)) if (v.state === "ready") break;
    sessionId = started.id;
    sandboxId = (await sessions.get(alice.user, started.id)).sandboxId!;
    const c = await shell("t-node-dies");
    const node = (await provider.get(sandboxId))!;
    await new Docker().getContainer(node.nodes[0]!.containerId).kill();
    // Whichever is first, the shell's end (4411) or the session's replacement
    // (4410, with its reason), the client learns its node stopped: never the
    // final "shell exited" (4000) the learner would take for their own doing.
    const { code } = await c.closed;
    expect([CloseCode.NodeStopped, CloseCode.SessionEnded]).toContain(code);
    expect(c.frames).toContainEqual(expect.objectContaining({ type: "error", code: expect.stringMatching(/^(NODE_STOPPED|SESSION_ENDED)$/), message: expect.stringMatching(/Your node stopped/) }));
    const after = await until(
      "the session to be replaced",
      async () => {
        const v = await sessions.get(alice.user, started.id);
        return v.replacedBy ? v : undefined;
      },
      20_000,
    );
    expect(after.reason).toMatch(/Your node stopped \(killed, exit code 137\)/);
    await sessions.end(alice.user, after.replacedBy!);
  });
});
