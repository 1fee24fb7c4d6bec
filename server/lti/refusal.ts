import { refusalPage } from "./html";

/**
 * A refused LTI request: the status, a sentence saying what was wrong, and
 * what the person in front of the browser can do about it. The LTI routes
 * answer it as an HTML page (nobody reading it is calling an API).
 */
export class LtiRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly advice = "Go back to your course in the LMS and open the activity again. If this keeps happening, show this page to whoever runs Runtime Labs.",
  ) {
    super(message);
    this.name = "LtiRefusal";
  }

  /** The refusal as the page the browser shows. */
  toResponse(extraHeaders: Record<string, string> = {}): Response {
    return refusalPage(this.status, this.message, this.advice, extraHeaders);
  }
}

/** Advice for refusals only the LMS's or our administrators can fix. */
export const ADMIN_ADVICE =
  "This is a setup problem between the LMS and Runtime Labs: show this page to the LMS administrator, who can compare the LMS's tool settings with the registration under Administration → LTI.";
