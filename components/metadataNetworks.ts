/**
 * The catalogue as networks: what every allow rule must exclude. Derived from endpoints.ts so that adding an
 * endpoint there changes every carve-out, NetworkPolicy `except` and firewall rule at once.
 */
import { Cidr, cidrContains, formatCidr, hostCidr, mustParseCidr } from "./cidr";
import { DENIED_RANGES, METADATA_ENDPOINTS } from "./endpoints";

/** A network workloads must never reach, with the reason shown in reports and errors. */
export interface MetadataNetwork {
  /** Canonical CIDR. */
  readonly cidr: string;
  /** Parsed form of `cidr`. */
  readonly parsed: Cidr;
  /** Why it is denied: the range's description or the endpoint ids it holds. */
  readonly why: string;
}

function build(): MetadataNetwork[] {
  const ranges = DENIED_RANGES.map((r) => ({ cidr: r.cidr, parsed: mustParseCidr(r.cidr), why: r.why }));
  const singles = new Map<string, MetadataNetwork>();
  for (const endpoint of METADATA_ENDPOINTS) {
    for (const address of endpoint.addresses) {
      const parsed = hostCidr(address);
      // An address inside a range denied wholesale needs no entry of its own: the range already excludes it.
      if (ranges.some((r) => cidrContains(r.parsed, parsed))) continue;
      const cidr = formatCidr(parsed);
      const known = singles.get(cidr);
      singles.set(cidr, { cidr, parsed, why: known ? `${known.why}, ${endpoint.id}` : endpoint.id });
    }
  }
  return [...ranges, ...singles.values()];
}

/**
 * Every network workloads must never reach, minimal (no entry inside another), IPv4 first, in catalogue order:
 * `169.254.0.0/16`, `fe80::/10`, then single addresses outside those ranges (`100.100.100.200/32`,
 * `168.63.129.16/32`, `fd00:ec2::254/128`, ...).
 */
export const METADATA_NETWORKS: readonly MetadataNetwork[] = Object.freeze(
  build().sort((a, b) => a.parsed.version - b.parsed.version),
);

/** The metadata networks of one IP family, as canonical CIDR strings. */
export function metadataCidrs(version?: 4 | 6): string[] {
  return METADATA_NETWORKS.filter((n) => version === undefined || n.parsed.version === version).map((n) => n.cidr);
}

/** How an allowed network relates to the metadata networks. */
export interface CarveOut {
  /** Metadata networks wholly inside the allowed network: exclude them (`except`). */
  readonly except: string[];
  /** Metadata networks that contain or equal the allowed network: the rule names a metadata destination; refuse it. */
  readonly inside: MetadataNetwork[];
}

/**
 * What must be excluded from an allowed network. A CIDR rule either contains a metadata network (carve it out)
 * or lies inside one, or is one (refuse it); two CIDRs cannot otherwise overlap.
 */
export function carveOutFor(allowed: Cidr): CarveOut {
  const except: string[] = [];
  const inside: MetadataNetwork[] = [];
  for (const network of METADATA_NETWORKS) {
    // Containment is tested this way round first so that a rule equal to a metadata network is refused.
    if (cidrContains(network.parsed, allowed)) inside.push(network);
    else if (cidrContains(allowed, network.parsed)) except.push(network.cidr);
  }
  return { except, inside };
}
