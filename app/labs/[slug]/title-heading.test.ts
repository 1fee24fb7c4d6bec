import { describe, expect, it } from "vitest";
import { withoutTitleHeading } from "./title-heading";

describe("withoutTitleHeading", () => {
  it("drops a level-1 heading the body opens with, either style", () => {
    expect(withoutTitleHeading("# Meet your node\n\nYour node runs containerd.")).toBe("\nYour node runs containerd.");
    expect(withoutTitleHeading("\n\n# Title\ntext")).toBe("text");
    expect(withoutTitleHeading("Meet your node\n==============\n\ntext")).toBe("\ntext");
  });

  it("leaves a body that starts otherwise as written", () => {
    for (const body of ["## 1. Run it\n", "Intro text\n\n# Later heading\n", "```bash\n# a comment\n```\n", "#hashtag is not a heading\n"]) {
      expect(withoutTitleHeading(body)).toBe(body);
    }
  });
});
