/**
 * The Azure worker network as plain data: which subnets, which NSG rules, which egress path (none, NAT gateway,
 * NAT gateway plus a DNS security policy, or Azure Firewall) and the rules each path carries. Pure: no Pulumi
 * types, so tests and `hardening plan` read exactly what the component will create.
 *
 * Why each piece (cloud-controls.md section 4):
 * - NSG rules do not see the platform addresses 168.63.129.16 and 169.254.169.254 "unless targeted by service tags
 *   specific to each service" (NSG overview, Azure platform considerations); so metadata is blocked on the host
 *   (worker pool) and, when nothing on the VM needs IMDS, by an outbound Deny to the `AzurePlatformIMDS` tag.
 * - `defaultOutboundAccess: false` makes the worker subnet private: no implicit internet SNAT.
 * - The NSG denies all outbound at priority 4096 (the lowest custom priority), so the default rules
 *   AllowVnetOutBound (65000) and AllowInternetOutBound (65001) are never reached; the allow-list sits above it.
 */
import { checkWorkerNetworkCidr } from "../../components/workerNetworkRange";
import { planSubnets } from "../../components/plan/subnets";
import { InvalidArgsError, show } from "../../components/validation";
import { resolveHardeningInto } from "../../components/resolve";
import {
  EgressMode,
  EgressProtocol,
  EgressTier,
  HardeningSpec,
  HostIdentityMode,
  MetadataEndpointMode,
  ResolvedEgressRule,
  ResolvedHardening,
  WorkloadSubnetMode,
} from "../../components/spec";

/** How traffic leaves the worker subnet. */
export const AzureEgressPath = {
  /** No route out: no NAT gateway, no firewall; the NSG allow-list reaches only networks without the internet. */
  None: "none",
  /** A NAT gateway on the worker subnet; the NSG allow-list decides what may leave (CIDR, protocol, ports). */
  NatGateway: "natGateway",
  /** A NAT gateway plus a DNS security policy on the VNet that resolves only the allowed domains. */
  NatGatewayDnsPolicy: "natGatewayDnsPolicy",
  /** Azure Firewall in AzureFirewallSubnet; a route table sends 0.0.0.0/0 from the worker subnet to it. */
  Firewall: "firewall",
} as const;
/** How traffic leaves the worker subnet. */
export type AzureEgressPath = (typeof AzureEgressPath)[keyof typeof AzureEgressPath];

/** One NSG security rule, in the shape of azure-native `network.SecurityRuleArgs`. */
export interface NsgRule {
  readonly name: string;
  readonly priority: number;
  readonly direction: "Inbound" | "Outbound";
  readonly access: "Allow" | "Deny";
  readonly protocol: "Tcp" | "Udp" | "*";
  readonly sourceAddressPrefix: string;
  readonly sourcePortRange: string;
  readonly destinationAddressPrefix: string;
  /** Set for allow rules (one or more ports); `destinationPortRange` "*" otherwise. */
  readonly destinationPortRanges?: string[];
  readonly destinationPortRange?: string;
  readonly description: string;
}

/** An Azure Firewall policy application rule (azure-native `network.ApplicationRuleArgs`). */
export interface FirewallApplicationRule {
  readonly ruleType: "ApplicationRule";
  readonly name: string;
  readonly description: string;
  readonly sourceAddresses: string[];
  readonly protocols: { readonly protocolType: "Http" | "Https"; readonly port: number }[];
  readonly targetFqdns: string[];
}

/** An Azure Firewall policy network rule (azure-native `network.NetworkRuleArgs`). */
export interface FirewallNetworkRule {
  readonly ruleType: "NetworkRule";
  readonly name: string;
  readonly description: string;
  readonly sourceAddresses: string[];
  readonly destinationAddresses: string[];
  readonly destinationPorts: string[];
  readonly ipProtocols: ("TCP" | "UDP")[];
}

/** A filter rule collection (azure-native `network.FirewallPolicyFilterRuleCollectionArgs`). */
export interface FirewallRuleCollection {
  readonly ruleCollectionType: "FirewallPolicyFilterRuleCollection";
  readonly name: string;
  readonly priority: number;
  readonly action: { readonly type: "Allow" };
  readonly rules: (FirewallApplicationRule | FirewallNetworkRule)[];
}

/** What {@link planAzureWorkerNetwork} needs: the plain part of the component's arguments. */
export interface AzureNetworkPlanArgs {
  /** Azure region, e.g. `westeurope`. */
  readonly location: string;
  /**
   * The VNet address space, IPv4 /16 to /24.
   * @default "10.42.0.0/16"
   */
  readonly networkCidr?: string;
  /**
   * The hardening spec, unresolved.
   * @default {} (the strictest settings)
   */
  readonly hardening?: HardeningSpec;
  /**
   * Whether the NSG denies the `AzurePlatformIMDS` service tag; only possible with hostIdentity "none" and
   * metadataEndpoint "blocked".
   * @default true when the spec allows it
   */
  readonly denyImdsServiceTag?: boolean;
  /**
   * Link a DNS security policy to the VNet in every tier, resolving only the allow-list's domains (none with
   * `denyAll`): NSGs never see Azure DNS at 168.63.129.16, so without it any tier can tunnel data out through DNS.
   * It also stops the hosts resolving other names. Tier `dns` always has it.
   * @default true
   */
  readonly dnsSecurityPolicy?: boolean;
}

/** The network to create. */
export interface AzureNetworkPlan {
  readonly hardening: ResolvedHardening;
  readonly location: string;
  readonly networkCidr: string;
  /** The worker subnet's CIDR (the first workload slot of the shared subnet planner). */
  readonly workloadSubnetCidr: string;
  /** AzureFirewallSubnet's CIDR, only with the firewall path. */
  readonly firewallSubnetCidr: string | undefined;
  readonly egressPath: AzureEgressPath;
  /** True when the NSG carries the outbound Deny to the `AzurePlatformIMDS` service tag. */
  readonly denyImdsServiceTag: boolean;
  /** Every NSG rule, by priority within each direction. */
  readonly securityRules: readonly NsgRule[];
  /** The firewall policy's rule collections (firewall path only). */
  readonly firewallRuleCollections: readonly FirewallRuleCollection[];
  /** True when a DNS security policy is linked to the VNet (every tier unless turned off; always in tier dns). */
  readonly dnsPolicy: boolean;
  /** Domains the DNS security policy allows, in Azure's form with a trailing dot; empty without a policy. */
  readonly dnsAllowedDomains: readonly string[];
}

/** The NSG priorities this planner uses; 4096 is the lowest priority a custom rule may have. */
export const NSG_PRIORITY = { imdsDeny: 100, carveOutFirst: 110, allowFirst: 200, denyAll: 4096 } as const;
/** Azure Firewall needs a subnet of this size or larger named AzureFirewallSubnet (Azure Firewall FAQ). */
const FIREWALL_SUBNET_MAX_PREFIX = 26;
const DEFAULT_NETWORK_CIDR = "10.42.0.0/16";
const LOCATION = /^[a-z][a-z0-9]{2,39}$/;

/** Checks an Azure region name as the network and the worker pool take it (`westeurope`). */
export function checkAzureLocation(issues: string[], location: unknown): void {
  if (typeof location !== "string" || !LOCATION.test(location)) {
    issues.push(`location ${show(location)} is not an Azure region name; use the lower-case name, e.g. "westeurope".`);
  }
}

/**
 * True when the spec lets the NSG deny the whole VM's IMDS: the hosts carry no identity (nothing on them needs a
 * token) and the spec blocks metadata. The Deny also stops VM extensions, managed identity and Azure Monitor
 * agents on every VM in the subnet ("AzurePlatformIMDS ... You can use this tag to disable the default IMDS. Be
 * cautious.", NSG service tags table).
 */
export function imdsServiceTagDenyAllowed(spec: ResolvedHardening): boolean {
  return spec.hostIdentity === HostIdentityMode.None && spec.metadataEndpoint === MetadataEndpointMode.Blocked;
}

/**
 * Whether the subnet's NSG denies `AzurePlatformIMDS`: by default whenever {@link imdsServiceTagDenyAllowed}; the
 * caller may turn it off (`requested: false`), e.g. for an image whose provisioning agent needs IMDS at first boot.
 */
export function deniesImdsServiceTag(spec: ResolvedHardening, requested?: boolean): boolean {
  return imdsServiceTagDenyAllowed(spec) && requested !== false;
}

/** The issue for asking for the IMDS tag deny where the spec does not allow it; undefined when fine. */
export function checkImdsServiceTagRequest(spec: ResolvedHardening, requested: boolean | undefined, field: string): string | undefined {
  if (requested !== true || imdsServiceTagDenyAllowed(spec)) return undefined;
  return `${field} is true, but the deny would cut off the host's own ${spec.hostIdentity === HostIdentityMode.Minimal ? "identity (hardening.hostIdentity is \"minimal\")" : "metadata access (hardening.metadataEndpoint is \"tokenRequired\")"}; remove it, or set hostIdentity "none" and metadataEndpoint "blocked".`;
}

/** The egress path a resolved spec needs. */
export function egressPathFor(spec: ResolvedHardening): AzureEgressPath {
  // An isolated subnet never routes out, and denyAll sends nothing, whatever the tier says.
  if (spec.workloadSubnet === WorkloadSubnetMode.Isolated || spec.egress.mode === EgressMode.DenyAll) {
    return AzureEgressPath.None;
  }
  switch (spec.egress.tier) {
    case EgressTier.Basic:
      return AzureEgressPath.NatGateway;
    case EgressTier.Dns:
      return AzureEgressPath.NatGatewayDnsPolicy;
    default:
      return AzureEgressPath.Firewall;
  }
}

/** NSG rule descriptions hold at most 140 characters. */
function clip(text: string): string {
  return text.length > 140 ? `${text.slice(0, 137)}...` : text;
}

function ports(rule: ResolvedEgressRule): string[] {
  return rule.ports.map(String);
}

/**
 * The NSG rules for a resolved spec, exactly: the IMDS service-tag Deny (when {@link deniesImdsServiceTag}), a
 * Deny for each metadata network carved out of an allowed CIDR, one Allow per CIDR rule, one Allow to the
 * `Internet` tag on the domain rules' TCP ports (the domain itself is enforced by the DNS policy or the firewall),
 * and Deny-all in both directions at 4096.
 */
export function nsgRulesFor(spec: ResolvedHardening, denyImds: boolean = deniesImdsServiceTag(spec)): NsgRule[] {
  const rules: NsgRule[] = [];
  const any = { sourceAddressPrefix: "*", sourcePortRange: "*" } as const;
  if (denyImds) {
    rules.push({
      name: "deny-azure-platform-imds",
      priority: NSG_PRIORITY.imdsDeny,
      direction: "Outbound",
      access: "Deny",
      protocol: "*",
      ...any,
      destinationAddressPrefix: "AzurePlatformIMDS",
      destinationPortRange: "*",
      description: "No IMDS for the whole VM (hosts carry no identity). Also stops VM extensions, managed identity, Azure Monitor.",
    });
  }
  const cidrRules = spec.egress.allow.filter((r) => r.kind === "cidr");
  const carveOuts = [...new Set(cidrRules.flatMap((r) => r.except).filter((c) => !c.includes(":")))];
  carveOuts.forEach((cidr, i) => {
    rules.push({
      name: `deny-carve-out-${i + 1}`,
      priority: NSG_PRIORITY.carveOutFirst + i,
      direction: "Outbound",
      access: "Deny",
      protocol: "*",
      ...any,
      destinationAddressPrefix: cidr,
      destinationPortRange: "*",
      description: clip(`Carve-out of metadata network ${cidr} from an allowed CIDR (platform IPs bypass NSGs; the host firewall covers them).`),
    });
  });
  let priority: number = NSG_PRIORITY.allowFirst;
  cidrRules.forEach((r, i) => {
    rules.push({
      name: `allow-cidr-${i + 1}`,
      priority: priority++,
      direction: "Outbound",
      access: "Allow",
      protocol: r.protocol === EgressProtocol.Udp ? "Udp" : "Tcp",
      ...any,
      destinationAddressPrefix: r.cidr as string,
      destinationPortRanges: ports(r),
      description: clip(r.description || `allow-list entry ${r.cidr}`),
    });
  });
  const domainRules = spec.egress.allow.filter((r) => r.kind === "domain");
  if (domainRules.length > 0) {
    const domainPorts = [...new Set(domainRules.flatMap((r) => r.ports))].sort((a, b) => a - b).map(String);
    rules.push({
      name: "allow-domain-ports",
      priority: priority++,
      direction: "Outbound",
      access: "Allow",
      protocol: "Tcp",
      ...any,
      destinationAddressPrefix: "Internet",
      destinationPortRanges: domainPorts,
      description: `Ports of the domain allow-list; names enforced by the ${spec.egress.tier === EgressTier.Dns ? "DNS security policy" : "Azure Firewall policy"}.`,
    });
  }
  rules.push({
    name: "deny-all-outbound",
    priority: NSG_PRIORITY.denyAll,
    direction: "Outbound",
    access: "Deny",
    protocol: "*",
    ...any,
    destinationAddressPrefix: "*",
    destinationPortRange: "*",
    description: "Deny everything not allowed above; overrides AllowVnetOutBound and AllowInternetOutBound.",
  });
  rules.push({
    name: "deny-all-inbound",
    priority: NSG_PRIORITY.denyAll,
    direction: "Inbound",
    access: "Deny",
    protocol: "*",
    ...any,
    destinationAddressPrefix: "*",
    destinationPortRange: "*",
    description: "Workers accept no connections; overrides AllowVnetInBound (lateral movement between workers).",
  });
  return rules;
}

/** Azure Firewall application protocols for a domain rule's ports: 80 is HTTP, every other port is TLS. */
function applicationProtocols(rule: ResolvedEgressRule): FirewallApplicationRule["protocols"] {
  return rule.ports.map((port) => ({ protocolType: port === 80 ? "Http" : "Https", port }));
}

/**
 * The firewall policy's rule collections: application rules allowing only the listed domains from the worker
 * subnet (SNI for HTTPS, Host header for HTTP), and network rules for the CIDR entries (every packet of the
 * worker subnet reaches the firewall through the 0.0.0.0/0 route, so the CIDR entries need rules there too).
 * Azure Firewall denies whatever no rule allows.
 */
export function firewallRuleCollectionsFor(spec: ResolvedHardening, sourceCidr: string): FirewallRuleCollection[] {
  const collections: FirewallRuleCollection[] = [];
  const domains = spec.egress.allow.filter((r) => r.kind === "domain");
  if (domains.length > 0) {
    collections.push({
      ruleCollectionType: "FirewallPolicyFilterRuleCollection",
      name: "allow-domains",
      priority: 200,
      action: { type: "Allow" },
      rules: domains.map((r, i) => ({
        ruleType: "ApplicationRule",
        name: `domain-${i + 1}`,
        description: r.description || (r.domain as string),
        sourceAddresses: [sourceCidr],
        protocols: applicationProtocols(r),
        targetFqdns: [r.domain as string],
      })),
    });
  }
  const networks = spec.egress.allow.filter((r) => r.kind === "cidr");
  if (networks.length > 0) {
    collections.push({
      ruleCollectionType: "FirewallPolicyFilterRuleCollection",
      name: "allow-networks",
      priority: 300,
      action: { type: "Allow" },
      rules: networks.map((r, i) => ({
        ruleType: "NetworkRule",
        name: `network-${i + 1}`,
        description: r.description || (r.cidr as string),
        sourceAddresses: [sourceCidr],
        destinationAddresses: [r.cidr as string],
        destinationPorts: ports(r),
        ipProtocols: [r.protocol === EgressProtocol.Udp ? "UDP" : "TCP"],
      })),
    });
  }
  return collections;
}

/**
 * The domains a DNS security policy allows, in the trailing-dot form Azure's examples use (`contoso.com.`).
 * "Rules follow the DNS hierarchy. If contoso.com is allowed in a higher priority rule, then sub.contoso.com is
 * allowed" (DNS security policy overview), so `pypi.org` and `*.pypi.org` both become `pypi.org.`: the DNS tier
 * allows a name and all its subdomains.
 */
export function dnsAllowedDomainsFor(spec: ResolvedHardening): string[] {
  const names = spec.egress.allow
    .filter((r) => r.kind === "domain")
    .map((r) => `${(r.domain as string).replace(/^\*\./, "")}.`);
  return [...new Set(names)].sort();
}

/**
 * Plans the network. Validates the spec and the Azure-specific arguments together and throws one
 * InvalidArgsError listing every problem; creates nothing.
 */
export function planAzureWorkerNetwork(args: AzureNetworkPlanArgs): AzureNetworkPlan {
  const issues: string[] = [];
  const hardening = resolveHardeningInto(args.hardening, issues);
  checkAzureLocation(issues, args.location);
  const networkCidr = args.networkCidr ?? DEFAULT_NETWORK_CIDR;
  issues.push(...checkWorkerNetworkCidr("networkCidr", String(networkCidr)).problems);
  const path = hardening ? egressPathFor(hardening) : AzureEgressPath.None;
  let workloadSubnetCidr = "";
  let firewallSubnetCidr: string | undefined;
  try {
    // Azure subnets are regional (a VM scale set spreads over zones inside one subnet), so one zone's slots.
    const plan = planSubnets({ networkCidr, zoneCount: 1, firewallSubnets: path === AzureEgressPath.Firewall });
    workloadSubnetCidr = plan.subnets.find((s) => s.role === "workload")?.cidr ?? "";
    firewallSubnetCidr = plan.subnets.find((s) => s.role === "firewall")?.cidr;
    if (firewallSubnetCidr && Number(firewallSubnetCidr.split("/")[1]) > FIREWALL_SUBNET_MAX_PREFIX) {
      issues.push(
        `networkCidr ${show(networkCidr)} leaves a /${firewallSubnetCidr.split("/")[1]} for AzureFirewallSubnet, which must be /${FIREWALL_SUBNET_MAX_PREFIX} or larger; use a /21 or larger network, or egress tier "basic" or "dns".`,
      );
    }
  } catch (e) {
    if (!(e instanceof InvalidArgsError)) throw e;
    issues.push(...e.issues);
  }
  if (hardening) {
    const imdsIssue = checkImdsServiceTagRequest(hardening, args.denyImdsServiceTag, "denyImdsServiceTag");
    if (imdsIssue) issues.push(imdsIssue);
    for (const r of hardening.egress.allow) {
      if (r.kind === "cidr" && r.ipVersion === 6) {
        issues.push(`hardening.egress.allow ${show(r.cidr)} is IPv6, but the Azure worker subnet is IPv4-only; remove the rule.`);
      }
    }
    const allowRules = hardening.egress.allow.length + 1;
    if (NSG_PRIORITY.allowFirst + allowRules > NSG_PRIORITY.denyAll) {
      issues.push(`hardening.egress.allow has ${hardening.egress.allow.length} rules; an NSG holds at most ${NSG_PRIORITY.denyAll - NSG_PRIORITY.allowFirst - 1} allow rules below priority ${NSG_PRIORITY.denyAll}.`);
    }
  }
  if (args.dnsSecurityPolicy !== undefined && typeof args.dnsSecurityPolicy !== "boolean") {
    issues.push(`dnsSecurityPolicy ${show(args.dnsSecurityPolicy)} must be true or false.`);
  } else if (args.dnsSecurityPolicy === false && path === AzureEgressPath.NatGatewayDnsPolicy) {
    issues.push('dnsSecurityPolicy is false, but egress tier "dns" is the DNS security policy; remove dnsSecurityPolicy or choose tier "basic".');
  }
  if (issues.length > 0 || !hardening) throw new InvalidArgsError(issues);
  const denyImds = deniesImdsServiceTag(hardening, args.denyImdsServiceTag);
  const dnsPolicy = args.dnsSecurityPolicy !== false;
  return {
    hardening,
    location: args.location,
    networkCidr,
    workloadSubnetCidr,
    firewallSubnetCidr,
    egressPath: path,
    denyImdsServiceTag: denyImds,
    securityRules: nsgRulesFor(hardening, denyImds),
    firewallRuleCollections: path === AzureEgressPath.Firewall ? firewallRuleCollectionsFor(hardening, workloadSubnetCidr) : [],
    dnsPolicy,
    dnsAllowedDomains: dnsPolicy ? dnsAllowedDomainsFor(hardening) : [],
  };
}
