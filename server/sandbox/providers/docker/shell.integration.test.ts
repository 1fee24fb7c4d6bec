/**
 * Interactive TTY shells in a real node: round trip, resize, and kill
 * leaving no shell behind.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox, Shell } from "../../provider";
import { requireNodeImage, testProvider } from "./test-support";

const provider = testProvider("shell");
let sandbox: Sandbox;

beforeAll(async () => {
  await requireNodeImage();
  sandbox = await provider.provision({});
});
afterAll(async () => {
  await provider.destroyAll();
});

/** Collects terminal output and waits for a pattern. */
function reader(shell: Shell) {
  let out = "";
  shell.stream.on("data", (d: Buffer) => (out += d.toString("utf8")));
  return {
    get text() {
      return out;
    },
    async waitFor(re: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const m = out.match(re);
        if (m) return m;
        if (Date.now() > end) throw new Error(`timed out waiting for ${re}; got:\n${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

describe("docker provider: shell", () => {
  it("round-trips keystrokes on a TTY with the node's prompt and terminal settings", async () => {
    const shell = await provider.openShell(sandbox.id, { cols: 100, rows: 30 });
    const term = reader(shell);
    await term.waitFor(new RegExp(`root@node-${sandbox.id}:~# `));
    expect(term.text).toContain("Runtime Labs node");
    shell.stream.write('echo "$TERM $LANG $((6*7))"; tty\r');
    await term.waitFor(/xterm-256color C\.UTF-8 42/);
    await term.waitFor(/\/dev\/pts\/\d+/);
    shell.stream.write("exit 3\r");
    expect(await shell.wait()).toBe(3);
  });

  it("shows a resize in `stty size`", async () => {
    const shell = await provider.openShell(sandbox.id, { cols: 80, rows: 24 });
    const term = reader(shell);
    await term.waitFor(/# $/);
    shell.stream.write("stty size\r");
    await term.waitFor(/[^\d]24 80\r\n/);
    await shell.resize(132, 43);
    shell.stream.write("stty size\r");
    await term.waitFor(/[^\d]43 132\r\n/);
    await shell.kill();
  });

  it("kill() ends the shell and everything in its session", async () => {
    const shell = await provider.openShell(sandbox.id, { cols: 80, rows: 24, env: { LAB_MARK: "k1" } });
    const term = reader(shell);
    await term.waitFor(/# $/);
    shell.stream.write("(trap '' HUP; sleep 51339) & sleep 51337 & echo \"shell=$$\"\r");
    const [, pid] = await term.waitFor(/shell=(\d+)/);
    await shell.kill();
    await shell.wait();
    // [7]/[9]: keep pgrep from matching its own command line.
    const left = await provider.exec(sandbox.id, ["sh", "-c", `pgrep -f 'sleep 5133[79]'; ps -o pid= -p ${pid}; ls /run/labs/shells; true`]);
    expect(left.stdout.trim()).toBe("");
  });
});
