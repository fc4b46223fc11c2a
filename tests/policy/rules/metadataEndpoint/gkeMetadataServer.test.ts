import * as assert from "node:assert/strict";
import { gkeMetadataRule } from "../../../../policy/rules/metadataEndpoint/gkeMetadataServer";
import { runCheck, UNKNOWN } from "../helpers";

const POOL = "gcp:container/nodePool:NodePool";
const CLUSTER = "gcp:container/cluster:Cluster";
const modeMsg = (seen: string) =>
  `nodeConfig.workloadMetadataConfig.mode is ${seen}; set it to "GKE_METADATA": otherwise pods reach the Compute ` +
  "Engine metadata server and get the node service account's token (set it explicitly: an unset mode depends on the " +
  "cluster's Workload Identity setting at the time the pool was created).";
const poolMsg = (seen: string) =>
  `workloadIdentityConfig.workloadPool is ${seen}; set it to "<project>.svc.id.goog": without Workload Identity the ` +
  "nodes cannot run the GKE metadata server, so pods read the node service account's token.";
const gke = { workloadMetadataConfig: { mode: "GKE_METADATA" } };
const wi = { workloadPool: "proj.svc.id.goog" };

describe("metadata-endpoint-gke-metadata-server", () => {
  const passing: [string, Record<string, unknown>][] = [
    [POOL, { nodeConfig: gke }],
    [POOL, { nodeConfig: { ...gke, machineType: "e2-standard-4" } }],
    [CLUSTER, { workloadIdentityConfig: wi, removeDefaultNodePool: true }],
    [CLUSTER, { workloadIdentityConfig: wi, nodeConfig: gke }],
    [CLUSTER, { enableAutopilot: true }],
  ];
  for (const [type, props] of passing) it(`passes ${type} ${JSON.stringify(props)}`, () => assert.deepEqual(runCheck(gkeMetadataRule, type, props), []));

  const failing: [string, Record<string, unknown>, { property: string; message: string }[]][] = [
    [POOL, {}, [{ property: "nodeConfig.workloadMetadataConfig.mode", message: modeMsg("not set") }]],
    [POOL, { nodeConfig: { workloadMetadataConfig: { mode: "GCE_METADATA" } } }, [{ property: "nodeConfig.workloadMetadataConfig.mode", message: modeMsg('"GCE_METADATA"') }]],
    [CLUSTER, { removeDefaultNodePool: true }, [{ property: "workloadIdentityConfig.workloadPool", message: poolMsg("not set") }]],
    [
      CLUSTER,
      { workloadIdentityConfig: { workloadPool: "" }, nodeConfig: { workloadMetadataConfig: { mode: "MODE_UNSPECIFIED" } } },
      [
        { property: "workloadIdentityConfig.workloadPool", message: poolMsg('""') },
        { property: "nodeConfig.workloadMetadataConfig.mode", message: modeMsg('"MODE_UNSPECIFIED"') },
      ],
    ],
  ];
  for (const [type, props, expected] of failing) it(`fails ${type} ${JSON.stringify(props)}`, () => assert.deepEqual(runCheck(gkeMetadataRule, type, props), expected));

  it("reports unknowns as indeterminate", () => {
    assert.deepEqual(runCheck(gkeMetadataRule, POOL, { nodeConfig: { workloadMetadataConfig: { mode: UNKNOWN } } }).map((f) => f.indeterminate), [true]);
    assert.deepEqual(runCheck(gkeMetadataRule, CLUSTER, { workloadIdentityConfig: UNKNOWN, removeDefaultNodePool: true }).map((f) => f.indeterminate), [true]);
  });
});
