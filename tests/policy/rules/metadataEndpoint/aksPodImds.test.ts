import * as assert from "node:assert/strict";
import { resolveConfig } from "../../../../policy/options";
import { aksPodImdsRule } from "../../../../policy/rules/metadataEndpoint/aksPodImds";
import type { ResourceInput } from "../../../../policy/rules/types";
import { checkDeclared, res, UNKNOWN } from "../helpers";

const CLUSTER = "azure-native:containerservice:ManagedCluster";
const POOL = "azure-native:containerservice:AgentPool";
const FIX =
  'set networkProfile.podLinkLocalAccess to "None" (Microsoft Entra Workload ID gives pods identities of their own but does not close IMDS to them)';
const WHY =
  "every pod can otherwise ask IMDS for the token of the kubelet identity every node carries (AKS: pods with " +
  'hostNetwork=false reach IMDS without restriction unless podLinkLocalAccess is "None", and "IMDS" is the default)';
const check = (rs: ResourceInput[]) => checkDeclared(aksPodImdsRule, rs, { config: resolveConfig(aksPodImdsRule.id, {}) });
const WI = { securityProfile: { workloadIdentity: { enabled: true } }, oidcIssuerProfile: { enabled: true } };
const POOLS = { agentPoolProfiles: [{ name: "system", mode: "System", count: 1 }] };
const RESTRICTED = { networkProfile: { networkPlugin: "azure", podLinkLocalAccess: "None" } };

describe("metadata-endpoint-aks-pod-imds (stack)", () => {
  it("passes: the pod IMDS restriction on the cluster, a pool of a cluster outside the stack, a pool of a restricted cluster, a restricted pool", () => {
    assert.deepEqual(check([res(CLUSTER, "aks", { ...POOLS, ...RESTRICTED })]), []);
    assert.deepEqual(check([res(CLUSTER, "aks", { ...POOLS, ...WI, ...RESTRICTED })]), []);
    assert.deepEqual(check([res(POOL, "pool", { resourceName: "their-cluster", resourceGroupName: "rg" })]), []);
    const cluster = res(CLUSTER, "aks", { resourceName: "aks", resourceGroupName: "rg", ...POOLS, ...RESTRICTED });
    assert.deepEqual(check([cluster, res(POOL, "pool", { resourceName: "aks", resourceGroupName: "rg" })]), []);
  });

  it("fails a cluster with inline pools and no restriction, and one with Workload ID but no restriction (Workload ID does not close IMDS)", () => {
    const c = res(CLUSTER, "aks", { ...POOLS });
    assert.deepEqual(check([c]), [
      { urn: c.urn, type: CLUSTER, property: "networkProfile.podLinkLocalAccess", message: `networkProfile.podLinkLocalAccess is not set; ${FIX}: ${WHY}.` },
    ]);
    const wi = res(CLUSTER, "aks-wi", { ...POOLS, ...WI, networkProfile: { podLinkLocalAccess: "IMDS" } });
    assert.deepEqual(check([wi]), [
      { urn: wi.urn, type: CLUSTER, property: "networkProfile.podLinkLocalAccess", message: `networkProfile.podLinkLocalAccess is "IMDS"; ${FIX}: ${WHY}.` },
    ]);
  });

  it("fails a separate agent pool of such a cluster (linked by dependency) unless the pool restricts pod IMDS itself", () => {
    const c = res(CLUSTER, "aks", { ...POOLS, ...WI, networkProfile: { podLinkLocalAccess: "IMDS" } });
    const p = res(POOL, "pool", { resourceName: UNKNOWN, resourceGroupName: "rg", enableNodePublicIP: false }, { resourceName: [c.urn] });
    const restricted = res(POOL, "restricted", { resourceName: UNKNOWN, podLinkLocalAccess: "None" }, { resourceName: [c.urn] });
    assert.deepEqual(check([c, p, restricted]), [
      { urn: c.urn, type: CLUSTER, property: "networkProfile.podLinkLocalAccess", message: `networkProfile.podLinkLocalAccess is "IMDS"; ${FIX}: ${WHY}.` },
      {
        urn: p.urn,
        type: POOL,
        property: "podLinkLocalAccess",
        message: `podLinkLocalAccess is not set and cluster "aks" has networkProfile.podLinkLocalAccess "IMDS"; set podLinkLocalAccess to "None" here or on the cluster: ${WHY}.`,
      },
    ]);
  });

  it("is indeterminate on unknown cluster settings", () => {
    assert.deepEqual(check([res(CLUSTER, "aks", { networkProfile: UNKNOWN })]).map((f) => f.indeterminate), [true]);
  });
});
