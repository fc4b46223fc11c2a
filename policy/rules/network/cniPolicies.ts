/**
 * Cilium and Calico egress policies read the way NetworkPolicies are (kubernetesMetadataEgress.ts): which pods they
 * isolate, which metadata networks each allow rule opens, and which networks their deny rules close.
 *
 * Cilium (`cilium.io/v2` CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy): an egress rule opens every network
 * through `toEntities` `world`/`all` (`world-ipv4`/`world-ipv6`: one family), through a `toCIDR`/`toCIDRSet` entry
 * that contains a metadata network not in its `except`, and through a rule with ports but no destination selector (an
 * L4-only rule allows every destination), and through `toFQDNs` naming a catalogued metadata host name
 * (`metadata.google.internal`; a `matchPattern` that matches one, `*` matching within a label and a lone `*` every
 * name), since `toFQDNs` allows whatever address the name resolves to; the empty rule `{}` is Cilium's default-deny
 * idiom and allows nothing. `toCIDRSet` entries by `cidrGroupRef` (CiliumCIDRGroup) are not resolved.
 * An `egressDeny` rule wins over every allow of every policy kind for the pods it selects, so its CIDRs close those
 * networks: for its own policy always, and for the whole namespace (cluster, for a clusterwide policy) when it
 * selects every pod (`endpointSelector: {}`). Deny rules limited to ports close nothing here. Host policies
 * (`nodeSelector`) are the nodes' own traffic and are not judged.
 *
 * Calico (`crd.projectcalico.org/v1` and `projectcalico.org/v3` NetworkPolicy, GlobalNetworkPolicy): rules apply in
 * order and the first match decides, so an `action: Allow` rule opens what its destination allows (no destination, or
 * only `notNets`: everything; `nets`: each net minus `notNets`; a `selector`, `namespaceSelector`, `serviceAccounts`
 * or `services` picks endpoints, never a metadata address) unless an earlier `Deny` rule of the same policy with
 * `nets` (and no ports) already denied those networks. Ordering across policies (`order`, tiers) is not modelled:
 * a deny in another policy does not excuse an allow here.
 */
import { hostCidr, cidrContains } from "../../../components/cidr";
import { METADATA_ENDPOINTS } from "../../../components/endpoints";
import { METADATA_NETWORKS } from "../../../components/metadataNetworks";
import { bitsOf, parseAddress } from "../../../components/cidr";
import { asArray, asRecord, namespaceOf } from "../kubernetes/podSpec";
import {
  blockOpening,
  EVERY_PORT,
  everyNetwork,
  networksDenied,
  portsView,
  withoutDenied,
  type Opening,
  type PortEntry,
  type PortsView,
} from "./egressPeers";

/**
 * A Cilium or Calico destination as a CIDR: both take a single address where a CIDR goes (Cilium toCIDR/toCIDRSet,
 * Calico nets/notNets) and read it as the host's /32 or /128, so "169.254.169.254" is judged as
 * "169.254.169.254/32". Anything else is returned as written.
 */
function cniCidr(v: unknown): unknown {
  if (typeof v !== "string" || v.includes("/")) return v;
  const address = parseAddress(v);
  return address ? `${v}/${bitsOf(address.version)}` : v;
}

/** A list of Cilium or Calico destinations, each as {@link cniCidr}. */
function cniCidrs(v: unknown): unknown[] {
  return asArray(v).map(cniCidr);
}

/** The Cilium policy kinds. */
export const CILIUM_TYPES = ["kubernetes:cilium.io/v2:CiliumNetworkPolicy", "kubernetes:cilium.io/v2:CiliumClusterwideNetworkPolicy"];
/** The Calico policy kinds, both API groups (the CRDs and the Calico API server's). */
export const CALICO_TYPES = [
  "kubernetes:crd.projectcalico.org/v1:NetworkPolicy",
  "kubernetes:crd.projectcalico.org/v1:GlobalNetworkPolicy",
  "kubernetes:projectcalico.org/v3:NetworkPolicy",
  "kubernetes:projectcalico.org/v3:GlobalNetworkPolicy",
];

/** How to fix an opening, per dialect and kind. */
export const CILIUM_FIX =
  "add an egressDeny of the metadata networks for these pods (Cilium enforces it above every allow), or use toCIDRSet with them in except.";
export const CALICO_FIX = "put a Deny rule with the metadata networks in destination.nets before it, or list them in destination.notNets.";
export const LINK_LOCAL_FIX = "allow a link-local address only as a node-local DNS cache (one address, port 53 only), or name the destinations.";
export const FQDN_FIX = "remove it or name the hosts: toFQDNs allows whatever address a matching name resolves to, and the names of metadata endpoints match.";

/** One allow rule's opening, with its path. */
export interface LocatedOpening {
  readonly property: string;
  readonly opening: Opening;
  readonly fix: string;
}

/** What one CNI policy means for egress. */
export interface CniPolicyView {
  /** The namespace it applies to; `undefined` for a cluster-wide policy. */
  readonly namespace: string | undefined;
  /** True when it selects every pod (of its namespace, or of the cluster) and governs egress. */
  readonly selectsAllForEgress: boolean;
  /** Networks its deny rules close for every pod it applies to (empty unless it selects every pod). */
  readonly deniesForAll: readonly string[];
  /** Its allow rules' openings, after its own deny rules. */
  readonly openings: readonly LocatedOpening[];
}

const CILIUM_L3 = ["toEndpoints", "toRequires", "toCIDR", "toCIDRSet", "toEntities", "toServices", "toFQDNs", "toGroups", "toNodes"];
const WORLD: Readonly<Record<string, 4 | 6 | undefined>> = { world: undefined, all: undefined, "world-ipv4": 4, "world-ipv6": 6 };

function isEmptyObject(value: unknown): boolean {
  const r = asRecord(value);
  return r !== undefined && Object.keys(r).length === 0;
}

/** A Cilium endpoint selector that selects every endpoint: `{}` or empty match lists. */
function ciliumSelectsAll(selector: unknown): boolean {
  const s = asRecord(selector);
  if (!s) return false;
  return asArray(s.matchExpressions).length === 0 && Object.keys(asRecord(s.matchLabels) ?? {}).length === 0;
}

function ciliumPorts(rule: Readonly<Record<string, unknown>>): PortsView {
  const toPorts = asArray(rule.toPorts);
  if (toPorts.length === 0) return EVERY_PORT;
  const entries: PortEntry[] = [];
  for (const tp of toPorts) {
    const ports = asArray(asRecord(tp)?.ports);
    if (ports.length === 0) return EVERY_PORT;
    for (const p of ports) {
      const port = asRecord(p) ?? {};
      // Port "0" (or none) is every port in Cilium.
      if (port.port === undefined || port.port === "0" || port.port === 0) return EVERY_PORT;
      entries.push({ protocol: port.protocol ?? "ANY", port: port.port, endPort: port.endPort });
    }
  }
  return portsView(entries, "ANY");
}

/** The openings of one Cilium egress rule. */
function ciliumRuleOpenings(rule: Readonly<Record<string, unknown>>): Opening[] {
  const openings: Opening[] = [];
  const ports = ciliumPorts(rule);
  const hasL3 = CILIUM_L3.some((k) => rule[k] !== undefined);
  if (!hasL3) {
    // `{}` is the default-deny idiom; a rule with only ports (or ICMP) allows them to every destination.
    if (rule.toPorts !== undefined || rule.icmps !== undefined) openings.push(everyNetwork("no destination selector (every destination)"));
    return openings;
  }
  asArray(rule.toEntities).forEach((entity, j) => {
    if (typeof entity === "string" && entity in WORLD) openings.push(everyNetwork(`toEntities[${j}] ${JSON.stringify(entity)}`, WORLD[entity]));
  });
  cniCidrs(rule.toCIDR).forEach((cidr, j) => {
    const o = blockOpening(`toCIDR[${j}]`, cidr, [], ports);
    if (o) openings.push(o);
  });
  asArray(rule.toCIDRSet).forEach((entry, j) => {
    const set = asRecord(entry) ?? {};
    const o = blockOpening(`toCIDRSet[${j}]`, cniCidr(set.cidr), cniCidrs(set.except), ports);
    if (o) openings.push(o);
  });
  openings.push(...fqdnOpenings(rule.toFQDNs));
  return openings;
}

/** Whether a Cilium `toFQDNs` selector matches `host`: `matchName` exactly, `matchPattern` with `*` in a label. */
function fqdnMatches(selector: Readonly<Record<string, unknown>>, host: string): boolean {
  const name = selector.matchName;
  if (typeof name === "string") return name.toLowerCase().replace(/\.$/, "") === host;
  const pattern = selector.matchPattern;
  if (typeof pattern !== "string") return false;
  const p = pattern.toLowerCase().replace(/\.$/, "");
  if (p === "*") return true;
  const regex = new RegExp(`^${p.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[-a-z0-9_]*")}$`);
  return regex.test(host);
}

/** The openings of a Cilium `toFQDNs` list: each selector that matches a catalogued metadata host name. */
function fqdnOpenings(toFQDNs: unknown): Opening[] {
  const openings: Opening[] = [];
  asArray(toFQDNs).forEach((raw, j) => {
    const selector = asRecord(raw) ?? {};
    if (typeof selector.matchName !== "string" && typeof selector.matchPattern === "string" && selector.matchPattern.trim() === "*") {
      openings.push(everyNetwork(`toFQDNs[${j}] matchPattern "*" (every name)`));
      return;
    }
    for (const endpoint of METADATA_ENDPOINTS) {
      const host = endpoint.hostnames.find((h) => fqdnMatches(selector, h));
      if (host === undefined) continue;
      const networks = METADATA_NETWORKS.filter((n) => endpoint.addresses.some((a) => cidrContains(n.parsed, hostCidr(a)))).map((n) => n.cidr);
      const field = typeof selector.matchName === "string" ? "matchName" : "matchPattern";
      openings.push({
        what: `toFQDNs[${j}] ${field} ${JSON.stringify(selector[field])}`,
        // A name with no catalogued address (a public one) cannot be closed by a CIDR deny: it stays open.
        networks: networks.length > 0 ? networks : [host],
        shown: `${host}, a catalogued metadata host name (${endpoint.id}${endpoint.addresses.length > 0 ? `: ${endpoint.addresses.join(", ")}` : ""})`,
        kind: "inside",
      });
    }
  });
  return openings;
}

/** The networks one Cilium egressDeny rule closes on every port. */
function ciliumRuleDenies(rule: Readonly<Record<string, unknown>>): string[] {
  if (rule.toPorts !== undefined) return [];
  const denied: string[] = [];
  for (const entity of asArray(rule.toEntities)) {
    if (typeof entity === "string" && entity in WORLD) denied.push(...everyNetwork("", WORLD[entity]).networks);
  }
  for (const cidr of cniCidrs(rule.toCIDR)) denied.push(...networksDenied(cidr, []));
  for (const entry of asArray(rule.toCIDRSet)) {
    const set = asRecord(entry) ?? {};
    denied.push(...networksDenied(cniCidr(set.cidr), cniCidrs(set.except)));
  }
  return denied;
}

/** A Cilium policy's view; `clusterwide` for CiliumClusterwideNetworkPolicy. */
export function viewCiliumPolicy(props: Readonly<Record<string, unknown>>, clusterwide: boolean): CniPolicyView {
  const specs: [string, Readonly<Record<string, unknown>>][] = [];
  const spec = asRecord(props.spec);
  if (spec) specs.push(["spec", spec]);
  asArray(props.specs).forEach((s, k) => {
    const r = asRecord(s);
    if (r) specs.push([`specs[${k}]`, r]);
  });
  let selectsAllForEgress = false;
  const deniesForAll: string[] = [];
  const openings: LocatedOpening[] = [];
  for (const [base, s] of specs) {
    if (s.nodeSelector !== undefined && s.endpointSelector === undefined) continue;
    const all = ciliumSelectsAll(s.endpointSelector);
    const denied = new Set(asArray(s.egressDeny).flatMap((r) => ciliumRuleDenies(asRecord(r) ?? {})));
    if (all) {
      deniesForAll.push(...denied);
      // Cilium isolates a direction for a rule that has rules in it (`egress: []` has none; `[{}]` is the deny-all
      // idiom), unless the rule turns default deny off for it (`enableDefaultDeny.egress: false`, Cilium 1.15+).
      if (asArray(s.egress).length > 0 && asRecord(s.enableDefaultDeny)?.egress !== false) selectsAllForEgress = true;
    }
    asArray(s.egress).forEach((r, i) => {
      const path = `${base}.egress[${i}]`;
      for (const o of ciliumRuleOpenings(asRecord(r) ?? {})) {
        const left = withoutDenied(o, denied);
        if (left) openings.push({ property: path, opening: left, fix: left.what.startsWith("toFQDNs") ? FQDN_FIX : left.kind === "inside" ? LINK_LOCAL_FIX : CILIUM_FIX });
      }
    });
  }
  return { namespace: clusterwide ? undefined : namespaceOf(props), selectsAllForEgress, deniesForAll: [...new Set(deniesForAll)], openings };
}

/** A Calico selector that selects every endpoint: absent, empty, or `all()`. */
function calicoSelectsAll(selector: unknown): boolean {
  return selector === undefined || selector === null || (typeof selector === "string" && ["", "all()"].includes(selector.trim()));
}

const CALICO_ENDPOINT_PICKERS = ["selector", "namespaceSelector", "serviceAccounts", "services"];

function calicoPorts(rule: Readonly<Record<string, unknown>>, destination: Readonly<Record<string, unknown>>): PortsView {
  const ports = asArray(destination.ports);
  if (destination.notPorts !== undefined || ports.length === 0) return EVERY_PORT;
  const protocol = typeof rule.protocol === "string" ? rule.protocol : "any protocol";
  return portsView(
    ports.map((p) => {
      const range = typeof p === "string" ? /^(\d+):(\d+)$/.exec(p) : null;
      return range ? { protocol, port: range[1], endPort: range[2] } : { protocol, port: p };
    }),
    protocol,
  );
}

/** A Calico policy's view; `global` for GlobalNetworkPolicy. */
export function viewCalicoPolicy(props: Readonly<Record<string, unknown>>, global: boolean): CniPolicyView {
  const spec = asRecord(props.spec) ?? {};
  const types = spec.types;
  const egressRules = asArray(spec.egress);
  const governsEgress = Array.isArray(types) ? types.includes("Egress") : egressRules.length > 0;
  const all = calicoSelectsAll(spec.selector) && (!global || spec.namespaceSelector === undefined);
  const denied = new Set<string>();
  const openings: LocatedOpening[] = [];
  for (let i = 0; i < egressRules.length; i++) {
    const rule = asRecord(egressRules[i]) ?? {};
    const destination = asRecord(rule.destination) ?? {};
    const path = `spec.egress[${i}]`;
    const picksEndpoints = CALICO_ENDPOINT_PICKERS.some((k) => destination[k] !== undefined);
    const nets = cniCidrs(destination.nets);
    const notNets = cniCidrs(destination.notNets);
    if (rule.action === "Deny") {
      if (picksEndpoints || destination.ports !== undefined || destination.notPorts !== undefined || rule.protocol !== undefined) continue;
      // A Deny of every destination ends the policy: no later rule is reached.
      if (nets.length === 0 && notNets.length === 0) break;
      for (const net of nets) for (const n of networksDenied(net, notNets)) denied.add(n);
      continue;
    }
    if (rule.action !== "Allow" || picksEndpoints) continue;
    const ports = calicoPorts(rule, destination);
    const found: Opening[] = [];
    if (nets.length === 0) {
      if (notNets.length === 0) found.push(everyNetwork(isEmptyObject(rule.destination) || rule.destination === undefined ? "action Allow with no destination (every destination)" : "action Allow with no destination nets (every destination)"));
      else {
        for (const cidr of ["0.0.0.0/0", "::/0"]) {
          const o = blockOpening(`destination.notNets without nets (every destination but notNets), so ${cidr}`, cidr, notNets, ports);
          if (o) found.push(o);
        }
      }
    }
    nets.forEach((net, j) => {
      const o = blockOpening(`destination.nets[${j}]`, net, notNets, ports);
      if (o) found.push(o);
    });
    for (const o of found) {
      const left = withoutDenied(o, denied);
      if (left) openings.push({ property: path, opening: left, fix: left.kind === "inside" ? LINK_LOCAL_FIX : CALICO_FIX });
    }
  }
  return {
    namespace: global ? undefined : namespaceOf(props),
    selectsAllForEgress: all && governsEgress,
    deniesForAll: [],
    openings,
  };
}
