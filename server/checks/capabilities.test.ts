import { describe, expect, it } from "vitest";
import { CAPABILITY_NAMES, decodeCapabilities, normaliseCapabilityName } from "./capabilities";

describe("capabilities", () => {
  it("has the 41 capabilities of linux/capability.h in order", () => {
    expect(CAPABILITY_NAMES).toHaveLength(41);
    expect(CAPABILITY_NAMES[12]).toBe("CAP_NET_ADMIN");
    expect(CAPABILITY_NAMES[13]).toBe("CAP_NET_RAW");
    expect(CAPABILITY_NAMES[21]).toBe("CAP_SYS_ADMIN");
    expect(CAPABILITY_NAMES[40]).toBe("CAP_CHECKPOINT_RESTORE");
  });

  it("decodes containerd's default set (CapEff of a nested container, seen live)", () => {
    expect(decodeCapabilities("00000000a80425fb")).toEqual([
      "CAP_CHOWN",
      "CAP_DAC_OVERRIDE",
      "CAP_FOWNER",
      "CAP_FSETID",
      "CAP_KILL",
      "CAP_SETGID",
      "CAP_SETUID",
      "CAP_SETPCAP",
      "CAP_NET_BIND_SERVICE",
      "CAP_NET_RAW",
      "CAP_SYS_CHROOT",
      "CAP_MKNOD",
      "CAP_AUDIT_WRITE",
      "CAP_SETFCAP",
    ]);
  });

  it("decodes empty and full masks, naming unknown bits by number", () => {
    expect(decodeCapabilities("0000000000000000")).toEqual([]);
    expect(decodeCapabilities("000001ffffffffff")).toEqual(CAPABILITY_NAMES);
    expect(decodeCapabilities("0000020000000000")).toEqual(["CAP_41"]);
    expect(() => decodeCapabilities("xyz")).toThrow();
  });

  it("accepts names with or without CAP_, any case", () => {
    expect(normaliseCapabilityName("net_admin")).toBe("CAP_NET_ADMIN");
    expect(normaliseCapabilityName("CAP_SYS_ADMIN")).toBe("CAP_SYS_ADMIN");
    expect(normaliseCapabilityName("CAP_FLY")).toBeNull();
  });
});
