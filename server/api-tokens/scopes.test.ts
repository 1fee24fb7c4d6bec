import { describe, expect, it } from "vitest";
import { parseField } from "../fields";
import { knownScopes, missingScopeSentence, tokenScopes } from "./scopes";

describe("token scopes", () => {
  it("are read, labs or both, once each and in one order", () => {
    expect(parseField(tokenScopes, ["read"])).toEqual(["read"]);
    expect(parseField(tokenScopes, ["labs"])).toEqual(["labs"]);
    expect(parseField(tokenScopes, ["labs", "read", "labs"])).toEqual(["read", "labs"]);
  });

  it("refuse an empty list, unknown scopes and other shapes with a sentence", () => {
    expect(() => parseField(tokenScopes, [])).toThrow("Give the token at least one scope: read (results and grades), labs (push and pull labs) or both.");
    expect(() => parseField(tokenScopes, ["read", "write"])).toThrow('"write" is not a token scope: choose read, labs or both.');
    expect(() => parseField(tokenScopes, "read")).toThrow('The token\'s scopes must be a list, like ["read"].');
    expect(() => parseField(tokenScopes, Array(20).fill("read"))).toThrow("A token has at most two scopes: read and labs.");
  });

  it("read from a row keep only the ones this version knows", () => {
    expect(knownScopes(["labs", "admin", "read"])).toEqual(["read", "labs"]);
    expect(knownScopes([])).toEqual([]);
  });

  it("name the scope a refused token needs and where to get one", () => {
    expect(missingScopeSentence("labs")).toBe("This token may not push or pull labs: create a token with the labs scope on your Account page.");
    expect(missingScopeSentence("read")).toBe("This token may not read results, sessions or grades: create a token with the read scope on your Account page.");
  });
});
