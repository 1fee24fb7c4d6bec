import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The node's welcome text is the first thing a learner reads. Terminals are
 * 80 columns or more on the lab page (82 on a 1,280 px screen), so no line
 * may be wider than 80, or it wraps mid-word.
 */
describe("the node's welcome text (images/node/rootfs/etc/motd)", () => {
  const motd = fs.readFileSync(path.resolve(__dirname, "../../images/node/rootfs/etc/motd"), "utf8");

  it("fits in 80 columns", () => {
    const wide = motd.split("\n").filter((line) => line.length > 80);
    expect(wide).toEqual([]);
  });

  it("says root in the node is not root on the host (docs/isolation.md keeps it true)", () => {
    expect(motd.replace(/\s+/g, " ")).toContain("You are root here, but not on the host.");
  });
});
