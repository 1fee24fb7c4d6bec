import net from "node:net";

/**
 * Which network addresses a webhook may be delivered to. The platform's
 * server sends these requests to a URL an instructor chose, so without this
 * an instructor could make it call loopback services, the cloud metadata
 * endpoint (169.254.169.254) or hosts on the operator's private network, and
 * read bits of the answers in the deliveries table (SSRF). Addresses that
 * only make sense inside a network are refused unless the operator sets
 * WEBHOOK_ALLOW_PRIVATE_TARGETS=1. No Node imports beyond `net`, no I/O:
 * unit-testable as a table.
 */

interface Range {
  /** The network's address as a number: 32 bits for IPv4, 128 for IPv6. */
  base: bigint;
  bits: number;
  /** What the range is, completing "it is ...". */
  kind: string;
}

const IPV4_RANGES: Range[] = [
  v4("0.0.0.0", 8, "an unspecified (0.0.0.0/8) address, which reaches this machine"),
  v4("10.0.0.0", 8, "a private network address (10.0.0.0/8)"),
  v4("100.64.0.0", 10, "a carrier-grade NAT address (100.64.0.0/10)"),
  v4("127.0.0.0", 8, "a loopback address (127.0.0.0/8)"),
  v4("169.254.0.0", 16, "a link-local address (169.254.0.0/16, where cloud metadata services answer)"),
  v4("172.16.0.0", 12, "a private network address (172.16.0.0/12)"),
  v4("192.0.0.0", 24, "a reserved protocol address (192.0.0.0/24)"),
  v4("192.168.0.0", 16, "a private network address (192.168.0.0/16)"),
  v4("198.18.0.0", 15, "a network-benchmark address (198.18.0.0/15)"),
  v4("224.0.0.0", 4, "a multicast address (224.0.0.0/4)"),
  v4("240.0.0.0", 4, "a reserved or broadcast address (240.0.0.0/4)"),
];

const IPV6_RANGES: Range[] = [
  v6("::", 128, "the unspecified address (::)"),
  v6("::1", 128, "a loopback address (::1)"),
  v6("64:ff9b:1::", 48, "a local-use NAT64 address (64:ff9b:1::/48)"),
  v6("fc00::", 7, "a unique local (private) address (fc00::/7)"),
  v6("fe80::", 10, "a link-local address (fe80::/10)"),
  v6("fec0::", 10, "a site-local address (fec0::/10)"),
  v6("ff00::", 8, "a multicast address (ff00::/8)"),
];

/**
 * IPv6 ranges that carry an IPv4 address: what they reach is decided by the
 * IPv4 address inside (`::ffff:127.0.0.1` is loopback). `shift` is where the
 * 32 bits of IPv4 sit, counted from the right.
 */
const IPV4_CARRIERS: { base: bigint; bits: number; shift: number }[] = [
  { base: parseIpv6("::ffff:0:0")!, bits: 96, shift: 0 }, // IPv4-mapped
  { base: 0n, bits: 96, shift: 0 }, // IPv4-compatible (deprecated); :: and ::1 are matched first
  { base: parseIpv6("64:ff9b::")!, bits: 96, shift: 0 }, // NAT64 well-known prefix
  { base: parseIpv6("2002::")!, bits: 16, shift: 80 }, // 6to4
];

/**
 * Why `address` (a literal IPv4 or IPv6 address) may not receive webhooks,
 * completing the sentence "it is ...", or null when it may. Text that is not
 * an IP address is refused too (callers pass resolved addresses).
 */
export function blockedAddressReason(address: string): string | null {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const family = net.isIP(bare);
  if (family === 4) return matchIpv4(parseIpv4(bare)!);
  if (family === 6) {
    const value = parseIpv6(bare);
    if (value === null) return "not an address Runtime Labs can check";
    for (const r of IPV6_RANGES) if (inRange(value, r.base, r.bits, 128)) return r.kind;
    for (const c of IPV4_CARRIERS) {
      if (inRange(value, c.base, c.bits, 128)) {
        const inner = matchIpv4((value >> BigInt(c.shift)) & 0xffffffffn);
        if (inner) return `${inner}, written as IPv6`;
      }
    }
    return null;
  }
  return "not an IP address";
}

/** Host names that mean this machine whatever DNS says (RFC 6761 reserves `localhost` and `*.localhost`). */
export function isLocalHostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.+$/, "");
  return name === "localhost" || name.endsWith(".localhost") || name === "localhost.localdomain" || name === "ip6-localhost" || name === "ip6-loopback";
}

function matchIpv4(value: bigint): string | null {
  for (const r of IPV4_RANGES) if (inRange(value, r.base, r.bits, 32)) return r.kind;
  return null;
}

function inRange(value: bigint, base: bigint, bits: number, width: number): boolean {
  const shift = BigInt(width - bits);
  return value >> shift === base >> shift;
}

function v4(address: string, bits: number, kind: string): Range {
  return { base: parseIpv4(address)!, bits, kind };
}

function v6(address: string, bits: number, kind: string): Range {
  return { base: parseIpv6(address)!, bits, kind };
}

/** Dotted-quad IPv4 to a 32-bit number; null when it is not one. */
function parseIpv4(text: string): bigint | null {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

/** IPv6 text (with `::` and an optional dotted IPv4 tail) to a 128-bit number; null when it is not one. */
function parseIpv6(text: string): bigint | null {
  let tail: bigint[] = [];
  const lastColon = text.lastIndexOf(":");
  let head = text;
  if (text.includes(".")) {
    const v4part = parseIpv4(text.slice(lastColon + 1));
    if (v4part === null) return null;
    tail = [v4part >> 16n, v4part & 0xffffn];
    // Drop the colon before the IPv4 part, unless it belongs to a "::" ("::1.2.3.4").
    head = text.slice(0, lastColon + 1);
    if (!head.endsWith("::")) head = head.slice(0, -1);
  }
  const halves = head.split("::");
  if (halves.length > 2) return null;
  const split = (s: string) => (s === "" ? [] : s.split(":"));
  const left = split(halves[0]!);
  const right = halves.length === 2 ? split(halves[1]!) : [];
  const known = left.length + right.length + tail.length;
  if (halves.length === 1 ? known !== 8 : known > 7) return null;
  const groups = [...left, ...Array<string>(8 - known).fill("0"), ...right];
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  const words = [...groups.map((g) => BigInt(parseInt(g, 16))), ...tail];
  return words.reduce((acc, w) => (acc << 16n) | w, 0n);
}
