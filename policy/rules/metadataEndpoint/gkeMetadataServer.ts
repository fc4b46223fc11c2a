/**
 * GKE: nodes run the GKE metadata server (`GKE_METADATA`), so pods see their Workload Identity instead of the
 * node's service account; the cluster has Workload Identity on, which `GKE_METADATA` requires.
 */
import type { Finding, ResourceRule } from "../types";
import { field, isUnknown, show, unknownFinding } from "../values";

// Container API WorkloadMetadataConfig.Mode: "GCE_METADATA: Expose all Compute Engine metadata to pods.
// GKE_METADATA: Run the GKE Metadata Server on this node" (cloud-controls.md section 3).
function checkNodeConfigMode(props: Record<string, unknown>): Finding[] {
  const nodeConfig = props.nodeConfig;
  if (isUnknown(nodeConfig)) return [unknownFinding("nodeConfig")];
  const wmc = field(nodeConfig, "workloadMetadataConfig");
  if (isUnknown(wmc)) return [unknownFinding("nodeConfig.workloadMetadataConfig")];
  const mode = field(wmc, "mode");
  if (isUnknown(mode)) return [unknownFinding("nodeConfig.workloadMetadataConfig.mode")];
  if (mode === "GKE_METADATA") return [];
  return [
    {
      property: "nodeConfig.workloadMetadataConfig.mode",
      message:
        `nodeConfig.workloadMetadataConfig.mode is ${show(mode)}; set it to "GKE_METADATA": otherwise pods reach the ` +
        "Compute Engine metadata server and get the node service account's token (set it explicitly: an unset mode " +
        "depends on the cluster's Workload Identity setting at the time the pool was created).",
    },
  ];
}

/** Node pools: `nodeConfig.workloadMetadataConfig.mode` is "GKE_METADATA". */
export function checkGkeNodePool(props: Record<string, unknown>): Finding[] {
  return checkNodeConfigMode(props);
}

/**
 * Clusters: Workload Identity is on (`workloadIdentityConfig.workloadPool` set; Autopilot always has it), and the
 * default node pool, when kept, runs `GKE_METADATA`.
 */
export function checkGkeCluster(props: Record<string, unknown>): Finding[] {
  const autopilot = props.enableAutopilot;
  if (isUnknown(autopilot)) return [unknownFinding("enableAutopilot")];
  if (autopilot === true) return [];
  const findings: Finding[] = [];
  const wic = props.workloadIdentityConfig;
  const pool = isUnknown(wic) ? wic : field(wic, "workloadPool");
  if (isUnknown(pool)) findings.push(unknownFinding("workloadIdentityConfig.workloadPool"));
  else if (typeof pool !== "string" || pool === "") {
    findings.push({
      property: "workloadIdentityConfig.workloadPool",
      message:
        `workloadIdentityConfig.workloadPool is ${show(pool)}; set it to "<project>.svc.id.goog": without Workload ` +
        "Identity the nodes cannot run the GKE metadata server, so pods read the node service account's token.",
    });
  }
  const removeDefault = props.removeDefaultNodePool;
  if (removeDefault === true) return findings;
  if (isUnknown(removeDefault)) return [...findings, unknownFinding("removeDefaultNodePool")];
  // The default pool takes the cluster's nodeConfig; a cluster without one leaves it to the API default.
  return [...findings, ...checkNodeConfigMode(props)];
}

/** `metadata-endpoint-gke-metadata-server`: GKE pods never see the node's Compute Engine metadata. */
export const gkeMetadataRule: ResourceRule = {
  id: "metadata-endpoint-gke-metadata-server",
  description: "GKE clusters enable Workload Identity and their node pools run the GKE metadata server (GKE_METADATA), so pods cannot read the node's credentials.",
  enforcementLevel: "mandatory",
  family: "metadataEndpoint",
  docs: "GKE clusters (Workload Identity on) and node pools (`GKE_METADATA`).",
  checks: {
    "gcp:container/cluster:Cluster": checkGkeCluster,
    "gcp:container/nodePool:NodePool": checkGkeNodePool,
  },
};
