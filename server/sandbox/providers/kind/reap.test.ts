/**
 * Reaping clusters left without a record. Docker networks cannot be created
 * on our machines (network rule), so the engine here is a FAKE DockerApi
 * holding the engine's answers: records (volumes), kind node containers and
 * our labelled cluster networks.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { DockerApi } from "../common/docker-api";
import { buildLabels, LABELS } from "../../labels";
import { KindProvider } from "./provider";
import { NETWORK_ROLE } from "./network-plan";
import { clusterName, KIND_CLUSTER_LABEL, RECORD_ROLE } from "./kind-labels";

const INSTANCE = "reap-test";
const labelsOf = (id: string, role: string, instance = INSTANCE) => ({
  ...buildLabels({ instance, sandboxId: id, environment: "cluster", provider: "kind", pool: false, createdAt: new Date() }, "node"),
  [LABELS.role]: role,
});

/** A FAKE engine: lists filtered by label like Docker, removals recorded. */
function fakeEngine(state: { volumes: string[]; nodes: string[]; networks: { id: string; instance?: string; ageMs: number }[] }) {
  const removed = { containers: [] as string[], networks: [] as string[] };
  const match = (labels: Record<string, string>, filters: string[]) =>
    filters.every((f) => {
      const [k, v] = f.split("=");
      return v === undefined ? k! in labels : labels[k!] === v;
    });
  const nets = state.networks.map((n) => ({ id: `net-${n.id}`, name: `labs-${n.id}-net`, created: new Date(Date.now() - n.ageMs), labels: labelsOf(n.id, NETWORK_ROLE, n.instance) }));
  const api = {
    listVolumes: async (filters: string[]) => state.volumes.map((id) => ({ name: `labs-${id}-kind`, labels: labelsOf(id, RECORD_ROLE) })).filter((v) => match(v.labels, filters)),
    listContainers: async (filters: string[]) =>
      state.nodes
        .map((id) => ({ id: `c-${id}`, name: `${clusterName(id)}-control-plane`, state: "running", labels: { [KIND_CLUSTER_LABEL]: clusterName(id) } }))
        .filter((c) => match(c.labels, filters)),
    removeContainer: async (id: string) => void removed.containers.push(id),
    listNetworks: async (filters: string[]) => nets.filter((n) => match(n.labels, filters)),
    removeNetwork: async (id: string) => void removed.networks.push(id),
  };
  return { api: api as unknown as DockerApi, removed };
}

describe("reaping kind clusters left without a record", () => {
  it("removes the nodes and network of our clusters that lost their record, past the grace period, and nothing else", async () => {
    const { api, removed } = fakeEngine({
      volumes: ["kept1"],
      nodes: ["kept1", "lost1", "young1", "other1"],
      networks: [
        { id: "kept1", ageMs: 600_000 },
        { id: "lost1", ageMs: 600_000 },
        { id: "young1", ageMs: 1_000 },
        { id: "other1", instance: "another-install", ageMs: 600_000 },
      ],
    });
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kind-reap-"));
    const logs: string[] = [];
    const provider = new KindProvider({ instance: INSTANCE, dataDir, api, log: (m) => logs.push(m) });
    expect(await provider.reapUnrecorded(120_000)).toEqual(["lost1"]);
    expect(removed.containers).toEqual(["c-lost1"]);
    expect(removed.networks).toEqual(["net-lost1"]);
    expect(logs.join("\n")).toMatch(/left without a record: lost1/);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
