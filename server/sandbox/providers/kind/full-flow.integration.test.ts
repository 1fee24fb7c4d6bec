/**
 * The whole cluster path for real: kind creates a cluster from our node
 * image on its own Docker network, the gvisor RuntimeClass exists, a Pod is
 * OOM-killed and another runs under gVisor, the pod-based oomKilled and
 * runtime checks go green, and delete leaves nothing behind.
 *
 * Runs wherever `kind` is on PATH (or KIND_BIN is set). Where it is not,
 * as on the build machines (kind needs --privileged), the suite is skipped
 * and its title says so.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Docker from "dockerode";
import { DockerApi } from "../common/docker-api";
import { evaluateCheck } from "../../../checks/evaluate";
import { openHostView } from "../../../checks/host-view";
import { checkSchema } from "../../../checks/schema";
import { FULL_FLOW_RETRY_DELAY_MS, GVISOR_POD_CHECK, OOM_POD_CHECK } from "./full-flow-checks";
import { LABELS } from "../../labels";
import { findKind } from "./kind-cli";
import { clusterName, KIND_CLUSTER_LABEL } from "./kind-labels";
import { DEFAULT_KIND_NODE_IMAGE, KindProvider } from "./provider";
import { kindOptionsFromTestEnv } from "./test-fixtures";

const KIND = findKind(process.env);
const TITLE = KIND ? `kind full flow (kind at ${KIND})` : "kind full flow — SKIPPED: kind not on PATH (install kind or set KIND_BIN to run it)";
const INSTANCE = `test-kindflow-${process.pid}`;
const ID = `flow${process.pid.toString(36)}`;

describe.skipIf(!KIND)(TITLE, () => {
  // kind clusters live on the ordinary engine (KIND_DOCKER_HOST), never the
  // user-namespaced sandbox engine: look where the provider makes them.
  const docker = new Docker({ socketPath: (process.env.KIND_DOCKER_HOST || "unix:///var/run/docker.sock").replace(/^unix:\/\//, "") });
  const api = new DockerApi(docker);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "kind-flow-"));
  // kind nodes are privileged: clusters start only for trusted learners.
  const provider = new KindProvider({ ...kindOptionsFromTestEnv(), instance: INSTANCE, dataDir, maxSandboxes: 2, readyTimeoutMs: 300_000, isolation: { required: "shared-kernel-root" } });
  const sh = (script: string) => provider.exec(ID, ["/bin/sh", "-c", script], { timeoutMs: 120_000 });

  beforeAll(async () => {
    const image = process.env.KIND_NODE_IMAGE ?? DEFAULT_KIND_NODE_IMAGE;
    if ((await api.imageLabels(image)) === null) throw new Error(`kind is installed but ${image} is not built; run \`bash scripts/build-kind-image.sh\` first.`);
    await provider.provision({ id: ID });
  }, 600_000);

  afterAll(async () => {
    await provider.destroyAll();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("created the cluster on its own labelled network, with a kubeconfig kept by the platform", async () => {
    const sb = (await provider.get(ID))!;
    expect(sb).toMatchObject({ state: "running", environment: "cluster", provider: "kind" });
    const inspect = await docker.getContainer(sb.nodes[0]!.containerId).inspect();
    expect(Object.keys(inspect.NetworkSettings.Networks)).toEqual([`labs-${ID}-net`]);
    expect(inspect.HostConfig.Memory).toBeGreaterThan(0);
    expect(existsSync(provider.kubeconfigPath(ID))).toBe(true);
    const nets = await docker.listNetworks({ filters: { label: [`${LABELS.sandbox}=${ID}`] } });
    expect(nets.map((n) => n.Name)).toEqual([`labs-${ID}-net`]);
  });

  it("has the gvisor RuntimeClass, and kubectl and crictl work without flags", async () => {
    expect((await sh("kubectl get runtimeclass gvisor -o jsonpath={.handler}")).stdout).toBe("runsc");
    expect((await sh("crictl info >/dev/null && echo ok")).stdout.trim()).toBe("ok");
    expect((await sh("crictl images | grep -c localhost/labs/")).stdout.trim()).not.toBe("0");
  });

  it("an OOM-killed Pod and a gVisor Pod turn both checks green", async () => {
    const manifests = `apiVersion: v1
kind: Pod
metadata: { name: hog }
spec:
  restartPolicy: Never
  containers:
    - { name: hog, image: "localhost/labs/memhog:1", imagePullPolicy: Never, command: ["memhog", "100"], resources: { limits: { memory: 32Mi } } }
---
apiVersion: v1
kind: Pod
metadata: { name: sandboxed }
spec:
  runtimeClassName: gvisor
  containers:
    - { name: web, image: "localhost/labs/web:1", imagePullPolicy: Never }
`;
    const applied = await provider.exec(ID, ["kubectl", "apply", "-f", "-"], { stdin: manifests, timeoutMs: 60_000 });
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect((await sh("kubectl wait --for=condition=Ready pod/sandboxed --timeout=180s")).exitCode).toBe(0);
    const { view } = await openHostView(provider, ID);
    const oom = await evaluateCheck(checkSchema.parse(OOM_POD_CHECK), { provider, sandboxId: ID, view, retryDelayMs: FULL_FLOW_RETRY_DELAY_MS });
    expect(oom.passed, oom.message).toBe(true);
    const runtime = await evaluateCheck(checkSchema.parse(GVISOR_POD_CHECK), { provider, sandboxId: ID, view, retryDelayMs: FULL_FLOW_RETRY_DELAY_MS });
    expect(runtime.passed, runtime.message).toBe(true);
    expect((await sh("kubectl exec sandboxed -- dmesg | head -n 3")).stdout).toMatch(/gVisor/);
  });

  it("delete removes nodes, network, kubeconfig and record", async () => {
    await provider.destroy(ID);
    expect(await provider.get(ID)).toBeNull();
    expect(await api.listContainers([`${KIND_CLUSTER_LABEL}=${clusterName(ID)}`])).toEqual([]);
    expect(await docker.listNetworks({ filters: { label: [`${LABELS.sandbox}=${ID}`] } })).toEqual([]);
    expect(existsSync(provider.kubeconfigPath(ID))).toBe(false);
  });
});
