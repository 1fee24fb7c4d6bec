/**
 * What a simulated learner types for a lab: the tasks in `needs` order and
 * each task's ways of solving it (the reference solution, then the others),
 * read from the lab's frontmatter as `labs test` reads them.
 */
import path from "node:path";
import { loadLab, type LabDefinition } from "../../server/labs/catalog";
import { forCgroup } from "../../server/labs/cgroup-variants";
import { orderByNeeds } from "../../server/labs/tasks";

type Task = LabDefinition["tasks"][number];

export class LabPlan {
  private readonly byId: Map<string, Task>;

  private constructor(
    readonly slug: string,
    /** Tasks in an order that respects `needs`. */
    readonly tasks: Task[],
  ) {
    this.byId = new Map(tasks.map((t) => [t.id, t]));
  }

  static load(labsDir: string, slug: string): LabPlan {
    const { lab, problems } = loadLab(path.join(labsDir, slug));
    if (!lab) throw new Error(`lab ${slug} cannot be used: ${problems.map((p) => p.message).join("; ")}`);
    if (lab.environment !== "node") throw new Error(`lab ${slug} is a ${lab.environment} lab; the soak drives node labs`);
    if (lab.tasks.length === 0) throw new Error(`lab ${slug} has no tasks to complete`);
    return new LabPlan(slug, orderByNeeds(lab.tasks));
  }

  /** The `attempt`-th way to solve a task (0: the reference solution), for the node's cgroup version. */
  way(taskId: string, attempt: number, cgroupVersion: 1 | 2 | null): string {
    const t = this.byId.get(taskId)!;
    const all = [t.solution, ...t.solutions];
    return forCgroup(all[attempt % all.length]!, cgroupVersion ?? 1);
  }

  /** The tasks a task builds on, transitively, in order (their state must exist on the node too). */
  prerequisites(taskId: string): string[] {
    const out: string[] = [];
    const visit = (id: string) => {
      for (const n of this.byId.get(id)?.needs ?? []) {
        if (out.includes(n)) continue;
        visit(n);
        out.push(n);
      }
    };
    visit(taskId);
    return out;
  }
}
