/**
 * Fields every log line carries while some work runs: the request id of the
 * HTTP request being served, the lab session being provisioned or graded.
 * Carried by AsyncLocalStorage so code deep inside services (which log
 * through a plain `log(msg)` callback) needs no logger passed down to it.
 *
 * The storage lives on globalThis for the same reason as the services
 * (server/services.ts): this process holds two copies of server modules (the
 * one tsx loads for server/main.ts and the one Next bundles), and a request
 * entering through main.ts must keep its id inside Next's route handlers.
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** Context fields; all optional, merged as work nests. */
export interface LogContext {
  /** Id of the HTTP request (X-Request-Id) this work serves. */
  reqId?: string;
  /** Lab session this work is about. */
  sessionId?: string;
}

const KEY = Symbol.for("runtime-labs.log-context");
type GlobalWithContext = typeof globalThis & { [KEY]?: AsyncLocalStorage<LogContext> };

function storage(): AsyncLocalStorage<LogContext> {
  const g = globalThis as GlobalWithContext;
  g[KEY] ??= new AsyncLocalStorage<LogContext>();
  return g[KEY];
}

/**
 * Runs `fn` with `fields` added to the current context (inner values win), so
 * every line logged by `fn` and by whatever it starts carries them.
 */
export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  return storage().run({ ...storage().getStore(), ...fields }, fn);
}

/** The context of the running code; empty outside any. */
export function currentLogContext(): LogContext {
  return storage().getStore() ?? {};
}
