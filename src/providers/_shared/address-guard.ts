import net from "node:net";
import ipaddr from "ipaddr.js";

/**
 * Which addresses a provider may have: public ones. The classification the outbound guard
 * (outbound.ts) applies to every connection, and the base URL checks of the account form.
 */

/** `true`: no guard (simulators, tests). A list: the guard, with these private CIDR ranges allowed. */
export type PrivateAllowance = true | readonly string[];

/** Parses HOSTOPS_ALLOW_PRIVATE_PROVIDER_URLS: unset/0/false = guard, 1/true = none, else CIDR list. */
export function parsePrivateAllowance(raw: string | undefined): PrivateAllowance | { error: string } {
  const v = (raw ?? "").trim();
  if (v === "" || /^(0|false|no|off)$/i.test(v)) return [];
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  const ranges: string[] = [];
  for (const part of v.split(",").map((p) => p.trim())) {
    if (!part) continue;
    const cidr = part.includes("/") ? part : `${part}/${net.isIPv6(part) ? 128 : 32}`;
    try {
      ipaddr.parseCIDR(cidr);
    } catch {
      return { error: `"${part.slice(0, 40)}" is not an IP address or CIDR range` };
    }
    ranges.push(cidr);
  }
  return ranges;
}

type Parsed = ipaddr.IPv4 | ipaddr.IPv6;
type Range = [Parsed, number];
const cidrs = (list: string[]): Range[] => list.map((c) => ipaddr.parseCIDR(c) as Range);

/**
 * IPv4 ranges that are not a public provider (IANA special-purpose registry, RFC 6890 and
 * successors): this network, private, shared (CGN), loopback, link-local (cloud metadata),
 * protocol assignments, documentation, 6to4 relay, benchmarking, multicast, reserved, broadcast.
 */
const BLOCKED_V4: { name: string; ranges: Range[] }[] = [
  { name: "an unspecified (0.0.0.0/8)", ranges: cidrs(["0.0.0.0/8"]) },
  { name: "a loopback", ranges: cidrs(["127.0.0.0/8"]) },
  { name: "a private", ranges: cidrs(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]) },
  { name: "a shared (100.64.0.0/10)", ranges: cidrs(["100.64.0.0/10"]) },
  { name: "a link-local", ranges: cidrs(["169.254.0.0/16"]) },
  { name: "a multicast", ranges: cidrs(["224.0.0.0/4"]) },
  {
    name: "a reserved",
    ranges: cidrs([
      "192.0.0.0/24",
      "192.0.2.0/24",
      "192.88.99.0/24",
      "198.18.0.0/15",
      "198.51.100.0/24",
      "203.0.113.0/24",
      "240.0.0.0/4",
    ]),
  },
];

/**
 * IPv6: only global unicast (2000::/3) is a provider, minus its special-purpose blocks; the forms
 * that carry an IPv4 address (mapped ::ffff:0:0/96, NAT64 64:ff9b::/96, 6to4 2002::/16) are
 * judged by that address. Everything else (::, ::1, fc00::/7, fe80::/10, ff00::/8, IPv4-compatible
 * ::/96, local NAT64 64:ff9b:1::/48, discard 100::/64, …) is outside 2000::/3 and refused.
 */
const GLOBAL_V6 = cidrs(["2000::/3"]);
const BLOCKED_V6: { name: string; ranges: Range[] }[] = [
  {
    name: "a reserved",
    // IETF protocol assignments incl. Teredo (2001::/23), documentation (2001:db8::/32, 3fff::/20),
    // SRv6 SIDs (5f00::/16).
    ranges: cidrs(["2001::/23", "2001:db8::/32", "3fff::/20", "5f00::/16"]),
  },
];
const V6_NAMES: { name: string; ranges: Range[] }[] = [
  { name: "an unspecified", ranges: cidrs(["::/128"]) },
  { name: "a loopback", ranges: cidrs(["::1/128"]) },
  { name: "a private (unique local)", ranges: cidrs(["fc00::/7"]) },
  { name: "a link-local", ranges: cidrs(["fe80::/10", "fec0::/10"]) },
  { name: "a multicast", ranges: cidrs(["ff00::/8"]) },
];
const NAT64 = cidrs(["64:ff9b::/96"]);
const SIX_TO_FOUR = cidrs(["2002::/16"]);

const inAny = (addr: Parsed, ranges: Range[]) =>
  ranges.some(([net, bits]) => addr.kind() === net.kind() && addr.match(net, bits));

function v4From(bytes: number[], at: number): ipaddr.IPv4 {
  return new ipaddr.IPv4(bytes.slice(at, at + 4));
}

/**
 * Why an address is not a public provider address ("a loopback", "a private", …), or undefined
 * when it is public. Not an IP address at all: "an invalid".
 */
export function blockedKind(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (!ipaddr.isValid(bare) || net.isIP(bare) === 0) return "an invalid";
  const addr = ipaddr.parse(bare);
  if (addr.kind() === "ipv4") return v4Kind(addr as ipaddr.IPv4);
  const v6 = addr as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v4Kind(v6.toIPv4Address());
  const bytes = v6.toByteArray();
  if (inAny(v6, NAT64)) return v4Kind(v4From(bytes, 12));
  if (inAny(v6, SIX_TO_FOUR)) return v4Kind(v4From(bytes, 2));
  for (const b of [...V6_NAMES, ...BLOCKED_V6]) if (inAny(v6, b.ranges)) return b.name;
  if (!inAny(v6, GLOBAL_V6)) return "a reserved";
  return undefined;
}

function v4Kind(addr: ipaddr.IPv4): string | undefined {
  for (const b of BLOCKED_V4) if (inAny(addr, b.ranges)) return b.name;
  return undefined;
}

/** Refused by the guard under `allow` (an allowed CIDR lets a private address through). */
export function refusedKind(address: string, allow: PrivateAllowance): string | undefined {
  if (allow === true) return undefined;
  const kind = blockedKind(address);
  if (!kind || allow.length === 0) return kind;
  const addr = ipaddr.process(address.replace(/^\[|\]$/g, "").replace(/%.*$/, ""));
  for (const c of allow) {
    const [net, bits] = ipaddr.parseCIDR(c);
    if (addr.kind() === net.kind() && addr.match(net, bits)) return undefined;
  }
  return kind;
}

/**
 * What is wrong with a provider base URL before anything is resolved: not http(s), a user name or
 * password in it, or a literal IP address the guard refuses. Undefined when it may be tried.
 */
export function baseUrlProblem(url: string, allow: PrivateAllowance): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "is not a valid URL";
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return "must start with https:// (or http://)";
  if (u.username || u.password)
    return "must not contain a user name or password: credentials go in their own fields";
  const host = u.hostname.replace(/^\[|\]$/g, "");
  if (net.isIP(host)) {
    const kind = refusedKind(host, allow);
    if (kind) return `points to ${kind} address (${u.hostname}); provider APIs are on public addresses`;
  }
  return undefined;
}
