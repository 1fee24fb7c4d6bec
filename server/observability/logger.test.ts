import { afterEach, describe, expect, it, vi } from "vitest";
import { withLogContext } from "./log-context";
import { childLogger, createLogger, logCallback, loggerOptionsFromEnv, rootLogger, setRootLogger, type LoggerOptions } from "./logger";
import { formatPrettyLine } from "./pretty";

/** A logger writing into an array of parsed lines (and the raw text). */
function capture(options: LoggerOptions = {}) {
  const raw: string[] = [];
  const logger = createLogger({ ...options, destination: { write: (s: string) => void raw.push(s) } });
  const lines = () => raw.map((s) => JSON.parse(s) as Record<string, unknown>);
  return { logger, raw, lines };
}

afterEach(() => setRootLogger(undefined));

describe("structured logger", () => {
  it("writes one JSON object per line with ISO time, level name and a child's reqId", () => {
    const { logger, raw, lines } = capture();
    logger.child({ reqId: "req-123", component: "http" }).info({ status: 200 }, "GET / 200");
    expect(raw).toHaveLength(1);
    expect(raw[0]!.endsWith("\n")).toBe(true);
    const [line] = lines();
    expect(line).toMatchObject({ level: "info", reqId: "req-123", component: "http", status: 200, msg: "GET / 200" });
    expect(new Date(line!.time as string).toISOString()).toBe(line!.time);
  });

  it("adds request and session ids from the running context, nested contexts merged", async () => {
    const { logger, lines } = capture();
    await withLogContext({ reqId: "r-1" }, async () => {
      await new Promise((r) => setTimeout(r, 1)); // survives async hops
      withLogContext({ sessionId: "s-1" }, () => logger.info("inside both"));
      logger.info("inside the request");
    });
    logger.info("outside");
    expect(lines().map((l) => [l.msg, l.reqId, l.sessionId])).toEqual([
      ["inside both", "r-1", "s-1"],
      ["inside the request", "r-1", undefined],
      ["outside", undefined, undefined],
    ]);
  });

  it("never writes a context field twice when a child logger already carries it", () => {
    const { logger, raw } = capture();
    withLogContext({ reqId: "from-context" }, () => logger.child({ reqId: "from-child" }).info("x"));
    expect(raw[0]!.match(/"reqId"/g)).toHaveLength(1);
    expect(JSON.parse(raw[0]!).reqId).toBe("from-child");
  });

  it("drops lines below its level", () => {
    const { logger, lines } = capture({ level: "warn" });
    logger.info("quiet");
    logger.debug("quieter");
    logger.warn("heard");
    logger.error({ err: new Error("disk full") }, "also heard");
    expect(lines().map((l) => l.msg)).toEqual(["heard", "also heard"]);
    expect((lines()[1]!.err as { message: string; stack: string }).message).toBe("disk full");
  });

  it("adapts services' log(msg) callbacks: prefix becomes component, trouble becomes a warning", () => {
    const { logger, lines } = capture();
    const log = logCallback("server", () => logger);
    log("sessions: provisioning abc failed: Docker is not reachable (connect ENOENT)");
    log("catalog: 8 lab(s), 0 problem(s)");
    log("applied migrations: 0001_init");
    withLogContext({ sessionId: "s-9" }, () => log("grading: s-9: could not read the cgroup"));
    expect(lines().map((l) => [l.level, l.component, l.msg, l.sessionId])).toEqual([
      ["warn", "sessions", "provisioning abc failed: Docker is not reachable (connect ENOENT)", undefined],
      ["info", "catalog", "8 lab(s), 0 problem(s)", undefined],
      ["info", "server", "applied migrations: 0001_init", undefined],
      ["warn", "grading", "s-9: could not read the cgroup", "s-9"],
    ]);
  });

  it("routes childLogger and logCallback through the replaceable root logger", () => {
    const { logger, lines } = capture();
    setRootLogger(logger);
    childLogger({ component: "webhooks", sessionId: "s-2" }).info("sent");
    logCallback()("terminal: shell closed");
    expect(lines().map((l) => [l.component, l.msg, l.sessionId])).toEqual([
      ["webhooks", "sent", "s-2"],
      ["terminal", "shell closed", undefined],
    ]);
  });

  it("keeps one root logger per process, shared by every copy of the module", async () => {
    const { logger } = capture();
    setRootLogger(logger);
    vi.resetModules();
    const copy = await import("./logger");
    expect(copy.rootLogger()).toBe(logger);
    expect(rootLogger()).toBe(logger);
  });
});

describe("logger settings from the environment", () => {
  it("takes LOG_LEVEL, falling back to info for anything else", () => {
    expect(loggerOptionsFromEnv({ LOG_LEVEL: "debug", NODE_ENV: "production" }, false).level).toBe("debug");
    expect(loggerOptionsFromEnv({ LOG_LEVEL: "verbose", NODE_ENV: "production" }, false).level).toBe("info");
    expect(loggerOptionsFromEnv({}, false).level).toBe("info");
  });

  it("writes JSON unless in development on a terminal, and LOG_FORMAT decides when set", () => {
    expect(loggerOptionsFromEnv({ NODE_ENV: "production" }, true).format).toBe("json");
    expect(loggerOptionsFromEnv({ NODE_ENV: "development" }, false).format).toBe("json");
    expect(loggerOptionsFromEnv({ NODE_ENV: "development" }, true).format).toBe("pretty");
    expect(loggerOptionsFromEnv({}, true).format).toBe("pretty"); // NODE_ENV defaults to development
    expect(loggerOptionsFromEnv({ NODE_ENV: "development", LOG_FORMAT: "json" }, true).format).toBe("json");
    expect(loggerOptionsFromEnv({ NODE_ENV: "production", LOG_FORMAT: "pretty" }, false).format).toBe("pretty");
  });
});

describe("pretty lines for development", () => {
  it("renders time, level, component, message and the other fields on one line", () => {
    const json = JSON.stringify({ level: "warn", time: "2026-01-02T03:04:05.678Z", pid: 1, hostname: "h", component: "http", reqId: "r-1", status: 503, msg: "GET /api/ready 503" });
    expect(formatPrettyLine(json)).toBe("03:04:05.678 WARN  http: GET /api/ready 503  reqId=r-1 status=503\n");
  });

  it("puts an error's stack on the following lines and passes foreign text through", () => {
    const json = JSON.stringify({ level: "error", time: "2026-01-02T03:04:05.678Z", msg: "failed", err: { message: "boom", stack: "Error: boom\n    at x (y.ts:1:1)" } });
    expect(formatPrettyLine(json)).toBe("03:04:05.678 ERROR failed\n  Error: boom\n      at x (y.ts:1:1)\n");
    expect(formatPrettyLine("not json")).toBe("not json\n");
  });
});
