/**
 * Lifecycle of a real node: provision with progress, labels, containerd,
 * nested runc with a memory limit and the kernel's OOM killer, gVisor, and
 * destroy leaving nothing behind. Needs Docker and `npm run images`.
 */
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProvisionProgress, Sandbox } from "../../provider";
import { LABELS } from "../../labels";
import { DockerApi } from "../common/docker-api";
import { hostNodeMemory, readCgroupKey, requireNodeImage, sleep, testProvider } from "./test-support";
import { isSandboxError, type SandboxError } from "../../errors";
import Docker from "dockerode";

const provider = testProvider("provider");
const api = new DockerApi();
let sandbox: Sandbox;
const progress: ProvisionProgress[] = [];

beforeAll(async () => {
  await requireNodeImage();
  sandbox = await provider.provision({ sessionId: "sess-1", labSlug: "oom-basics" }, (p) => progress.push(p));
});

afterAll(async () => {
  await provider.destroyAll();
});

/** Runs a shell snippet in the node. */
const sh = (script: string, timeoutMs = 60_000) => provider.exec(sandbox.id, ["bash", "-c", script], { timeoutMs });

describe("docker provider: node lifecycle", () => {
  it("reports every provisioning step as started then done, in order", () => {
    const names = [...new Set(progress.map((p) => p.step))];
    expect(names).toEqual([
      "check capacity",
      "check isolation",
      "check node image",
      "create state volume",
      "fence resources",
      "create node container",
      "start node",
      "hand over cgroups",
      "wait for containerd",
    ]);
    for (const [i, name] of names.entries()) {
      const events = progress.filter((p) => p.step === name);
      expect(events.map((e) => e.status)).toEqual(["started", "done"]);
      expect(events[1]!.index).toBe(i);
      expect(events[1]!.total).toBe(names.length);
      expect(events[1]!.durationMs).toBeGreaterThanOrEqual(0);
    }
  });

  it("records the sandbox in labels on its container; containerd's state stays in the node's capped layer (no volume)", async () => {
    expect(sandbox).toMatchObject({ state: "running", environment: "node", provider: "docker", sessionId: "sess-1", labSlug: "oom-basics", pool: false });
    expect(await provider.get(sandbox.id)).toMatchObject({ id: sandbox.id });
    expect((await provider.list({ labSlug: "oom-basics" })).map((s) => s.id)).toEqual([sandbox.id]);
    expect(await provider.list({ labSlug: "other-lab" })).toEqual([]);
    const filters = [`${LABELS.instance}=${provider.instance}`, `${LABELS.sandbox}=${sandbox.id}`];
    // On the sandbox engine (btrfs) a volume would sit outside the disk cap.
    expect(await api.listVolumes(filters)).toEqual([]);
    const containers = await api.listContainers(filters);
    expect(containers).toHaveLength(1);
    expect(containers[0]!.labels[LABELS.session]).toBe("sess-1");
    const inspect = await api.inspectContainer(containers[0]!.id);
    expect(inspect.HostConfig.StorageOpt).toEqual({ size: `${(await provider.isolation()).diskQuotaMb}M` });
  });

  it("runs containerd with the CRI plugin and the runsc runtime handler", async () => {
    const r = await sh("ctr version && ctr plugins ls | grep -w cri && containerd config dump | grep -A3 'runtimes.runsc'");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Server:/);
    expect(r.stdout).toMatch(/io\.containerd\.grpc\.v1\s+cri\s+\S+\s+ok/);
    expect(r.stdout).toContain("/usr/local/bin/runsc-wrapper");
    const hostname = await sh("hostname");
    expect(hostname.stdout.trim()).toBe(`node-${sandbox.id}`);
  });

  it("has the lab images in containerd's k8s.io namespace without any pull", async () => {
    const r = await sh("ctr -n k8s.io images ls -q");
    for (const img of ["localhost/labs/pause:1", "localhost/labs/shell:1", "localhost/labs/memhog:1", "localhost/labs/web:1"]) {
      expect(r.stdout).toContain(img);
    }
  });

  it("OOM-kills a nested runc container over its 32 MiB limit: exit 137 and the oom_kill counter rises", async () => {
    const run = await sh("ctr -n k8s.io run --rm --memory-limit 33554432 localhost/labs/memhog:1 hog-rm memhog 100");
    expect(run.exitCode).toBe(137);
    expect(run.stdout).toContain("memhog: 24 MiB allocated");
    expect(run.stdout).not.toContain("memhog: done");

    // Detached so the task's cgroup outlives the process and the host can read it.
    const detached = await sh(
      "ctr -n k8s.io run -d --memory-limit 33554432 localhost/labs/memhog:1 hog memhog 100 >/dev/null && " +
        "for i in $(seq 100); do ctr -n k8s.io task ls | grep -q '^hog .*STOPPED' && exit 0; sleep 0.1; done; exit 1",
    );
    expect(detached.exitCode, detached.stderr).toBe(0);
    const node = await hostNodeMemory(sandbox.nodes[0]!.containerId);
    expect(node, "node cgroup visible from the host").not.toBeNull();
    // Nested cgroups live below the node's own cgroup, inside its limits.
    const oom = readCgroupKey(`${node!.dir}/k8s.io/hog/${node!.files.oomEvents}`, "oom_kill");
    expect(oom).toBeGreaterThanOrEqual(1);
    expect(Number(readFileSync(`${node!.dir}/k8s.io/hog/${node!.files.limit}`, "utf8"))).toBe(33554432);
    const del = await sh("ctr -n k8s.io task delete hog 2>&1; ctr -n k8s.io container delete hog");
    expect(del.stdout).toContain("137");
  });

  it("runs the same image under gVisor (runsc): kernel 4.4.0 and gVisor's dmesg", async () => {
    const r = await sh("ctr -n k8s.io run --rm --runtime io.containerd.runc.v2 --runc-binary /usr/local/bin/runsc-wrapper " + "localhost/labs/memhog:1 g1 sh -c 'uname -r; dmesg'");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("4.4.0");
    expect(r.stdout).toMatch(/gVisor/);
  });

  it("counts a nested container's memory against the node's own limit", async () => {
    const node = (await hostNodeMemory(sandbox.nodes[0]!.containerId))!;
    const usage = () => Number(readFileSync(`${node.dir}/${node.files.usage}`, "utf8"));
    const before = usage();
    const start = await sh("ctr -n k8s.io run -d localhost/labs/memhog:1 holder memhog 200 --hold >/dev/null");
    expect(start.exitCode, start.stderr).toBe(0);
    let during = before;
    for (let i = 0; i < 100 && during - before < 150 * 2 ** 20; i++) {
      await sleep(100);
      during = usage();
    }
    expect(during - before).toBeGreaterThanOrEqual(150 * 2 ** 20);
    expect(Number(readFileSync(`${node.dir}/${node.files.limit}`, "utf8"))).toBe(1024 ** 3);
    await sh("ctr -n k8s.io task kill -s KILL holder; sleep 0.3; ctr -n k8s.io task delete holder; ctr -n k8s.io container delete holder");
  });

  it("destroy removes the container and its volume, and is idempotent", async () => {
    await provider.destroy(sandbox.id);
    await provider.destroy(sandbox.id);
    const filters = [`${LABELS.instance}=${provider.instance}`];
    expect(await api.listContainers(filters)).toEqual([]);
    expect(await api.listVolumes(filters)).toEqual([]);
    expect(await provider.get(sandbox.id)).toBeNull();
    await expect(provider.exec(sandbox.id, ["true"])).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("docker provider: failures", () => {
  it("says how to build a missing node image and leaves nothing behind", async () => {
    const p = testProvider("missing-image", { image: "runtime-labs/does-not-exist:dev" });
    const err = await p.provision({}).catch((e: unknown) => e);
    expect(isSandboxError(err, "IMAGE_MISSING")).toBe(true);
    expect((err as Error).message).toBe("The node image runtime-labs/does-not-exist:dev is not built; run `npm run images`.");
    expect(await api.listContainers([`${LABELS.instance}=${p.instance}`])).toEqual([]);
  });

  it("rolls back the volume and container when a later step fails", async () => {
    const p = testProvider("rollback");
    const events: ProvisionProgress[] = [];
    const err = await p.provision({ readyTimeoutMs: 1 }, (e) => events.push(e)).catch((e: unknown) => e);
    expect(isSandboxError(err, "PROVISION_FAILED")).toBe(true);
    expect(events.at(-1)).toMatchObject({ step: "wait for containerd", status: "failed" });
    const filters = [`${LABELS.instance}=${p.instance}`];
    expect(await api.listContainers(filters)).toEqual([]);
    expect(await api.listVolumes(filters)).toEqual([]);
  });

  it("keeps what it made when asked to retain on failure", async () => {
    const p = testProvider("retain");
    await p.provision({ readyTimeoutMs: 1, retainOnFailure: true }).catch(() => undefined);
    const filters = [`${LABELS.instance}=${p.instance}`];
    expect(await api.listContainers(filters)).toHaveLength(1);
    expect(await p.destroyAll()).toBe(1);
    expect(await api.listContainers(filters)).toEqual([]);
  });

  it("refuses to create a node on an engine without user namespaces, says why and how to fix it, and leaves nothing", async () => {
    // The host's ordinary engine (where images are built) does not remap users.
    const plain = new DockerApi(new Docker({ socketPath: "/var/run/docker.sock" }));
    const p = testProvider("plain-engine", { api: plain, endpoint: "unix:///var/run/docker.sock" });
    const report = await p.isolation();
    expect(report).toMatchObject({ level: "shared-kernel-root", required: "userns", ok: false });
    const events: ProvisionProgress[] = [];
    const err = await p.provision({}, (e) => events.push(e)).catch((e: unknown) => e);
    expect(isSandboxError(err, "ISOLATION")).toBe(true);
    expect((err as Error).message).toMatch(/user namespace/);
    expect((err as SandboxError).detail).toMatch(/sandbox-engine\.sh start/);
    expect(events.at(-1)).toMatchObject({ step: "check isolation", status: "failed" });
    expect(await plain.listContainers([`${LABELS.instance}=${p.instance}`])).toEqual([]);
    // Trusted learners only, said explicitly: then it starts, and says so.
    const trusted = testProvider("plain-trusted", { api: plain, endpoint: "unix:///var/run/docker.sock", isolation: { required: "shared-kernel-root", diskMb: 0 } });
    expect(await trusted.isolation()).toMatchObject({ level: "shared-kernel-root", ok: true });
    expect((await trusted.isolation()).message).toMatch(/WITHOUT a user namespace/);
  });

  it("refuses to go over capacity with a sentence for people", async () => {
    const p = testProvider("capacity", { maxSandboxes: 0 });
    const err = await p.provision({}).catch((e: unknown) => e);
    expect(isSandboxError(err, "CAPACITY")).toBe(true);
    expect((err as Error).message).toMatch(/taken/);
  });
});

describe("docker provider: what removed sandboxes leave on the host", () => {
  it("sweeps the cgroup fence of a node removed behind the platform's back, never a young one or one that exists", async () => {
    const v2 = existsSync("/sys/fs/cgroup/cgroup.controllers");
    const fenceDir = (id: string) => (v2 ? `/sys/fs/cgroup/runtime-labs/${provider.instance}/${id}` : `/sys/fs/cgroup/memory/runtime-labs/${provider.instance}/${id}`);
    const gone = await provider.provision({});
    const kept = await provider.provision({});
    expect(existsSync(fenceDir(gone.id))).toBe(true);
    // An operator's `docker rm -f`: the engine removes the container, the fence stays.
    await api.removeContainer(gone.nodes[0]!.containerId);
    expect(existsSync(fenceDir(gone.id))).toBe(true);
    expect(await provider.sweepLeftovers(60_000)).toEqual([]); // younger than a minute: could be one being made
    expect(await provider.sweepLeftovers(0)).toEqual([gone.id]);
    expect(existsSync(fenceDir(gone.id))).toBe(false);
    expect(existsSync(fenceDir(kept.id))).toBe(true);
    expect((await provider.get(kept.id))?.state).toBe("running");
    await provider.destroy(kept.id);
    expect(existsSync(fenceDir(kept.id))).toBe(false);
  });
});
