/**
 * The shape of a cohort's results: one row per learner, one cell per task of
 * each of the cohort's labs. The instructor dashboard, the CSV/JSON export and
 * the REST API all read this one shape.
 */

/** A task as graded: its points come from the lab's frontmatter (default 10). */
export interface GradedTask {
  id: string;
  title: string;
  points: number;
}

export interface CohortLabInfo {
  slug: string;
  title: string;
  tasks: GradedTask[];
  /** Sum of the tasks' points. */
  maxPoints: number;
  /**
   * True when the lab's file is gone (archived in the catalog): its tasks are
   * then the ones the learners' results name, each worth the default points.
   */
  archived?: boolean;
}

/**
 * A task's status, in the one vocabulary of the dashboard, the CSV and JSON
 * exports and the REST API: `passed`; `failed` (checked, not passed yet);
 * `pending` (the lab is started, the task not checked yet); `not-started`
 * (the learner has not started the lab).
 */
export type TaskStatus = "passed" | "failed" | "pending" | "not-started";

/** One learner's standing on one task, merged over all their sessions of the lab. */
export interface TaskCell {
  status: TaskStatus;
  /** When it passed (the pass that counts; see beforeJoining). */
  passedAt: Date | null;
  /**
   * True when the pass was earned before the learner joined the cohort
   * (always false outside a cohort). Whether it earns points is the
   * cohort's setting, `includeWorkBeforeJoining`.
   */
  beforeJoining: boolean;
  /**
   * True when the pass came from a fast-forward (the lab's reference
   * solution applied at the learner's request), not the learner's own work.
   * It earns points like any pass; instructors see the mark everywhere.
   */
  assisted: boolean;
  /** Most hints opened in any session (a reset carries them over). */
  hintsRevealed: number;
  attempts: number;
  /** Latest check message the learner saw. */
  message: string | null;
}

/** One learner's standing on one lab. */
export interface LabCell {
  /** Latest session of this lab (for drill-down and the live terminal), or null if never started. */
  sessionId: string | null;
  /** State of that session. */
  state: "requested" | "provisioning" | "ready" | "ending" | "ended" | "failed" | null;
  startedAt: Date | null;
  /** When the last task passed; null until every task has. */
  completedAt: Date | null;
  /** completedAt - startedAt (of the first session), when completed. */
  timeToCompleteMs: number | null;
  tasks: Record<string, TaskCell>;
  points: number;
  maxPoints: number;
  /** points / maxPoints, 0..1 (partial credit). 1 for a lab without points. */
  score: number;
  hintsUsed: number;
  /** Points of the tasks passed before the learner joined the cohort, counted in `points` or not as the cohort says. */
  pointsBeforeJoining: number;
}

export interface LearnerRow {
  userId: string;
  name: string;
  email: string;
  joinedAt: Date;
  labs: Record<string, LabCell>;
  points: number;
  maxPoints: number;
  score: number;
}

export interface CohortResults {
  /** `includeWorkBeforeJoining`: whether tasks passed before a learner joined earn points here. */
  cohort: { id: string; name: string; dueAt: Date | null; includeWorkBeforeJoining: boolean };
  labs: CohortLabInfo[];
  learners: LearnerRow[];
  generatedAt: Date;
}
