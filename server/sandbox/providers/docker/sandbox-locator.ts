/**
 * Which host of a multi-host provider holds a sandbox. Labels on the hosts
 * are the truth; the host last seen holding a sandbox is remembered as a
 * shortcut, and otherwise the reachable hosts are asked.
 */
import type { Sandbox } from "../../provider";
import { SandboxError, isSandboxError } from "../../errors";
import type { HostEntry, HostSet } from "./host-set";
import type { DockerProvider } from "./provider";

export class SandboxLocator {
  /** Sandbox id -> host name (a cache). */
  private readonly located = new Map<string, string>();

  constructor(
    private readonly hosts: HostSet,
    private readonly instance: string,
  ) {}

  /** Notes that `host` holds the sandbox. */
  remember(id: string, host: string): void {
    this.located.set(id, host);
  }

  /** The remembered host of a sandbox, forgotten at once (removal). */
  take(id: string): HostEntry | undefined {
    const known = this.located.get(id);
    this.located.delete(id);
    return known ? this.hosts.entry(known) : undefined;
  }

  /** Forgets every sandbox remembered on `host` (it went down). */
  forgetHost(host: string): void {
    for (const [id, h] of this.located) if (h === host) this.located.delete(id);
  }

  clear(): void {
    this.located.clear();
  }

  /**
   * The host a sandbox is on: the remembered one, else the first host whose
   * labels name it. Null when no reachable host has it; throws when it was not
   * found but a host that might hold it did not answer.
   */
  async locate(id: string): Promise<{ entry: HostEntry; sandbox: Sandbox } | null> {
    const knownEntry = this.known(id);
    if (knownEntry) {
      try {
        const sandbox = await knownEntry.provider.get(id);
        if (sandbox) return { entry: knownEntry, sandbox };
        this.located.delete(id);
        return null;
      } catch (err) {
        this.hosts.noteFailure(knownEntry, err);
        throw err;
      }
    }
    const asked = this.hosts.reachable();
    const results = await Promise.allSettled(asked.map(async (e) => ({ entry: e, sandbox: await e.provider.get(id) })));
    let failure: unknown;
    for (const [i, r] of results.entries()) {
      if (r.status === "fulfilled" && r.value.sandbox) {
        this.located.set(id, r.value.entry.config.name);
        return { entry: r.value.entry, sandbox: r.value.sandbox };
      }
      if (r.status === "rejected") {
        this.hosts.noteFailure(asked[i]!, r.reason);
        failure ??= r.reason;
      }
    }
    if (failure) throw failure;
    return null;
  }

  /**
   * Runs `fn` on the sandbox's host. A known host is asked directly (its
   * provider looks the sandbox up itself, so locating it first would list
   * containers twice per check command); only when the host says NOT_FOUND,
   * or the host is unknown, are the hosts searched.
   */
  async onHost<T>(id: string, fn: (provider: DockerProvider) => Promise<T>): Promise<T> {
    const entry = this.known(id);
    if (entry) {
      try {
        return await fn(entry.provider);
      } catch (err) {
        this.hosts.noteFailure(entry, err);
        if (!isSandboxError(err, "NOT_FOUND")) throw err;
        this.located.delete(id);
      }
    }
    const found = await this.locate(id);
    if (!found) throw new SandboxError("NOT_FOUND", "This sandbox does not exist (any more).", `sandbox ${id}, instance ${this.instance}, on none of the reachable hosts`);
    return fn(found.entry.provider);
  }

  /** The remembered host of a sandbox, unless it is down. */
  private known(id: string): HostEntry | undefined {
    const name = this.located.get(id);
    const entry = name ? this.hosts.entry(name) : undefined;
    return entry && entry.health.state !== "down" ? entry : undefined;
  }
}
