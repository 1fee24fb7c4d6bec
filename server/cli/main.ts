/**
 * `labs` — operator and author commands over the platform's own services.
 *
 *   labs sandbox create [--env node] [--json]   provision a sandbox, print its id
 *   labs sandbox ls [--json]                    list this instance's sandboxes with their sessions
 *   labs sandbox exec <id> -- <cmd...>          run a command; exit with its code
 *   labs sandbox rm <id>...                     remove sandboxes
 *   labs validate [path]                        check lab files; exit 1 on problems
 *   labs test [<slug>...] [--keep]              replay solutions on fresh sandboxes
 *   labs schema                                 JSON Schema of lab frontmatter
 *   labs new <slug>                             scaffold labs/<slug>/lab.md
 *   labs push <dir> --to <url>                  validate, store, test (and publish) on a running platform
 *   labs pull <slug> --from <url>               write a lab's text from a running platform to labs/<slug>/lab.md
 */
import { parseArgs } from "node:util";
import { labJsonSchema, SLUG_PATTERN } from "../labs/schema";
import { labTemplate } from "../labs/template";
import { formatProblem, LAB_FILE, loadCatalog, loadLab, type Catalog } from "../labs/catalog";
import { parseEnv, EnvError } from "../env";
import { preferSandboxEngine } from "../sandbox/providers/docker/sandbox-engine";
import { createNodeProvider } from "../sandbox/providers/docker/from-env";
import type { Sandbox } from "../sandbox/provider";
import { CliError, usage } from "./usage";
import { sandboxLs } from "./sandbox-ls";
import { push } from "./push";
import { pull } from "./pull";
import { testLab, WAYS, type Ways } from "../grading/lab-test";
import path from "node:path";
import fs from "node:fs";

function provider() {
  return createNodeProvider(parseEnv());
}

function row(s: Sandbox) {
  return {
    id: s.id,
    environment: s.environment,
    state: s.state,
    session: s.sessionId ?? null,
    lab: s.labSlug ?? null,
    pool: s.pool,
    createdAt: s.createdAt.toISOString(),
    container: s.nodes[0]?.containerId.slice(0, 12) ?? null,
    host: s.host ?? null,
  };
}

async function sandbox(args: string[]): Promise<number> {
  const [verb, ...rest] = args;
  switch (verb) {
    case "create": {
      const { values } = parseArgs({ args: rest, options: { env: { type: "string", default: "node" }, json: { type: "boolean", default: false } } });
      if (values.env !== "node") throw new CliError(`--env ${values.env} is not available here: only "node" sandboxes can be created by this server.`);
      const started = performance.now();
      const sb = await provider().provision({}, (p) => {
        if (p.status !== "started")
          process.stderr.write(`  ${p.status === "done" ? "✓" : "✗"} ${p.step}${p.durationMs !== undefined ? ` (${p.durationMs} ms)` : ""}${p.error ? `: ${p.error}` : ""}\n`);
      });
      const ms = Math.round(performance.now() - started);
      if (values.json) console.log(JSON.stringify({ ...row(sb), readyMs: ms }));
      else {
        process.stderr.write(`sandbox ready in ${ms} ms\n`);
        console.log(sb.id);
      }
      return 0;
    }
    case "ls":
      return sandboxLs(rest, parseEnv(), provider());
    case "exec": {
      const sep = rest.indexOf("--");
      const id = rest[0];
      const argv = sep >= 0 ? rest.slice(sep + 1) : rest.slice(1);
      if (!id || id === "--" || argv.length === 0) throw new CliError("usage: labs sandbox exec <id> -- <command> [args...]");
      const result = await provider().exec(id, argv, { timeoutMs: 10 * 60_000 });
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
      if (result.truncated) process.stderr.write("labs: output was truncated\n");
      if (result.timedOut) process.stderr.write("labs: the command timed out and was killed\n");
      return result.exitCode ?? 1;
    }
    case "rm": {
      if (!rest.length) throw new CliError("usage: labs sandbox rm <id> [<id>...]");
      const p = provider();
      for (const id of rest) {
        if (!(await p.get(id))) throw new CliError(`no sandbox "${id}" (see \`labs sandbox ls\`)`);
        await p.destroy(id);
        console.log(`removed ${id}`);
      }
      return 0;
    }
    default:
      throw new CliError(`unknown sandbox command "${verb ?? ""}"\n\n${usage}`);
  }
}

/**
 * `labs validate [path]`: one lab directory (or its lab.md), or a directory
 * of labs. Every problem of every lab is printed as file:line:col: message;
 * a broken lab never stops the others from being checked. Exit 1 on any.
 */
function validate(args: string[]): number {
  let target = path.resolve(args[0] ?? parseEnv().LABS_DIR);
  if (path.basename(target) === LAB_FILE && fs.statSync(target, { throwIfNoEntry: false })?.isFile()) target = path.dirname(target);
  // A single lab is read alone: its neighbours, however broken, are not its problem.
  const single = fs.existsSync(path.join(target, LAB_FILE));
  const catalog: Catalog = single ? catalogOf(target, loadLab(target)) : loadCatalog(target);
  for (const p of catalog.problems) console.error(formatProblem(p));
  console.log(`${catalog.labs.length} lab(s) valid, ${catalog.broken.length} lab(s) with problems, ${catalog.problems.length} problem(s)`);
  return catalog.problems.length ? 1 : 0;
}

/** One loaded lab as a catalog of one. */
function catalogOf(labDir: string, { lab, problems }: ReturnType<typeof loadLab>): Catalog {
  const broken = lab ? [] : [{ slug: path.basename(labDir), file: path.join(labDir, LAB_FILE), problems }];
  return { labs: lab ? [lab] : [], broken, problems };
}

/** `labs test <slug|path>... [--keep] [--ways all|cgroup|none]`: replay each lab's solutions on a fresh sandbox. */
async function test(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { keep: { type: "boolean", default: false }, all: { type: "boolean", default: false }, ways: { type: "string", default: "all" } },
  });
  if (!WAYS.includes(values.ways as Ways)) throw new CliError(`--ways must be one of ${WAYS.join(", ")} (got "${values.ways}")`);
  const env = parseEnv();
  const catalog = loadCatalog(env.labsDir);
  for (const p of catalog.problems) console.error(formatProblem(p));
  const wanted =
    values.all || !positionals.length
      ? catalog.labs.filter((l) => l.environment === "node")
      : positionals.map((p) => {
          const slug = path.basename(path.resolve(p));
          const lab = catalog.labs.find((l) => l.slug === slug);
          if (!lab) throw new CliError(`no valid lab "${slug}" in ${env.LABS_DIR} (run \`labs validate\`)`);
          if (lab.environment !== "node") throw new CliError(`lab "${slug}" needs a ${lab.environment}; this host can only test node labs`);
          return lab;
        });
  let failed = 0;
  for (const lab of wanted) {
    console.log(`\n${lab.slug} (${lab.tasks.length} task(s))`);
    const result = await testLab(lab, provider(), {
      keep: values.keep,
      ways: values.ways as Ways,
      onEvent: (e) => {
        if (e.kind === "sandbox") console.log(`  sandbox ${e.id} ready in ${e.readyMs} ms, cgroup v${e.cgroupVersion}${e.purpose ? ` (${e.purpose})` : ""}`);
        else console.log(`  ${e.ok ? "✓" : "✗"} ${e.taskId}: ${e.phase.padEnd(8)} ${e.detail} (${e.durationMs} ms)`);
      },
    });
    const ways = result.tasks.length - lab.tasks.length;
    console.log(
      `  ${result.passed ? "PASS" : "FAIL"} ${lab.slug} on cgroup v${result.cgroupVersion ?? "?"} in ${(result.durationMs / 1000).toFixed(1)} s` +
        `${ways ? ` (${ways} other way(s) replayed)` : ""}${values.keep ? ` (sandbox kept: ${result.sandboxId})` : ""}`,
    );
    if (!result.passed) failed++;
  }
  console.log(`\nlabs: ${wanted.length - failed} passed, ${failed} failed`);
  return failed || catalog.problems.length ? 1 : 0;
}

/** `labs new <slug>`: a lab directory with a valid, testable lab.md to start from. */
function scaffold(args: string[]): number {
  const slug = args[0];
  if (!slug || !SLUG_PATTERN.test(slug)) throw new CliError("usage: labs new <slug>   (2-63 lowercase letters, digits and dashes)");
  const dir = path.join(parseEnv().labsDir, slug);
  if (fs.existsSync(dir)) throw new CliError(`${path.relative(process.cwd(), dir)} already exists; pick another slug`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "lab.md"), labTemplate(slug));
  const rel = path.relative(process.cwd(), path.join(dir, "lab.md"));
  console.log(`created ${rel}
next: edit it, then \`npx labs validate ${path.dirname(rel)}\` and \`npx labs test ${slug}\``);
  return 0;
}

/** `labs schema`: JSON Schema of lab frontmatter, for editors (generated from the zod schema). */
function schema(): number {
  console.log(JSON.stringify(labJsonSchema(), null, 2));
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "sandbox":
      return sandbox(rest);
    case "validate":
      return validate(rest);
    case "test":
      return test(rest);
    case "schema":
      return schema();
    case "new":
      return scaffold(rest);
    case "push":
      return push(rest);
    case "pull":
      return pull(rest);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      console.log(usage);
      return 0;
    default:
      throw new CliError(`unknown command "${command}"\n\n${usage}`);
  }
}

// Sandboxes live on the sandbox engine unless DOCKER_HOST(S) say otherwise.
preferSandboxEngine();
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof CliError || err instanceof EnvError) console.error(`labs: ${err.message}`);
    else {
      const e = err as { message?: string; detail?: string };
      console.error(`labs: ${e?.message ?? String(err)}${e?.detail ? `\n  detail: ${e.detail}` : ""}`);
    }
    process.exit(2);
  },
);
