/**
 * AKS: pods cannot borrow the kubelet identity through IMDS. Every AKS node has the kubelet's managed identity, and
 * by default "pods with hostNetwork=false can access Azure Instance Metadata Service (IMDS) without restriction"
 * (AKS API, `podLinkLocalAccess`), so any pod can ask IMDS for that identity's token. A cluster passes with
 * Microsoft Entra Workload ID (`securityProfile.workloadIdentity.enabled` and the OIDC issuer it federates with,
 * `oidcIssuerProfile.enabled`), which gives pods identities of their own, or with the pod IMDS restriction
 * (`networkProfile.podLinkLocalAccess: "None"`, on a pool `podLinkLocalAccess: "None"`; preview API versions only).
 */
import { ResourceIndex } from "../network/cloudNetwork";
import type { ResourceInput, StackFinding, StackRule } from "../types";
import { field, isUnknown, show, unknownFinding } from "../values";

const CLUSTER = "azure-native:containerservice:ManagedCluster";
const POOL = "azure-native:containerservice:AgentPool";

const WHY =
  "every pod can otherwise ask IMDS for the token of the kubelet identity every node carries (AKS: pods with " +
  "hostNetwork=false reach IMDS without restriction unless podLinkLocalAccess is \"None\")";
const FIX =
  'enable Microsoft Entra Workload ID (securityProfile.workloadIdentity.enabled and oidcIssuerProfile.enabled true) so pods use identities of their own, or restrict pod IMDS access (networkProfile.podLinkLocalAccess "None")';

type Verdict = { ok: true } | { ok: false; property: string; seen: unknown } | { ok: "unknown"; property: string };

/** The cluster-level verdict: restricted, Workload ID on, or the first setting that is missing. */
function clusterVerdict(props: Record<string, unknown>): Verdict {
  const network = props.networkProfile;
  if (isUnknown(network)) return { ok: "unknown", property: "networkProfile" };
  const access = field(network, "podLinkLocalAccess");
  if (isUnknown(access)) return { ok: "unknown", property: "networkProfile.podLinkLocalAccess" };
  if (access === "None") return { ok: true };
  const paths: [string, unknown][] = [
    ["securityProfile.workloadIdentity.enabled", field(field(props.securityProfile, "workloadIdentity"), "enabled")],
    ["oidcIssuerProfile.enabled", field(props.oidcIssuerProfile, "enabled")],
  ];
  for (const [property, value] of paths) {
    if (isUnknown(value) || isUnknown(props.securityProfile) || isUnknown(props.oidcIssuerProfile)) return { ok: "unknown", property };
    if (value !== true) return { ok: false, property, seen: value };
  }
  return { ok: true };
}

/** The cluster an agent pool belongs to: by property dependency on `resourceName`, else by cluster name and resource group. */
function clusterOf(index: ResourceIndex, pool: ResourceInput): ResourceInput | undefined {
  const byRef = index.ref(pool, "resourceName", [CLUSTER]);
  if (byRef) return byRef;
  const name = pool.props.resourceName;
  if (typeof name !== "string" || isUnknown(name)) return undefined;
  return index
    .ofType(CLUSTER)
    .find((c) => (c.props.resourceName === name || c.props.name === name) && c.props.resourceGroupName === pool.props.resourceGroupName);
}

/**
 * Clusters fail unless Workload ID or the pod IMDS restriction is on. A separate agent pool fails with its cluster
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
      findings.push({ urn: c.urn, type: c.type, property: v.property, message: `${v.property} is ${show(v.seen)}; ${FIX}: ${WHY}.` });
    }
  }
  for (const p of index.ofType(POOL)) {
    const access = p.props.podLinkLocalAccess;
    if (isUnknown(access)) {
      findings.push({ urn: p.urn, type: p.type, ...unknownFinding("podLinkLocalAccess") });
      continue;
    }
    if (access === "None") continue;
    const cluster = clusterOf(index, p);
    if (!cluster) continue;
    const v = clusterVerdict(cluster.props);
    if (v.ok !== false) continue;
    findings.push({
      urn: p.urn,
      type: p.type,
      property: "podLinkLocalAccess",
      message: `podLinkLocalAccess is ${show(access)} and cluster "${cluster.name}" has ${v.property} ${show(v.seen)}; set podLinkLocalAccess to "None" here or, on the cluster, ${FIX}: ${WHY}.`,
    });
  }
  return findings;
}

/** `metadata-endpoint-aks-pod-imds`: AKS pods cannot take the kubelet identity's token from IMDS. */
export const aksPodImdsRule: StackRule = {
  id: "metadata-endpoint-aks-pod-imds",
  description:
    "AKS clusters run Microsoft Entra Workload ID (with its OIDC issuer) or restrict pod access to IMDS, so pods cannot take the kubelet identity's token; their separate agent pools are judged with them.",
  enforcementLevel: "mandatory",
  family: "metadataEndpoint",
  docs:
    "AKS `ManagedCluster`: `securityProfile.workloadIdentity.enabled` and `oidcIssuerProfile.enabled` true, or `networkProfile.podLinkLocalAccess` \"None\". " +
    "A separate `AgentPool` fails with its cluster in the stack unless its own `podLinkLocalAccess` is \"None\".",
  types: [CLUSTER, POOL],
  check: checkAksPodImds,
};
