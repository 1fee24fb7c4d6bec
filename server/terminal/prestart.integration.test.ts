import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerProvider } from "../sandbox/providers/docker/provider";
import { startTestPlatform, type TestPlatform } from "../../test/support/services";
import { until } from "../../test/support/wait";
import type { SessionUser } from "../auth/principal";
import { createTerminalGateway, type TerminalGateway } from "./gateway";
import { NodeTerminalClient } from "./node-client";

// Real Docker, a real node and the gateway as server/main.ts configures it
// (prestartShell on): the shell is there before any browser asks.
const INSTANCE = `t-prestart-${process.pid}`;
const PROMPT = /[#$] $/;

describe("a shell opened ahead when a session becomes ready (real Docker)", () => {
  let platform: TestPlatform;
  let provider: DockerProvider;
  let gateway: TerminalGateway;
  let server: http.Server;
  let learner: { cookie: string; user: SessionUser };

  beforeAll(async () => {
    platform = await startTestPlatform("pglite", { LABS_INSTANCE: INSTANCE }, { poolSize: 0, tickMs: 3_600_000, reconcileMs: 3_600_000 });
    provider = new DockerProvider({ instance: INSTANCE });
    const signed = await platform.signUp("ahead@example.com");
    learner = { cookie: signed.cookie, user: (await signed.caller.system.me())! };
    await platform.services.sessions.boot();
    gateway = createTerminalGateway(platform.services, { prestartShell: true, touchEveryMs: 0 });
    server = http.createServer((_req, res) => res.writeHead(404).end());
    server.on("upgrade", (req, socket, head) => {
      if (!gateway.handleUpgrade(req, socket, head)) socket.destroy();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  });

  afterAll(async () => {
    await gateway?.close();
    server?.close();
    await platform?.services.sessions.shutdown({ destroyPool: true });
    for (const sb of (await provider?.list()) ?? []) await provider.destroy(sb.id);
    await platform?.close(true);
  });

  it("opens one shell per ready session; the learner's first connection gets its prompt from the replay, at the learner's size", async () => {
    const { sessions } = platform.services;
    const s = await sessions.start(learner.user, "meet-your-node");
    await until("the session to be ready", async () => (await sessions.get(learner.user, s.id)).state === "ready", 120_000);
    // The shell is opened by the gateway alone: nobody has connected.
    const open = await until(
      "a shell opened ahead",
      async () => {
        const list = gateway.registry.list(s.id);
        return list.length ? list : undefined;
      },
      20_000,
    );
    expect(open).toHaveLength(1);
    expect(open[0]!.clients).toBe(0);
    // Later changes of the session (activity, extend) open nothing more.
    await sessions.extend(learner.user, s.id);
    await new Promise((r) => setTimeout(r, 500));
    expect(gateway.registry.list(s.id)).toHaveLength(1);

    // The shell has printed its welcome and prompt before anyone attached.
    await until("output from the shell opened ahead", async () => (gateway.registry.get(s.id, open[0]!.terminalId)?.replayBytes ?? 0) > 0, 20_000);
    // What the browser does: list the terminals, attach to the one there.
    const port = (server.address() as AddressInfo).port;
    const client = await NodeTerminalClient.connect(`http://127.0.0.1:${port}`, {
      session: s.id,
      terminal: open[0]!.terminalId,
      cookie: learner.cookie,
      origin: platform.services.env.publicUrl,
      cols: 101,
      rows: 33,
    });
    // The prompt is in the replay: no command needed to see it.
    await client.until("the prompt from the replay", () => PROMPT.test(client.text()), 5_000);
    client.type("stty size\r");
    await client.waitFor("33 101");
    client.ws.terminate();
    await sessions.end(learner.user, s.id);
    await until("its shell to close with the session", async () => gateway.registry.count(s.id) === 0, 20_000);
  });
});
