import type { LabCell, GradedTask } from "../grades/types";
import { MEDIA_TYPE, SCOPE } from "./claims";
import { excerpt, PlatformCallError, unreachable, type PlatformTokens, type TokenPlatform } from "./token";

/** An AGS 2.0 score, as POSTed to a line item's scores endpoint. */
export interface AgsScore {
  userId: string;
  scoreGiven: number;
  scoreMaximum: number;
  comment: string;
  timestamp: string;
  activityProgress: "Initialized" | "Started" | "InProgress" | "Submitted" | "Completed";
  gradingProgress: "FullyGraded" | "Pending" | "PendingManual" | "Failed" | "NotReady";
}

/** The comment is shown to the learner in the gradebook: long enough for a lab's task titles, short enough for any LMS. */
const MAX_COMMENT = 1000;

/**
 * A learner's standing on a lab as an AGS score: points earned over points
 * possible (partial credit per task), a comment naming the tasks passed,
 * and progress said truthfully: Completed / FullyGraded once every task has
 * passed; before that InProgress / Pending (the score is partial and will
 * change as more tasks pass).
 */
export function scoreOf(subject: string, tasks: GradedTask[], cell: Pick<LabCell, "points" | "maxPoints" | "completedAt" | "tasks">, at: Date): AgsScore {
  const passed = tasks.filter((t) => cell.tasks[t.id]?.status === "passed");
  const complete = cell.completedAt !== null;
  const list = passed.map((t) => t.title).join("; ");
  const summary = `${passed.length} of ${tasks.length} task${tasks.length === 1 ? "" : "s"} passed${passed.length ? `: ${list}` : "."}`;
  return {
    userId: subject,
    scoreGiven: cell.points,
    scoreMaximum: cell.maxPoints,
    comment: summary.length > MAX_COMMENT ? `${summary.slice(0, MAX_COMMENT - 1)}…` : summary,
    timestamp: at.toISOString(),
    activityProgress: complete ? "Completed" : "InProgress",
    gradingProgress: complete ? "FullyGraded" : "Pending",
  };
}

/** The scores endpoint of a line item: its path plus /scores, query kept (AGS 2.0 §3.4). */
export function scoresUrl(lineItemUrl: string): string {
  const url = new URL(lineItemUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/scores`;
  return url.toString();
}

/**
 * POSTs one score with a token for the score scope. A 401 drops the cached
 * token (the next attempt gets a new one). Throws PlatformCallError.
 */
export async function postScore(platform: TokenPlatform, lineItemUrl: string, score: AgsScore, tokens: PlatformTokens, timeoutMs = 10_000): Promise<number> {
  const token = await tokens.get(platform, [SCOPE.score]);
  const target = scoresUrl(lineItemUrl);
  let res: Response;
  try {
    res = await fetch(target, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": MEDIA_TYPE.score, "user-agent": "RuntimeLabs-LTI/1" },
      body: JSON.stringify(score),
      redirect: "error",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw unreachable(err, target, timeoutMs);
  }
  if (res.ok) return res.status;
  if (res.status === 401) tokens.forget(platform, [SCOPE.score]);
  const said = await excerpt(res);
  // 404: the line item is gone (deleted in the LMS): no retry brings it back.
  throw new PlatformCallError(`${platform.name} refused the score (HTTP ${res.status}).${said ? ` It said: ${said}` : ""}`, res.status, res.status === 404);
}
