/**
 * Which address ranges a worker network may use. A network inside a range the platform reserves (link-local
 * 169.254.0.0/16, where the metadata endpoints live; loopback; multicast; "this network"; the reserved class E) is
 * refused: the hosts could not route it, and a worker network over the metadata range would make "metadata
 * blocked" depend on routes to the workers' own subnet. A network outside the private ranges (RFC 1918, and the
 * shared range 100.64.0.0/10 that EKS and GKE use for pods) is allowed with a warning: it shadows those public
 * addresses for the workers.
 */
import { Cidr, cidrContains, cidrOverlaps, formatCidr, mustParseCidr, parseCidr } from "./cidr";

/** Ranges a worker network must not overlap, with what they are. */
export const RESERVED_IPV4_RANGES: readonly { readonly cidr: string; readonly what: string }[] = Object.freeze([
  { cidr: "0.0.0.0/8", what: "\"this network\" (RFC 1122)" },
  { cidr: "127.0.0.0/8", what: "loopback" },
  { cidr: "169.254.0.0/16", what: "link-local, where the cloud metadata endpoints live" },
  { cidr: "192.0.0.0/24", what: "IETF protocol assignments" },
  { cidr: "224.0.0.0/4", what: "multicast" },
  { cidr: "240.0.0.0/4", what: "reserved (class E) and broadcast" },
]);

/** Ranges a worker network is expected to sit in. */
export const PRIVATE_IPV4_RANGES: readonly string[] = Object.freeze(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"]);

/** What {@link checkWorkerNetworkCidr} found: problems refuse the network, warnings are printed. */
export interface WorkerNetworkRangeCheck {
  readonly problems: string[];
  readonly warnings: string[];
}

/**
 * Checks a worker network's IPv4 CIDR against the reserved and private ranges. `field` is the name the user
 * wrote (`hardening:networkCidr`, `cidr`). A CIDR that does not parse is left to the caller's own check.
 */
export function checkWorkerNetworkCidr(field: string, cidr: string): WorkerNetworkRangeCheck {
  const parsed = parseCidr(cidr);
  if (!parsed.ok || parsed.cidr.version !== 4) return { problems: [], warnings: [] };
  const net: Cidr = parsed.cidr;
  const problems = RESERVED_IPV4_RANGES.filter((r) => cidrOverlaps(net, mustParseCidr(r.cidr))).map(
    (r) => `${field} "${cidr}" overlaps ${r.cidr} (${r.what}); use a private range such as "10.42.0.0/16".`,
  );
  const warnings =
    problems.length === 0 && !PRIVATE_IPV4_RANGES.some((p) => cidrContains(mustParseCidr(p), net))
      ? [`${field} "${formatCidr(net)}" is not inside a private range (${PRIVATE_IPV4_RANGES.join(", ")}); the workers could not reach the public addresses it shadows.`]
      : [];
  return { problems, warnings };
}
