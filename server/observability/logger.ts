/**
 * Structured logs: one JSON object per line on stdout (pino), with an ISO
 * time, a level name, a `component` ("server", "sessions", "grading", ...)
 * and, while they are known, the request id and lab session id (from
 * log-context.ts). docs/observability.md lists the fields.
 *
 * Services keep their `log(msg)` callbacks: `logCallback()` turns each call
 * into a structured line, so none of them had to be rewritten.
 */
import pino, { type DestinationStream, type Logger } from "pino";
import { currentLogContext, type LogContext } from "./log-context";
import { prettyDestination } from "./pretty";

export type { Logger } from "pino";

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = "json" | "pretty";

export interface LoggerOptions {
  /** Lowest level written; "silent" writes nothing. Default "info". */
  level?: LogLevel | "silent";
  /** "json" (default) or the concise one-line form of pretty.ts. */
  format?: LogFormat;
  /** Where lines go; stdout by default. */
  destination?: DestinationStream;
  /** A second destination given every JSON line as written (the log file, log-file.ts). */
  alsoTo?: DestinationStream;
}

/** Creates a logger; most code wants `rootLogger()` or `childLogger()` instead. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const format = options.format ?? "json";
  const primary =
    options.destination ??
    // Synchronous writes: the last lines before a crash or process.exit() must not be lost.
    (format === "pretty" ? prettyDestination(process.stdout) : pino.destination({ dest: 1, sync: true }));
  const destination = options.alsoTo ? tee(primary, options.alsoTo) : primary;
  return pino(
    {
      level: options.level ?? "info",
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names, not pino's numbers: log stores and people both read them.
      formatters: { level: (label) => ({ level: label }) },
      mixin: (_fields, _level, logger) => contextFields(logger),
    },
    destination,
  );
}

/**
 * Both destinations get the same JSON line (a pretty one renders it for
 * people). Not pino.multistream: its streams filter by their own levels,
 * which would have to be kept equal to the logger's.
 */
function tee(a: DestinationStream, b: DestinationStream): DestinationStream {
  return {
    write(line: string) {
      a.write(line);
      b.write(line);
    },
  };
}

/** Context fields (reqId, sessionId) the logger's own bindings do not already carry. */
function contextFields(logger: Logger): Partial<LogContext> {
  const context = currentLogContext();
  const keys = Object.keys(context) as (keyof LogContext)[];
  if (!keys.length) return {};
  const bound = logger.bindings();
  const out: Partial<LogContext> = {};
  for (const k of keys) if (context[k] !== undefined && !(k in bound)) out[k] = context[k];
  return out;
}

/**
 * Logger settings from environment variables: LOG_LEVEL (validated by
 * server/env.ts at start; anything else falls back to info here, since
 * logging must work even while reporting a bad configuration) and
 * LOG_FORMAT ("json" or "pretty"; by default pretty only in development
 * when stdout is a terminal).
 */
export function loggerOptionsFromEnv(source: Record<string, string | undefined> = process.env, stdoutIsTTY = process.stdout.isTTY === true): LoggerOptions {
  const level = (LOG_LEVELS as readonly string[]).includes(source.LOG_LEVEL ?? "") ? (source.LOG_LEVEL as LogLevel) : "info";
  const development = (source.NODE_ENV ?? "development") === "development";
  const format: LogFormat = source.LOG_FORMAT === "json" || source.LOG_FORMAT === "pretty" ? source.LOG_FORMAT : development && stdoutIsTTY ? "pretty" : "json";
  return { level, format };
}

// One root logger per process, on globalThis like the services: the tsx and
// Next copies of this module must write through the same logger (and tests
// replace it in one place).
const KEY = Symbol.for("runtime-labs.logger");
type GlobalWithLogger = typeof globalThis & { [KEY]?: Logger };

/** The process-wide logger, created from the environment on first use. */
export function rootLogger(): Logger {
  const g = globalThis as GlobalWithLogger;
  g[KEY] ??= createLogger(loggerOptionsFromEnv());
  return g[KEY];
}

/** Replaces the process-wide logger (tests capture lines this way); undefined resets it. */
export function setRootLogger(logger: Logger | undefined): void {
  (globalThis as GlobalWithLogger)[KEY] = logger;
}

/** A logger whose every line carries `fields` (component, reqId, sessionId, ...). */
export function childLogger(fields: LogContext & { component?: string } & Record<string, unknown>): Logger {
  return rootLogger().child(fields);
}

/** A service's "component: message" prefix, e.g. "sessions: provisioning x failed". */
const PREFIX = /^([a-z][a-z0-9-]*): (.*)$/s;
/** Words that make a plain message a warning: services report trouble in sentences. */
const TROUBLE = /\b(fail(ed|s|ure)?|could not|cannot|unavailable|unreachable|error)\b/i;

/**
 * Adapts the `log(msg)` callbacks services take to structured logging. A
 * leading "name: " becomes the line's component (so "sessions: ..." logs as
 * component "sessions"); messages reporting trouble are warnings, the rest
 * info. Request and session ids come from the log context.
 */
export function logCallback(defaultComponent = "server", logger: () => Logger = rootLogger): (msg: string) => void {
  return (msg: string) => {
    const m = PREFIX.exec(msg);
    const component = m ? m[1]! : defaultComponent;
    const text = m ? m[2]! : msg;
    const target = logger();
    if (TROUBLE.test(text)) target.warn({ component }, text);
    else target.info({ component }, text);
  };
}
