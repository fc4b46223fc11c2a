/**
 * Azure NSGs whose outbound Allow rules together open every port of a protocol to the world: port ranges split
 * across rules, inline (`securityRules`) or as separate `SecurityRule` resources of the same NSG. A single rule that
 * opens every port of a protocol (`Tcp *`, `Udp *`, `* *`) is `egress-open-to-internet`'s finding and is not
 * reported again here.
 * Bound into `egress-open-to-internet-combined` (splitEgress.ts), which judges AWS security groups the same way.
 */
import { isWorker, workerGlobs } from "../../config";
import type { CheckContext, ResourceInput, StackFinding } from "../types";
import { anywhereIn, field, isAnywhere, isUnknown, list, show } from "../values";
import { EGRESS_WHY, ResourceIndex } from "./cloudNetwork";
import { coversAllPorts, PortRange, readPortList } from "./portRanges";

/** The types the NSG half of `egress-open-to-internet-combined` (splitEgress.ts) reads. */
export const NSG_TYPES = ["azure-native:network:NetworkSecurityGroup", "azure-native:network:SecurityRule"] as const;
const [NSG, RULE] = NSG_TYPES;

/** One outbound Allow rule to the world, as far as this rule needs it. */
interface OpenRule {
  /** How the message names it: `securityRules[0]` or `security rule "name"`. */
  readonly label: string;
  readonly resource: ResourceInput;
  readonly protocols: readonly ("tcp" | "udp")[];
  readonly ports: readonly PortRange[];
  readonly destination: string;
  readonly protocol: unknown;
  readonly portText: unknown;
}

/** Port ranges of `destinationPortRange(s)`: "*", "N" or "N-M" (anything else covers no port). */
function portRanges(range: unknown, ranges: unknown): PortRange[] {
  return readPortList([range, ...list(ranges)].filter((r) => typeof r === "string")).ranges;
}

/** The rule as an open outbound rule, or undefined when it is not one (or a value it needs is unknown). */
function openRule(rule: unknown, label: string, resource: ResourceInput): OpenRule | undefined {
  const keys = ["direction", "access", "protocol", "destinationAddressPrefix", "destinationAddressPrefixes", "destinationPortRange", "destinationPortRanges"];
  if (keys.some((k) => isUnknown(field(rule, k)))) return undefined;
  const is = (k: string, s: string): boolean => typeof field(rule, k) === "string" && (field(rule, k) as string).toLowerCase() === s;
  if (!is("direction", "outbound") || !is("access", "allow")) return undefined;
  const protocol = field(rule, "protocol");
  const p = typeof protocol === "string" ? protocol.toLowerCase() : "";
  const protocols: readonly ("tcp" | "udp")[] = p === "*" || p === "any" ? ["tcp", "udp"] : p === "tcp" || p === "udp" ? [p] : [];
  if (protocols.length === 0) return undefined;
  const prefix = field(rule, "destinationAddressPrefix");
  const destination = isAnywhere(prefix) ? prefix : anywhereIn(list(field(rule, "destinationAddressPrefixes")))[0];
  if (typeof destination !== "string") return undefined;
  const ports = portRanges(field(rule, "destinationPortRange"), field(rule, "destinationPortRanges"));
  const portText = field(rule, "destinationPortRange") ?? field(rule, "destinationPortRanges");
  return { label, resource, protocols, ports, destination, protocol, portText };
}


/** Reports every NSG (or group of separate rules naming the same NSG) whose open rules together cover every TCP and UDP port. */
export function checkAzureNsgCombinedEgress(index: ResourceIndex, ctx: CheckContext): StackFinding[] {
  const groups = new Map<string, { nsg?: ResourceInput; rules: OpenRule[] }>();
  const group = (key: string, nsg?: ResourceInput) => {
    const g = groups.get(key) ?? { nsg, rules: [] };
    groups.set(key, g);
    return g;
  };
  for (const nsg of index.ofType(NSG)) {
    const g = group(`urn:${nsg.urn}`, nsg);
    list(nsg.props.securityRules).forEach((r, i) => {
      const open = openRule(r, `securityRules[${i}]`, nsg);
      if (open) g.rules.push(open);
    });
  }
  for (const r of index.ofType(RULE)) {
    const open = openRule(r.props, `security rule "${r.name}"`, r);
    if (!open) continue;
    const nsg = index.azureNamed(r, "networkSecurityGroupName", NSG, "networkSecurityGroupName");
    const key = nsg ? `urn:${nsg.urn}` : `name:${String(r.props.resourceGroupName)}/${String(r.props.networkSecurityGroupName)}`;
    group(key, nsg).rules.push(open);
  }
  const findings: StackFinding[] = [];
  for (const { nsg, rules } of groups.values()) {
    if (rules.length === 0) continue;
    const owner = nsg ?? rules[0].resource;
    if (ctx.config.scope === "workers" && !isWorker(owner.name, owner.props, workerGlobs(ctx.config))) continue;
    for (const protocol of ["tcp", "udp"] as const) {
      const mine = rules.filter((r) => r.protocols.includes(protocol));
      // One rule opening every port of the protocol is egress-open-to-internet's finding.
      if (mine.length < 2 || mine.some((r) => coversAllPorts(r.ports)) || !coversAllPorts(mine.flatMap((r) => r.ports))) continue;
      const parts = mine.map((r) => `${r.label} (${show(r.protocol)} ports ${show(r.portText)} to ${show(r.destination)})`);
      findings.push({
        urn: owner.urn,
        type: owner.type,
        property: nsg ? "securityRules" : "destinationPortRange",
        message: `${parts.join(", ")} together allow every ${protocol.toUpperCase()} port outbound${nsg ? ` in NSG "${nsg.name}"` : ""}; ${EGRESS_WHY}.`,
      });
    }
  }
  return findings;
}
