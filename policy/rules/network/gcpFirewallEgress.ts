/**
 * GCP VPC firewall rules whose egress `allows` each open part of a protocol's port range to the world and together
 * open all of it, on the same network for the same instances: `tcp 1-32767` in one rule and `tcp 32768-65535` in
 * another (or in two entries of one rule) are as open as `tcp` with no ports. A single entry that opens every port
 * is `egress-open-to-internet`'s finding and is not reported again here. Bound into
 * `egress-open-to-internet-combined` (splitEgress.ts). Higher-priority `denies` are not subtracted: a rule set that
 * relies on them to close the world is reported, and an exemption with its reason is the way to keep it.
 */
import { isWorker, workerGlobs } from "../../config";
import type { CheckContext, ResourceInput, StackFinding } from "../types";
import { anywhereIn, field, isUnknown, list, show } from "../values";
import { ALLOWING, DESTINATIONS, EGRESS_WHY, GCP_POLICY_RULE_TYPES, GCP_POLICY_WITH_RULES_TYPES, ResourceIndex } from "./cloudNetwork";
import { coversAllPorts, PortRange, readPortList, transportOf } from "./portRanges";

/** The type this half of `egress-open-to-internet-combined` reads. */
export const GCP_FIREWALL = "gcp:compute/firewall:Firewall";
const GCP_NETWORK = "gcp:compute/network:Network";

/** One `allows` entry's contribution: a port range of one protocol to one family's "anywhere". */
interface Part extends PortRange {
  readonly firewall: ResourceInput;
  readonly property: string;
  readonly family: "0.0.0.0/0" | "::/0";
  readonly protocol: "tcp" | "udp";
}

/**
 * The parts one allow entry adds (a VPC firewall's `allows[i]`, a policy rule's `match.layer4Configs[i]`): nothing
 * for another protocol, no or unreadable ports, or ports that cover everything alone (the single-rule check's case).
 */
function entryParts(
  resource: ResourceInput,
  property: string,
  protocolValue: unknown,
  ports: unknown,
  families: readonly string[],
): Part[] {
  const protocol = transportOf(protocolValue);
  if ((protocol !== "tcp" && protocol !== "udp") || isUnknown(ports) || list(ports).length === 0) return [];
  const { ranges, unread } = readPortList(list(ports));
  if (unread || coversAllPorts(ranges)) return [];
  return families.flatMap((family) => {
    const f = family.includes(":") ? "::/0" : "0.0.0.0/0";
    return ranges.map((r) => ({ ...r, firewall: resource, property, family: f, protocol }));
  });
}

/** The parts one firewall adds: nothing unless it is an enabled EGRESS rule to the world with known values. */
function partsOf(fw: ResourceInput): Part[] {
  const { direction, disabled, destinationRanges, allows } = fw.props;
  if ([direction, disabled, destinationRanges, allows].some(isUnknown)) return [];
  if (typeof direction !== "string" || direction.toUpperCase() !== "EGRESS" || disabled === true) return [];
  // An EGRESS rule with no destinationRanges applies to every IPv4 destination.
  const families = list(destinationRanges).length === 0 ? ["0.0.0.0/0"] : anywhereIn(list(destinationRanges));
  return list(allows).flatMap((a, i) => entryParts(fw, `allows[${i}]`, field(a, "protocol"), field(a, "ports"), families));
}

/** Every type the GCP half of `egress-open-to-internet-combined` reads. */
export const GCP_COMBINED_EGRESS_TYPES: readonly string[] = [GCP_FIREWALL, GCP_NETWORK, ...GCP_POLICY_RULE_TYPES, ...GCP_POLICY_WITH_RULES_TYPES];

/**
 * The parts one firewall-policy rule adds: an enabled EGRESS rule whose action lets traffic through, to the world
 * (an anywhere CIDR, or no destination at all), per `match.layer4Configs` entry with a partial port list.
 */
function policyRuleParts(resource: ResourceInput, rule: unknown, at: string): Part[] {
  const direction = field(rule, "direction");
  const action = field(rule, "action");
  const match = field(rule, "match");
  if ([direction, action, match, field(rule, "disabled")].some(isUnknown) || field(rule, "disabled") === true) return [];
  if (typeof direction !== "string" || direction.toUpperCase() !== "EGRESS") return [];
  if (typeof action !== "string" || !ALLOWING.has(action.toLowerCase())) return [];
  if (DESTINATIONS.some((k) => isUnknown(field(match, k)))) return [];
  const none = DESTINATIONS.every((k) => list(field(match, k)).length === 0);
  const families = none ? ["0.0.0.0/0", "::/0"] : anywhereIn(list(field(match, "destIpRanges")));
  return list(field(match, "layer4Configs")).flatMap((l4, i) =>
    entryParts(resource, `${at}match.layer4Configs[${i}]`, field(l4, "ipProtocol"), field(l4, "ports"), families),
  );
}

/** The targets of a firewall-policy rule, one group key each, or "*" for every instance the policy covers. */
function policyTargetsOf(rule: unknown): string[] {
  const accounts = list(field(rule, "targetServiceAccounts")).map(String).sort();
  const tags = list(field(rule, "targetSecureTags")).map((t) => String(field(t, "name") ?? t)).sort();
  if (tags.length === 0 && accounts.length === 0) return ["*"];
  return [...tags.map((t) => `targetSecureTags ${show([t])}`), ...accounts.map((a) => `targetServiceAccounts ${show([a])}`)];
}

/**
 * The instances a rule applies to, one group key (in words) per target tag or service account, or "*" for every
 * instance: a rule for tags ["a", "b"] applies to the instances with "a" and to those with "b", so it joins each
 * tag's group (grouping by the whole list would keep it apart from a rule for ["a"] on the same instances).
 */
function targetsOf(fw: ResourceInput): string[] {
  const tags = list(fw.props.targetTags).map(String).sort();
  const accounts = list(fw.props.targetServiceAccounts).map(String).sort();
  if (tags.length === 0 && accounts.length === 0) return ["*"];
  return [...tags.map((t) => `targetTags ${show([t])}`), ...accounts.map((a) => `targetServiceAccounts ${show([a])}`)];
}

/**
 * Groups the egress parts by network and target, a rule with no target joining every target group of its network
 * (it applies to those instances too), and reports each protocol and family whose parts together cover every port.
 */
export function checkGcpFirewallCombinedEgress(index: ResourceIndex, ctx: CheckContext): StackFinding[] {
  const byNetwork = new Map<string, { label: string; byTarget: Map<string, Part[]> }>();
  for (const fw of index.ofType(GCP_FIREWALL)) {
    const parts = partsOf(fw);
    if (parts.length === 0) continue;
    const network = index.ref(fw, "network", [GCP_NETWORK]);
    const raw = fw.props.network;
    if (!network && (typeof raw !== "string" || isUnknown(raw))) continue;
    const key = network ? `urn:${network.urn}` : `id:${String(raw)}`;
    const label = network ? `network "${network.name}"` : `network ${show(raw)}`;
    const entry = byNetwork.get(key) ?? { label, byTarget: new Map<string, Part[]>() };
    byNetwork.set(key, entry);
    for (const target of targetsOf(fw)) entry.byTarget.set(target, [...(entry.byTarget.get(target) ?? []), ...parts]);
  }
  const addTo = (key: string, label: string, targets: readonly string[], parts: readonly Part[]): void => {
    const entry = byNetwork.get(key) ?? { label, byTarget: new Map<string, Part[]>() };
    byNetwork.set(key, entry);
    for (const target of targets) entry.byTarget.set(target, [...(entry.byTarget.get(target) ?? []), ...parts]);
  };
  // Firewall policies: the rules of one policy add up like the firewalls of one network.
  for (const type of GCP_POLICY_RULE_TYPES) {
    for (const r of index.ofType(type)) {
      const parts = policyRuleParts(r, r.props, "");
      const policy = r.props.firewallPolicy;
      if (parts.length === 0 || typeof policy !== "string" || isUnknown(policy)) continue;
      addTo(`policy:${policy}`, `firewall policy ${show(policy)}`, policyTargetsOf(r.props), parts);
    }
  }
  for (const type of GCP_POLICY_WITH_RULES_TYPES) {
    for (const p of index.ofType(type)) {
      list(p.props.rules).forEach((rule, i) => {
        const parts = policyRuleParts(p, rule, `rules[${i}].`);
        if (parts.length > 0) addTo(`urn:${p.urn}`, `firewall policy "${p.name}"`, policyTargetsOf(rule), parts);
      });
    }
  }
  const globs = workerGlobs(ctx.config);
  const findings: StackFinding[] = [];
  // The same entries opening the same protocol and family are reported once, for the first target group they fill.
  const reported = new Set<string>();
  for (const { label, byTarget } of byNetwork.values()) {
    const everywhere = byTarget.get("*") ?? [];
    for (const [target, own] of byTarget) {
      const parts = target === "*" ? own : [...own, ...everywhere];
      if (ctx.config.scope === "workers" && !parts.some((p) => isWorker(p.firewall.name, p.firewall.props, globs))) continue;
      for (const family of ["0.0.0.0/0", "::/0"] as const) {
        for (const protocol of ["tcp", "udp"] as const) {
          const mine = parts.filter((p) => p.family === family && p.protocol === protocol);
          const rules = new Set(mine.map((p) => `${p.firewall.urn}#${p.property}`));
          if (rules.size < 2 || !coversAllPorts(mine)) continue;
          // Reported once per target group that holds a rule of its own: a group made only of untargeted rules is "*".
          if (target !== "*" && own.every((p) => p.family !== family || p.protocol !== protocol)) continue;
          const seen = `${family} ${protocol} ${[...rules].sort().join(" ")}`;
          if (reported.has(seen)) continue;
          reported.add(seen);
          const at = mine[0].firewall;
          const spans = [...new Set(mine.map((p) => `${p.firewall.name}.${p.property} (${protocol} ${p.from}-${p.to})`))].join(", ");
          const whom = target === "*" ? "every instance" : `the instances with ${target}`;
          findings.push({
            urn: at.urn,
            type: at.type,
            property: mine[0].property,
            message: `${label} lets every ${protocol.toUpperCase()} port out to ${family} from ${whom} through ${rules.size} allow entries together: ${spans}; ${EGRESS_WHY}.`,
          });
        }
      }
    }
  }
  return findings;
}
