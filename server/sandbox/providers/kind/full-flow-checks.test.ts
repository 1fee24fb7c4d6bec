import { describe, expect, it } from "vitest";
import { checkSchema } from "../../../checks/schema";
import { GVISOR_POD_CHECK, OOM_POD_CHECK } from "./full-flow-checks";

describe("the kind full flow's checks", () => {
  it("parse with the real schema (they run only where kind does)", () => {
    for (const c of [OOM_POD_CHECK, GVISOR_POD_CHECK]) expect(checkSchema.safeParse(c).success, JSON.stringify(c)).toBe(true);
  });
});
