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
import { createServices, installServices } from "./services";
import { createTerminalGateway } from "./terminal/gateway";

// Next.js would otherwise report usage to its servers; we send nothing out.
process.env.NEXT_TELEMETRY_DISABLED = "1";

const root = path.resolve(__dirname, "..");

function log(msg: string) {
  console.log(`[runtime-labs] ${msg}`);
}

async function main() {
  const env = parseEnv();
  const dev = env.NODE_ENV !== "production";
  const started = performance.now();

  const services = await createServices(env, { log });
  installServices(services);
  log(`database: ${services.db.description}`);
  // Reconcile Docker with the database and start warming the pool; a missing
  // Docker engine is reported, not fatal (the catalog still serves).
  await services.sessions.boot().catch((err: unknown) => log(`sandboxes unavailable: ${(err as Error).message}`));
  // Tasks tick by themselves: pending tasks of active sessions are polled.
  services.grading.boot();

  const app = next({ dev, dir: root, hostname: env.HOST, port: env.PORT });
  await app.prepare();
  const handle = app.getRequestHandler();
  const nextUpgrade = app.getUpgradeHandler();

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      console.error("[runtime-labs] request failed:", err);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("Internal error; it was logged.");
    });
  });

  const terminals = createTerminalGateway(services, {}, log);
  server.on("upgrade", (req, socket, head) => {
    // Terminal WebSockets (/api/terminal) are ours; everything else (dev hot
    // reload) falls through to Next.
    if (terminals.handleUpgrade(req, socket, head)) return;
    nextUpgrade(req, socket, head).catch(() => socket.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(env.PORT, env.HOST, () => resolve());
  });
  const docker = (await services.health()).docker;
  log(`${dev ? "development" : "production"} server ready at ${env.publicUrl} (listening on ${env.HOST}:${env.PORT}) in ${Math.round(performance.now() - started)} ms`);
  log(docker.message);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log(`${signal}: shutting down`);
    server.close();
    // Shells die with the server: the sandboxes outlive it, the shells must not.
    await terminals.close();
    server.closeAllConnections();
    await app.close?.();
    await services.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((err: unknown) => {
  if (err instanceof EnvError) {
    console.error(`[runtime-labs] ${err.message}`);
  } else if ((err as NodeJS.ErrnoException)?.code === "EADDRINUSE") {
    console.error(`[runtime-labs] Port already in use: ${(err as Error).message}. Set PORT to a free port.`);
  } else {
    console.error("[runtime-labs] start-up failed:", err);
  }
  process.exit(1);
});
