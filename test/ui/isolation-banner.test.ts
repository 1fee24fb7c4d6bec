// In test/, not app/: UI code may not import server values, but this test
// feeds the banner reports made by the real policy code.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { assessIsolation, engineProfile } from "@/server/sandbox/providers/docker/engine-profile";
import { IsolationBanner } from "@/app/_components/isolation-banner";

// Reports from the real policy code on real `docker info` shapes (the CI
// machine's ordinary engine and its sandbox engine).
const plain = engineProfile({ Driver: "overlay2", SecurityOptions: ["name=seccomp,profile=default"], DockerRootDir: "/var/lib/docker", CgroupVersion: "1" });
const sandbox = engineProfile({ Driver: "btrfs", SecurityOptions: ["name=userns"], DockerRootDir: "/var/lib/runtime-labs-engine/root/100000.100000", CgroupVersion: "1" });
const render = (report: Parameters<typeof IsolationBanner>[0]["report"]) => renderToStaticMarkup(createElement(IsolationBanner, { report }));

describe("the admin's isolation banner", () => {
  it("on an engine without user namespaces: says sandboxes cannot start, the risk, and the one command that fixes it", () => {
    const html = render(assessIsolation(plain, { required: "userns", diskMb: 4096 }, "unix:///var/run/docker.sock"));
    expect(html).toContain('role="alert"');
    expect(html).toContain("Sandboxes cannot start");
    expect(html).toContain("root over the host&#x27;s kernel");
    expect(html).toContain("sudo bash scripts/sandbox-engine.sh start");
  });

  it("with shared-kernel-root allowed: warns on every page that nodes have no user namespace", () => {
    const html = render(assessIsolation(plain, { required: "shared-kernel-root", diskMb: 0 }, "x"));
    expect(html).toContain("Learners&#x27; nodes run without a user namespace");
    expect(html).toContain('data-ok="true"');
  });

  it("shows nothing when nodes are contained as promised, or when the engine does not answer", () => {
    expect(render(assessIsolation(sandbox, { required: "userns", diskMb: 4096 }, "x"))).toBe("");
    expect(render(null)).toBe("");
    expect(render(assessIsolation(sandbox, { required: "userns", diskMb: 0 }, "x"))).toContain("no disk cap");
  });
});
