/**
 * FakeSandboxProvider: a scripted, in-memory provider for fast unit tests of
 * the logic above the provider seam (queue, pool, expiry, reconcile, dead
 * nodes). It is a test seam, named as such: it creates nothing, runs
 * nothing, and is never wired into the server. The real providers are
 * tested against real engines in their own integration tests.
 *
 * What it offers tests: provisioning that waits on a gate they open, scripted
 * failures, killing a node (with or without the engine event, to exercise
 * the reconcile path) and a record of every call.
 */
import { PassThrough } from "node:stream";
import { SandboxError } from "../../errors";
import type { ExecResult, ProgressListener, ProviderInfo, Sandbox, SandboxEnvironment, SandboxFilter, SandboxProvider, SandboxSpec, SandboxStop, Shell } from "../../provider";

export interface FakeProviderOptions {
  environment?: SandboxEnvironment;
  instance?: string;
  /** What info() reports as the maximum; default 8. */
  max?: number;
  /** Names of the provisioning steps reported; default three. */
  steps?: string[];
}

/** A provisioning that has started and waits for the test to let it finish. */
interface PendingProvision {
  id: string;
  release: () => void;
}

export class FakeSandboxProvider implements SandboxProvider {
  readonly name = "fake";
  readonly environment: SandboxEnvironment;
  readonly instance: string;
  private readonly sandboxes = new Map<string, Sandbox>();
  private readonly stopListeners = new Set<(stop: SandboxStop) => void>();
  private readonly steps: string[];
  private max: number;
  private failures: SandboxError[] = [];
  private gated = false;
  private readonly pending: PendingProvision[] = [];
  private counter = 0;
  private unreachable = false;
  /** Every call, in order, for assertions ("provision:<id>", "destroy:<id>", ...). */
  readonly calls: string[] = [];

  constructor(options: FakeProviderOptions = {}) {
    this.environment = options.environment ?? "node";
    this.instance = options.instance ?? "fake";
    this.max = options.max ?? 8;
    this.steps = options.steps ?? ["create node", "start node", "wait for containerd"];
  }

  // ---- scripting ---------------------------------------------------------

  /** From now on, provisionings wait until {@link releaseAll} or {@link releaseNext}. */
  hold(): void {
    this.gated = true;
  }

  /** Lets every waiting provisioning finish and stops holding new ones. */
  releaseAll(): void {
    this.gated = false;
    for (const p of this.pending.splice(0)) p.release();
  }

  /** Lets the oldest waiting provisioning finish; false if none waits. */
  releaseNext(): boolean {
    const p = this.pending.shift();
    p?.release();
    return !!p;
  }

  /** Provisionings waiting on the gate. */
  get waiting(): number {
    return this.pending.length;
  }

  /** The next provisioning fails with `error` (queue several by calling again). */
  failNext(error = new SandboxError("PROVISION_FAILED", "The fake node could not be made.", "scripted failure")): void {
    this.failures.push(error);
  }

  /** The engine stops (or starts again) answering reads: get/list throw DOCKER_UNREACHABLE. */
  setUnreachable(unreachable: boolean): void {
    this.unreachable = unreachable;
  }

  private answer(): void {
    if (this.unreachable) throw new SandboxError("DOCKER_UNREACHABLE", "Docker is not reachable, so sandboxes cannot be created or used right now.", "fake engine down");
  }

  setMax(max: number): void {
    this.max = max;
  }

  /** The node stops: state "stopped" and, unless `silently`, the engine event. */
  kill(id: string, { exitCode = 137, silently = false }: { exitCode?: number; silently?: boolean } = {}): void {
    const s = this.sandboxes.get(id);
    if (!s) throw new Error(`fake: no sandbox ${id}`);
    s.state = "stopped";
    if (!silently) this.emit({ sandboxId: id, kind: "exited", exitCode });
  }

  /** The node disappears with no event (removed while nobody listened). */
  vanish(id: string): void {
    this.sandboxes.delete(id);
  }

  private emit(stop: SandboxStop): void {
    for (const l of this.stopListeners) l(stop);
  }

  // ---- the provider contract ------------------------------------------------

  async provision(spec: SandboxSpec = {}, onProgress?: ProgressListener): Promise<Sandbox> {
    const id = spec.id ?? `fake-${++this.counter}`;
    this.calls.push(`provision:${id}`);
    const total = this.steps.length;
    onProgress?.({ step: this.steps[0]!, index: 0, total, status: "started" });
    if (this.gated) await new Promise<void>((release) => this.pending.push({ id, release }));
    const failure = this.failures.shift();
    if (failure) {
      onProgress?.({ step: this.steps[0]!, index: 0, total, status: "failed", error: failure.message });
      throw failure;
    }
    if (this.sandboxes.size >= this.max) throw new SandboxError("CAPACITY", "All fake places are taken.", `${this.sandboxes.size} of ${this.max}`);
    this.steps.forEach((step, index) => onProgress?.({ step, index, total, status: "done", durationMs: 0 }));
    const sandbox: Sandbox = {
      id,
      provider: this.name,
      environment: this.environment,
      instance: this.instance,
      pool: spec.pool ?? false,
      createdAt: new Date(),
      state: "running",
      nodes: [{ name: `fake-${id}`, containerId: `c-${id}`, role: "node" }],
      cgroupVersion: 2,
      ...(spec.sessionId && { sessionId: spec.sessionId }),
      ...(spec.labSlug && { labSlug: spec.labSlug }),
    };
    this.sandboxes.set(id, sandbox);
    return { ...sandbox };
  }

  async get(id: string): Promise<Sandbox | null> {
    this.answer();
    const s = this.sandboxes.get(id);
    return s ? { ...s } : null;
  }

  async list(filter: SandboxFilter = {}): Promise<Sandbox[]> {
    this.answer();
    return [...this.sandboxes.values()]
      .filter((s) => (filter.pool === undefined || s.pool === filter.pool) && (filter.sessionId === undefined || s.sessionId === filter.sessionId))
      .map((s) => ({ ...s }));
  }

  async exec(id: string, argv: string[]): Promise<ExecResult> {
    this.calls.push(`exec:${id}:${argv.join(" ")}`);
    if (!this.sandboxes.has(id)) throw new SandboxError("NOT_FOUND", "This sandbox does not exist (any more).", `fake ${id}`);
    return { exitCode: 0, stdout: "", stderr: "", truncated: false, timedOut: false, durationMs: 0 };
  }

  /** An echoing stream: what is written comes back, as a TTY would show it. */
  async openShell(id: string): Promise<Shell> {
    if (!this.sandboxes.has(id)) throw new SandboxError("NOT_FOUND", "This sandbox does not exist (any more).", `fake ${id}`);
    const stream = new PassThrough();
    let end: (code: number | null) => void = () => {};
    const exited = new Promise<number | null>((r) => (end = r));
    return {
      stream,
      resize: async () => {},
      wait: () => exited,
      kill: async () => {
        stream.end();
        end(137);
      },
    };
  }

  async destroy(id: string): Promise<void> {
    this.calls.push(`destroy:${id}`);
    if (!this.sandboxes.delete(id)) return;
    // A real engine reports removals it was asked for too; listeners sort them out.
    this.emit({ sandboxId: id, kind: "removed" });
  }

  async info(): Promise<ProviderInfo> {
    return { provider: this.name, instance: this.instance, running: this.sandboxes.size, max: this.max, host: { memoryBytes: 0, cpus: 0 } };
  }

  onSandboxStop(listener: (stop: SandboxStop) => void): () => void {
    this.stopListeners.add(listener);
    return () => this.stopListeners.delete(listener);
  }

  /** Ids of the sandboxes that exist now. */
  ids(): string[] {
    return [...this.sandboxes.keys()];
  }
}
