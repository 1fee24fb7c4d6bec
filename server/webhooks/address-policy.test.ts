import { describe, expect, it } from "vitest";
import { blockedAddressReason, isLocalHostName } from "./address-policy";

describe("webhook destination addresses", () => {
  it.each([
    ["0.0.0.0", /unspecified/],
    ["0.1.2.3", /unspecified/],
    ["10.0.0.1", /private network address \(10\.0\.0\.0\/8\)/],
    ["10.255.255.255", /private/],
    ["100.64.0.1", /carrier-grade NAT/],
    ["100.127.255.255", /carrier-grade NAT/],
    ["127.0.0.1", /loopback/],
    ["127.255.0.9", /loopback/],
    ["169.254.169.254", /link-local .*metadata/],
    ["172.16.0.1", /private network address \(172\.16\.0\.0\/12\)/],
    ["172.31.255.255", /private/],
    ["192.168.1.1", /private network address \(192\.168\.0\.0\/16\)/],
    ["198.18.0.1", /benchmark/],
    ["224.0.0.251", /multicast/],
    ["255.255.255.255", /broadcast/],
  ])("refuses IPv4 %s", (address, reason) => {
    expect(blockedAddressReason(address)).toMatch(reason);
  });

  it.each(["1.1.1.1", "8.8.8.8", "93.184.216.34", "100.63.255.255", "100.128.0.0", "172.15.255.255", "172.32.0.0", "169.253.255.255", "192.167.1.1", "9.255.255.255", "11.0.0.0", "223.255.255.255"])(
    "allows public IPv4 %s",
    (address) => {
      expect(blockedAddressReason(address)).toBeNull();
    },
  );

  it.each([
    ["::", /unspecified/],
    ["::1", /loopback/],
    ["0:0:0:0:0:0:0:1", /loopback/],
    ["fc00::1", /unique local/],
    ["fd12:3456:789a::1", /unique local/],
    ["fe80::1", /link-local/],
    ["fe80::1%eth0", /link-local/],
    ["febf:ffff::1", /link-local/],
    ["fec0::1", /site-local/],
    ["ff02::1", /multicast/],
    ["64:ff9b:1::a", /local-use NAT64/],
  ])("refuses IPv6 %s", (address, reason) => {
    expect(blockedAddressReason(address)).toMatch(reason);
  });

  it.each([
    ["::ffff:127.0.0.1", /loopback .*written as IPv6/],
    ["::ffff:7f00:1", /loopback/],
    ["[::ffff:169.254.169.254]", /metadata/],
    ["::ffff:a00:1", /private network address \(10/],
    ["0:0:0:0:0:ffff:192.168.0.1", /192\.168/],
    ["::127.0.0.1", /loopback/], // IPv4-compatible (deprecated)
    ["64:ff9b::10.0.0.1", /private/], // NAT64 of a private address
    ["2002:7f00:1::", /loopback/], // 6to4 of 127.0.0.1
    ["2002:c0a8:101::1", /192\.168/],
  ])("refuses IPv4 inside IPv6: %s", (address, reason) => {
    expect(blockedAddressReason(address)).toMatch(reason);
  });

  it.each(["2606:4700:4700::1111", "2001:db8::1", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1", "fbff::1", "fe7f::1", "fe00::1"])("allows public IPv6 %s", (address) => {
    expect(blockedAddressReason(address)).toBeNull();
  });

  it("refuses text that is not an address (names are resolved first)", () => {
    expect(blockedAddressReason("example.com")).toBe("not an IP address");
    expect(blockedAddressReason("127.1")).toBe("not an IP address");
  });

  it("knows the names that always mean this machine", () => {
    for (const name of ["localhost", "LOCALHOST", "localhost.", "api.localhost", "localhost.localdomain", "ip6-localhost"]) expect(isLocalHostName(name)).toBe(true);
    for (const name of ["localhost.example.com", "mylocalhost", "example.com"]) expect(isLocalHostName(name)).toBe(false);
  });
});
