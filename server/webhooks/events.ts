/**
 * The events a webhook can subscribe to, and the JSON body each delivery
 * carries. docs/api.md documents these shapes; change both together.
 */

/** Events sent when grading sees them; `ping` is sent only when an instructor asks (to test a receiver). */
export const WEBHOOK_EVENTS = ["task.passed", "lab.completed"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export type DeliveredEvent = WebhookEvent | "ping";

/** The learner's standing on the lab right after the event, merged over their sessions (as in the cohort's results). */
export interface LabScorePayload {
  points: number;
  maxPoints: number;
  /** 0..1 */
  score: number;
  completedAt: string | null;
}

export interface GradeEventPayload {
  event: WebhookEvent;
  /** When grading stored the change (ISO 8601). */
  occurredAt: string;
  cohort: { id: string; name: string };
  learner: { id: string; name: string; email: string };
  lab: { slug: string; title: string };
  session: { id: string };
  /** The task that passed (task.passed only). */
  task?: { id: string; title: string; points: number };
  labScore: LabScorePayload;
}

export interface PingPayload {
  event: "ping";
  occurredAt: string;
  cohort: { id: string; name: string };
  message: string;
}

export type WebhookPayload = GradeEventPayload | PingPayload;
