import { describe, expect, it } from "vitest";
import { markdownText } from "./markdown-text";

describe("markdownText", () => {
  it("drops the ticks of inline code and keeps what is inside literally", () => {
    expect(markdownText("Run `ctr -n k8s.io task ls`")).toBe("Run ctr -n k8s.io task ls");
    expect(markdownText("a `*not emphasis*` b")).toBe("a *not emphasis* b");
    expect(markdownText("``a ` b``")).toBe("a ` b");
  });

  it("drops emphasis, strikethrough and link syntax", () => {
    expect(markdownText("**Start** a _detached_ container, ~~twice~~ once")).toBe("Start a detached container, twice once");
    expect(markdownText("see [the docs](https://example.com/x)")).toBe("see the docs");
  });

  it("keeps plain text as it is, snake_case and stray stars included", () => {
    expect(markdownText('Run "sleep 3601" in a container called "noraw"')).toBe('Run "sleep 3601" in a container called "noraw"');
    expect(markdownText("memory.limit_in_bytes and memory_max")).toBe("memory.limit_in_bytes and memory_max");
    expect(markdownText("2 * 3 = 6")).toBe("2 * 3 = 6");
  });

  it("unescapes escaped characters", () => {
    expect(markdownText("a \\*literal\\* star")).toBe("a *literal* star");
  });
});
