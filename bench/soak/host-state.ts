/**
 * What the soak's platform instance left on the machine, read from the
 * outside: its containers and volumes (by the instance label), its cgroup
 * fence directories, and the shells inside its nodes.
 */
import fs from "node:fs";
import path from "node:path";
import Docker from "dockerode";
import { labelFilters, LABELS } from "../../server/sandbox/labels";
import { FENCE_ROOT } from "../../server/sandbox/providers/docker/cgroup-fence";
import { DockerProvider } from "../../server/sandbox/providers/docker/provider";
import { FILL_GLOB } from "./fill-disk";

const CGROUP_MOUNT = "/sys/fs/cgroup";

export interface Leftover {
  containers: { name: string; state: string; sandboxId: string; pool: boolean; sessionId: string | null }[];
  volumes: string[];
}

export class HostState {
  /** The engine the platform uses (DOCKER_HOST), for listing and for the node-kill fault. */
  readonly docker = new Docker();
  private readonly provider: DockerProvider;

  constructor(readonly instance: string) {
    this.provider = new DockerProvider({ instance });
  }

  async leftovers(): Promise<Leftover> {
    const filters = { label: labelFilters({ instance: this.instance }) };
    const containers = (await this.docker.listContainers({ all: true, filters })).map((c) => ({
      name: (c.Names[0] ?? "").replace(/^\//, ""),
      state: c.State,
      sandboxId: c.Labels[LABELS.sandbox] ?? "?",
      pool: c.Labels[LABELS.pool] === "true",
      sessionId: c.Labels[LABELS.session] ?? null,
    }));
    const volumes = ((await this.docker.listVolumes({ filters })).Volumes ?? []).map((v) => v.Name);
    return { containers, volumes };
  }

  /** The instance's fence directories in every cgroup hierarchy that still exist, with what is below them. */
  cgroupLeftovers(): string[] {
    const hierarchies = fs.readdirSync(CGROUP_MOUNT, { withFileTypes: true }).filter((e) => e.isDirectory());
    const candidates = [path.join(CGROUP_MOUNT, FENCE_ROOT, this.instance), ...hierarchies.map((h) => path.join(CGROUP_MOUNT, h.name, FENCE_ROOT, this.instance))];
    return candidates.filter((dir) => fs.existsSync(dir)).flatMap((dir) => [dir, ...subdirectories(dir)]);
  }

  /** Learners' shells (labs-shell) running in a node, and the disk fault's files still there. */
  async insideNode(sandboxId: string): Promise<{ shells: number; fillFiles: number }> {
    const r = await this.provider.exec(sandboxId, ["/bin/sh", "-c", `ps -eo args; echo ---; ls ${FILL_GLOB} 2>/dev/null`], { timeoutMs: 20_000 });
    const [ps, files] = r.stdout.split("\n---\n");
    const shells = (ps ?? "").split("\n").filter((l) => /^\/bin\/sh \/usr\/local\/bin\/labs-shell /.test(l)).length;
    return { shells, fillFiles: (files ?? "").split("\n").filter(Boolean).length };
  }

  /**
   * Cleanup, whatever happened: every container, volume and fence directory
   * of the instance. What the engine was asked before (a node being created
   * for a server that is gone, a removal under way) goes on after its client
   * left, so this repeats until nothing is left twice in a row (2 minutes at most).
   */
  async removeAll(): Promise<void> {
    const deadline = Date.now() + 120_000;
    for (let emptyInARow = 0; emptyInARow < 2 && Date.now() < deadline;) {
      // One call the engine never answers (a removal stuck in a kill) must not stop the cleanup: ask again.
      await withTimeout(this.provider.destroyAll(), 30_000).catch((err: unknown) => console.error(`[soak] cleanup: ${(err as Error).message}`));
      const left = await this.leftovers().catch(() => null);
      emptyInARow = left && left.containers.length === 0 && left.volumes.length === 0 ? emptyInARow + 1 : 0;
      if (emptyInARow < 2) await new Promise((r) => setTimeout(r, 3_000));
    }
    // Deepest first; rmdir only ever removes an empty cgroup.
    for (const dir of this.cgroupLeftovers().reverse()) {
      try {
        fs.rmdirSync(dir);
      } catch (err) {
        console.error(`[soak] cleanup: could not remove ${dir}: ${(err as Error).message}`);
      }
    }
  }
}

function subdirectories(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const sub = path.join(dir, e.name);
    out.push(sub, ...subdirectories(sub));
  }
  return out;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer from the engine within ${ms / 1000} s; trying again`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
