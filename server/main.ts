/**
 * The platform's HTTP server: hosts Next's request handler and owns WebSocket
 * upgrades (terminals at /api/terminal), forwarding every other upgrade to Next so dev
 * hot reload keeps working. Services (database, auth, Docker, catalog) are
 * created here once and shared with Next's route handlers via globalThis.
 *
 *   npm run dev   watch mode (tsx watch + Next dev)
 *   npm start     production build (scripts/start.sh builds first if needed)
 */
import http from "node:http";
import path from "node:path";
import next from "next";
import { EnvError, parseEnv } from "./env";
import { preferSandboxEngine } from "./sandbox/providers/docker/sandbox-engine";
import { createOpsEndpoints } from "./observability/endpoints";
import { withLogContext } from "./observability/log-context";
import { alsoLogToFile, logFilePath } from "./observability/log-file";
import { logCallback, rootLogger } from "./observability/logger";
import { bindMetricSources } from "./observability/metrics";
import { assignRequestId, observeRequests } from "./observability/requests";
import { startControlSocket } from "./ops/control-socket";
import { createServices, installServices } from "./services";
import { createTerminalGateway } from "./terminal/gateway";
import { gradeAfterCommands } from "./grading/terminal-trigger";

// Next.js would otherwise report usage to its servers; we send nothing out.
process.env.NEXT_TELEMETRY_DISABLED = "1";

const root = path.resolve(__dirname, "..");

// Services report through `log(msg)`; these become structured JSON lines
// (server/observability/logger.ts, docs/observability.md).
const log = logCallback("server");

async function main() {
  // Nodes go to the sandbox engine (scripts/sandbox-engine.sh) unless
  // DOCKER_HOST or DOCKER_HOSTS say otherwise.
  preferSandboxEngine();
  const env = parseEnv();
  const dev = env.NODE_ENV !== "production";
  const started = performance.now();
  // Every line from here on is also kept in DATA_DIR/logs/server.log.
  alsoLogToFile(logFilePath(env.dataDir));

  // Before the database opens: `labs sandbox ls` must never take a starting
  // server's embedded database for a free one (server/ops/control-socket.ts).
  const control = await startControlSocket(env.dataDir, log);
  const services = await createServices(env, { log });
  control?.serve(services.db.prisma);
  installServices(services);
  log(`database: ${services.db.description}`);
  // Reconcile Docker with the database and start warming the pool; a missing
  // Docker engine is reported, not fatal (the catalog still serves).
  await services.sessions.boot().catch((err: unknown) => log(`sandboxes unavailable: ${(err as Error).message}`));
  // Tasks tick by themselves: a command finishing in a learner's terminal
  // asks for an evaluation (below); a slow safety poll covers the rest.
  services.grading.boot();

  const app = next({ dev, dir: root, hostname: env.HOST, port: env.PORT });
  await app.prepare();
  const handle = app.getRequestHandler();
  const nextUpgrade = app.getUpgradeHandler();

  // /api/live, /api/ready and /api/metrics are answered here, before Next;
  // every request gets an id, an access-log line and a metrics observation.
  const ops = createOpsEndpoints(services, { metricsToken: env.METRICS_TOKEN });
  const server = http.createServer(
    observeRequests(async (req, res) => {
      if (await ops.handle(req, res)) return;
      await handle(req, res);
    }),
  );

  const terminals = createTerminalGateway(services, { ...gradeAfterCommands(services.grading), prestartShell: true }, log);
  services.terminals = terminals.registry;
  bindMetricSources({ terminals: () => terminals.registry.totals() });
  server.on("upgrade", (req, socket, head) => {
    // Terminal WebSockets (/api/terminal) are ours; everything else (dev hot
    // reload) falls through to Next. Lines logged for the upgrade carry its request id.
    withLogContext({ reqId: assignRequestId(req) }, () => {
      if (terminals.handleUpgrade(req, socket, head)) return;
      nextUpgrade(req, socket, head).catch(() => socket.destroy());
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(env.PORT, env.HOST, () => resolve());
  });
  // Installed before "ready" is logged: until a listener exists the signal's
  // default action applies, and a SIGTERM sent on seeing that line would kill
  // the process on the spot instead of shutting it down.
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    ops.markShuttingDown();
    log(`${signal}: shutting down`);
    server.close();
    // Shells die with the server: the sandboxes outlive it, the shells must not.
    await terminals.close();
    server.closeAllConnections();
    await app.close?.();
    await control?.close();
    await services.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));

  const { docker, isolation } = await services.health();
  log(`${dev ? "development" : "production"} server ready at ${env.publicUrl} (listening on ${env.HOST}:${env.PORT}) in ${Math.round(performance.now() - started)} ms`);
  log(docker.message);
  if (isolation && (!isolation.ok || isolation.level !== "userns")) {
    rootLogger()
      .child({ component: "server" })
      .warn(`isolation: ${isolation.message}${isolation.fix ? ` Fix: ${isolation.fix}` : ""}`);
  } else if (isolation) log(`isolation: ${isolation.message}`);
}

main().catch((err: unknown) => {
  const logger = rootLogger().child({ component: "server" });
  if (err instanceof EnvError) {
    logger.fatal(err.message);
  } else if ((err as NodeJS.ErrnoException)?.code === "EADDRINUSE") {
    logger.fatal(`Port already in use: ${(err as Error).message}. Set PORT to a free port.`);
  } else {
    logger.fatal({ err }, "start-up failed");
  }
  process.exit(1);
});
