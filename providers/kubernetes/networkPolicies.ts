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
import { cidrContains, parseCidr } from "../../components/cidr";
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
 * One NetworkPolicy egress rule per CIDR rule: `ipBlock.cidr` is the allowed network and `ipBlock.except` lists
 * every catalogued metadata network inside it (IPv4 and IPv6), and nothing outside it, since the API rejects an
 * `except` that is not inside its `cidr`.
 */
export function egressRulesFor(rules: readonly ResolvedEgressRule[]): Record<string, unknown>[] {
  return rules
    .filter((r) => r.kind === "cidr" && r.cidr !== undefined)
    .map((r) => {
      const ipBlock: Record<string, unknown> = { cidr: r.cidr };
      if (r.except.length > 0) ipBlock.except = [...r.except];
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
    const egress = egressRulesFor(hardening.egress.allow);
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
  const toCIDRSet = METADATA_NETWORKS.map((n) => {
    const entry: Record<string, unknown> = { cidr: n.cidr };
    // A node-local DNS cache on a link-local address stays reachable, or every lookup would fail.
    if (nodeLocal?.ok && cidrContains(n.parsed, nodeLocal.cidr)) entry.except = [hostCidrOf(options.dns.nodeLocalAddress as string)];
    return entry;
  });
  const policies: PlannedCiliumPolicy[] = [
    { key: "deny-metadata", spec: { endpointSelector: {}, egressDeny: [{ toCIDRSet }] } },
  ];
  const domains = hardening.egress.mode === EgressMode.AllowList ? hardening.egress.allow.filter((r) => r.kind === "domain") : [];
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

/** True when `address` is a single IPv4/IPv6 address inside a catalogued metadata network. */
export function isMetadataAddress(address: string): boolean {
  const parsed = parseCidr(hostCidrOf(address));
  return parsed.ok && METADATA_NETWORKS.some((n) => cidrContains(n.parsed, parsed.cidr));
}

/** The NodeLocal DNSCache default address, for docs and checks. */
export const NODE_LOCAL_DNS_DEFAULT = "169.254.20.10";
