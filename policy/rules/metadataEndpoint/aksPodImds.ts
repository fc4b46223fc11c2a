/**
 * AKS: pods cannot borrow the kubelet identity through IMDS. Every AKS node has the kubelet's managed identity, and
 * "pods with hostNetwork=false can access Azure Instance Metadata Service (IMDS) without restriction" unless the
 * pod IMDS restriction is on ("If not specified, the default value is 'IMDS'": AKS API, `podLinkLocalAccess`), so any
 * pod can ask IMDS for that identity's token. Only `networkProfile.podLinkLocalAccess: "None"` (on a pool,
 * `podLinkLocalAccess: "None"`; preview API versions) closes it: "Pods with hostNetwork=false cannot access Azure
 * Instance Metadata Service (IMDS)". Microsoft Entra Workload ID gives pods identities of their own but leaves IMDS
 * open to them, so it does not pass.
 */
import { ResourceIndex } from "../network/cloudNetwork";
import type { ResourceInput, StackFinding, StackRule } from "../types";
import { isUnknown, show, unknownFinding } from "../values";

const CLUSTER = "azure-native:containerservice:ManagedCluster";
const POOL = "azure-native:containerservice:AgentPool";
const PROPERTY = "networkProfile.podLinkLocalAccess";

const WHY =
  "every pod can otherwise ask IMDS for the token of the kubelet identity every node carries (AKS: pods with " +
  'hostNetwork=false reach IMDS without restriction unless podLinkLocalAccess is "None", and "IMDS" is the default)';
const FIX =
  'set networkProfile.podLinkLocalAccess to "None" (Microsoft Entra Workload ID gives pods identities of their own but does not close IMDS to them)';

type Verdict = { ok: true } | { ok: false; seen: unknown } | { ok: "unknown"; property: string };

/** The cluster-level verdict: restricted, or the value of `networkProfile.podLinkLocalAccess` that is not. */
function clusterVerdict(props: Record<string, unknown>): Verdict {
  const network = props.networkProfile;
  if (isUnknown(network)) return { ok: "unknown", property: "networkProfile" };
  const access = typeof network === "object" && network !== null ? (network as Record<string, unknown>).podLinkLocalAccess : undefined;
  if (isUnknown(access)) return { ok: "unknown", property: PROPERTY };
  return access === "None" ? { ok: true } : { ok: false, seen: access };
}

/**
 * Clusters fail unless the pod IMDS restriction is on. A separate agent pool fails with its cluster
 * unless the pool restricts pod IMDS access itself; a pool whose cluster is not in the stack is not judged (the
 * cluster's settings decide, and the stack cannot show them).
 */
export function checkAksPodImds(resources: readonly ResourceInput[]): StackFinding[] {
  const index = new ResourceIndex(resources);
  const findings: StackFinding[] = [];
  for (const c of index.ofType(CLUSTER)) {
    const v = clusterVerdict(c.props);
    if (v.ok === "unknown") findings.push({ urn: c.urn, type: c.type, ...unknownFinding(v.property) });
    else if (v.ok === false) {
      findings.push({ urn: c.urn, type: c.type, property: PROPERTY, message: `${PROPERTY} is ${v.seen === undefined ? "not set" : show(v.seen)}; ${FIX}: ${WHY}.` });
    }
  }
  for (const p of index.ofType(POOL)) {
    const access = p.props.podLinkLocalAccess;
    if (isUnknown(access)) {
      findings.push({ urn: p.urn, type: p.type, ...unknownFinding("podLinkLocalAccess") });
      continue;
    }
    if (access === "None") continue;
    const cluster = index.azureNamed(p, "resourceName", CLUSTER, "resourceName");
    if (!cluster) continue;
    const v = clusterVerdict(cluster.props);
    if (v.ok !== false) continue;
    findings.push({
      urn: p.urn,
      type: p.type,
      property: "podLinkLocalAccess",
      message: `podLinkLocalAccess is ${access === undefined ? "not set" : show(access)} and cluster "${cluster.name}" has ${PROPERTY} ${v.seen === undefined ? "not set" : show(v.seen)}; set podLinkLocalAccess to "None" here or on the cluster: ${WHY}.`,
    });
  }
  return findings;
}

/** `metadata-endpoint-aks-pod-imds`: AKS pods cannot take the kubelet identity's token from IMDS. */
export const aksPodImdsRule: StackRule = {
  id: "metadata-endpoint-aks-pod-imds",
  description:
    "AKS clusters restrict pod access to IMDS (podLinkLocalAccess \"None\"), so pods cannot take the kubelet identity's token; Workload ID alone does not; their separate agent pools are judged with them.",
  enforcementLevel: "mandatory",
  family: "metadataEndpoint",
  docs:
    "AKS `ManagedCluster`: `networkProfile.podLinkLocalAccess` \"None\" (the default, \"IMDS\", lets every pod reach IMDS; Microsoft Entra Workload ID does not change that). " +
    "A separate `AgentPool` fails with its cluster in the stack unless its own `podLinkLocalAccess` is \"None\".",
  types: [CLUSTER, POOL],
  check: checkAksPodImds,
};
