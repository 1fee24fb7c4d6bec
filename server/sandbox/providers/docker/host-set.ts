/**
 * The Docker hosts of a multi-host provider and their health: every host is
 * pinged on a timer, a host going down or coming back is announced to
 * listeners, and a call that could not reach a host makes it suspect (no new
 * sandboxes) until a ping succeeds (hosts-health.ts has the rules).
 */
import { timed } from "../../../health";
import type { HostChange, HostStatus } from "../../provider";
import { isSandboxError } from "../../errors";
import type { DockerApi } from "../common/docker-api";
import type { DockerHostConfig } from "./hosts";
import type { HostHealth } from "./hosts-health";
import type { DockerProvider } from "./provider";

/** One configured host and what is known about it. */
export interface HostEntry {
  config: DockerHostConfig;
  provider: DockerProvider;
  api: DockerApi;
  health: HostHealth;
  /** Capacity in sandboxes, once known. */
  max?: number;
}

/** Options of {@link HostSet}. */
export interface HostSetOptions {
  pingIntervalMs: number;
  /** A ping slower than this counts as failed. */
  pingTimeoutMs: number;
  log: (msg: string) => void;
  /** Called when a host is marked down, before listeners hear of it. */
  onDown?: (host: string) => void;
}

/** The hosts, in configured order, with their health. */
export class HostSet {
  private readonly listeners = new Set<(change: HostChange) => void>();
  private timer: NodeJS.Timeout | undefined;
  private pinging: Promise<void> | null = null;

  constructor(
    readonly entries: readonly HostEntry[],
    private readonly options: HostSetOptions,
  ) {}

  /** The host of that name, if configured. */
  entry(name: string): HostEntry | undefined {
    return this.entries.find((e) => e.config.name === name);
  }

  /** Hosts we may talk to: all but those marked down. */
  reachable(): HostEntry[] {
    return this.entries.filter((e) => e.health.state !== "down");
  }

  /** The hosts and their health, for operators and readiness. */
  statuses(): HostStatus[] {
    return this.entries.map((e) => {
      const status: HostStatus = { name: e.config.name, endpoint: e.config.endpoint, state: e.health.state, failures: e.health.failures };
      if (e.health.lastError) status.lastError = e.health.lastError;
      return status;
    });
  }

  /** Calls `listener` when a host goes down or comes back; returns the unsubscribe function. */
  onChange(listener: (change: HostChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Pings every host every `pingIntervalMs` until {@link stop}. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.checkHealth(), this.options.pingIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round of pings (a round still running is joined, not doubled). */
  checkHealth(): Promise<void> {
    this.pinging ??= Promise.all(this.entries.map((e) => this.ping(e)))
      .then(() => {})
      .finally(() => {
        this.pinging = null;
      });
    return this.pinging;
  }

  /** Notes a failed call: connection failures make the host suspect (no new sandboxes). */
  noteFailure(e: HostEntry, err: unknown): void {
    if (isSandboxError(err, "DOCKER_UNREACHABLE")) e.health.markSuspect(err.detail ?? err.message);
  }

  private async ping(e: HostEntry): Promise<void> {
    const { log } = this.options;
    const r = await timed(() => e.api.ping(), this.options.pingTimeoutMs);
    const error = r.error ? (isSandboxError(r.error) && r.error.detail ? r.error.detail : r.error.message) : undefined;
    const change = e.health.recordPing(error === undefined, error);
    if (!change) return;
    const name = e.config.name;
    if (change === "down") {
      log(`docker host ${name} is down after ${e.health.failures} missed pings (${error})`);
      this.options.onDown?.(name);
    } else {
      log(`docker host ${name} answers again`);
    }
    for (const listener of this.listeners) {
      try {
        listener(change === "down" ? { host: name, state: "down", detail: error } : { host: name, state: "up" });
      } catch (err) {
        log(`a host-change listener failed: ${(err as Error).message}`);
      }
    }
  }
}
