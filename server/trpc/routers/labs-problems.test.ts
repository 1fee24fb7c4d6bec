import { describe, expect, it } from "vitest";
import type { CatalogStatus } from "../../labs/report";
import type { Services } from "../../services";
import type { SessionUser } from "../../auth/principal";
import { createContextInner } from "../context";
import { createCaller } from "../root";

// labs.problems: broken labs with their located problems, for instructors
// and admins only (the problems quote lab files, which hold solutions).
const status: CatalogStatus = {
  served: 9,
  broken: [{ slug: "alias-bomb", file: "labs/alias-bomb/lab.md", problems: [{ line: 9, column: 24, message: "too many YAML aliases" }] }],
  other: [],
};
const services = { labs: { freshStatus: async () => status } } as unknown as Services;
const as = (role: SessionUser["role"] | null) => createCaller(createContextInner({ services, user: role ? { id: `u-${role}`, email: `${role}@example.com`, name: role, role } : null }));

describe("labs.problems", () => {
  it("gives instructors and admins every broken lab with its problems", async () => {
    expect(await as("instructor").labs.problems()).toEqual(status);
    expect(await as("admin").labs.problems()).toEqual(status);
  });

  it("refuses learners and anonymous callers", async () => {
    await expect(as("learner").labs.problems()).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(as(null).labs.problems()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
