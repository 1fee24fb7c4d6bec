import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { discardDraft, readDraft } from "./use-draft";

/** A browser's localStorage, as far as drafts use it. */
function fakeStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (k) => items.get(k) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (k) => void items.delete(k),
    setItem: (k, v) => void items.set(k, String(v)),
  };
}

describe("drafts", () => {
  beforeEach(() => {
    Object.defineProperty(globalThis, "localStorage", { value: fakeStorage(), configurable: true });
  });
  afterEach(() => {
    Reflect.deleteProperty(globalThis, "localStorage");
  });

  it("reads a draft kept for the lab, and forgets it", () => {
    const draft = { text: "---\ntitle: x\n", base: 3, savedAt: "2026-01-01T00:00:00.000Z" };
    localStorage.setItem("runtime-labs:lab-draft:my-lab", JSON.stringify(draft));
    expect(readDraft("my-lab")).toEqual(draft);
    expect(readDraft("other-lab")).toBeNull();
    discardDraft("my-lab");
    expect(readDraft("my-lab")).toBeNull();
  });

  it("ignores what is not a draft (another version of the page, a hand edit)", () => {
    localStorage.setItem("runtime-labs:lab-draft:a", "{not json");
    localStorage.setItem("runtime-labs:lab-draft:b", JSON.stringify({ text: 42, base: 1, savedAt: "x" }));
    localStorage.setItem("runtime-labs:lab-draft:c", "null");
    expect(readDraft("a")).toBeNull();
    expect(readDraft("b")).toBeNull();
    expect(readDraft("c")).toBeNull();
  });

  it("survives a browser that refuses storage", () => {
    Object.defineProperty(globalThis, "localStorage", {
      configurable: true,
      get() {
        throw new Error("SecurityError");
      },
    });
    expect(readDraft("my-lab")).toBeNull();
    expect(() => discardDraft("my-lab")).not.toThrow();
  });
});
