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

On a running platform, over its REST API with a token of the labs scope (docs/authoring.md, "Push from your machine"):
  labs push <dir> --to <url> [--token <t>]    check <dir>/lab.md here (exit 1 on problems, nothing sent),
       [--no-test] [--publish]                store it as the lab's next version (the lab is created if new),
       [--override <reason>] [--base <n>]     test it on the server, printing each line, then PASS/FAIL;
                                              --publish: publish it when the test passed (with --override
                                              "<why>": even without); --base: refuse if someone saved a
                                              version after n; exit 0 only if every step asked succeeded
  labs pull <slug> --from <url> [--token <t>] write the lab's latest version (or --version n) to
       [--version <n>] [--out <dir>] [--force] <out or LABS_DIR>/<slug>/lab.md; a different file already
                                              there is kept unless --force

Environment: DOCKER_HOST, LABS_INSTANCE, LABS_NODE_IMAGE, LABS_MAX_SANDBOXES, LABS_DIR, DATABASE_URL, DATA_DIR;
push and pull: LABS_TOKEN (the token, instead of --token), LABS_URL (instead of --to/--from).`;
