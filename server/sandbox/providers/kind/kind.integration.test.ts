/**
 * Docker-side behaviour of the kind provider against REAL containers.
 *
 * kind itself cannot run here (it needs --privileged), so the "clusters" in
 * this file are FAKES, named as such: a plain container from the local node
 * image (runtime-labs/node:dev, NetworkMode none, sleeping) that carries
 * kind's labels (io.x-k8s.kind.cluster / io.x-k8s.kind.role) for a cluster
 * name unique to this test run, plus the labelled record volume the
 * provider keeps per sandbox. What is real: discovery by kind's labels,
 * the join with our labels, exec and a TTY terminal into the "control-plane"
 * container, teardown, and the sentence when kind is missing. What is not:
 * Kubernetes (see full-flow.integration.test.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Docker from "dockerode";
import { DockerApi } from "../common/docker-api";
import { requireNodeImage } from "../docker/test-support";
import { DEFAULT_NODE_IMAGE } from "../docker/node-spec";
import { buildLabels, LABELS } from "../../labels";
import type { ProvisionProgress } from "../../provider";
import { KindProvider } from "./provider";
import { LAB_IMAGES_TAR, preloadLabImages } from "./preload";
import { nodeContainerOptions } from "../docker/node-spec";
import { runExec } from "../common/exec";
import { clusterName, controlPlaneName, KIND_CLUSTER_LABEL, KIND_ROLE_LABEL, RECORD_ROLE } from "./kind-labels";
import { kindOptionsFromTestEnv } from "./test-fixtures";

const INSTANCE = `test-kind-${process.pid}-${Date.now().toString(36)}`;
// kind clusters live on the ordinary engine (KIND_DOCKER_HOST), never the
// user-namespaced sandbox engine: look where the provider makes them.
const docker = new Docker({ socketPath: (process.env.KIND_DOCKER_HOST || "unix:///var/run/docker.sock").replace(/^unix:\/\//, "") });
const api = new DockerApi(docker);
const dataDir = mkdtempSync(path.join(os.tmpdir(), "kind-provider-"));
const provider = new KindProvider({ ...kindOptionsFromTestEnv(), instance: INSTANCE, dataDir, maxSandboxes: 5 });

/** A FAKE kind cluster: one sleeping container with kind's labels (+ our record unless `record: false`). */
async function fakeCluster(id: string, opts: { record?: boolean; sessionId?: string } = {}): Promise<string> {
  const cluster = clusterName(id);
  if (opts.record !== false) {
    await api.createVolume(`labs-${id}-kind`, {
      ...buildLabels({ instance: INSTANCE, sandboxId: id, environment: "cluster", provider: "kind", pool: false, createdAt: new Date(), sessionId: opts.sessionId }, "node"),
      [LABELS.role]: RECORD_ROLE,
    });
  }
  const cid = await api.createContainer({
    name: controlPlaneName(cluster),
    Image: process.env.LABS_NODE_IMAGE ?? DEFAULT_NODE_IMAGE,
    Entrypoint: ["/bin/sh", "-c", "mkdir -p /run/labs/exec /run/labs/shells && exec sleep infinity"],
    Cmd: [],
    Labels: { [KIND_CLUSTER_LABEL]: cluster, [KIND_ROLE_LABEL]: "control-plane", [LABELS.instance]: INSTANCE },
    HostConfig: { NetworkMode: "none" },
  });
  await api.startContainer(cid);
  return cid;
}

beforeAll(async () => {
  await requireNodeImage();
});

afterAll(async () => {
  for (const c of await api.listContainers([`${LABELS.instance}=${INSTANCE}`])) await api.removeContainer(c.id);
  for (const v of await api.listVolumes([`${LABELS.instance}=${INSTANCE}`])) await api.removeVolume(v.name);
  rmSync(dataDir, { recursive: true, force: true });
});

describe("kind provider against containers carrying kind's labels (fake clusters)", () => {
  const id = `f${process.pid.toString(36)}a`;
  let cid: string;

  beforeAll(async () => {
    cid = await fakeCluster(id, { sessionId: "sess-1" });
    // Someone else's cluster on the same engine: kind's labels, no record of ours.
    await fakeCluster(`f${process.pid.toString(36)}b`, { record: false });
  });

  it("lists the sandbox by joining our record with kind's node labels", async () => {
    const all = await provider.list();
    expect(all.map((s) => s.id)).toEqual([id]);
    expect(all[0]).toMatchObject({
      id,
      provider: "kind",
      environment: "cluster",
      instance: INSTANCE,
      sessionId: "sess-1",
      state: "running",
      nodes: [{ name: controlPlaneName(clusterName(id)), containerId: cid, role: "control-plane" }],
    });
    expect(await provider.list({ sessionId: "other" })).toEqual([]);
    expect((await provider.get(id))?.id).toBe(id);
    expect((await provider.info()).running).toBe(1);
  });

  it("runs commands in the control-plane container", async () => {
    const r = await provider.exec(id, ["sh", "-c", "echo out; echo err >&2; exit 3"]);
    expect(r).toMatchObject({ exitCode: 3, stdout: "out\n", stderr: "err\n" });
    const t = await provider.exec(id, ["sh", "-c", "sleep 30"], { timeoutMs: 300 });
    expect(t.timedOut).toBe(true);
  });

  it("opens a TTY terminal there", async () => {
    const shell = await provider.openShell(id, { cols: 100, rows: 30 });
    let seen = "";
    shell.stream.on("data", (d: Buffer) => (seen += d.toString()));
    shell.stream.write("echo tty-$((6*7)) $(stty size)\n");
    const deadline = Date.now() + 10_000;
    while (!seen.includes("tty-42 30 100") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(seen).toContain("tty-42 30 100");
    await shell.kill();
  });

  it("reports a stopped node and refuses to exec into it", async () => {
    await docker.getContainer(cid).stop({ t: 0 });
    expect((await provider.get(id))?.state).toBe("stopped");
    await expect(provider.exec(id, ["true"])).rejects.toMatchObject({ code: "EXEC_FAILED" });
    await api.startContainer(cid);
  });

  it("destroys the nodes and the record, and only those; twice is fine", async () => {
    await provider.destroy(id);
    await provider.destroy(id);
    expect(await provider.get(id)).toBeNull();
    expect(await api.listContainers([`${KIND_CLUSTER_LABEL}=${clusterName(id)}`])).toEqual([]);
    expect(await api.listVolumes([`${LABELS.sandbox}=${id}`, `${LABELS.instance}=${INSTANCE}`])).toEqual([]);
    // The other cluster is not ours and survives.
    expect(await api.listContainers([`${KIND_CLUSTER_LABEL}=${clusterName(`f${process.pid.toString(36)}b`)}`])).toHaveLength(1);
  });

  it("exec into a sandbox that does not exist: NOT_FOUND", async () => {
    await expect(provider.exec("nosuchsandbox", ["true"])).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("lab images into a node run with kind's tmpfs /tmp and /run (a FAKE node: our node image with containerd)", () => {
  // kind starts nodes with --tmpfs /tmp and --tmpfs /run; our node image runs
  // containerd the same way a kind node does. Not privileged (it fails here):
  // the node's usual capability set instead.
  let node: string;
  const volume = `labs-kindpreload-${process.pid}`;

  beforeAll(async () => {
    await api.createVolume(volume, { [LABELS.instance]: INSTANCE });
    node = await api.createContainer(
      nodeContainerOptions({
        name: `labs-kindpreload-${process.pid}`,
        hostname: "kind-control-plane",
        image: process.env.LABS_NODE_IMAGE ?? DEFAULT_NODE_IMAGE,
        labels: { [KIND_CLUSTER_LABEL]: `kindpreload-${process.pid}`, [KIND_ROLE_LABEL]: "control-plane", [LABELS.instance]: INSTANCE },
        stateVolume: volume,
        memoryBytes: 512 * 2 ** 20,
        cpus: 1,
        pids: 512,
      }),
    );
    await api.startContainer(node);
    const ready = await runExec(api, node, ["/bin/sh", "-c", "for i in $(seq 300); do [ -f /run/labs/ready ] && exit 0; sleep 0.05; done; exit 1"], { timeoutMs: 30_000 });
    expect(ready.exitCode).toBe(0);
    // node-init imported the lab images at start: remove them, so only the preload can bring them back.
    const rm = await runExec(api, node, ["/bin/sh", "-c", "ctr -n k8s.io images rm $(ctr -n k8s.io images ls -q) >/dev/null && ctr -n k8s.io images ls -q | wc -l"], { timeoutMs: 30_000 });
    expect(rm.stdout.trim()).toBe("0");
  });

  it("Docker cannot copy into the tmpfs /tmp: what the old preload relied on is invisible there", async () => {
    const holder = await api.createContainer({ Image: process.env.LABS_NODE_IMAGE ?? DEFAULT_NODE_IMAGE, Cmd: ["true"], Labels: { [LABELS.instance]: INSTANCE }, HostConfig: { NetworkMode: "none" } });
    try {
      const archive = await docker.getContainer(holder).getArchive({ path: LAB_IMAGES_TAR });
      await docker.getContainer(node).putArchive(archive, { path: "/tmp" });
    } finally {
      await api.removeContainer(holder);
    }
    const r = await runExec(api, node, ["/bin/sh", "-c", "test -e /tmp/lab-images.tar && echo visible || echo invisible"], { timeoutMs: 10_000 });
    expect(r.stdout.trim()).toBe("invisible");
  });

  it("streams the lab images into the node's containerd without touching /tmp", async () => {
    await preloadLabImages(api, node, process.env.LABS_NODE_IMAGE ?? DEFAULT_NODE_IMAGE, INSTANCE);
    const r = await runExec(api, node, ["ctr", "-n", "k8s.io", "images", "ls", "-q"], { timeoutMs: 10_000 });
    // Named references (the CRI plugin adds sha256: id references beside them).
    expect(
      r.stdout
        .split("\n")
        .filter((l) => l.startsWith("localhost/"))
        .sort(),
    ).toEqual(["localhost/labs/memhog:1", "localhost/labs/pause:1", "localhost/labs/shell:1", "localhost/labs/web:1"]);
  });
});

describe("kind provider under the default isolation policy", () => {
  it("refuses to make a cluster (privileged nodes) while SANDBOX_ISOLATION=userns, with the reason and the opt-in", async () => {
    // A FAKE kind binary (kind cannot run here): it only answers `kind version`.
    const bin = path.join(dataDir, "fake-kind");
    writeFileSync(bin, "#!/bin/sh\necho 'kind v0.30.0 go1.24.6 linux/amd64'\n", { mode: 0o755 });
    const p = new KindProvider({ ...kindOptionsFromTestEnv(), instance: INSTANCE, dataDir, kindBin: bin, isolation: { required: "userns" } });
    const progress: ProvisionProgress[] = [];
    const err = await p.provision({ id: "isolated01" }, (e) => progress.push(e)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "ISOLATION", message: expect.stringMatching(/privileged containers.*root on the host/) });
    expect((err as { detail?: string }).detail).toMatch(/SANDBOX_ISOLATION=shared-kernel-root/);
    expect(progress.filter((e) => e.status === "failed").map((e) => e.step)).toEqual(["check isolation"]);
    expect(await p.get("isolated01")).toBeNull();
    expect(await new KindProvider({ ...kindOptionsFromTestEnv(), instance: INSTANCE, dataDir, isolation: { required: "shared-kernel-root" } }).isolation()).toMatchObject({
      level: "shared-kernel-root",
      ok: true,
    });
  });
});

describe("kind provider without kind", () => {
  it("fails at its first step with the sentence, and leaves nothing behind", async () => {
    const p = new KindProvider({ ...kindOptionsFromTestEnv(), instance: INSTANCE, dataDir, kindBin: "/nonexistent/kind" });
    const progress: ProvisionProgress[] = [];
    await expect(p.provision({ id: "nokind0001" }, (e) => progress.push(e))).rejects.toMatchObject({
      code: "PROVISION_FAILED",
      message: expect.stringMatching(/KIND_BIN points at \/nonexistent\/kind.*install kind/),
    });
    expect(progress.map((e) => `${e.step}:${e.status}`)).toEqual(["check kind:started", "check kind:failed"]);
    expect(await p.get("nokind0001")).toBeNull();
  });
});
