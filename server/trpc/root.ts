import { createCallerFactory, router } from "./init";
import { authoringRouter } from "./routers/authoring";
import { cohortsRouter } from "./routers/cohorts";
import { gradesRouter } from "./routers/grades";
import { gradingRouter } from "./routers/grading";
import { labsRouter } from "./routers/labs";
import { ltiRouter } from "./routers/lti";
import { sessionsRouter } from "./routers/sessions";
import { usersRouter } from "./routers/users";
import { systemRouter } from "./routers/system";
import { tokensRouter } from "./routers/tokens";
import { webhooksRouter } from "./routers/webhooks";

/** The whole API; one router per domain. */
export const appRouter = router({
  labs: labsRouter,
  authoring: authoringRouter,
  sessions: sessionsRouter,
  grading: gradingRouter,
  cohorts: cohortsRouter,
  grades: gradesRouter,
  webhooks: webhooksRouter,
  tokens: tokensRouter,
  users: usersRouter,
  system: systemRouter,
  lti: ltiRouter,
});

export type AppRouter = typeof appRouter;

/** Calls procedures in-process (server components, tests, the CLI). */
export const createCaller = createCallerFactory(appRouter);
