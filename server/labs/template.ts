/**
 * The lab `labs new` writes: valid and passing `labs test` as it stands, so
 * an author edits from green. One task with a typed check, a hint and a
 * reference solution shows the whole shape.
 */
export function labTemplate(slug: string): string {
  const title = slug.replace(/-/g, " ").replace(/^./, (c) => c.toUpperCase());
  return `---
title: ${title}
summary: One or two sentences on what the learner will be able to do after this lab.
difficulty: beginner
duration: 20m
environment: node
tags: []
tasks:
  - id: start-a-container
    title: Start a container called "demo" that keeps running
    hints:
      - "\`ctr -n k8s.io run -d <image> <id> <command>\` starts a container in the background."
    checks:
      - type: runtime
        container: demo
        handler: runc
    solution: ctr -n k8s.io run -d localhost/labs/shell:1 demo sleep 3600
---

# ${title}

Say what the learner will be able to do, and why it matters.

## 1. A first step

Explain the why, then the command:

\`\`\`bash
ctr -n k8s.io run -d localhost/labs/shell:1 demo sleep 3600
ctr -n k8s.io task ls
\`\`\`

## Recap

- What the learner saw for themselves.
`;
}
