import { describe, expect, it } from "vitest";
import { newJoinCode } from "./service";

describe("join codes", () => {
  it("are 10 characters from an alphabet without look-alikes", () => {
    for (let i = 0; i < 200; i++) expect(newJoinCode()).toMatch(/^[2-9a-hjkmnp-z]{10}$/);
  });

  it("do not repeat across many draws", () => {
    const codes = new Set(Array.from({ length: 5000 }, newJoinCode));
    expect(codes.size).toBe(5000);
  });
});
