"use client";

import { createContext, useContext, useEffect, useState, type ReactNode } from "react";

/**
 * What the page knows about the learner's node, published by the session
 * panel and read by the lab text: today its cgroup version, so steps written
 * per version (`::: cgroup-v1` / `::: cgroup-v2`) show the node's own paths.
 */
const NodeFactsContext = createContext<{ cgroupVersion: 1 | 2 | null; publish: (v: 1 | 2 | null) => void }>({
  cgroupVersion: null,
  publish: () => {},
});

export function NodeFactsProvider({ children, cgroupVersion: initial = null }: { children: ReactNode; cgroupVersion?: 1 | 2 | null }) {
  const [cgroupVersion, publish] = useState<1 | 2 | null>(initial);
  return <NodeFactsContext.Provider value={{ cgroupVersion, publish }}>{children}</NodeFactsContext.Provider>;
}

/** Tells the lab text which cgroup version the current session's node has (null: no node). */
export function PublishNodeFacts({ cgroupVersion }: { cgroupVersion: 1 | 2 | null }) {
  const { publish } = useContext(NodeFactsContext);
  useEffect(() => publish(cgroupVersion), [cgroupVersion, publish]);
  return null;
}

/**
 * Text for one cgroup version. With a node of the other version it is not
 * shown; with no node yet, both versions show, each labelled, so nothing on
 * the page claims a path that may be wrong for the learner's node.
 */
export function CgroupSection({ version, children }: { version: 1 | 2; children: ReactNode }) {
  const { cgroupVersion } = useContext(NodeFactsContext);
  if (cgroupVersion !== null && cgroupVersion !== version) return null;
  return (
    <section data-testid={`cgroup-v${version}-section`} className="my-4 rounded-md border-l-4 border-sky-500 bg-sky-50/60 py-1 pl-4 dark:bg-sky-950/30">
      <p className="mt-2 mb-0 text-xs font-semibold tracking-wide text-sky-800 uppercase dark:text-sky-300">
        {cgroupVersion === null ? `On a cgroup v${version} node` : `Your node: cgroup v${version}`}
      </p>
      {children}
    </section>
  );
}
