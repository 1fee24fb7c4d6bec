/**
 * The web terminal's cost: the same shell work read through the gateway
 * (WebSocket, batching, replay, flow control) and read directly from the
 * provider's Docker exec stream, in the same run on the same node.
 *
 *   npx tsx bench/terminal.ts [megabytes=50]
 *
 * Prints throughput (and the gateway/direct ratio), keystroke echo latency
 * p50/p99 for both paths, and checks 1 and 20 busy terminals for lost or
 * reordered output.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { startTestPlatformOutsideVitest } from "./platform";
import { median, ms, percentile } from "./stats";
import type { Shell } from "../server/sandbox/provider";
import { DockerProvider } from "../server/sandbox/providers/docker/provider";
import { createTerminalGateway } from "../server/terminal/gateway";
import { NodeTerminalClient } from "../server/terminal/node-client";
import { userFromHeaders } from "../server/auth/principal";
import { cookieHeader } from "../test/support/cookies";

/** Printed by the shell when a run is over; typed as two strings so the echoed command does not match. */
const END = "__BENCH_END__";
const END_CMD = `printf '%s\\n' "__BENCH""_END__"`;

/** Calls `onEnd` once the byte stream has contained END (searched across chunk borders). */
function endWatcher(onEnd: () => void): (data: Uint8Array) => void {
  let tail = "";
  return (data) => {
    const s = tail + Buffer.from(data).toString("latin1");
    if (s.includes(END)) onEnd();
    tail = s.slice(-END.length);
  };
}

/** One way of driving a shell: type into it, get its output bytes. */
interface Driver {
  type(text: string): void;
  onData(fn: (data: Uint8Array) => void): void;
  close(): Promise<void>;
}

function directDriver(shell: Shell): Driver {
  let listener: (d: Uint8Array) => void = () => {};
  shell.stream.on("data", (d: Buffer) => listener(d));
  return {
    type: (t) => shell.stream.write(t),
    onData: (fn) => (listener = fn),
    close: () => shell.kill(),
  };
}

function gatewayDriver(c: NodeTerminalClient): Driver {
  c.keepOutput = false;
  return {
    type: (t) => c.type(t),
    onData: (fn) => (c.onData = fn),
    close: async () => {
      c.end();
      await c.closed;
    },
  };
}

/** Waits for the prompt, then turns echo off so only command output flows. */
async function quiet(d: Driver): Promise<void> {
  await run(d, "stty -echo");
}

/** Types a command and resolves when END follows its output; returns bytes seen and seconds taken. */
function run(d: Driver, command: string, timeoutMs = 300_000): Promise<{ bytes: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    const t0 = performance.now();
    const timer = setTimeout(() => reject(new Error(`timed out running ${command}`)), timeoutMs);
    const watch = endWatcher(() => {
      clearTimeout(timer);
      resolve({ bytes, seconds: (performance.now() - t0) / 1000 });
    });
    d.onData((data) => {
      bytes += data.length;
      watch(data);
    });
    d.type(`${command}; ${END_CMD}\r`);
  });
}

/** Echo latency of single keystrokes at an idle prompt (types "x" then deletes it). */
async function echoLatency(d: Driver, n: number): Promise<number[]> {
  await run(d, "stty echo");
  const out: number[] = [];
  for (let i = 0; i < n * 2; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      d.onData(() => resolve());
      d.type(i % 2 === 0 ? "x" : "\x7f");
    });
    out.push(performance.now() - t0);
    // 20 ms between keys: faster than any typist (~100 ms), and past the
    // gateway's batching window, as real keystrokes are.
    await new Promise((r) => setTimeout(r, 20));
  }
  return out;
}

/** Checks that `seq 1 n` arrived complete and in order. */
function checkSequence(text: string, n: number): string | null {
  const nums = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => /^\d+$/.test(l))
    .map(Number);
  if (nums.length !== n) return `expected ${n} numbered lines, got ${nums.length}`;
  for (let i = 0; i < n; i++) if (nums[i] !== i + 1) return `line ${i + 1} is ${nums[i]}`;
  return null;
}

export async function benchTerminal(megabytes = 50) {
  const instance = `bench-terminal-${process.pid}`;
  const platform = await startTestPlatformOutsideVitest(instance, { poolSize: 0, tickMs: 3_600_000, reconcileMs: 3_600_000 });
  const services = platform.services;
  const provider = new DockerProvider({ instance });
  const gateway = createTerminalGateway(services, { maxPerSession: 20, touchEveryMs: 60_000 });
  const server = http.createServer((_q, r) => r.writeHead(404).end());
  server.on("upgrade", (req, socket, head) => {
    if (!gateway.handleUpgrade(req, socket, head)) socket.destroy();
  });
  try {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const res = await services.auth.api.signUpEmail({ body: { email: "bench-terminal@example.com", password: "benchmark password", name: "bench" }, asResponse: true });
    const cookie = cookieHeader(res);
    const owner = (await userFromHeaders(services.auth, new Headers({ cookie })))!;
    await services.sessions.boot();
    let session = await services.sessions.start(owner, "meet-your-node");
    const deadline = Date.now() + 120_000;
    while (session.state !== "ready") {
      if (session.state === "failed" || Date.now() > deadline) throw new Error(`session did not become ready: ${session.reason}`);
      await new Promise((r) => setTimeout(r, 200));
      session = await services.sessions.get(owner, session.id);
    }
    const sandboxId = session.sandboxId!;
    let next = 0;
    const viaGateway = async () => {
      const c = await NodeTerminalClient.connect(base, { session: session.id, terminal: `bench-${next++}`, cookie, cols: 200, rows: 50 });
      await c.until("the prompt", () => /[#$] $/.test(c.text()), 20_000);
      return c;
    };
    const viaDirect = async () => directDriver(await provider.openShell(sandboxId, { cols: 200, rows: 50 }));

    // ---- throughput ------------------------------------------------------
    const bytes = megabytes * 1_000_000;
    const flood = `head -c ${bytes} /dev/zero | tr '\\0' a`;
    const rates = { direct: [] as number[], gateway: [] as number[] };
    for (let round = 0; round < 2; round++) {
      for (const kind of ["direct", "gateway"] as const) {
        const d = kind === "direct" ? await viaDirect() : gatewayDriver(await viaGateway());
        await quiet(d);
        const r = await run(d, flood);
        if (r.bytes < bytes) throw new Error(`${kind}: only ${r.bytes} of ${bytes} bytes arrived`);
        rates[kind].push(r.bytes / 1e6 / r.seconds);
        await d.close();
      }
    }
    const direct = Math.max(...rates.direct);
    const viaGw = Math.max(...rates.gateway);
    console.log(`terminal throughput (${megabytes} MB, best of 2): direct ${direct.toFixed(1)} MB/s, gateway ${viaGw.toFixed(1)} MB/s, ratio ${(viaGw / direct).toFixed(2)}  [target >= 0.8]`);

    // ---- echo latency ----------------------------------------------------
    const n = 200;
    const dDirect = await viaDirect();
    await run(dDirect, "true");
    const latDirect = await echoLatency(dDirect, n);
    await dDirect.close();
    const dGw = gatewayDriver(await viaGateway());
    const latGw = await echoLatency(dGw, n);
    await dGw.close();
    const added50 = median(latGw) - median(latDirect);
    const added99 = percentile(latGw, 99) - percentile(latDirect, 99);
    console.log(
      `keystroke echo (n=${latDirect.length}): direct p50 ${ms(median(latDirect))} p99 ${ms(percentile(latDirect, 99))}; gateway p50 ${ms(median(latGw))} p99 ${ms(percentile(latGw, 99))}; added p50 ${ms(added50)} p99 ${ms(added99)}  [target added p50 < 5 ms, p99 < 20 ms]`,
    );

    // ---- busy terminals, lossless and ordered -------------------------------
    const lines = 20_000;
    const busy: Record<number, { lossless: boolean; seconds: number; problems: string[] }> = {};
    for (const count of [1, 20]) {
      const clients = await Promise.all(Array.from({ length: count }, () => viaGateway()));
      for (const c of clients) {
        c.type("stty -echo\r");
        await c.waitFor("stty -echo");
      }
      await new Promise((r) => setTimeout(r, 300));
      const marks = clients.map((c) => c.bytes().length);
      const t0 = performance.now();
      await Promise.all(
        clients.map((c, i) => {
          c.type(`seq 1 ${lines}; ${END_CMD}\r`);
          return c.until(`terminal ${i} to finish`, () => c.text().includes(END), 120_000);
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      const problems = clients
        .map((c, i) => {
          const p = checkSequence(c.bytes().subarray(marks[i]).toString("utf8"), lines);
          return p ? `terminal ${i}: ${p}` : c.gaps ? `terminal ${i}: ${c.gaps} offset gaps` : null;
        })
        .filter((p): p is string => p !== null);
      busy[count] = { lossless: problems.length === 0, seconds, problems };
      console.log(`busy terminals: ${count} x seq 1 ${lines} in ${seconds.toFixed(2)} s, ${problems.length === 0 ? "lossless and ordered" : `PROBLEMS: ${problems.join("; ")}`}  [target lossless]`);
      for (const c of clients) {
        c.end();
        await c.closed;
      }
    }
    return { throughputDirectMBs: direct, throughputGatewayMBs: viaGw, ratio: viaGw / direct, echoAddedP50Ms: added50, echoAddedP99Ms: added99, busy };
  } finally {
    await gateway.close();
    server.close();
    await services.sessions.shutdown({ destroyPool: true });
    for (const s of await provider.list()) await provider.destroy(s.id);
    await platform.close();
  }
}

if (require.main === module) {
  benchTerminal(Number(process.argv[2] ?? 50)).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
