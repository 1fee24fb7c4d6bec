/**
 * Non-interactive commands in a real node: separate streams, exit codes,
 * stdin, env/user/workdir, timeouts that really kill, and the output cap.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../../provider";
import { requireNodeImage, testProvider } from "./test-support";

const provider = testProvider("exec");
let sandbox: Sandbox;

beforeAll(async () => {
  await requireNodeImage();
  sandbox = await provider.provision({});
});
afterAll(async () => {
  await provider.destroyAll();
});

describe("docker provider: exec", () => {
  it("keeps stdout and stderr apart and returns the exit code", async () => {
    const r = await provider.exec(sandbox.id, ["sh", "-c", "echo to-out; echo to-err >&2; exit 7"]);
    expect(r).toMatchObject({ exitCode: 7, stdout: "to-out\n", stderr: "to-err\n", truncated: false, timedOut: false });
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("reports 128+N for a command killed by signal N", async () => {
    const r = await provider.exec(sandbox.id, ["sh", "-c", "kill -9 $$"]);
    expect(r.exitCode).toBe(137);
  });

  it("passes stdin, env, user and workdir", async () => {
    const r = await provider.exec(sandbox.id, ["sh", "-c", 'cat; echo " $GREETING $(id -un) $(pwd)"'], {
      stdin: "from-stdin",
      env: { GREETING: "hello" },
      user: "nobody",
      workdir: "/tmp",
    });
    expect(r.stdout).toBe("from-stdin hello nobody /tmp\n");
    expect(r.exitCode).toBe(0);
  });

  it("kills a command at its timeout, children included: nothing is left running", async () => {
    const r = await provider.exec(sandbox.id, ["sh", "-c", "sleep 31337 & sleep 31338; echo never"], { timeoutMs: 500 });
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBeNull();
    expect(r.stdout).not.toContain("never");
    expect(r.durationMs).toBeLessThan(5_000);
    const left = await provider.exec(sandbox.id, ["sh", "-c", "pgrep -f 'sleep 3133[78]' || echo none"]);
    expect(left.stdout.trim()).toBe("none");
    // Only the pid file of this very `ls` is left.
    const pidFiles = await provider.exec(sandbox.id, ["sh", "-c", "ls /run/labs/exec | wc -l"]);
    expect(pidFiles.stdout.trim()).toBe("1");
  });

  it("kills a command that left its process group but not its session", async () => {
    const r = await provider.exec(sandbox.id, ["bash", "-c", "set -m; sleep 41337 & wait"], { timeoutMs: 500 });
    expect(r.timedOut).toBe(true);
    const left = await provider.exec(sandbox.id, ["sh", "-c", "pgrep -f 'sleep 4133[7]' || echo none"]);
    expect(left.stdout.trim()).toBe("none");
  });

  it("labs-kill leaves alone a process that only took over a stale record's pid, and drops the record", async () => {
    // A record whose shell died before removing it, naming a pid that now leads someone else's session.
    const r = await provider.exec(sandbox.id, [
      "sh",
      "-c",
      "setsid sleep 51515 & pid=$!; sleep 0.2; f=/run/labs/shells/gone.stale.pid; mkdir -p /run/labs/shells; echo $pid > $f; " +
        "/usr/local/bin/labs-kill $f; sleep 0.1; kill -0 $pid && echo alive; test -e $f || echo record-gone; kill $pid",
    ]);
    expect(r.stdout).toContain("alive");
    expect(r.stdout).toContain("record-gone");
  });

  it("caps output per stream and says it was truncated, without blocking the command", async () => {
    const r = await provider.exec(sandbox.id, ["sh", "-c", "head -c 5000000 /dev/zero | tr '\\0' x; echo e >&2"], {
      maxOutputBytes: 1000,
    });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("x".repeat(1000));
    expect(r.stderr).toBe("e\n");
    expect(r.truncated).toBe(true);
  });

  it("fails with NOT_FOUND for an unknown sandbox", async () => {
    await expect(provider.exec("nosuchsandbox", ["true"])).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
