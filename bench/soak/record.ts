/**
 * What the run observed, shared by learners and the fault scheduler, and
 * read at the end for the invariants and the figures.
 */
import type { FaultKind } from "./options";

export interface FaultRecord {
  kind: FaultKind;
  at: number;
  /** The learner's session it hit, for faults aimed at one node. */
  sessionId?: string;
  /** What happened, in a few words ("12 connections", "quota reached at 3.6 GiB"). */
  outcome: string;
  /** The fault could not be injected as planned (no target, a step failed). */
  missed?: boolean;
}

export interface RecoveryRecord {
  learner: number;
  /** Sessions the learner left behind on its way to a working node, oldest first. */
  from: string[];
  to: string;
  /** When the learner's terminal answered on the new node. */
  at: number;
  /** No successor to follow: the learner started the lab again (a failed start, a session ended for good). */
  startedAgain: boolean;
}

export class SoakRecord {
  readonly echoMs: number[] = [];
  readonly faults: FaultRecord[] = [];
  readonly recoveries: RecoveryRecord[] = [];
  /** Calls and connections that failed, by what failed and why ("api INTERNAL_SERVER_ERROR"). */
  readonly errors = new Map<string, number>();
  /** Problems seen while running that break an invariant (checked at the end with the rest). */
  readonly problems: string[] = [];
  /** Distinct (chain, task) passes learners saw. */
  tasksPassed = 0;
  /** Labs learners started themselves (first starts, and again after a session ended for good). */
  labStarts = 0;
  /** From a learner pressing Start lab to its session being ready, in ms. */
  readonly startToReadyMs: number[] = [];
  /** From a learner first seeing "A fresh node replaced it" to the session naming it (replacedBy), in ms. */
  readonly successorWaitMs: number[] = [];
  /** Server (re)starts measured from kill to "server ready", in ms. */
  readonly restartMs: number[] = [];
  /** Timestamped lines of what happened, kept with the server's log (--keep-logs, or a failed run). */
  readonly events: string[] = [];

  note(text: string): void {
    this.events.push(`${new Date().toISOString()} ${text}`);
  }

  error(where: string, kind: string): void {
    const key = `${where} ${kind}`;
    this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
  }

  fault(f: FaultRecord): void {
    this.faults.push(f);
    this.note(`fault ${f.kind}${f.missed ? " (missed)" : ""}: ${f.outcome}`);
  }
}
