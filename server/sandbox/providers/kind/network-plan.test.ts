import { describe, expect, it } from "vitest";
import { networkCreateOptions, networkPlan } from "./network-plan";
import { LABELS, parseLabels } from "../../labels";

const labels = {
  instance: "prod",
  sandboxId: "a1b2c3d4e5",
  environment: "cluster" as const,
  provider: "kind",
  pool: false,
  createdAt: new Date("2025-01-01T00:00:00Z"),
  sessionId: "s1",
};

describe("per-cluster network plan", () => {
  it("gives every cluster its own network and tells kind to use it", () => {
    const a = networkPlan(labels);
    const b = networkPlan({ ...labels, sandboxId: "zzzzzzzzzz" });
    expect(a.name).toBe("labs-a1b2c3d4e5-net");
    expect(b.name).not.toBe(a.name);
    expect(a.kindEnv).toEqual({ KIND_EXPERIMENTAL_DOCKER_NETWORK: "labs-a1b2c3d4e5-net" });
    expect(a.name).not.toBe("kind");
  });

  it("labels the network as the sandbox's, so destroy and reapers find it", () => {
    const plan = networkPlan(labels);
    expect(plan.labels[LABELS.role]).toBe("cluster-network");
    expect(parseLabels(plan.labels)).toMatchObject({ instance: "prod", sandboxId: "a1b2c3d4e5", environment: "cluster", sessionId: "s1" });
  });

  it("is a bridge with inter-container traffic inside the network and egress unless internal", () => {
    expect(networkPlan(labels)).toMatchObject({
      driver: "bridge",
      internal: false,
      options: { "com.docker.network.bridge.enable_icc": "true", "com.docker.network.bridge.enable_ip_masquerade": "true" },
    });
    expect(networkPlan(labels, { internal: true })).toMatchObject({ internal: true, options: { "com.docker.network.bridge.enable_ip_masquerade": "false" } });
  });

  it("never asks for a subnet (Docker picks one; tests never create these networks)", () => {
    const body = networkCreateOptions(networkPlan(labels));
    expect(body).toMatchObject({ Name: "labs-a1b2c3d4e5-net", Driver: "bridge", CheckDuplicate: true });
    expect(JSON.stringify(body)).not.toMatch(/Subnet|IPAM/);
  });
});
