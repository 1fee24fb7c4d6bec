/**
 * Commands and shells inside a node container.
 *
 * Docker has no API to kill an exec. Every command therefore runs under a
 * small wrapper in the node image that records its session id in a pid file
 * (labs-run for commands, labs-shell for shells), and a second exec
 * (labs-kill) kills that process group and session when we time out, are
 * aborted, or a shell is closed.
 */
import { randomBytes } from "node:crypto";
import type { DockerApi, StartedExec } from "./docker-api";
import type { ExecOptions, ExecResult, Shell, ShellOptions } from "../../provider";
import { CappedOutput, DEFAULT_MAX_OUTPUT_BYTES } from "../../output";
import { StreamDemuxer } from "./demux";
import { SandboxError } from "../../errors";

const EXEC_PID_DIR = "/run/labs/exec";
const SHELL_PID_DIR = "/run/labs/shells";
/** How often a kill is retried while the process has not gone yet. */
const KILL_RETRY_MS = 250;
/** After this long past a kill, stop waiting for the stream and give up. */
const KILL_GIVE_UP_MS = 10_000;

/** Default environment of a learner's terminal. */
export const SHELL_ENV = { TERM: "xterm-256color", LANG: "C.UTF-8" } as const;

function envList(env: Record<string, string> | undefined): string[] | undefined {
  return env ? Object.entries(env).map(([k, v]) => `${k}=${v}`) : undefined;
}

function token(): string {
  return randomBytes(8).toString("hex");
}

/** Waits for the engine to report the exec finished; returns its exit code. */
async function exitCodeOf(started: StartedExec): Promise<number | null> {
  // The attach stream can end a moment before the engine records the exit.
  for (let i = 0; i < 50; i++) {
    const s = await started.exitCode();
    if (!s.running) return s.exitCode;
    await sleep(10 + i * 5);
  }
  return null;
}

/** Resolves when an exec's attached stream is over, however it ended. */
function drained(stream: StartedExec["stream"]): Promise<void> {
  stream.resume();
  return new Promise<void>((resolve) => {
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", resolve);
  });
}

/**
 * Runs `cmd` without the platform's helpers, for before they are known to be
 * in the container (labs-run makes timeouts and kills possible; this has
 * neither, nor output): quick probes only. Returns the exit code, null if unknown.
 */
export async function runBare(api: DockerApi, containerId: string, cmd: string[]): Promise<number | null> {
  const started = await api.startExec(containerId, { cmd, tty: false, stdin: false });
  await drained(started.stream);
  return exitCodeOf(started);
}

/** Runs `argv` in the container without a TTY; see {@link ExecOptions}. */
export async function runExec(api: DockerApi, containerId: string, argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
  if (argv.length === 0) throw new SandboxError("INVALID_SPEC", "No command was given to run.", "argv is empty");
  const started = performance.now();
  const pidFile = `${EXEC_PID_DIR}/${token()}.pid`;
  const max = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const stdout = new CappedOutput(max);
  const stderr = new CappedOutput(max);
  const hasStdin = options.stdin !== undefined;

  const exec = await api.startExec(containerId, {
    cmd: ["/usr/local/bin/labs-run", pidFile, ...argv],
    tty: false,
    stdin: hasStdin,
    env: envList(options.env),
    user: options.user,
    workdir: options.workdir,
  });
  const demux = new StreamDemuxer((which, data) => {
    (which === "stdout" ? stdout : stderr).push(data);
    if (which === "stdout") options.onStdout?.(data);
  });

  let timedOut = false;
  let killing: Promise<void> | null = null;
  const ended = new Promise<void>((resolve) => {
    exec.stream.on("data", (chunk: Buffer) => demux.push(chunk));
    exec.stream.once("end", resolve);
    exec.stream.once("close", resolve);
    exec.stream.once("error", resolve);
  });
  const kill = () => {
    killing ??= killUntilGone(api, containerId, pidFile, ended, exec);
  };
  const timer =
    options.timeoutMs !== undefined
      ? setTimeout(() => {
          timedOut = true;
          kill();
        }, options.timeoutMs)
      : null;
  const onAbort = () => kill();
  options.signal?.addEventListener("abort", onAbort, { once: true });

  if (hasStdin) {
    exec.stream.write(options.stdin);
    // Half-close: the engine then closes the process's stdin.
    exec.stream.end();
  }
  try {
    await ended;
    if (killing) await killing;
  } finally {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
  const exitCode = await exitCodeOf(exec);
  if (options.signal?.aborted && !timedOut) {
    throw new SandboxError("ABORTED", "The command was cancelled.", `argv: ${argv.join(" ")}`);
  }
  return {
    exitCode: timedOut ? null : exitCode,
    stdout: stdout.text(),
    stderr: stderr.text(),
    truncated: stdout.truncated || stderr.truncated,
    timedOut,
    durationMs: Math.round(performance.now() - started),
  };
}

/**
 * Kills the wrapped process via a second exec, retrying until its stream
 * ends (the pid file may not exist yet if the command has only just begun).
 */
async function killUntilGone(api: DockerApi, containerId: string, pidFile: string, ended: Promise<void>, target: StartedExec): Promise<void> {
  let done = false;
  void ended.then(() => (done = true));
  const deadline = Date.now() + KILL_GIVE_UP_MS;
  while (!done && Date.now() < deadline) {
    await runKill(api, containerId, pidFile);
    await Promise.race([ended, sleep(KILL_RETRY_MS)]);
  }
  // Last resort: stop reading, so the caller is never stuck.
  if (!done) target.stream.destroy();
}

/** One `labs-kill PIDFILE` exec; failures are ignored (the caller retries). */
async function runKill(api: DockerApi, containerId: string, pidFile: string): Promise<void> {
  try {
    const k = await api.startExec(containerId, {
      cmd: ["/usr/local/bin/labs-kill", pidFile],
      tty: false,
      stdin: false,
    });
    await drained(k.stream);
  } catch {
    // The node may be gone; the target's stream then ends on its own.
  }
}

const OWNER_PATTERN = /^[A-Za-z0-9-]{1,64}$/;

/** Opens a login shell on a TTY; see {@link Shell}. */
export async function openShell(api: DockerApi, containerId: string, options: ShellOptions): Promise<Shell> {
  if (options.owner !== undefined && !OWNER_PATTERN.test(options.owner)) {
    throw new SandboxError("INVALID_SPEC", "The shell's owner is not valid.", `owner ${JSON.stringify(options.owner)} must match ${OWNER_PATTERN}`);
  }
  // <owner>.<token>.pid: reapShells tells a live server's shells from a dead one's by the name.
  const pidFile = `${SHELL_PID_DIR}/${options.owner ? `${options.owner}.` : ""}${token()}.pid`;
  const exec = await api.startExec(containerId, {
    cmd: ["/usr/local/bin/labs-shell", pidFile, "/bin/bash", "-l"],
    tty: true,
    stdin: true,
    env: envList({ ...SHELL_ENV, ...options.env }),
    workdir: options.cwd,
  });
  // Docker 20.10 cannot set the size at creation (API < 1.42), and rejects a
  // resize until the exec is running: set it now, retrying briefly.
  for (let i = 0; i < 10; i++) {
    if (
      await exec.resize(options.cols, options.rows).then(
        () => true,
        () => false,
      )
    )
      break;
    await sleep(50);
  }

  const ended = new Promise<void>((resolve) => {
    exec.stream.once("end", resolve);
    exec.stream.once("close", resolve);
    exec.stream.once("error", resolve);
  });
  let exit: Promise<number | null> | null = null;
  const wait = () => (exit ??= ended.then(() => exitCodeOf(exec)));

  return {
    stream: exec.stream,
    resize: (cols, rows) => exec.resize(cols, rows),
    wait,
    kill: async () => {
      // A paused stream (flow control) never emits "end": let it drain so
      // the end of the shell is seen at once rather than at the give-up.
      exec.stream.resume();
      await killUntilGone(api, containerId, pidFile, ended, exec);
      await wait();
    },
  };
}

/**
 * Kills the shells in a node not opened by `keepOwner` (see
 * SandboxProvider.reapShells): each through labs-kill, which ends its whole
 * session. Prints and returns how many there were.
 */
export async function reapShells(api: DockerApi, containerId: string, keepOwner: string): Promise<number> {
  if (!OWNER_PATTERN.test(keepOwner)) throw new SandboxError("INVALID_SPEC", "The shell owner is not valid.", `owner ${JSON.stringify(keepOwner)}`);
  const script = [
    "n=0",
    `for f in ${SHELL_PID_DIR}/*.pid; do`,
    '  [ -e "$f" ] || continue',
    '  case "${f##*/}" in "$1".*) continue ;; esac',
    '  /usr/local/bin/labs-kill "$f"; n=$((n+1))',
    "done",
    'echo "$n"',
  ].join("\n");
  const res = await runExec(api, containerId, ["/bin/sh", "-c", script, "reap-shells", keepOwner], { timeoutMs: 15_000 });
  if (res.exitCode !== 0) throw new SandboxError("EXEC_FAILED", "Old shells could not be ended in the node.", `exit ${res.exitCode}: ${res.stderr.trim()}`);
  return Number(res.stdout.trim()) || 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
