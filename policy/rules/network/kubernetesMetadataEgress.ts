/**
 * Every namespace that runs workloads keeps its pods away from the metadata networks with NetworkPolicy
 * (cloud-controls.md section 5: a default-deny egress policy, then allows that carve the metadata ranges out).
 *
 * NetworkPolicies union: a pod may send whatever any policy selecting it allows. So the namespace needs
 * (1) a policy selecting every pod (`podSelector: {}`) for egress, so that no pod is left unisolated, and
 * (2) no egress rule of any policy in the namespace that allows a metadata network: a rule with no `to` allows
 * every destination, and an `ipBlock` whose `cidr` contains a metadata network allows it unless `except` lists it.
 * Pod and namespace selectors select pod addresses, never a link-local one, so they allow no metadata network.
 * Ports are not considered: the link-local ranges are denied on every port (the catalogue denies them wholesale),
 * so a DNS rule must name its servers (`to: [{ namespaceSelector, podSelector }]` for kube-dns), not "anywhere".
 * The one exception is a node-local DNS cache (the package's `dns.nodeLocalAddress`): a single link-local address
 * that is no catalogued metadata endpoint, allowed on port 53 only (egressPeers.ts).
 *
 * Cilium and Calico policies are read the same way (cniPolicies.ts): they can isolate a namespace, their allow rules
 * (`toEntities: world`, `toCIDR 0.0.0.0/0`, Calico `action: Allow` with no destination) open metadata networks, and a
 * Cilium `egressDeny` selecting every pod closes them for the whole namespace (for the cluster, when clusterwide),
 * since Cilium enforces a deny above every allow. Cluster-wide policies' openings are reported whatever namespace the
 * stack runs in: they select pods everywhere.
 *
 * Which namespaces: those of the stack's pods and workload controllers (by `metadata.namespace`, `default` when
 * omitted) and every Namespace the stack creates, since Kestra's Kubernetes task runner creates its pods at run time
 * and they never appear in a stack. Limits: a provider-level default namespace is not visible to rules (such
 * workloads are counted in `default`); NetworkPolicy patches are not judged; a resource whose namespace or policy
 * is unknown during preview is set aside with an `indeterminate` finding (advisory) rather than guessed.
 */
import type { ResourceInput, StackFinding, StackRule } from "../types";
import { asArray, asRecord, dig, namespaceOf, POD_SPEC_LOCATIONS, POD_SPEC_TYPES } from "../kubernetes/podSpec";
import { guardUnknowns, tryKnown, whenKnown } from "../kubernetes/unknown";
import { blockOpening, everyNetwork, parsePolicyCidr, portsView, withoutDenied, type Opening, type PortEntry } from "./egressPeers";
import { CALICO_TYPES, CILIUM_TYPES, LINK_LOCAL_FIX, viewCalicoPolicy, viewCiliumPolicy, type LocatedOpening } from "./cniPolicies";

const NETWORK_POLICY_TYPES = [
  "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  "kubernetes:extensions/v1beta1:NetworkPolicy",
];
const NAMESPACE = "kubernetes:core/v1:Namespace";
const NETWORK_POLICY_FIX = "list them in the ipBlock's except, or name the destinations.";

/**
 * Parses an ipBlock CIDR as the API server does: host bits below the prefix are allowed and ignored
 * (`10.0.0.1/8` is `10.0.0.0/8`). Undefined for text that is not a CIDR (the API server rejects it).
 */
export const parseIpBlockCidr = parsePolicyCidr;

/** The metadata networks one NetworkPolicy egress rule lets traffic reach; empty when the rule allows none. */
export function metadataAllowedBy(rule: unknown): Opening[] {
  const r = asRecord(rule);
  const to = asArray(r?.to);
  if (to.length === 0) return [everyNetwork("no `to` (every destination)")];
  const ports = portsView(asArray(r?.ports).map((p) => (asRecord(p) ?? {}) as PortEntry), "TCP");
  const allowed: Opening[] = [];
  to.forEach((peer, j) => {
    const block = asRecord(asRecord(peer)?.ipBlock);
    if (!block) return;
    const opening = blockOpening(`to[${j}].ipBlock`, block.cidr, asArray(block.except), ports);
    if (opening) allowed.push(opening);
  });
  return allowed;
}

function isEmptySelector(selector: unknown): boolean {
  const s = asRecord(selector);
  if (!s) return false;
  return asArray(s.matchExpressions).length === 0 && Object.keys(asRecord(s.matchLabels) ?? {}).length === 0;
}

/** Whether a policy governs egress: listed in policyTypes, or (policyTypes absent) it has egress rules. */
function governsEgress(spec: Readonly<Record<string, unknown>>): boolean {
  const types = spec.policyTypes;
  if (Array.isArray(types)) return types.includes("Egress");
  return asArray(spec.egress).length > 0;
}

interface PolicyView {
  readonly resource: ResourceInput;
  /** The namespace it applies to; undefined for a cluster-wide Cilium or Calico policy. */
  readonly namespace: string | undefined;
  readonly selectsAllForEgress: boolean;
  /** Metadata networks a Cilium egressDeny closes for every pod of its namespace (or cluster). */
  readonly deniesForAll: readonly string[];
  readonly openings: readonly LocatedOpening[];
}

function viewPolicy(r: ResourceInput): PolicyView {
  const props = guardUnknowns(r.props);
  if (CILIUM_TYPES.includes(r.type)) return { resource: r, ...viewCiliumPolicy(props, r.type.endsWith("CiliumClusterwideNetworkPolicy")) };
  if (CALICO_TYPES.includes(r.type)) return { resource: r, ...viewCalicoPolicy(props, r.type.endsWith("GlobalNetworkPolicy")) };
  const spec = asRecord(props.spec) ?? {};
  const egress = governsEgress(spec);
  const openings: LocatedOpening[] = [];
  if (egress) {
    asArray(spec.egress).forEach((rule, i) => {
      for (const opening of metadataAllowedBy(rule)) {
        openings.push({ property: `spec.egress[${i}]`, opening, fix: opening.kind === "inside" ? LINK_LOCAL_FIX : NETWORK_POLICY_FIX });
      }
    });
  }
  return {
    resource: r,
    namespace: namespaceOf(props),
    selectsAllForEgress: egress && isEmptySelector(spec.podSelector),
    deniesForAll: [],
    openings,
  };
}

/** The finding of one opening left after the deny rules that apply to its pods. */
function openingFinding(p: PolicyView, o: LocatedOpening, denied: ReadonlySet<string>): StackFinding | undefined {
  const left = withoutDenied(o.opening, denied);
  if (!left) return undefined;
  return {
    urn: p.resource.urn,
    type: p.resource.type,
    property: o.property,
    message: `${o.property} has ${left.what}, which allows ${left.shown}; policies union, so this reopens the metadata endpoints to every pod it selects: ${o.fix}`,
  };
}

function pushDefined<T>(list: T[], value: T | undefined): void {
  if (value !== undefined) list.push(value);
}

function indeterminate(r: ResourceInput, path: string, what: string): StackFinding {
  return {
    urn: r.urn,
    type: r.type,
    property: path,
    message: `${path} is not known during preview, so ${what} is checked when the stack is updated.`,
    indeterminate: true,
  };
}

/**
 * `egress-kubernetes-metadata-networks`: in a passing stack, every namespace that runs workloads has a NetworkPolicy
 * (or Cilium or Calico policy) isolating all its pods for egress, and no policy there, and no cluster-wide Cilium or
 * Calico policy, allows a metadata network.
 */
export const kubernetesNamespaceMetadataEgress: StackRule = {
  id: "egress-kubernetes-metadata-networks",
  description:
    "Every namespace running workloads has an all-pods egress NetworkPolicy and no egress rule there allows a cloud metadata network.",
  enforcementLevel: "mandatory",
  family: "egress",
  docs: "Every namespace with workloads has an all-pods egress NetworkPolicy, and no egress rule there (NetworkPolicy, CiliumNetworkPolicy, Calico NetworkPolicy) or in a cluster-wide Cilium or Calico policy allows a cloud metadata network (`world`, `0.0.0.0/0` without the metadata ranges excepted, a rule with no destination); a Cilium `egressDeny` of them for every pod closes them; port 53 to one non-catalogued link-local address (NodeLocal DNSCache) is allowed.",
  types: [NAMESPACE, ...POD_SPEC_TYPES, ...NETWORK_POLICY_TYPES, ...CILIUM_TYPES, ...CALICO_TYPES],
  check: (resources) => {
    const findings: StackFinding[] = [];
    // Namespace name -> the resource to report on when it lacks a policy: the Namespace, else its first workload.
    const namespaces = new Map<string, ResourceInput>();
    for (const r of resources) {
      if (r.type !== NAMESPACE) continue;
      const name = tryKnown(() => dig(guardUnknowns(r.props), ["metadata", "name"]));
      if (!name.known) {
        findings.push(indeterminate(r, name.path, "whether this namespace isolates its pods from the metadata networks"));
      } else if (typeof name.value === "string" && name.value !== "") namespaces.set(name.value, r);
    }
    for (const r of resources) {
      if (!POD_SPEC_LOCATIONS[r.type]) continue;
      const namespace = tryKnown(() => namespaceOf(guardUnknowns(r.props)));
      if (!namespace.known) {
        findings.push(indeterminate(r, namespace.path, "whether its namespace isolates it from the metadata networks"));
      } else if (!namespaces.has(namespace.value)) namespaces.set(namespace.value, r);
    }
    const policies: PolicyView[] = [];
    // A namespace with a policy that cannot be read yet is not judged: that policy may be the one isolating it.
    const undecided = new Set<string>();
    for (const r of resources) {
      if (!NETWORK_POLICY_TYPES.includes(r.type) && !CILIUM_TYPES.includes(r.type) && !CALICO_TYPES.includes(r.type)) continue;
      const view = tryKnown(() => viewPolicy(r));
      if (view.known) {
        policies.push(view.value);
        continue;
      }
      findings.push(indeterminate(r, view.path, "whether this policy isolates pods from the metadata networks"));
      const clusterwide = r.type.endsWith("CiliumClusterwideNetworkPolicy") || r.type.endsWith("GlobalNetworkPolicy");
      const namespace = clusterwide ? undefined : whenKnown(() => namespaceOf(guardUnknowns(r.props)));
      undecided.add(namespace ?? "*");
    }
    const clusterwide = policies.filter((p) => p.namespace === undefined);
    const clusterDenied = new Set(clusterwide.flatMap((p) => p.deniesForAll));
    for (const [namespace, subject] of namespaces) {
      if (undecided.has(namespace) || undecided.has("*")) continue;
      const here = policies.filter((p) => p.namespace === namespace);
      if (!here.some((p) => p.selectsAllForEgress) && !clusterwide.some((p) => p.selectsAllForEgress)) {
        const isNamespace = subject.type === NAMESPACE;
        const property = isNamespace ? "metadata.name" : "metadata.namespace";
        findings.push({
          urn: subject.urn,
          type: subject.type,
          property,
          message: `namespace "${namespace}" has no NetworkPolicy with podSelector {} and policyTypes ["Egress"]; add one whose egress allows only what workloads need (e.g. 0.0.0.0/0 except the metadata ranges), so that no pod there can reach the cloud metadata endpoints.`,
        });
      }
      // A Cilium egressDeny selecting every pod wins over every allow in the namespace, NetworkPolicies included.
      const denied = new Set([...clusterDenied, ...here.flatMap((p) => p.deniesForAll)]);
      for (const p of here) for (const o of p.openings) pushDefined(findings, openingFinding(p, o, denied));
    }
    // A cluster-wide policy selects pods of every namespace, this stack's or not.
    if (!undecided.has("*")) for (const p of clusterwide) for (const o of p.openings) pushDefined(findings, openingFinding(p, o, clusterDenied));
    return findings;
  },
};
