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
 *
 * Which namespaces: those of the stack's pods and workload controllers (by `metadata.namespace`, `default` when
 * omitted) and every Namespace the stack creates, since Kestra's Kubernetes task runner creates its pods at run time
 * and they never appear in a stack. Limits: a provider-level default namespace is not visible to rules (such
 * workloads are counted in `default`); NetworkPolicy patches are not judged; a resource whose namespace or policy
 * is unknown during preview is set aside with an `indeterminate` finding (advisory) rather than guessed.
 */
import { cidrContains, parseAddress, bitsOf, type Cidr } from "../../../components/cidr";
import { carveOutFor, type MetadataNetwork } from "../../../components/metadataNetworks";
import type { ResourceInput, StackFinding, StackRule } from "../types";
import { asArray, asRecord, dig, namespaceOf, POD_SPEC_LOCATIONS, POD_SPEC_TYPES } from "../kubernetes/podSpec";
import { guardUnknowns, tryKnown, whenKnown } from "../kubernetes/unknown";

const NETWORK_POLICY_TYPES = [
  "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  "kubernetes:extensions/v1beta1:NetworkPolicy",
];
const NAMESPACE = "kubernetes:core/v1:Namespace";

/**
 * Parses an ipBlock CIDR as the API server does: host bits below the prefix are allowed and ignored
 * (`10.0.0.1/8` is `10.0.0.0/8`). Undefined for text that is not a CIDR (the API server rejects it).
 */
export function parseIpBlockCidr(text: unknown): Cidr | undefined {
  if (typeof text !== "string") return undefined;
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const address = parseAddress(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!address || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const bits = bitsOf(address.version);
  const prefix = Number(prefixText);
  if (prefix > bits) return undefined;
  const hostBits = BigInt(bits - prefix);
  const first = (address.value >> hostBits) << hostBits;
  return { version: address.version, first, prefix };
}

/** The metadata networks one egress rule lets traffic reach; empty when the rule allows none. */
export function metadataAllowedBy(rule: unknown): { what: string; networks: string[] }[] {
  const to = asArray(asRecord(rule)?.to);
  if (to.length === 0) return [{ what: "no `to` (every destination)", networks: ["every metadata network"] }];
  const allowed: { what: string; networks: string[] }[] = [];
  to.forEach((peer, j) => {
    const block = asRecord(asRecord(peer)?.ipBlock);
    if (!block) return;
    const cidr = parseIpBlockCidr(block.cidr);
    if (!cidr) return;
    const excepts = asArray(block.except)
      .map(parseIpBlockCidr)
      .filter((c): c is Cidr => c !== undefined);
    const carve = carveOutFor(cidr);
    const open = [
      ...carve.inside.map((n: MetadataNetwork) => n.cidr),
      ...carve.except.filter((network) => {
        const parsed = parseIpBlockCidr(network) as Cidr;
        return !excepts.some((e) => cidrContains(e, parsed));
      }),
    ];
    if (open.length > 0) allowed.push({ what: `to[${j}].ipBlock ${JSON.stringify(block.cidr)}`, networks: open });
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
  readonly namespace: string;
  readonly selectsAllForEgress: boolean;
  readonly openings: StackFinding[];
}

function viewPolicy(r: ResourceInput): PolicyView {
  const props = guardUnknowns(r.props);
  const spec = asRecord(props.spec) ?? {};
  const egress = governsEgress(spec);
  const openings: StackFinding[] = [];
  if (egress) {
    asArray(spec.egress).forEach((rule, i) => {
      for (const { what, networks } of metadataAllowedBy(rule)) {
        openings.push({
          urn: r.urn,
          type: r.type,
          property: `spec.egress[${i}]`,
          message: `spec.egress[${i}] has ${what}, which allows ${networks.join(", ")}; policies union, so this reopens the metadata endpoints to every pod it selects: list them in the ipBlock's except, or name the destinations.`,
        });
      }
    });
  }
  return {
    resource: r,
    namespace: namespaceOf(props),
    selectsAllForEgress: egress && isEmptySelector(spec.podSelector),
    openings,
  };
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
 * isolating all its pods for egress, and no policy there allows a metadata network.
 */
export const kubernetesNamespaceMetadataEgress: StackRule = {
  id: "egress-kubernetes-metadata-networks",
  description:
    "Every namespace running workloads has an all-pods egress NetworkPolicy and no egress rule there allows a cloud metadata network.",
  enforcementLevel: "mandatory",
  family: "egress",
  docs: "Every namespace with workloads has an all-pods egress NetworkPolicy, and no egress rule there allows a cloud metadata network.",
  types: [NAMESPACE, ...POD_SPEC_TYPES, ...NETWORK_POLICY_TYPES],
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
      if (!NETWORK_POLICY_TYPES.includes(r.type)) continue;
      const view = tryKnown(() => viewPolicy(r));
      if (view.known) {
        policies.push(view.value);
        continue;
      }
      findings.push(indeterminate(r, view.path, "whether this policy isolates pods from the metadata networks"));
      const namespace = whenKnown(() => namespaceOf(guardUnknowns(r.props)));
      undecided.add(namespace ?? "*");
    }
    for (const [namespace, subject] of namespaces) {
      if (undecided.has(namespace) || undecided.has("*")) continue;
      const here = policies.filter((p) => p.namespace === namespace);
      if (!here.some((p) => p.selectsAllForEgress)) {
        const isNamespace = subject.type === NAMESPACE;
        const property = isNamespace ? "metadata.name" : "metadata.namespace";
        findings.push({
          urn: subject.urn,
          type: subject.type,
          property,
          message: `namespace "${namespace}" has no NetworkPolicy with podSelector {} and policyTypes ["Egress"]; add one whose egress allows only what workloads need (e.g. 0.0.0.0/0 except the metadata ranges), so that no pod there can reach the cloud metadata endpoints.`,
        });
      }
      for (const p of here) findings.push(...p.openings);
    }
    return findings;
  },
};
