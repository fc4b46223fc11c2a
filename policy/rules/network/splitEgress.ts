/**
 * Egress open to the world when the rules are put together: a security group whose egress rules (inline `egress`
 * blocks, `aws.ec2.SecurityGroupRule`, `aws.vpc.SecurityGroupEgressRule`) each allow part of the port range to
 * 0.0.0.0/0 or ::/0 and together allow every TCP or UDP port. `egress-open-to-internet` judges each rule alone;
 * this stack rule judges their union per security group, and stays silent where one rule alone already opens every
 * port (that rule's own finding says so).
 */
import { isWorker, WORKER_NAMES_OPTION, workerGlobs } from "../../config";
import type { CheckContext, ResourceInput, StackFinding, StackRule } from "../types";
import { anywhereIn, field, isUnknown, list, show, unknownFinding } from "../values";
import { checkAzureNsgCombinedEgress, NSG_TYPES } from "./azureNsgEgress";
import { AWS_SECURITY_GROUP, AWS_SECURITY_GROUP_EGRESS_RULE, AWS_SECURITY_GROUP_RULE, awsAllPorts, EGRESS_WHY, ResourceIndex } from "./cloudNetwork";
import { checkGcpFirewallCombinedEgress, GCP_COMBINED_EGRESS_TYPES } from "./gcpFirewallEgress";
import { coversAllPorts, transportOf } from "./portRanges";

/** One rule's contribution: a port range of one protocol to one family's "anywhere". */
interface Part {
  readonly resource: ResourceInput;
  readonly property: string;
  readonly family: "0.0.0.0/0" | "::/0";
  readonly protocol: "tcp" | "udp";
  readonly from: number;
  readonly to: number;
}

/** The families a CIDR field opens to the world: "0.0.0.0/0" or "::/0" (a list or a single CIDR). */
function families(v: unknown): ("0.0.0.0/0" | "::/0")[] {
  const cidrs = Array.isArray(v) ? v : [v];
  return anywhereIn(cidrs).map((c) => (c.includes(":") ? "::/0" : "0.0.0.0/0"));
}

/**
 * The parts one rule adds. A rule whose protocol or ports are unknown, or that alone opens every port, adds none:
 * `egress-open-to-internet` reports it (as indeterminate, or as open) and checks it again when it is known.
 */
function partsOf(resource: ResourceInput, rule: unknown, path: string, cidrKeys: readonly string[], protoKey: string): Part[] {
  const [protocol, from, to] = [field(rule, protoKey), field(rule, "fromPort"), field(rule, "toPort")];
  if ([protocol, from, to].some(isUnknown) || awsAllPorts(protocol, from, to)) return [];
  const p = transportOf(protocol);
  if (p === undefined || p === "all" || typeof from !== "number" || typeof to !== "number") return [];
  return cidrKeys.flatMap((key) => families(field(rule, key)).map((family) => ({ resource, property: `${path}${key}`, family, protocol: p, from, to })));
}


/** Groups every rule's parts by the security group it belongs to (the SG resource, else its id as written). */
export function checkSplitEgress(index: ResourceIndex, ctx: CheckContext): StackFinding[] {
  const groups = new Map<string, { sg?: ResourceInput; parts: Part[] }>();
  const findings: StackFinding[] = [];
  const add = (key: string, sg: ResourceInput | undefined, parts: Part[]): void => {
    if (parts.length === 0) return;
    const g = groups.get(key) ?? { sg, parts: [] };
    g.parts.push(...parts);
    groups.set(key, g);
  };
  for (const sg of index.ofType(AWS_SECURITY_GROUP)) {
    const parts = list(sg.props.egress).flatMap((r, i) => partsOf(sg, r, `egress[${i}].`, ["cidrBlocks", "ipv6CidrBlocks"], "protocol"));
    add(`urn:${sg.urn}`, sg, parts);
  }
  const standalone: [string, readonly string[], string][] = [
    [AWS_SECURITY_GROUP_RULE, ["cidrBlocks", "ipv6CidrBlocks"], "protocol"],
    [AWS_SECURITY_GROUP_EGRESS_RULE, ["cidrIpv4", "cidrIpv6"], "ipProtocol"],
  ];
  for (const [type, cidrKeys, protoKey] of standalone) {
    for (const r of index.ofType(type)) {
      if (type === AWS_SECURITY_GROUP_RULE && r.props.type !== "egress") continue;
      const parts = partsOf(r, r.props, "", cidrKeys, protoKey);
      if (parts.length === 0) continue;
      const sg = index.ref(r, "securityGroupId", [AWS_SECURITY_GROUP]);
      const id = r.props.securityGroupId;
      if (sg) add(`urn:${sg.urn}`, sg, parts);
      else if (typeof id === "string" && !isUnknown(id)) add(`id:${id}`, undefined, parts);
      else findings.push({ urn: r.urn, type: r.type, ...unknownFinding("securityGroupId") });
    }
  }
  findings.push(...checkAttachedGroups(index, groups, ctx));
  for (const { sg, parts } of groups.values()) {
    if (ctx.config.scope === "workers") {
      const marked = sg ? isWorker(sg.name, sg.props, workerGlobs(ctx.config)) : parts.some((p) => isWorker(p.resource.name, p.resource.props, workerGlobs(ctx.config)));
      if (!marked) continue;
    }
    for (const family of ["0.0.0.0/0", "::/0"] as const) {
      for (const protocol of ["tcp", "udp"] as const) {
        const mine = parts.filter((p) => p.family === family && p.protocol === protocol);
        if (mine.length < 2 || !coversAllPorts(mine)) continue;
        const at = sg ?? mine[0].resource;
        const where = sg ? `security group "${sg.name}"` : `security group ${show(mine[0].resource.props.securityGroupId)}`;
        const spans = mine
          .map((p) => `${p.resource === sg ? p.property : `${p.resource.name}.${p.property}`} (${protocol} ${p.from}-${p.to})`)
          .join(", ");
        findings.push({
          urn: at.urn,
          type: at.type,
          property: sg ? "egress" : mine[0].property,
          message: `${where} allows every ${protocol.toUpperCase()} port out to ${family} through ${mine.length} rules together: ${spans}; ${EGRESS_WHY}.`,
        });
      }
    }
  }
  return findings;
}

const INSTANCE = "aws:ec2/instance:Instance";
const SPOT = "aws:ec2/spotInstanceRequest:SpotInstanceRequest";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const ECS_SERVICE = "aws:ecs/service:Service";

/** Where each resource that attaches security groups names them: the property and the ids written there. */
const ATTACHMENTS: Readonly<Record<string, (props: Record<string, unknown>) => { key: string; ids: readonly unknown[] }[]>> = {
  [INSTANCE]: (p) => [{ key: "vpcSecurityGroupIds", ids: list(p.vpcSecurityGroupIds) }],
  [SPOT]: (p) => [{ key: "vpcSecurityGroupIds", ids: list(p.vpcSecurityGroupIds) }],
  [LAUNCH_TEMPLATE]: (p) => [
    { key: "vpcSecurityGroupIds", ids: list(p.vpcSecurityGroupIds) },
    { key: "networkInterfaces", ids: list(p.networkInterfaces).flatMap((n) => list(field(n, "securityGroups"))) },
  ],
  [ECS_SERVICE]: (p) => [{ key: "networkConfiguration", ids: list(field(p.networkConfiguration, "securityGroups")) }],
};

/** The group keys (as checkSplitEgress keys them) of the security groups a resource attaches, each with the property naming it. */
function attachedGroups(index: ResourceIndex, sgUrns: ReadonlySet<string>, r: ResourceInput): Map<string, string> {
  const keys = new Map<string, string>();
  for (const { key, ids } of ATTACHMENTS[r.type](r.props)) {
    const add = (group: string): void => {
      if (!keys.has(group)) keys.set(group, key);
    };
    // By property dependency (ids unknown during preview), filtered to security groups (a service's subnets too).
    for (const urn of r.propertyDependencies?.[key] ?? []) if (sgUrns.has(urn)) add(`urn:${urn}`);
    for (const id of ids) {
      if (typeof id !== "string" || isUnknown(id)) continue;
      const sg = index.withId(id, [AWS_SECURITY_GROUP]);
      add(sg ? `urn:${sg.urn}` : `id:${id}`);
    }
  }
  return keys;
}

/**
 * Security groups add up: an instance (launch template, spot request, ECS service) with several attached groups is
 * allowed the union of their egress. Reports each one whose groups together open every TCP or UDP port to the world
 * where no single group does (a group that does is reported on its own).
 */
function checkAttachedGroups(index: ResourceIndex, groups: ReadonlyMap<string, { sg?: ResourceInput; parts: Part[] }>, ctx: CheckContext): StackFinding[] {
  const findings: StackFinding[] = [];
  const sgUrns = new Set(index.ofType(AWS_SECURITY_GROUP).map((g) => g.urn));
  for (const type of Object.keys(ATTACHMENTS)) {
    for (const r of index.ofType(type)) {
      const where = attachedGroups(index, sgUrns, r);
      const attached = [...where.keys()].filter((k) => (groups.get(k)?.parts.length ?? 0) > 0);
      if (attached.length < 2) continue;
      if (ctx.config.scope === "workers" && !isWorker(r.name, r.props, workerGlobs(ctx.config)) && !attached.some((k) => {
        const sg = groups.get(k)?.sg;
        return sg !== undefined && isWorker(sg.name, sg.props, workerGlobs(ctx.config));
      })) continue;
      for (const family of ["0.0.0.0/0", "::/0"] as const) {
        for (const protocol of ["tcp", "udp"] as const) {
          const bySg = attached.map((k) => ({ k, parts: groups.get(k)!.parts.filter((p) => p.family === family && p.protocol === protocol) }));
          if (bySg.some((g) => coversAllPorts(g.parts))) continue;
          const contributing = bySg.filter((g) => g.parts.length > 0);
          if (contributing.length < 2 || !coversAllPorts(contributing.flatMap((g) => g.parts))) continue;
          const names = contributing.map((g) => {
            const sg = groups.get(g.k)!.sg;
            return sg ? `"${sg.name}"` : show(g.k.slice(3));
          });
          const spans = contributing.flatMap((g) => g.parts.map((p) => `${p.resource.name}.${p.property} (${protocol} ${p.from}-${p.to})`)).join(", ");
          findings.push({
            urn: r.urn,
            type: r.type,
            property: where.get(contributing[0].k)!,
            message: `"${r.name}" attaches security groups ${names.join(", ")}, whose egress together allows every ${protocol.toUpperCase()} port out to ${family}: ${spans}; ${EGRESS_WHY}.`,
          });
        }
      }
    }
  }
  return findings;
}

/** `egress-open-to-internet-combined`: no security group's egress rules together let every port out. */
export const splitEgressRule: StackRule = {
  id: "egress-open-to-internet-combined",
  description:
    "No security group's egress rules, split over inline blocks and rule resources, together allow every TCP or UDP port out to 0.0.0.0/0 or ::/0, no Azure NSG's outbound Allow rules together allow every TCP or UDP port to the internet, and no GCP network's egress firewall rules together allow every port of a protocol to the world (scope: all by default, or worker ones only).",
  enforcementLevel: "mandatory",
  family: "egress",
  docs:
    "AWS security groups whose egress rules (inline `egress`, `SecurityGroupRule`, `vpc.SecurityGroupEgressRule`) each open part of the port range to `0.0.0.0/0` or `::/0` and together open every TCP or UDP port; a single rule that opens every port is `egress-open-to-internet`'s finding. Security groups add up: an instance, spot request, launch template or ECS service whose attached groups together open every TCP or UDP port fails too. " +
    "Azure NSGs whose Outbound Allow rules to `*`, `Internet`, `0.0.0.0/0` or `::/0` (inline `securityRules` and separate `SecurityRule` resources of the same NSG) together cover every port of TCP or of UDP, as `Tcp 1-32767` plus `Tcp 32768-65535` do (a single `Tcp *` is `egress-open-to-internet`'s finding). " +
    "GCP VPC firewalls whose EGRESS `allows` entries to `0.0.0.0/0` or `::/0` (or with no `destinationRanges`) on the same network, for the same target tags or service accounts (untargeted rules count for every target), together cover every port of a protocol, as `tcp 1-32767` plus `tcp 32768-65535` do; the EGRESS allow rules of one GCP firewall policy (network, regional or hierarchical; separate or inline) add up the same way.",
  options: {
    scope: {
      type: "string",
      enum: ["all", "workers"],
      default: "all",
      description: "Check every security group, NSG and GCP firewall, or only those marked as worker resources.",
    },
    workerNames: WORKER_NAMES_OPTION,
  },
  types: [AWS_SECURITY_GROUP, AWS_SECURITY_GROUP_RULE, AWS_SECURITY_GROUP_EGRESS_RULE, INSTANCE, SPOT, LAUNCH_TEMPLATE, ECS_SERVICE, ...NSG_TYPES, ...GCP_COMBINED_EGRESS_TYPES],
  check: (resources, ctx) => {
    const index = new ResourceIndex(resources);
    return [...checkSplitEgress(index, ctx), ...checkAzureNsgCombinedEgress(index, ctx), ...checkGcpFirewallCombinedEgress(index, ctx)];
  },
};
