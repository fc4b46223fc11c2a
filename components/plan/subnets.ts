/**
 * Subnet planning: one network CIDR into per-zone worker subnets plus the small egress and firewall subnets an
 * egress tier needs. Pure and deterministic, so a plan can be checked, diffed and property-tested without a cloud.
 *
 * Layout of the IPv4 network (fixed positions, so turning a tier on or off never moves another subnet):
 *
 *   first half     workload subnets, 4 equal slots (8 when more than 4 zones), slot i = zone i
 *   third quarter  egress subnets (NAT / public), 8 slots, slot i = zone i
 *   fourth quarter firewall-endpoint subnets, 8 slots, slot i = zone i
 *
 * Egress and firewall subnets hold only gateways and endpoints, so they are small: /24 at most, /28 at least
 * (AWS's smallest subnet). IPv6 subnets are /64s numbered by a stable index: workload 0-7, egress 8-15,
 * firewall 16-23, to be cut from the /56 a cloud assigns at creation time (see {@link ipv6SubnetCidr}).
 */
import { Cidr, formatCidr, parseCidr, sizeOf } from "../cidr";
import { checkWholeNumber, InvalidArgsError, show } from "../validation";

/** What to plan. */
export interface SubnetPlanArgs {
  /** The IPv4 network to divide, /16 to /24, e.g. `10.42.0.0/16`. */
  readonly networkCidr: string;
  /** Number of zones the workers spread over, 1 to 6. */
  readonly zoneCount: number;
  /**
   * Plan one small egress (NAT/public) subnet per zone, for egress tiers that route out.
   * @default false
   */
  readonly egressSubnets?: boolean;
  /**
   * Plan one small firewall-endpoint subnet per zone, for the `firewall` egress tier.
   * @default false
   */
  readonly firewallSubnets?: boolean;
}

/** What a subnet is for. */
export type SubnetRole = "workload" | "egress" | "firewall";

/** One planned subnet. */
export interface PlannedSubnet {
  /** Stable key for logical names: `workload-1`, `egress-2`, `firewall-1` (zone numbers are 1-based). */
  readonly key: string;
  /** What the subnet is for. */
  readonly role: SubnetRole;
  /** The zone, 0-based (an index into the cloud's list of available zones). */
  readonly zoneIndex: number;
  /** The subnet's IPv4 CIDR. */
  readonly cidr: string;
  /** Index of the subnet's /64 inside the network's IPv6 /56 (see {@link ipv6SubnetCidr}). */
  readonly ipv6Index: number;
}

/** The plan: the network and its subnets, workload first, then egress, then firewall, each by zone. */
export interface SubnetPlan {
  readonly networkCidr: string;
  readonly subnets: readonly PlannedSubnet[];
}

const MIN_PREFIX = 16;
const MAX_PREFIX = 24;
const MAX_ZONES = 6;
/** AWS refuses subnets smaller than /28; the other clouds accept them, so it is the common floor. */
const SMALLEST_SUBNET = 28;
/** Gateways and firewall endpoints need a handful of addresses; a /24 is plenty. */
const LARGEST_SMALL_SUBNET = 24;
const SMALL_SLOTS = 8;
const IPV6_ROLE_BASE: Record<SubnetRole, number> = { workload: 0, egress: 8, firewall: 16 };

/** The slot `index` of width `prefix` counted from `base`. */
function slot(base: Cidr, prefix: number, index: number): Cidr {
  return { version: base.version, first: base.first + BigInt(index) * sizeOf({ ...base, prefix }), prefix };
}

/**
 * Plans the subnets. Deterministic: the same arguments always give the same plan, and enabling egress or
 * firewall subnets never moves a workload subnet.
 *
 * @throws InvalidArgsError listing every problem (CIDR, zone count, network too small for the tier).
 */
export function planSubnets(args: SubnetPlanArgs): SubnetPlan {
  const issues: string[] = [];
  const parsed = parseCidr(String(args.networkCidr));
  if (!parsed.ok) issues.push(`networkCidr ${show(args.networkCidr)} ${parsed.reason}.`);
  else if (parsed.cidr.version !== 4) issues.push(`networkCidr ${show(args.networkCidr)} must be IPv4; IPv6 subnets are cut from the /56 the cloud assigns.`);
  else if (parsed.cidr.prefix < MIN_PREFIX || parsed.cidr.prefix > MAX_PREFIX) {
    issues.push(`networkCidr ${show(args.networkCidr)} must have a prefix from /${MIN_PREFIX} to /${MAX_PREFIX}.`);
  }
  checkWholeNumber(issues, "zoneCount", args.zoneCount, 1, MAX_ZONES);
  if (issues.length > 0) throw new InvalidArgsError(issues);

  const network = (parsed as { ok: true; cidr: Cidr }).cidr;
  const zones = args.zoneCount;
  const workloadSlots = zones <= 4 ? 4 : 8;
  const workloadPrefix = network.prefix + 1 + Math.log2(workloadSlots);
  const smallPrefix = Math.min(SMALLEST_SUBNET, Math.max(LARGEST_SMALL_SUBNET, network.prefix + 2 + Math.log2(SMALL_SLOTS)));
  const quarterSize = sizeOf({ ...network, prefix: network.prefix + 2 });
  const fit = quarterSize / sizeOf({ ...network, prefix: smallPrefix });
  const needsSmall = Boolean(args.egressSubnets) || Boolean(args.firewallSubnets);
  if (needsSmall && BigInt(zones) > fit) {
    throw new InvalidArgsError([
      `networkCidr ${show(args.networkCidr)} is too small for ${zones} zones with egress subnets: each /${smallPrefix} takes a slot of a /${network.prefix + 2} quarter that holds ${fit}; use a /${network.prefix - 1} or larger, or fewer zones.`,
    ]);
  }

  const subnets: PlannedSubnet[] = [];
  const add = (role: SubnetRole, base: Cidr, prefix: number) => {
    for (let z = 0; z < zones; z++) {
      subnets.push({ key: `${role}-${z + 1}`, role, zoneIndex: z, cidr: formatCidr(slot(base, prefix, z)), ipv6Index: IPV6_ROLE_BASE[role] + z });
    }
  };
  add("workload", network, workloadPrefix);
  if (args.egressSubnets) add("egress", { ...network, first: network.first + 2n * quarterSize }, smallPrefix);
  if (args.firewallSubnets) add("firewall", { ...network, first: network.first + 3n * quarterSize }, smallPrefix);
  return { networkCidr: formatCidr(network), subnets };
}

/**
 * The /64 with the given index inside an IPv6 /56 (or any network of prefix up to /64), e.g.
 * `ipv6SubnetCidr("2600:1f18:abc:de00::/56", 9)` is `2600:1f18:abc:de09::/64`.
 *
 * @throws InvalidArgsError when the network is not IPv6 or the index does not fit.
 */
export function ipv6SubnetCidr(networkCidr: string, index: number): string {
  const parsed = parseCidr(networkCidr);
  if (!parsed.ok || parsed.cidr.version !== 6 || parsed.cidr.prefix > 64) {
    throw new InvalidArgsError([`networkCidr ${show(networkCidr)} is not an IPv6 network of /64 or larger.`], { subject: "ipv6SubnetCidr" });
  }
  const slots = 1n << BigInt(64 - parsed.cidr.prefix);
  if (!Number.isInteger(index) || index < 0 || BigInt(index) >= slots) {
    throw new InvalidArgsError([`index ${show(index)} does not fit in ${networkCidr} (${slots} /64s).`], { subject: "ipv6SubnetCidr" });
  }
  return formatCidr(slot(parsed.cidr, 64, index));
}

/** Number of addresses in a planned subnet (for reports and tests). */
export function subnetSize(cidr: string): bigint {
  const parsed = parseCidr(cidr);
  if (!parsed.ok) throw new InvalidArgsError([`cidr ${show(cidr)} ${parsed.reason}`], { subject: "subnetSize" });
  return sizeOf(parsed.cidr);
}
