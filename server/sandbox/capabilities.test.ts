import { describe, expect, it } from "vitest";
import { capabilityMask, decodeCapabilities } from "./capabilities";

describe("capabilities", () => {
  it("decodes a /proc status mask (the node's measured set)", () => {
    expect(decodeCapabilities("00000000a82435fb")).toEqual([
      "CHOWN",
      "DAC_OVERRIDE",
      "FOWNER",
      "FSETID",
      "KILL",
      "SETGID",
      "SETUID",
      "SETPCAP",
      "NET_BIND_SERVICE",
      "NET_ADMIN",
      "NET_RAW",
      "SYS_CHROOT",
      "SYS_ADMIN",
      "MKNOD",
      "AUDIT_WRITE",
      "SETFCAP",
    ]);
    expect(decodeCapabilities("0000000000000000")).toEqual([]);
    expect(decodeCapabilities("0000020000000000")).toEqual(["CAP_41"]);
  });

  it("reads a field from status text", () => {
    expect(capabilityMask("Name:\tx\nCapBnd:\t000001ffffffffff\n", "CapBnd")).toBe("000001ffffffffff");
    expect(() => capabilityMask("Name: x", "CapEff")).toThrow();
  });
});
