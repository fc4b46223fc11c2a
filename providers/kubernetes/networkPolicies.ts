/**
 * The hardened namespace's network rules as plain data: Kubernetes NetworkPolicy specs and, on Cilium clusters,
 * CiliumNetworkPolicy specs. Pure: tests and `hardening plan` read the exact manifests without a cluster.
 *
 * Why these work (docs/design/cloud-controls.md section 5): a NetworkPolicy that selects a pod for Egress turns
 * that pod's egress into an allow-list, for pods on the pod network and only where the CNI enforces policies.
 * Policies union, so the metadata ranges are carved out of every allowed ipBlock with `except` (and the API rejects
 * an `except` outside its `cidr`, which is why each rule lists only the ranges inside it). On Cilium an `egressDeny`
 * rule takes precedence over every allow, from any policy kind, so there the block survives another team's
 * allow-all policy.
 */
import { Cidr, cidrContains, formatCidr, mustParseCidr, parseCidr } from "../../components/cidr";
import { INTERNAL_RANGES, minimalCidrs, nat64Of } from "../../components/egressProxy/ranges";
import { METADATA_NETWORKS } from "../../components/metadataNetworks";
import { EgressMode, ResolvedEgressRule, ResolvedHardening } from "../../components/spec";

/** Labels as a plain map. */
export type Labels = Record<string, string>;

/** Where the cluster resolver runs; NetworkPolicies allow DNS to these pods only. */
export interface DnsTarget {
  /**
   * Labels of the resolver's namespace.
   * @default { "kubernetes.io/metadata.name": "kube-system" }
   */
  namespaceLabels?: Labels;
  /**
   * Labels of the resolver pods (CoreDNS and kube-dns both carry this label on kubeadm, EKS, GKE and AKS).
   * @default { "k8s-app": "kube-dns" }
   */
  podLabels?: Labels;
  /**
   * Address of a NodeLocal DNSCache (e.g. `169.254.20.10`) when pods resolve through it. It is link-local and
   * runs on the host network, so it needs its own narrow rule: port 53 only.
   * @default undefined (no node-local cache)
   */
  nodeLocalAddress?: string;
}

/** An in-cluster forward proxy that enforces the domain allow-list. */
export interface EgressProxyTarget {
  /** Namespace of the proxy pods. */
  namespace: string;
  /** Labels of the proxy pods (NetworkPolicies select pods, not Services). */
  podLabels: Labels;
  /** The proxy's listening port (the pod's port, which policies see after the Service rewrite). */
  port: number;
}

/** One NetworkPolicy to create: a stable key (the child name suffix) and its spec. */
export interface PlannedNetworkPolicy {
  readonly key: string;
  readonly spec: Record<string, unknown>;
}

/** One CiliumNetworkPolicy to create (`cilium.io/v2`). */
export interface PlannedCiliumPolicy {
  readonly key: string;
  readonly spec: Record<string, unknown>;
}

/** The resolved settings the mapping needs besides the spec. */
export interface NetworkPlanOptions {
  readonly dns: Required<Pick<DnsTarget, "namespaceLabels" | "podLabels">> & Pick<DnsTarget, "nodeLocalAddress">;
  readonly proxy?: EgressProxyTarget;
  readonly cilium: boolean;
  /** The cluster's pod, Service and node networks outside the internal ranges, excepted like them. @default [] */
  readonly clusterNetworks?: readonly string[];
}

/** The default resolver selectors. */
export const DEFAULT_DNS: Required<Pick<DnsTarget, "namespaceLabels" | "podLabels">> = {
  namespaceLabels: { "kubernetes.io/metadata.name": "kube-system" },
  podLabels: { "k8s-app": "kube-dns" },
};

const DNS_PORTS = [
  { protocol: "UDP", port: 53 },
  { protocol: "TCP", port: 53 },
];

function portsOf(rule: ResolvedEgressRule): { protocol: string; port: number }[] {
  return rule.ports.map((port) => ({ protocol: rule.protocol.toUpperCase(), port }));
}

/**
 * What an allowed network must exclude in a NetworkPolicy: every catalogued metadata network inside it, every range
 * that is not globally reachable strictly inside it (private, shared, loopback, link-local, unique-local: where the
 * cluster's pod, Service and node networks live), and the NAT64 (`64:ff9b::/96`) forms of the excluded IPv4
 * networks, which a NAT64 gateway would translate back to them. A rule equal to or inside an internal range is the
 * user listing that range: it excludes only metadata. Minimal, each inside `allowed`, metadata first.
 */
export function kubernetesExceptFor(allowed: Cidr, metadataExcept: readonly string[], clusterNetworks: readonly string[] = []): string[] {
  const internal = [...INTERNAL_RANGES.map((r) => r.cidr), ...clusterNetworks].map(mustParseCidr).filter((c) => c.version === allowed.version && cidrContains(allowed, c) && !cidrContains(c, allowed));
  const v4 = [...METADATA_NETWORKS.map((n) => n.parsed), ...INTERNAL_RANGES.map((r) => mustParseCidr(r.cidr))].filter((c) => c.version === 4);
  const nat64 = allowed.version === 6 ? v4.map(nat64Of).filter((c) => cidrContains(allowed, c) && !cidrContains(c, allowed)) : [];
  const extra = minimalCidrs([...internal, ...nat64]).map(formatCidr);
  // Metadata first, in the catalogue's order (what reports name), then what is not already inside one of them.
  const meta = metadataExcept.map(mustParseCidr);
  return [...metadataExcept, ...extra.filter((e) => !meta.some((m) => cidrContains(m, mustParseCidr(e))))].filter(
    (e, i, all) => !all.some((o, j) => j !== i && o !== e && cidrContains(mustParseCidr(o), mustParseCidr(e))),
  );
}

/**
 * One NetworkPolicy egress rule per CIDR rule: `ipBlock.cidr` is the allowed network and `ipBlock.except` lists
 * what {@link kubernetesExceptFor} excludes (metadata, internal ranges not listed, their NAT64 forms), and nothing
 * outside it, since the API rejects an `except` that is not inside its `cidr`. So `0.0.0.0/0` on 5432 reaches the
 * internet on 5432, not every pod, Service and node; a user who needs `10.20.0.0/16` lists it.
 */
export function egressRulesFor(rules: readonly ResolvedEgressRule[], clusterNetworks: readonly string[] = []): Record<string, unknown>[] {
  return rules
    .filter((r) => r.kind === "cidr" && r.cidr !== undefined)
    .map((r) => {
      const ipBlock: Record<string, unknown> = { cidr: r.cidr };
      const except = kubernetesExceptFor(mustParseCidr(r.cidr as string), r.except, clusterNetworks);
      if (except.length > 0) ipBlock.except = except;
      return { to: [{ ipBlock }], ports: portsOf(r) };
    });
}

/** The NetworkPolicy peer of the cluster resolver. */
function dnsPeer(dns: NetworkPlanOptions["dns"]): Record<string, unknown> {
  return { namespaceSelector: { matchLabels: { ...dns.namespaceLabels } }, podSelector: { matchLabels: { ...dns.podLabels } } };
}

function hostCidrOf(address: string): string {
  return address.includes(":") ? `${address}/128` : `${address}/32`;
}

/**
 * The namespace's NetworkPolicies: `default-deny` (every pod, ingress and egress), `allow-dns` (UDP/TCP 53 to the
 * cluster resolver only), `allow-egress` (the CIDR allow-list with metadata carve-outs) and `allow-proxy` (the
 * egress proxy, when domain rules go through one). Each selects every pod in the namespace (`podSelector: {}`).
 */
export function networkPoliciesFor(hardening: ResolvedHardening, options: NetworkPlanOptions): PlannedNetworkPolicy[] {
  const policies: PlannedNetworkPolicy[] = [
    { key: "default-deny", spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
  ];
  const dnsTo: Record<string, unknown>[] = [dnsPeer(options.dns)];
  if (options.dns.nodeLocalAddress !== undefined) dnsTo.push({ ipBlock: { cidr: hostCidrOf(options.dns.nodeLocalAddress) } });
  policies.push({
    key: "allow-dns",
    spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: dnsTo, ports: DNS_PORTS.map((p) => ({ ...p })) }] },
  });
  if (hardening.egress.mode === EgressMode.AllowList) {
    const egress = egressRulesFor(hardening.egress.allow, options.clusterNetworks);
    if (egress.length > 0) policies.push({ key: "allow-egress", spec: { podSelector: {}, policyTypes: ["Egress"], egress } });
    const domains = hardening.egress.allow.filter((r) => r.kind === "domain");
    if (domains.length > 0 && options.proxy !== undefined) {
      const p = options.proxy;
      policies.push({
        key: "allow-proxy",
        spec: {
          podSelector: {},
          policyTypes: ["Egress"],
          egress: [
            {
              to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": p.namespace } }, podSelector: { matchLabels: { ...p.podLabels } } }],
              ports: [{ protocol: "TCP", port: p.port }],
            },
          ],
        },
      });
    }
  }
  return policies;
}

/** Cilium's spelling of the resolver's labels: pod labels prefixed `k8s:`, the namespace as a pseudo-label. */
function ciliumDnsSelector(dns: NetworkPlanOptions["dns"]): Record<string, unknown> {
  const matchLabels: Labels = {};
  const ns = dns.namespaceLabels["kubernetes.io/metadata.name"];
  if (ns !== undefined) matchLabels["k8s:io.kubernetes.pod.namespace"] = ns;
  for (const [k, v] of Object.entries(dns.namespaceLabels)) {
    if (k !== "kubernetes.io/metadata.name") matchLabels[`k8s:io.cilium.k8s.namespace.labels.${k}`] = v;
  }
  for (const [k, v] of Object.entries(dns.podLabels)) matchLabels[`k8s:${k}`] = v;
  return { matchLabels };
}

/** `toFQDNs` selectors of the domain rules: exact names as matchName, `*.x` wildcards as matchPattern. */
function fqdnSelectorsOf(rule: ResolvedEgressRule): Record<string, string>[] {
  const d = rule.domain ?? "";
  return [d.startsWith("*.") ? { matchPattern: d } : { matchName: d }];
}

/**
 * The namespace's CiliumNetworkPolicies, only when the cluster runs Cilium: `deny-metadata` (an `egressDeny` of
 * every catalogued metadata network, which Cilium enforces above any allow, NetworkPolicies included) and, for
 * domain rules not sent through a proxy, `allow-fqdn` (`toFQDNs` per rule, plus the DNS rule through Cilium's DNS
 * proxy that `toFQDNs` needs to learn the names' addresses).
 */
export function ciliumPoliciesFor(hardening: ResolvedHardening, options: NetworkPlanOptions): PlannedCiliumPolicy[] {
  if (!options.cilium) return [];
  const nodeLocal = options.dns.nodeLocalAddress !== undefined ? parseCidr(hostCidrOf(options.dns.nodeLocalAddress)) : undefined;
  const exceptNodeLocal = (c: Cidr): Record<string, unknown> => {
    const entry: Record<string, unknown> = { cidr: formatCidr(c) };
    // A node-local DNS cache on a link-local address stays reachable, or every lookup would fail.
    if (nodeLocal?.ok && cidrContains(c, nodeLocal.cidr)) entry.except = [hostCidrOf(options.dns.nodeLocalAddress as string)];
    return entry;
  };
  // The metadata networks and the NAT64 forms of the IPv4 ones, as the workload and proxy policies exclude them.
  const metadata = METADATA_NETWORKS.map((n) => n.parsed);
  const toCIDRSet = [...metadata, ...metadata.filter((c) => c.version === 4).map(nat64Of)].map(exceptNodeLocal);
  const policies: PlannedCiliumPolicy[] = [
    { key: "deny-metadata", spec: { endpointSelector: {}, egressDeny: [{ toCIDRSet }] } },
  ];
  const domains = hardening.egress.mode === EgressMode.AllowList ? hardening.egress.allow.filter((r) => r.kind === "domain") : [];
  if (domains.length > 0 && options.proxy === undefined) {
    // toFQDNs allows whatever address a name answers with; an allowed name pointed at 10.1.2.3 would reach it. The
    // internal ranges are denied outright (an egressDeny beats every allow), except the networks a cidr rule lists
    // inside them, so a name never reaches a pod, Service or node network the user did not list.
    policies.push({ key: "deny-internal", spec: { endpointSelector: {}, egressDeny: [{ toCIDRSet: internalDenySet(hardening, exceptNodeLocal) }] } });
  }
  if (domains.length > 0 && options.proxy === undefined) {
    const egress: Record<string, unknown>[] = [
      {
        toEndpoints: [ciliumDnsSelector(options.dns)],
        // matchPattern "*" lets the DNS proxy see every answer; the NetworkPolicy allow-dns rule on the same port
        // already lets any name be looked up, so a narrower pattern here would restrict nothing.
        toPorts: [{ ports: [{ port: "53", protocol: "ANY" }], rules: { dns: [{ matchPattern: "*" }] } }],
      },
    ];
    for (const rule of domains) {
      egress.push({
        toFQDNs: fqdnSelectorsOf(rule),
        toPorts: [{ ports: rule.ports.map((p) => ({ port: String(p), protocol: rule.protocol.toUpperCase() })) }],
      });
    }
    policies.push({ key: "allow-fqdn", spec: { endpointSelector: {}, egress } });
  }
  return policies;
}

/**
 * The internal ranges (and their NAT64 forms) as a Cilium `toCIDRSet`, each excepting the cidr rules listed inside
 * it; a range equal to or inside a listed network is left out (the user listed it).
 */
function internalDenySet(hardening: ResolvedHardening, exceptNodeLocal: (c: Cidr) => Record<string, unknown>): Record<string, unknown>[] {
  const listed = hardening.egress.allow.filter((r) => r.kind === "cidr").map((r) => mustParseCidr(r.cidr as string));
  const internal = INTERNAL_RANGES.map((r) => mustParseCidr(r.cidr));
  const ranges = minimalCidrs([...internal, ...internal.filter((c) => c.version === 4).map(nat64Of)]);
  const out: Record<string, unknown>[] = [];
  for (const range of ranges) {
    // A listed network that covers the whole range is the user listing it only when the range is not the whole
    // address space they named: 0.0.0.0/0 lists the internet, not 10.0.0.0/8.
    const inside = listed.filter((l) => l.version === range.version && cidrContains(range, l));
    if (inside.some((l) => cidrContains(l, range))) continue;
    const entry = exceptNodeLocal(range);
    const except = [...((entry.except as string[] | undefined) ?? []), ...minimalCidrs(inside).map(formatCidr)];
    if (except.length > 0) entry.except = except;
    out.push(entry);
  }
  return out;
}

/** True when `address` is a single IPv4/IPv6 address inside a catalogued metadata network. */
export function isMetadataAddress(address: string): boolean {
  const parsed = parseCidr(hostCidrOf(address));
  return parsed.ok && METADATA_NETWORKS.some((n) => cidrContains(n.parsed, parsed.cidr));
}

/** The NodeLocal DNSCache default address, for docs and checks. */
export const NODE_LOCAL_DNS_DEFAULT = "169.254.20.10";
