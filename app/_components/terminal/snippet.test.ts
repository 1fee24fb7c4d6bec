import { describe, expect, it } from "vitest";
import { looksLikePrompt, runUnits, splitSnippet, type SnippetTerminal } from "./snippet";

describe("splitSnippet", () => {
  it("gives one unit per line and drops blank lines and comments", () => {
    expect(splitSnippet("ctr -n k8s.io run -d img hog memhog 100\n\n# then\nctr -n k8s.io task ls\n")).toEqual(["ctr -n k8s.io run -d img hog memhog 100", "ctr -n k8s.io task ls"]);
  });

  it("keeps a here-document with its command, up to its delimiter (quoted, <<-, several)", () => {
    const seccomp = [
      "cat > /root/no-mkdir.json <<'JSON'",
      '{"defaultAction": "SCMP_ACT_ALLOW",',
      ' "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}',
      "JSON",
      "ctr -n k8s.io run -d --seccomp-profile /root/no-mkdir.json img nomk sleep 3604",
    ].join("\n");
    expect(splitSnippet(seccomp)).toEqual([seccomp.split("\n").slice(0, 4).join("\n"), seccomp.split("\n")[4]]);
    expect(splitSnippet('cat <<"EOF"\nJSON\nEOF\necho after')).toEqual(['cat <<"EOF"\nJSON\nEOF', "echo after"]);
    expect(splitSnippet("cat <<-END\n\tindented\n\tEND\nls")).toEqual(["cat <<-END\n\tindented\n\tEND", "ls"]);
    expect(splitSnippet("paste <<A <<B\n1\nA\n2\nB\nls")).toEqual(["paste <<A <<B\n1\nA\n2\nB", "ls"]);
    // A here-document's body is text: a backslash or quote there continues nothing.
    expect(splitSnippet("cat <<EOF\nit's \\\nEOF\nls")).toEqual(["cat <<EOF\nit's \\\nEOF", "ls"]);
  });

  it("does not take a here-string, a quoted << or a comment for a here-document", () => {
    expect(splitSnippet("grep x <<< 'a x'\nls")).toEqual(["grep x <<< 'a x'", "ls"]);
    expect(splitSnippet("echo '<<EOF'\nls")).toEqual(["echo '<<EOF'", "ls"]);
    expect(splitSnippet("ls # <<EOF\npwd")).toEqual(["ls # <<EOF", "pwd"]);
  });

  it("joins lines ending in a backslash, a pipe or && / || with what follows", () => {
    expect(splitSnippet("ctr run \\\n  -d img x \\\n  sleep 1\necho done")).toEqual(["ctr run \\\n  -d img x \\\n  sleep 1", "echo done"]);
    expect(splitSnippet("echo 'a\\\\'\nls")).toEqual(["echo 'a\\\\'", "ls"]);
    expect(splitSnippet("ps aux |\n  grep sleep\nls")).toEqual(["ps aux |\n  grep sleep", "ls"]);
    expect(splitSnippet("true &&\n  echo ok\nfalse ||  # fallback\n  echo no")).toEqual(["true &&\n  echo ok", "false ||  # fallback\n  echo no"]);
  });

  it("keeps a quote that spans lines in one unit", () => {
    expect(splitSnippet("echo 'one\ntwo'\nls")).toEqual(["echo 'one\ntwo'", "ls"]);
    expect(splitSnippet('echo "a \\" b\nc"\nls')).toEqual(['echo "a \\" b\nc"', "ls"]);
  });

  it("keeps a here-document whose command goes on after the delimiter", () => {
    expect(splitSnippet("cat <<EOF |\nx\nEOF\n  wc -l\nls")).toEqual(["cat <<EOF |\nx\nEOF\n  wc -l", "ls"]);
  });
});

describe("looksLikePrompt", () => {
  it("knows the node's prompt in any directory, and bash's continuation prompt", () => {
    expect(looksLikePrompt("root@node-1a2b3c:~# ")).toBe(true);
    expect(looksLikePrompt("root@node-1a2b3c:/sys/fs/cgroup/k8s.io# ")).toBe(true);
    expect(looksLikePrompt("learner@lab-x-control-plane:/tmp$ ")).toBe(true);
    expect(looksLikePrompt("> ")).toBe(true);
  });

  it("is not fooled by a command line or output", () => {
    expect(looksLikePrompt("root@node-1a2b3c:~# sleep 2")).toBe(false);
    expect(looksLikePrompt("")).toBe(false);
    expect(looksLikePrompt("hog  12345  RUNNING")).toBe(false);
    expect(looksLikePrompt("root@node-1a2b3c:~#")).toBe(false);
  });
});

describe("runUnits", () => {
  it("sends a unit only after the prompt came back for the previous one", async () => {
    const log: string[] = [];
    const terminal: SnippetTerminal = {
      send: (u) => log.push(`send ${u}`),
      waitForPrompt: async () => {
        log.push("wait");
        return "prompt";
      },
    };
    const progress: number[] = [];
    await runUnits(["a", "b", "c"], terminal, new AbortController().signal, (i) => progress.push(i));
    expect(log).toEqual(["send a", "wait", "send b", "wait", "send c"]);
    expect(progress).toEqual([0, 1, 2]);
  });

  it("goes on after a timeout and stops when aborted", async () => {
    const sent: string[] = [];
    const controller = new AbortController();
    const terminal: SnippetTerminal = {
      send: (u) => sent.push(u),
      waitForPrompt: async () => {
        if (sent.length === 2) controller.abort();
        return "timeout";
      },
    };
    await runUnits(["a", "b", "c"], terminal, controller.signal);
    expect(sent).toEqual(["a", "b"]);
  });
});
