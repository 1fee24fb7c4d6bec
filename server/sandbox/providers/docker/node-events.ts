/**
 * Follows one engine's container events for the nodes of one platform
 * instance and reports nodes that stop or vanish. Reconciliation finds the
 * same facts once a minute; events make it seconds, so a learner whose node
 * was killed is told (and given a new one) while they still look at it.
 *
 * The stream is opened only while someone listens, and reopened after a
 * drop with `since` = the last event seen, so a hiccup loses nothing.
 */
import { LABELS, labelFilters } from "../../labels";
import type { SandboxStop } from "../../provider";
import type { DockerApi } from "../common/docker-api";

/** One engine event as the API sends it (the fields we read). */
interface EngineEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
}

/** An OOM event counts toward the die that follows it within this window. */
const OOM_WINDOW_MS = 5_000;
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

/** Turns one engine event into a node stop, or null for anything else. */
export function nodeStopOf(event: EngineEvent, recentOom: (containerId: string) => boolean, host?: string): SandboxStop | null {
  if (event.Type !== "container") return null;
  const attrs = event.Actor?.Attributes ?? {};
  const sandboxId = attrs[LABELS.sandbox];
  if (!sandboxId || attrs[LABELS.role] !== "node") return null;
  const base = host ? { sandboxId, host } : { sandboxId };
  if (event.Action === "die") {
    const code = Number(attrs.exitCode);
    return {
      ...base,
      kind: "exited",
      ...(Number.isFinite(code) && { exitCode: code }),
      ...(recentOom(event.Actor?.ID ?? "") && { oomKilled: true }),
    };
  }
  if (event.Action === "destroy") return { ...base, kind: "removed" };
  return null;
}

export class NodeEventWatcher {
  private readonly listeners = new Set<(stop: SandboxStop) => void>();
  private stream: NodeJS.ReadableStream | null = null;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = FIRST_RETRY_MS;
  /** Unix seconds of the last event seen: a reopened stream starts there. */
  private since: number | undefined;
  private readonly ooms = new Map<string, number>();

  constructor(
    private readonly api: DockerApi,
    private readonly instance: string,
    private readonly host: string | undefined,
    private readonly log: (msg: string) => void = () => {},
  ) {}

  /** Adds a listener (opening the stream with the first); returns the unsubscribe function. */
  subscribe(listener: (stop: SandboxStop) => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) void this.open();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.close();
    };
  }

  private async open(): Promise<void> {
    if (this.listeners.size === 0 || this.stream) return;
    const filters = { type: ["container"], event: ["die", "oom", "destroy"], label: labelFilters({ instance: this.instance, role: "node" }) };
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.api.events(filters, this.since ?? Math.floor(Date.now() / 1000));
    } catch (err) {
      this.retry(`could not follow engine events: ${(err as Error).message}`);
      return;
    }
    if (this.listeners.size === 0) {
      (stream as unknown as { destroy?: () => void }).destroy?.();
      return;
    }
    this.stream = stream;
    this.retryMs = FIRST_RETRY_MS;
    let buffered = "";
    stream.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line) this.handle(line);
      }
    });
    const ended = (why: string) => {
      if (this.stream !== stream) return;
      this.stream = null;
      this.retry(why);
    };
    stream.on("end", () => ended("engine event stream ended"));
    stream.on("error", (err: Error) => ended(`engine event stream failed: ${err.message}`));
  }

  private handle(line: string): void {
    let event: EngineEvent;
    try {
      event = JSON.parse(line) as EngineEvent;
    } catch {
      return;
    }
    if (event.time) this.since = event.time;
    const containerId = event.Actor?.ID ?? "";
    if (event.Action === "oom") {
      this.ooms.set(containerId, Date.now());
      return;
    }
    const stop = nodeStopOf(event, (id) => Date.now() - (this.ooms.get(id) ?? 0) < OOM_WINDOW_MS, this.host);
    if (event.Action === "destroy") this.ooms.delete(containerId);
    if (!stop) return;
    for (const listener of this.listeners) {
      try {
        listener(stop);
      } catch (err) {
        this.log(`a node-stop listener failed: ${(err as Error).message}`);
      }
    }
  }

  /** Reopens after a growing pause (0.5 s … 30 s) while anyone listens. */
  private retry(why: string): void {
    if (this.listeners.size === 0) return;
    this.log(`${why}; following again in ${this.retryMs} ms`);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.open(), this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }

  private close(): void {
    clearTimeout(this.retryTimer);
    const stream = this.stream;
    this.stream = null;
    (stream as unknown as { destroy?: () => void } | null)?.destroy?.();
  }
}
