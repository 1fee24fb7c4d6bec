/** A mistake in how the CLI was called; printed without a stack. */
export class CliError extends Error {}

export const usage = `usage: labs <command>

  labs sandbox create [--env node] [--json]   create a sandbox; prints its id (--json: an object with "id")
  labs sandbox ls [--json]                    list sandboxes of this instance (LABS_INSTANCE): state, host,
                                              warm pool or the session, learner and lab holding it (from
                                              the database), flagged orphan or missing where they disagree
  labs sandbox exec <id> -- <cmd...>          run a command in it; exits with the command's code
  labs sandbox rm <id>...                     remove sandboxes and their volumes
  labs validate [path]                        check all labs (or one lab directory); print every problem
                                              as file:line:col: message; exit 1 on any
  labs test [<slug>...] [--keep] [--ways W]   on a fresh sandbox per lab: each task's checks fail, its
                                              solution runs, its checks pass (default: every node lab);
                                              other ways (solutions:) replayed: W = all (default),
                                              cgroup (only those written per cgroup version), none
  labs schema                                 JSON Schema of lab frontmatter (docs/lab.schema.json)
  labs new <slug>                             scaffold labs/<slug>/lab.md (valid and testable as is)

Environment: DOCKER_HOST, LABS_INSTANCE, LABS_NODE_IMAGE, LABS_MAX_SANDBOXES, LABS_DIR, DATABASE_URL, DATA_DIR.`;
