// In test/, not app/: UI code may not import server values, but this test
// renders the real cgroups lab as the server splits it for the page.
import path from "node:path";
import { createElement, type ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import ReactMarkdown from "react-markdown";
import { describe, expect, it } from "vitest";
import { CgroupSection, NodeFactsProvider } from "@/app/_components/node-facts";
import { bodySections } from "@/server/labs/body";
import { loadCatalog } from "@/server/labs/catalog";

const lab = loadCatalog(path.resolve(import.meta.dirname, "../../labs")).labs.find((l) => l.slug === "cgroups-and-oom")!;

/** The lab's steps as the page renders them, for a node of `version` (null: no node yet). */
function renderSteps(version: 1 | 2 | null): string {
  const children: ReactNode[] = bodySections(lab.body).sections.map((s, i) => {
    const md = createElement(ReactMarkdown, { key: `m${i}` }, s.markdown);
    return s.cgroup ? createElement(CgroupSection, { key: i, version: s.cgroup, children: md }) : md;
  });
  return renderToStaticMarkup(createElement(NodeFactsProvider, { cgroupVersion: version, children }));
}

describe("the cgroups lab's steps follow the learner's node", () => {
  it("on a cgroup v2 node: v2 paths and files, no v1 hierarchy paths, marked as the node's version", () => {
    const html = renderSteps(2);
    expect(html).toContain("cat /sys/fs/cgroup/k8s.io/capped/memory.max");
    expect(html).toContain("cat /sys/fs/cgroup/k8s.io/hog/memory.events");
    expect(html).toContain("echo 20 &gt; /sys/fs/cgroup/k8s.io/capped/pids.max");
    expect(html).toContain("Your node: cgroup v2");
    expect(html).not.toContain("/sys/fs/cgroup/memory/k8s.io");
    expect(html).not.toContain("/sys/fs/cgroup/pids/k8s.io");
    expect(html).not.toContain("memory.oom_control</code></pre>");
    // The comparison table stays for everyone: it names both on purpose.
    expect(html).toContain("memory.limit_in_bytes");
  });

  it("on a cgroup v1 node: the per-controller hierarchies, no v2 paths", () => {
    const html = renderSteps(1);
    expect(html).toContain("cat /sys/fs/cgroup/memory/k8s.io/capped/memory.limit_in_bytes");
    expect(html).toContain("cat /sys/fs/cgroup/pids/k8s.io/capped/pids.max");
    expect(html).toContain("Your node: cgroup v1");
    expect(html).not.toContain("/sys/fs/cgroup/k8s.io/");
  });

  it("before there is a node: both versions, each labelled, none claimed as the node's", () => {
    const html = renderSteps(null);
    expect(html).toContain("On a cgroup v1 node");
    expect(html).toContain("On a cgroup v2 node");
    expect(html).not.toContain("Your node:");
    expect(html).toContain("/sys/fs/cgroup/memory/k8s.io/capped/memory.limit_in_bytes");
    expect(html).toContain("/sys/fs/cgroup/k8s.io/capped/memory.max");
  });
});
