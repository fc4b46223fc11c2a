/**
 * Cross-cloud network exposure: public IPs on worker hosts, worker subnets that hand out public IPs, egress rules
 * that let everything out, and (a stack rule) internet-gateway routes from worker subnets.
 *
 * Worker resources are recognised by the tag `hardening:role=workload` (GCP label `hardening-role=workload`, set
 * by this package's components) or by a logical name / Name tag matching the rule's `workerNames` globs
 * (default `*worker*`, `*workload*`).
 */
import { isWorker, WORKER_NAMES_OPTION, workerGlobs } from "../../config";
import type { CheckContext, Finding, ResourceInput, ResourceRule, StackFinding, StackRule } from "../types";
import { anywhereIn, field, isAnywhere, isRecord, isTrueish, isUnknown, list, show, unknownFinding } from "../values";
import { portListCoversAll } from "./portRanges";
import { MAX_PORT } from "../../../components/validation";

const PUBLIC_IP_WHY = "a worker with a public address is reachable from the internet and can bypass the egress filter";


/** A boolean (or "true" string) flag that must not be set: one finding when it is. */
function flag(props: Record<string, unknown>, key: string, fix: string): Finding[] {
  const v = props[key];
  if (isUnknown(v)) return [unknownFinding(key)];
  return isTrueish(v) ? [{ property: key, message: `${key} is ${show(v)}; ${fix}: ${PUBLIC_IP_WHY}.` }] : [];
}

/** EC2 instances and launch configurations: `associatePublicIpAddress` is not true. */
export function checkAwsAssociatePublicIp(props: Record<string, unknown>): Finding[] {
  return flag(props, "associatePublicIpAddress", "set it to false and reach the host through SSM or a bastion");
}

/** Launch templates: no `networkInterfaces[].associatePublicIpAddress` "true" (a string in @pulumi/aws). */
export function checkLaunchTemplatePublicIp(props: Record<string, unknown>): Finding[] {
  const nis = props.networkInterfaces;
  if (isUnknown(nis)) return [unknownFinding("networkInterfaces")];
  const findings: Finding[] = [];
  list(nis).forEach((ni, i) => {
    const v = field(ni, "associatePublicIpAddress");
    const path = `networkInterfaces[${i}].associatePublicIpAddress`;
    if (isUnknown(v)) findings.push(unknownFinding(path));
    else if (isTrueish(v)) findings.push({ property: path, message: `${path} is ${show(v)}; set it to "false": ${PUBLIC_IP_WHY}.` });
  });
  return findings;
}

/**
 * ECS services: `networkConfiguration.assignPublicIp` is not true. Each awsvpc task gets its own ENI, and with a
 * public IP on it the task is a host on the internet, whatever the subnet's default.
 */
export function checkEcsServicePublicIp(props: Record<string, unknown>): Finding[] {
  const nc = props.networkConfiguration;
  if (isUnknown(nc)) return [unknownFinding("networkConfiguration")];
  const v = field(nc, "assignPublicIp");
  const path = "networkConfiguration.assignPublicIp";
  if (isUnknown(v)) return [unknownFinding(path)];
  return isTrueish(v) ? [{ property: path, message: `${path} is ${show(v)}; set it to false and give the tasks a private subnet with a NAT gateway or the egress proxy: ${PUBLIC_IP_WHY}.` }] : [];
}

/** Subnets: a worker subnet does not map public IPs on launch. Other subnets are not this rule's business. */
export function checkAwsSubnet(props: Record<string, unknown>, ctx: CheckContext): Finding[] {
  if (!isWorker(ctx.resource?.name, props, workerGlobs(ctx.config))) return [];
  return flag(props, "mapPublicIpOnLaunch", "set it to false on a worker subnet");
}

/** GCE instances and templates: no `accessConfigs` / `ipv6AccessConfigs` (each one is an external address). */
export function checkGcpAccessConfigs(props: Record<string, unknown>): Finding[] {
  const nis = props.networkInterfaces;
  if (isUnknown(nis)) return [unknownFinding("networkInterfaces")];
  const findings: Finding[] = [];
  list(nis).forEach((ni, i) => {
    for (const key of ["accessConfigs", "ipv6AccessConfigs"]) {
      const v = field(ni, key);
      const path = `networkInterfaces[${i}].${key}`;
      if (isUnknown(v)) findings.push(unknownFinding(path));
      else if (list(v).length > 0) {
        findings.push({
          property: path,
          message: `${path} has ${list(v).length} entr${list(v).length === 1 ? "y" : "ies"}; remove it and use Cloud NAT for egress: each access config gives the VM an external IP, and ${PUBLIC_IP_WHY}.`,
        });
      }
    }
  });
  return findings;
}

/** Azure NICs: no `ipConfigurations[].publicIPAddress`. */
export function checkAzureNic(props: Record<string, unknown>): Finding[] {
  const ipcs = props.ipConfigurations;
  if (isUnknown(ipcs)) return [unknownFinding("ipConfigurations")];
  const findings: Finding[] = [];
  list(ipcs).forEach((c, i) => {
    const v = field(c, "publicIPAddress");
    const path = `ipConfigurations[${i}].publicIPAddress`;
    if (isUnknown(v)) findings.push(unknownFinding(path));
    else if (v !== undefined && v !== null) findings.push({ property: path, message: `${path} is set; remove it and use a NAT gateway for egress: ${PUBLIC_IP_WHY}.` });
  });
  return findings;
}

/** Azure VMs and scale sets with inline NIC configurations: no `publicIPAddressConfiguration`. */
export function checkAzureInlineNics(networkProfilePath: readonly string[]): (props: Record<string, unknown>) => Finding[] {
  const base = networkProfilePath.join(".");
  return (props) => {
    let profile: unknown = props;
    for (const k of networkProfilePath) {
      if (isUnknown(profile)) return [unknownFinding(base)];
      profile = field(profile, k);
    }
    const nics = field(profile, "networkInterfaceConfigurations");
    if (isUnknown(profile) || isUnknown(nics)) return [unknownFinding(`${base}.networkInterfaceConfigurations`)];
    const findings: Finding[] = [];
    list(nics).forEach((nic, i) => {
      const ipcs = field(nic, "ipConfigurations");
      list(ipcs).forEach((c, j) => {
        const v = field(c, "publicIPAddressConfiguration");
        const path = `${base}.networkInterfaceConfigurations[${i}].ipConfigurations[${j}].publicIPAddressConfiguration`;
        if (isUnknown(v)) findings.push(unknownFinding(path));
        else if (v !== undefined && v !== null) findings.push({ property: path, message: `${path} is set; remove it and use a NAT gateway for egress: ${PUBLIC_IP_WHY}.` });
      });
    });
    return findings;
  };
}

/** AKS agent pools (`containerservice.AgentPool`): `enableNodePublicIP` is not true. */
export function checkAksPoolPublicIp(props: Record<string, unknown>): Finding[] {
  return flag(props, "enableNodePublicIP", "set it to false and reach the nodes through the API server or a bastion");
}

/** AKS clusters' inline pools: no `agentPoolProfiles[].enableNodePublicIP` true. */
export function checkAksInlinePoolsPublicIp(props: Record<string, unknown>): Finding[] {
  const pools = props.agentPoolProfiles;
  if (isUnknown(pools)) return [unknownFinding("agentPoolProfiles")];
  return list(pools).flatMap((pool, i) =>
    flag(isRecord(pool) ? pool : {}, "enableNodePublicIP", "set it to false and reach the nodes through the API server or a bastion").map((f) => ({
      ...f,
      property: `agentPoolProfiles[${i}].${f.property}`,
      message: `agentPoolProfiles[${i}].${f.message}`,
    })),
  );
}

/** `workload-subnet-public-ip`: worker hosts get no public address and worker subnets hand none out. */
export const publicIpRule: ResourceRule = {
  id: "workload-subnet-public-ip",
  description: "Worker hosts (VMs, instance templates, scale sets, AKS node pools) and ECS tasks have no public IP on any cloud, and worker subnets do not assign public IPs on launch.",
  enforcementLevel: "mandatory",
  family: "workloadSubnet",
  docs: "Public IPs on hosts (all clouds, GCE instances from templates and AKS node pools, inline or separate, included), spot instance requests and ECS services (`networkConfiguration.assignPublicIp`); worker subnets with `mapPublicIpOnLaunch`.",
  options: { workerNames: WORKER_NAMES_OPTION },
  checks: {
    "aws:ec2/instance:Instance": checkAwsAssociatePublicIp,
    "aws:ec2/spotInstanceRequest:SpotInstanceRequest": checkAwsAssociatePublicIp,
    "aws:ec2/launchConfiguration:LaunchConfiguration": checkAwsAssociatePublicIp,
    "aws:ecs/service:Service": checkEcsServicePublicIp,
    "aws:ec2/launchTemplate:LaunchTemplate": checkLaunchTemplatePublicIp,
    "aws:ec2/subnet:Subnet": checkAwsSubnet,
    "gcp:compute/instance:Instance": checkGcpAccessConfigs,
    "gcp:compute/instanceTemplate:InstanceTemplate": checkGcpAccessConfigs,
    "gcp:compute/regionInstanceTemplate:RegionInstanceTemplate": checkGcpAccessConfigs,
    "gcp:compute/instanceFromTemplate:InstanceFromTemplate": checkGcpAccessConfigs,
    "azure-native:network:NetworkInterface": checkAzureNic,
    "azure-native:compute:VirtualMachine": checkAzureInlineNics(["networkProfile"]),
    "azure-native:compute:VirtualMachineScaleSet": checkAzureInlineNics(["virtualMachineProfile", "networkProfile"]),
    "azure-native:containerservice:ManagedCluster": checkAksInlinePoolsPublicIp,
    "azure-native:containerservice:AgentPool": checkAksPoolPublicIp,
  },
};

// ---- egress ---------------------------------------------------------------------------------------------------

/** Why egress open to the world fails, shared by the per-rule check and the stack rule over split rules. */
export const EGRESS_WHY =
  "a worker that can open any connection to the internet can exfiltrate data and reach services the egress " +
  "allow-list exists to keep out; allow only the destinations and ports the workers need";

/**
 * True when an AWS protocol/port pair covers every port: protocol "-1"/"all" (EC2 ignores the ports then), tcp/udp
 * from 0 or 1 to 65535, or tcp/udp with the port range -1 to -1 (no range: read as all, never as none).
 */
export function awsAllPorts(protocol: unknown, from: unknown, to: unknown): boolean {
  const p = typeof protocol === "string" ? protocol.toLowerCase() : protocol;
  if (p === "-1" || p === "all" || p === -1) return true;
  if (!(p === "tcp" || p === "udp" || p === "6" || p === "17")) return false;
  return (from === -1 && to === -1) || (typeof from === "number" && typeof to === "number" && from <= 1 && to >= MAX_PORT);
}

function openAwsRule(rule: unknown, path: string, cidrKeys: readonly string[], proto: string, from: string, to: string): Finding[] {
  const vals = [field(rule, proto), field(rule, from), field(rule, to)];
  const findings: Finding[] = [];
  for (const key of cidrKeys) {
    const cidrs = field(rule, key);
    const anywhere = anywhereIn(Array.isArray(cidrs) ? cidrs : [cidrs]);
    if (isUnknown(cidrs)) findings.push(unknownFinding(`${path}${key}`));
    if (anywhere.length === 0) continue;
    if (vals.some(isUnknown)) {
      findings.push(unknownFinding(`${path}${proto}`));
      continue;
    }
    if (awsAllPorts(vals[0], vals[1], vals[2])) {
      findings.push({
        property: `${path}${key}`,
        message: `${path}${key} allows ${show(anywhere[0])} on every port (${proto} ${show(vals[0])}); ${EGRESS_WHY}.`,
      });
    }
  }
  return findings;
}

function inScope(props: Record<string, unknown>, ctx: CheckContext): boolean {
  return ctx.config.scope !== "workers" || isWorker(ctx.resource?.name, props, workerGlobs(ctx.config));
}

/** The AWS security group, whose inline `egress` blocks carry egress (this and the next two are the types that do). */
export const AWS_SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
/** A separate security-group rule (`type: egress` carries egress). */
export const AWS_SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
/** A VPC security-group egress rule. */
export const AWS_SECURITY_GROUP_EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";

/** Security groups: no inline egress rule to 0.0.0.0/0 or ::/0 on every port. */
export function checkAwsSecurityGroup(props: Record<string, unknown>, ctx: CheckContext): Finding[] {
  if (!inScope(props, ctx)) return [];
  const egress = props.egress;
  if (isUnknown(egress)) return [unknownFinding("egress")];
  return list(egress).flatMap((r, i) => openAwsRule(r, `egress[${i}].`, ["cidrBlocks", "ipv6CidrBlocks"], "protocol", "fromPort", "toPort"));
}

/** Standalone security group rules of type "egress". */
export function checkAwsSecurityGroupRule(props: Record<string, unknown>, ctx: CheckContext): Finding[] {
  if (props.type !== "egress" || !inScope(props, ctx)) return [];
  return openAwsRule(props, "", ["cidrBlocks", "ipv6CidrBlocks"], "protocol", "fromPort", "toPort");
}

/** `aws.vpc.SecurityGroupEgressRule`: one CIDR per rule. */
export function checkAwsEgressRule(props: Record<string, unknown>, ctx: CheckContext): Finding[] {
  if (!inScope(props, ctx)) return [];
  return openAwsRule(props, "", ["cidrIpv4", "cidrIpv6"], "ipProtocol", "fromPort", "toPort");
}

/**
 * GCP firewalls: no enabled EGRESS allow of protocol "all" (or tcp/udp with no port list) to 0.0.0.0/0 or ::/0.
 * An egress rule without destinationRanges applies to 0.0.0.0/0 (VPC firewall docs).
 */
export function checkGcpFirewall(props: Record<string, unknown>, ctx: CheckContext): Finding[] {
  if (!inScope(props, ctx)) return [];
  const direction = props.direction;
  if (isUnknown(direction)) return [unknownFinding("direction")];
  if (typeof direction !== "string" || direction.toUpperCase() !== "EGRESS" || props.disabled === true) return [];
  const ranges = props.destinationRanges;
  if (isUnknown(ranges)) return [unknownFinding("destinationRanges")];
  const noRanges = ranges === undefined || ranges === null || list(ranges).length === 0;
  const anywhere = noRanges ? undefined : anywhereIn(list(ranges))[0];
  if (!noRanges && anywhere === undefined) return [];
  const open = noRanges ? "0.0.0.0/0 (no destinationRanges)" : show(anywhere);
  const allows = props.allows;
  if (isUnknown(allows)) return [unknownFinding("allows")];
  const findings: Finding[] = [];
  list(allows).forEach((a, i) => {
    const protocol = field(a, "protocol");
    const ports = field(a, "ports");
    if (isUnknown(protocol) || isUnknown(ports)) {
      findings.push(unknownFinding(`allows[${i}]`));
      return;
    }
    const p = typeof protocol === "string" ? protocol.toLowerCase() : "";
    // As the combined check counts them (it leaves one entry that opens every port to this rule): numbered
    // protocols, and a port list whose ranges together cover every port.
    const allPorts = list(ports).length === 0 || portListCoversAll(list(ports));
    if (p === "all" || (["tcp", "udp", "6", "17"].includes(p) && allPorts)) {
      findings.push({
        property: `allows[${i}]`,
        message: `allows[${i}] lets ${show(protocol)} traffic out to ${open} on every port; ${EGRESS_WHY}.`,
      });
    }
  });
  return findings;
}

// GCP firewall policy rules (global and regional network firewall policies, hierarchical firewall policies).

/** Separate GCP firewall-policy rules: network, regional and hierarchical. */
export const GCP_POLICY_RULE_TYPES: readonly string[] = [
  "gcp:compute/networkFirewallPolicyRule:NetworkFirewallPolicyRule",
  "gcp:compute/regionNetworkFirewallPolicyRule:RegionNetworkFirewallPolicyRule",
  "gcp:compute/firewallPolicyRule:FirewallPolicyRule",
];
/** GCP firewall policies that hold their rules inline (`rules[]`). */
export const GCP_POLICY_WITH_RULES_TYPES: readonly string[] = [
  "gcp:compute/networkFirewallPolicyWithRules:NetworkFirewallPolicyWithRules",
  "gcp:compute/regionNetworkFirewallPolicyWithRules:RegionNetworkFirewallPolicyWithRules",
  "gcp:compute/firewallPolicyWithRules:FirewallPolicyWithRules",
];

/** The match fields of a GCP firewall-policy rule that name a destination; an EGRESS rule with none of them matches every destination. */
export const DESTINATIONS = ["destIpRanges", "destFqdns", "destRegionCodes", "destThreatIntelligences", "destAddressGroups"] as const;

/** The GCP firewall-policy actions that let matching traffic through (a security profile group inspects, then allows). */
export const ALLOWING: ReadonlySet<string> = new Set(["allow", "apply_security_profile_group"]);

/** True when a layer-4 config covers every port: protocol "all", or tcp/udp (names or numbers) with no port list or the full range. */
function allPorts(protocol: string, ports: readonly unknown[]): boolean {
  if (protocol === "all") return true;
  if (!["tcp", "udp", "6", "17"].includes(protocol)) return false;
  return ports.length === 0 || portListCoversAll(ports);
}

/**
 * Fails an enabled EGRESS rule whose action allows traffic, whose destinations are the world (an "anywhere" CIDR in
 * `match.destIpRanges`, or no destination at all), and one of whose `match.layer4Configs` covers every port.
 * FQDN, geolocation, threat-intelligence and address-group destinations are narrower than the world, so they pass.
 */
function openPolicyRule(props: unknown, at: string): Finding[] {
  for (const key of ["direction", "action", "disabled", "match"]) if (isUnknown(field(props, key))) return [unknownFinding(`${at}${key}`)];
  const direction = field(props, "direction");
  const action = field(props, "action");
  if (typeof direction !== "string" || direction.toUpperCase() !== "EGRESS" || field(props, "disabled") === true) return [];
  if (typeof action !== "string" || !ALLOWING.has(action.toLowerCase())) return [];
  const match = field(props, "match");
  for (const key of [...DESTINATIONS, "layer4Configs"]) if (isUnknown(field(match, key))) return [unknownFinding(`${at}match.${key}`)];
  const ranges = list(field(match, "destIpRanges"));
  const anywhere = anywhereIn(ranges)[0];
  const noDestination = DESTINATIONS.every((k) => list(field(match, k)).length === 0);
  if (anywhere === undefined && !noDestination) return [];
  const open = noDestination ? "every destination (no destination in match)" : show(anywhere);
  const findings: Finding[] = [];
  list(field(match, "layer4Configs")).forEach((l4, i) => {
    const protocol = field(l4, "ipProtocol");
    const ports = field(l4, "ports");
    const property = `${at}match.layer4Configs[${i}]`;
    if (isUnknown(protocol) || isUnknown(ports)) {
      findings.push(unknownFinding(property));
      return;
    }
    if (typeof protocol === "string" && allPorts(protocol.toLowerCase(), list(ports))) {
      findings.push({
        property,
        message: `${property} (${show(protocol)}${list(ports).length > 0 ? ` ports ${show(ports)}` : ""}) is allowed out to ${open} on every port by action ${show(action)}; ${EGRESS_WHY}.`,
      });
    }
  });
  return findings;
}

/** A separate firewall policy rule (network, regional or hierarchical policy), in scope: as `openPolicyRule`. */
export function checkGcpFirewallPolicyRule(props: Record<string, unknown>, ctx: CheckContext): Finding[] {
  return inScope(props, ctx) ? openPolicyRule(props, "") : [];
}

/** Firewall policies carrying their rules inline (`...FirewallPolicyWithRules`): each of `rules[]` as above. */
export function checkGcpFirewallPolicyWithRules(props: Record<string, unknown>, ctx: CheckContext): Finding[] {
  if (!inScope(props, ctx)) return [];
  if (isUnknown(props.rules)) return [unknownFinding("rules")];
  return list(props.rules).flatMap((r, i) => openPolicyRule(r, `rules[${i}].`));
}

function azureOpenOutbound(rule: unknown, path: string): Finding[] {
  const keys = ["direction", "access", "protocol", "destinationAddressPrefix", "destinationAddressPrefixes", "destinationPortRange", "destinationPortRanges"];
  const vals = keys.map((k) => field(rule, k));
  if (vals.some(isUnknown)) return [unknownFinding(path || "securityRule")];
  const [direction, access, protocol, prefix, prefixes, portRange, portRanges] = vals;
  const is = (v: unknown, s: string): boolean => typeof v === "string" && v.toLowerCase() === s.toLowerCase();
  if (!is(direction, "Outbound") || !is(access, "Allow")) return [];
  // Every protocol ("*", "Any"), or every port of one protocol: as open as AWS's tcp 0-65535 to 0.0.0.0/0.
  const every = protocol === "*" || is(protocol, "any");
  if (!every && !is(protocol, "tcp") && !is(protocol, "udp")) return [];
  const dest = isAnywhere(prefix) ? prefix : anywhereIn(list(prefixes))[0];
  if (dest === undefined) return [];
  // As the combined check counts them: "1-65535", or ranges that together cover every port.
  const allPorts = portListCoversAll([...(typeof portRange === "string" ? [portRange] : []), ...list(portRanges)]);
  if (!allPorts) return [];
  const at = path ? `${path}.` : "";
  return [
    {
      property: `${at}destinationAddressPrefix`,
      message: `${at}destinationAddressPrefix ${show(dest)} is allowed outbound for ${every ? "every protocol and port" : `every ${String(protocol).toUpperCase()} port`}; ${EGRESS_WHY}.`,
    },
  ];
}

/** NSGs (inline `securityRules`) and standalone security rules: no Outbound Allow of any protocol, or of TCP or UDP, to any or Internet destination on every port. */
export function checkAzureNsg(props: Record<string, unknown>, ctx: CheckContext): Finding[] {
  if (!inScope(props, ctx)) return [];
  const rules = props.securityRules;
  if (isUnknown(rules)) return [unknownFinding("securityRules")];
  return list(rules).flatMap((r, i) => azureOpenOutbound(r, `securityRules[${i}]`));
}

/** A standalone `azure-native:network:SecurityRule`. */
export function checkAzureSecurityRule(props: Record<string, unknown>, ctx: CheckContext): Finding[] {
  if (!inScope(props, ctx)) return [];
  return azureOpenOutbound(props, "");
}

/** `egress-open-to-internet`: no firewall construct lets everything out. */
export const openEgressRule: ResourceRule = {
  id: "egress-open-to-internet",
  description:
    "Security groups, GCP firewalls and firewall policy rules, and NSGs do not allow traffic out to 0.0.0.0/0 or ::/0 on every port of a protocol (scope: all resources by default, or worker resources only).",
  enforcementLevel: "mandatory",
  family: "egress",
  docs: "Security groups, SG rules, GCP firewalls, GCP network, regional and hierarchical firewall policy rules (separate or inline in `...FirewallPolicyWithRules`), NSGs and security rules allowing everything out.",
  options: {
    scope: {
      type: "string",
      enum: ["all", "workers"],
      default: "all",
      description: "Check every security group / firewall / NSG, or only those marked as worker resources.",
    },
    workerNames: WORKER_NAMES_OPTION,
  },
  checks: {
    [AWS_SECURITY_GROUP]: checkAwsSecurityGroup,
    [AWS_SECURITY_GROUP_RULE]: checkAwsSecurityGroupRule,
    [AWS_SECURITY_GROUP_EGRESS_RULE]: checkAwsEgressRule,
    "gcp:compute/firewall:Firewall": checkGcpFirewall,
    ...Object.fromEntries(GCP_POLICY_RULE_TYPES.map((t) => [t, checkGcpFirewallPolicyRule])),
    ...Object.fromEntries(GCP_POLICY_WITH_RULES_TYPES.map((t) => [t, checkGcpFirewallPolicyWithRules])),
    "azure-native:network:NetworkSecurityGroup": checkAzureNsg,
    "azure-native:network:SecurityRule": checkAzureSecurityRule,
  },
};

// ---- internet-gateway routes (stack rule) ----------------------------------------------------------------------

/** Looks resources up by URN and by known id (props.id), to follow references whether or not ids are known. */
export class ResourceIndex {
  private readonly byUrn = new Map<string, ResourceInput>();
  private readonly byId = new Map<string, ResourceInput>();
  constructor(readonly resources: readonly ResourceInput[]) {
    for (const r of resources) {
      this.byUrn.set(r.urn, r);
      const id = r.props.id;
      if (typeof id === "string" && !isUnknown(id) && id !== "") this.byId.set(id, r);
    }
  }
  /** The resource that `from.props[key]` refers to, if it has type `type`: by property dependency, else by id. */
  ref(from: ResourceInput, key: string, types: readonly string[], value: unknown = from.props[key]): ResourceInput | undefined {
    for (const urn of from.propertyDependencies?.[key] ?? []) {
      const r = this.byUrn.get(urn);
      if (r && types.includes(r.type)) return r;
    }
    if (typeof value === "string" && !isUnknown(value)) {
      const r = this.byId.get(value);
      if (r && types.includes(r.type)) return r;
    }
    return undefined;
  }
  /**
   * The Azure resource of `type` that `from.props[key]` names (a rule's NSG, a pool's cluster): by property
   * dependency, else by that name (`props[nameKey]` or `props.name`) in the same resource group.
   */
  azureNamed(from: ResourceInput, key: string, type: string, nameKey: string): ResourceInput | undefined {
    const byRef = this.ref(from, key, [type]);
    if (byRef) return byRef;
    const name = from.props[key];
    if (typeof name !== "string" || isUnknown(name)) return undefined;
    return this.ofType(type).find(
      (r) => (r.props[nameKey] === name || r.props.name === name) && r.props.resourceGroupName === from.props.resourceGroupName,
    );
  }
  /** The resource of one of `types` whose known id is `id`. */
  withId(id: string, types: readonly string[]): ResourceInput | undefined {
    const r = this.byId.get(id);
    return r && types.includes(r.type) ? r : undefined;
  }
  /** Every resource of `type`. */
  ofType(type: string): ResourceInput[] {
    return this.resources.filter((r) => r.type === type);
  }
}

const SUBNET = "aws:ec2/subnet:Subnet";
const ROUTE_TABLE = "aws:ec2/routeTable:RouteTable";
const ROUTE = "aws:ec2/route:Route";
const IGW = "aws:ec2/internetGateway:InternetGateway";
const ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation";

interface IgwRoute {
  readonly resource: ResourceInput;
  readonly property: string;
  readonly destination: string;
  readonly gateway: string;
}

/** True when a route target is an internet gateway: an `igw-` id, or a reference to an InternetGateway resource. */
function toIgw(index: ResourceIndex, res: ResourceInput, key: string, value: unknown): boolean | "unknown" {
  if (typeof value === "string" && value.startsWith("igw-")) return true;
  if (index.ref(res, key, [IGW], value)) return true;
  return isUnknown(value) ? "unknown" : false;
}

/**
 * `workload-subnet-internet-route`: no worker subnet is associated with a route table that sends 0.0.0.0/0 or
 * ::/0 to an internet gateway (inline `routes` of a RouteTable, or standalone Route resources). Links are followed
 * through property dependencies (preview) or ids (exports). Not covered: subnets left on the VPC's main route
 * table without an explicit association.
 */
export function checkInternetRoutes(resources: readonly ResourceInput[], ctx: CheckContext): StackFinding[] {
  const index = new ResourceIndex(resources);
  const globs = workerGlobs(ctx.config);
  const findings: StackFinding[] = [];
  const routesOf = new Map<string, IgwRoute[]>();
  const unknownRoutesOf = new Map<string, ResourceInput[]>();
  const push = (table: ResourceInput, r: IgwRoute | "unknown", res: ResourceInput): void => {
    if (r === "unknown") unknownRoutesOf.set(table.urn, [...(unknownRoutesOf.get(table.urn) ?? []), res]);
    else routesOf.set(table.urn, [...(routesOf.get(table.urn) ?? []), r]);
  };
  for (const table of index.ofType(ROUTE_TABLE)) {
    list(table.props.routes).forEach((route, i) => {
      for (const destKey of ["cidrBlock", "ipv6CidrBlock"]) {
        const dest = field(route, destKey);
        if (!isAnywhere(dest)) continue;
        const gw = field(route, "gatewayId");
        const hit = toIgw(index, table, "routes", gw);
        if (hit === true) push(table, { resource: table, property: `routes[${i}].gatewayId`, destination: dest as string, gateway: String(gw) }, table);
        else if (hit === "unknown") push(table, "unknown", table);
      }
    });
  }
  for (const route of index.ofType(ROUTE)) {
    const table = index.ref(route, "routeTableId", [ROUTE_TABLE]);
    if (!table) continue;
    for (const destKey of ["destinationCidrBlock", "destinationIpv6CidrBlock"]) {
      const dest = route.props[destKey];
      if (!isAnywhere(dest)) continue;
      const hit = toIgw(index, route, "gatewayId", route.props.gatewayId);
      if (hit === true) push(table, { resource: route, property: "gatewayId", destination: dest as string, gateway: String(route.props.gatewayId) }, route);
      else if (hit === "unknown") push(table, "unknown", route);
    }
  }
  for (const assoc of index.ofType(ROUTE_TABLE_ASSOCIATION)) {
    const subnet = index.ref(assoc, "subnetId", [SUBNET]);
    if (!subnet || !isWorker(subnet.name, subnet.props, globs)) continue;
    const table = index.ref(assoc, "routeTableId", [ROUTE_TABLE]);
    if (!table) continue;
    for (const r of routesOf.get(table.urn) ?? []) {
      const gw = isUnknown(r.gateway) ? "an internet gateway" : `internet gateway ${show(r.gateway)}`;
      findings.push({
        urn: r.resource.urn,
        type: r.resource.type,
        property: r.property,
        message:
          `${r.property} sends ${r.destination} to ${gw} in route table "${table.name}", which worker subnet ` +
          `"${subnet.name}" uses; route the worker subnet's default route to a NAT gateway or the egress firewall, or ` +
          "give it none: an internet-gateway route makes the subnet public and bypasses the egress allow-list.",
      });
    }
    for (const res of unknownRoutesOf.get(table.urn) ?? []) {
      findings.push({ urn: res.urn, type: res.type, ...unknownFinding(res.type === ROUTE ? "gatewayId" : "routes") });
    }
  }
  return findings;
}

/** `workload-subnet-internet-route`: worker subnets have no route to an internet gateway. */
export const internetRouteRule: StackRule = {
  id: "workload-subnet-internet-route",
  description: "No worker subnet is associated with a route table that sends 0.0.0.0/0 or ::/0 to an internet gateway.",
  enforcementLevel: "mandatory",
  family: "workloadSubnet",
  docs: "A worker subnet associated with a route table that sends `0.0.0.0/0` or `::/0` to an internet gateway.",
  options: { workerNames: WORKER_NAMES_OPTION },
  types: [SUBNET, ROUTE_TABLE, ROUTE, IGW, ROUTE_TABLE_ASSOCIATION],
  check: checkInternetRoutes,
};
