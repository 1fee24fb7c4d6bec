/**
 * The narrow slice of the Docker Engine API the sandbox layer uses, over
 * dockerode. Everything Docker-specific about errors (unreachable socket,
 * 404s) is translated here, so the provider reads as sandbox logic.
 *
 * With no options, dockerode (docker-modem) honours DOCKER_HOST
 * (unix://, tcp://, npipe://) and DOCKER_CERT_PATH/DOCKER_TLS_VERIFY, and
 * falls back to /var/run/docker.sock.
 */
import Docker from "dockerode";
import type { Duplex, Readable } from "node:stream";
import { SandboxError } from "../../errors";

/** A container as listed by the engine. */
export interface ContainerSummary {
  id: string;
  name: string;
  state: string;
  labels: Record<string, string>;
}

/** Parameters of an exec. */
export interface ExecSpec {
  cmd: string[];
  tty: boolean;
  stdin: boolean;
  env?: string[];
  user?: string;
  workdir?: string;
}

/** A started exec: its attached stream plus calls on it. */
export interface StartedExec {
  /** Hijacked connection: multiplexed stdout/stderr frames unless tty. */
  stream: Duplex;
  /** Exit code once the process ended; null while it runs. */
  exitCode(): Promise<{ running: boolean; exitCode: number | null; pid: number }>;
  resize(cols: number, rows: number): Promise<void>;
}

/** The fields of `docker info` that docker/engine-profile.ts reads (Engine API names). */
export interface EngineInfo {
  Driver?: string;
  DriverStatus?: [string, string][] | null;
  SecurityOptions?: string[] | null;
  DockerRootDir?: string;
  CgroupDriver?: string;
  CgroupVersion?: string;
}

/** A network as listed by the engine. */
export interface NetworkSummary {
  id: string;
  name: string;
  labels: Record<string, string>;
  created: Date;
}

/**
 * Docker calls used by the sandbox providers. The dockerode client stays
 * inside: every call goes through {@link call}, so an engine that cannot be
 * reached is always DOCKER_UNREACHABLE, whichever provider asked.
 */
export class DockerApi {
  private readonly docker: Docker;

  constructor(docker?: Docker) {
    this.docker = docker ?? new Docker();
  }

  /** Where we talk to, for messages. */
  get endpoint(): string {
    const m = this.docker.modem as unknown as { socketPath?: string; host?: string; port?: number };
    return m.socketPath ? `unix://${m.socketPath}` : `tcp://${m.host ?? "?"}:${m.port ?? "?"}`;
  }

  async ping(): Promise<void> {
    await this.call("ping", () => this.docker.ping());
  }

  async info(): Promise<{ memoryBytes: number; cpus: number; cgroupDriver: string }> {
    const info = await this.call("info", () => this.docker.info());
    return { memoryBytes: Number(info.MemTotal ?? 0), cpus: Number(info.NCPU ?? 0), cgroupDriver: String(info.CgroupDriver ?? "") };
  }

  /** The isolation-relevant part of `docker info` (engine-profile.ts reads it). */
  async engineInfo(): Promise<EngineInfo> {
    const info = await this.call("info", () => this.docker.info());
    return info as EngineInfo;
  }

  /** What `docker container inspect` says about a container. */
  async inspectContainer(id: string): Promise<Docker.ContainerInspectInfo> {
    return this.call("inspect container", () => this.docker.getContainer(id).inspect());
  }

  /** Host pid of a running container's init process (0 when it is not running). */
  async containerPid(id: string): Promise<number> {
    return (await this.inspectContainer(id)).State.Pid;
  }

  /** Sets a running container's memory limit, with no swap beyond it (`docker update --memory --memory-swap`). */
  async limitMemory(id: string, memoryBytes: number): Promise<void> {
    await this.call("update container", () => this.docker.getContainer(id).update({ Memory: memoryBytes, MemorySwap: memoryBytes }));
  }

  /** The last `tail` lines of a container's log as text (stream frame headers included when it has no TTY). */
  async containerLogs(id: string, tail: number): Promise<string> {
    const buf = (await this.call("container logs", () => this.docker.getContainer(id).logs({ stdout: true, stderr: true, tail }))) as unknown as Buffer;
    return Buffer.isBuffer(buf) ? buf.toString("utf8") : String(buf);
  }

  /** A tar archive of `path` in a container (`docker cp` out), as a stream. */
  async getArchive(id: string, path: string): Promise<Readable> {
    return (await this.call("get archive", () => this.docker.getContainer(id).getArchive({ path }))) as unknown as Readable;
  }

  /** Image labels, or null if the image does not exist. */
  async imageLabels(ref: string): Promise<Record<string, string> | null> {
    try {
      const img = await this.call("inspect image", () => this.docker.getImage(ref).inspect());
      return img.Config?.Labels ?? {};
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /** Creates a local volume; `sizeMb` caps it where the engine can (XFS with project quotas). */
  async createVolume(name: string, labels: Record<string, string>, sizeMb?: number): Promise<void> {
    const options = { Name: name, Labels: labels, ...(sizeMb ? { DriverOpts: { size: `${sizeMb}M` } } : {}) };
    await this.call("create volume", () => this.docker.createVolume(options));
  }

  /** Removes a volume; a missing volume is not an error. */
  async removeVolume(name: string): Promise<void> {
    try {
      await this.call("remove volume", () => this.docker.getVolume(name).remove({ force: true }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async listVolumes(labelFilters: string[]): Promise<{ name: string; labels: Record<string, string> }[]> {
    const res = await this.call("list volumes", () => this.docker.listVolumes({ filters: { label: labelFilters } }));
    return (res.Volumes ?? []).map((v) => ({ name: v.Name, labels: v.Labels ?? {} }));
  }

  async createContainer(options: Docker.ContainerCreateOptions): Promise<string> {
    const c = await this.call("create container", () => this.docker.createContainer(options));
    return c.id;
  }

  async startContainer(id: string): Promise<void> {
    await this.call("start container", () => this.docker.getContainer(id).start());
  }

  /** Force-removes a container with its anonymous volumes; missing is not an error. */
  async removeContainer(id: string): Promise<void> {
    try {
      await this.call("remove container", () => this.docker.getContainer(id).remove({ force: true, v: true }));
    } catch (err) {
      if (!isNotFound(err) && !isRemovalInProgress(err)) throw err;
    }
  }

  async listContainers(labelFilters: string[]): Promise<ContainerSummary[]> {
    const list = await this.call("list containers", () => this.docker.listContainers({ all: true, filters: { label: labelFilters } }));
    return list.map((c) => ({
      id: c.Id,
      name: (c.Names[0] ?? "").replace(/^\//, ""),
      state: c.State,
      labels: c.Labels ?? {},
    }));
  }

  /** Creates a network; returns its id. */
  async createNetwork(options: Docker.NetworkCreateOptions): Promise<string> {
    const network = await this.call("create network", () => this.docker.createNetwork(options));
    return network.id;
  }

  async listNetworks(labelFilters: string[]): Promise<NetworkSummary[]> {
    const list = await this.call("list networks", () => this.docker.listNetworks({ filters: { label: labelFilters } }));
    return list.map((n) => ({ id: n.Id, name: n.Name, labels: n.Labels ?? {}, created: new Date(n.Created) }));
  }

  /** Removes a network; a missing network is not an error. */
  async removeNetwork(id: string): Promise<void> {
    try {
      await this.call("remove network", () => this.docker.getNetwork(id).remove());
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** State and last log lines of a container, for failure details. */
  async describeContainer(id: string): Promise<string> {
    try {
      const c = this.docker.getContainer(id);
      const info = await c.inspect();
      const logs = (await c.logs({ stdout: true, stderr: true, tail: 20 })) as unknown as Buffer;
      const text = stripFrames(logs).trim();
      return `container ${id.slice(0, 12)} is ${info.State.Status} (exit ${info.State.ExitCode}${info.State.Error ? `, ${info.State.Error}` : ""})${text ? `; last log lines:\n${text}` : ""}`;
    } catch (err) {
      return `container ${id.slice(0, 12)}: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  /** Creates and starts an exec, attached. */
  async startExec(containerId: string, spec: ExecSpec): Promise<StartedExec> {
    const container = this.docker.getContainer(containerId);
    const exec = await this.call("create exec", () =>
      container.exec({
        Cmd: spec.cmd,
        AttachStdin: spec.stdin,
        AttachStdout: true,
        AttachStderr: true,
        Tty: spec.tty,
        Env: spec.env,
        User: spec.user,
        WorkingDir: spec.workdir,
      }),
    );
    const stream = (await this.call("start exec", () => exec.start({ hijack: true, stdin: spec.stdin, Tty: spec.tty }))) as Duplex;
    return {
      stream,
      exitCode: async () => {
        const i = await this.call("inspect exec", () => exec.inspect());
        return { running: i.Running, exitCode: i.Running ? null : i.ExitCode, pid: i.Pid };
      },
      resize: async (cols, rows) => {
        await this.call("resize exec", () => exec.resize({ w: cols, h: rows }));
      },
    };
  }

  /**
   * The engine's event stream (newline-separated JSON objects) from `since`
   * (unix seconds) on, filtered as `docker events --filter` would be.
   */
  async events(filters: Record<string, string[]>, since?: number): Promise<NodeJS.ReadableStream> {
    return this.call("events", () => this.docker.getEvents({ filters, ...(since !== undefined && { since }) }));
  }

  /** Runs `what`, turning connection failures into DOCKER_UNREACHABLE. */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isUnreachable(err)) {
        throw new SandboxError("DOCKER_UNREACHABLE", "Docker is not reachable, so sandboxes cannot be created or used right now.", `${what} at ${this.endpoint}: ${(err as Error).message}`, {
          cause: err,
        });
      }
      throw err;
    }
  }
}

/** True for the engine's "no such ..." (HTTP 404). */
export function isNotFound(err: unknown): boolean {
  return (err as { statusCode?: number })?.statusCode === 404;
}

function isRemovalInProgress(err: unknown): boolean {
  const e = err as { statusCode?: number; message?: string };
  return e?.statusCode === 409 && /already in progress/.test(e.message ?? "");
}

function isUnreachable(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === "ECONNREFUSED" || code === "ENOENT" || code === "EACCES" || code === "ECONNRESET" || code === "EHOSTUNREACH";
}

/** Removes Docker's 8-byte stream frame headers from non-TTY logs. */
function stripFrames(buf: Buffer): string {
  if (!Buffer.isBuffer(buf)) return String(buf);
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length && buf[i]! <= 2 && buf[i + 1] === 0) {
    const size = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return i === 0 ? buf.toString("utf8") : Buffer.concat(parts).toString("utf8");
}

/**
 * True when a Docker endpoint (DOCKER_HOST's form) is on another machine
 * (tcp, ssh, http): the engine's host, its /proc and its cgroups are then not
 * ours to read or write. Unset means the local default socket.
 */
export function isRemoteDockerHost(dockerHost: string | undefined): boolean {
  return /^(tcp|ssh|https?):/.test(dockerHost ?? "");
}
