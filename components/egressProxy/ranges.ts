/**
 * The address ranges the egress proxy refuses after resolving a destination: every range that is not globally
 * reachable (private, loopback, link-local, shared, multicast, reserved), minus what the allow-list lists as a
 * CIDR, plus the catalogued metadata networks, which no listed CIDR can reopen. Pure BigInt arithmetic.
 */
import { Cidr, cidrContains, formatCidr, mustParseCidr, sizeOf } from "../cidr";
import { METADATA_NETWORKS } from "../metadataNetworks";

/** A range the proxy refuses unless the allow-list lists a CIDR over it. */
export interface InternalRange {
  /** Canonical CIDR. */
  readonly cidr: string;
  /** What it is, for the rendered configuration's comments. */
  readonly why: string;
}

/**
 * Ranges that are not globally reachable, from the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC
 * 6890 and its updates; "Globally Reachable: False"), plus multicast (RFC 5771, RFC 4291) and the IPv4 reserved
 * block (RFC 1112): a forward proxy has no business connecting to any of them on a workload's behalf.
 * IPv4-mapped IPv6 (`::ffff:0:0/96`) is not listed: Squid stores IPv4 addresses in that form and checks a mapped
 * destination against the IPv4 entries (the real-proxy test checks `[::ffff:169.254.169.254]`).
 */
export const INTERNAL_RANGES: readonly InternalRange[] = [
  { cidr: "0.0.0.0/8", why: "\"this network\" (RFC 791)" },
  { cidr: "10.0.0.0/8", why: "private (RFC 1918)" },
  { cidr: "100.64.0.0/10", why: "shared address space, carrier-grade NAT (RFC 6598)" },
  { cidr: "127.0.0.0/8", why: "loopback (RFC 1122)" },
  { cidr: "169.254.0.0/16", why: "link-local (RFC 3927)" },
  { cidr: "172.16.0.0/12", why: "private (RFC 1918)" },
  { cidr: "192.0.0.0/24", why: "IETF protocol assignments (RFC 6890)" },
  { cidr: "192.0.2.0/24", why: "documentation, TEST-NET-1 (RFC 5737)" },
  { cidr: "192.168.0.0/16", why: "private (RFC 1918)" },
  { cidr: "198.18.0.0/15", why: "benchmarking (RFC 2544)" },
  { cidr: "198.51.100.0/24", why: "documentation, TEST-NET-2 (RFC 5737)" },
  { cidr: "203.0.113.0/24", why: "documentation, TEST-NET-3 (RFC 5737)" },
  { cidr: "224.0.0.0/4", why: "multicast (RFC 5771)" },
  { cidr: "240.0.0.0/4", why: "reserved and limited broadcast (RFC 1112, RFC 919)" },
  { cidr: "::/128", why: "unspecified address (RFC 4291)" },
  { cidr: "::1/128", why: "loopback (RFC 4291)" },
  { cidr: "64:ff9b:1::/48", why: "local-use IPv4/IPv6 translation (RFC 8215)" },
  { cidr: "100::/64", why: "discard-only (RFC 6666)" },
  { cidr: "2001:db8::/32", why: "documentation (RFC 3849)" },
  { cidr: "fc00::/7", why: "unique local (RFC 4193)" },
  { cidr: "fe80::/10", why: "link-local (RFC 4291)" },
  { cidr: "fec0::/10", why: "deprecated site-local (RFC 3879)" },
  { cidr: "ff00::/8", why: "multicast (RFC 4291)" },
];

/** The NAT64 well-known prefix (RFC 6052): `64:ff9b::a.b.c.d` reaches IPv4 `a.b.c.d` through a NAT64 gateway. */
export const NAT64_WELL_KNOWN_PREFIX = "64:ff9b::/96";

/** `outer` minus `inner`, as the minimal list of CIDRs (the halves of `outer` down to `inner`'s size). */
function subtractOne(outer: Cidr, inner: Cidr): Cidr[] {
  if (cidrContains(inner, outer)) return [];
  // Two networks either nest or do not meet at all.
  if (!cidrContains(outer, inner)) return [outer];
  // outer strictly contains inner: split in halves, keep the half without inner whole, recurse into the other.
  const prefix = outer.prefix + 1;
  const half = sizeOf({ ...outer, prefix });
  const low: Cidr = { version: outer.version, first: outer.first, prefix };
  const high: Cidr = { version: outer.version, first: outer.first + half, prefix };
  return cidrContains(low, inner) ? [...subtractOne(low, inner), high] : [low, ...subtractOne(high, inner)];
}

/** Every address of `from` that is in none of `remove`, as CIDRs sorted by family then address. */
export function subtractCidrs(from: readonly Cidr[], remove: readonly Cidr[]): Cidr[] {
  let rest = [...from];
  for (const r of remove) rest = rest.flatMap((c) => subtractOne(c, r));
  return minimalCidrs(rest);
}

/** The same addresses with no entry inside another, sorted by family then address. */
export function minimalCidrs(cidrs: readonly Cidr[]): Cidr[] {
  const sorted = [...cidrs].sort((a, b) => a.version - b.version || (a.first < b.first ? -1 : a.first > b.first ? 1 : a.prefix - b.prefix));
  const out: Cidr[] = [];
  for (const c of sorted) if (!out.some((o) => cidrContains(o, c))) out.push(c);
  return out;
}

/** The NAT64 well-known-prefix network that embeds an IPv4 network (`169.254.0.0/16` -> `64:ff9b::a9fe:0/112`). */
export function nat64Of(v4: Cidr): Cidr {
  const prefix = mustParseCidr(NAT64_WELL_KNOWN_PREFIX);
  return { version: 6, first: prefix.first + v4.first, prefix: 96 + v4.prefix };
}

/**
 * The proxy host's own addresses whatever the host: loopback and "this host" (`0.0.0.0/8`, `::/128`, which Linux
 * delivers to local listeners). A listed network never reopens them: a request there reaches the proxy host's own
 * services (Squid's manager, the node's agents), never a workload's destination.
 */
export const PROXY_SELF_RANGES: readonly string[] = ["0.0.0.0/8", "127.0.0.0/8", "::/128", "::1/128"];

/**
 * The destinations the proxy refuses after resolution for IP-literal requests: {@link INTERNAL_RANGES} minus the
 * `allowed` networks, plus every catalogued metadata network (METADATA_NETWORKS; a listed CIDR never reopens one),
 * plus the proxy's own addresses ({@link PROXY_SELF_RANGES} and `own`, which a listed CIDR never reopens either),
 * plus the NAT64 embedding of every refused IPv4 network, so `64:ff9b::a9fe:a9fe` is refused like 169.254.169.254.
 * Minimal and sorted: IPv4 first.
 * @param own the proxy's own addresses or networks besides loopback. @default []
 */
export function forbiddenNetworks(allowed: readonly Cidr[], own: readonly Cidr[] = []): Cidr[] {
  const internal = INTERNAL_RANGES.map((r) => mustParseCidr(r.cidr));
  const open = subtractCidrs(internal, allowed);
  const self = [...PROXY_SELF_RANGES.map(mustParseCidr), ...own];
  const withMetadata = minimalCidrs([...open, ...self, ...METADATA_NETWORKS.map((n) => n.parsed)]);
  const nat64 = withMetadata.filter((c) => c.version === 4).map(nat64Of);
  return minimalCidrs([...withMetadata, ...nat64]);
}

/** {@link forbiddenNetworks} as canonical CIDR strings. */
export function forbiddenCidrs(allowed: readonly Cidr[], own: readonly Cidr[] = []): string[] {
  return forbiddenNetworks(allowed, own).map(formatCidr);
}

/**
 * The destinations refused for every request that names a host (every domain rule): all of {@link
 * INTERNAL_RANGES}, the metadata networks, the proxy's own addresses and their NAT64 forms, whatever networks the
 * allow-list lists. A CIDR rule opens IP-literal requests only; it never lets an allowed name resolve inside it,
 * or a name under an allowed wildcard would reach every private address the CIDR covers.
 * @param own the proxy's own addresses or networks besides loopback. @default []
 */
export function forbiddenForNames(own: readonly Cidr[] = []): string[] {
  return forbiddenCidrs([], own);
}
