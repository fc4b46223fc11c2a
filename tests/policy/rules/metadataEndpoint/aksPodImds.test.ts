import * as assert from "node:assert/strict";
import { resolveConfig } from "../../../../policy/options";
import { aksPodImdsRule } from "../../../../policy/rules/metadataEndpoint/aksPodImds";
import type { ResourceInput } from "../../../../policy/rules/types";
import { checkDeclared, res, UNKNOWN } from "../helpers";

const CLUSTER = "azure-native:containerservice:ManagedCluster";
const POOL = "azure-native:containerservice:AgentPool";
const FIX =
  'enable Microsoft Entra Workload ID (securityProfile.workloadIdentity.enabled and oidcIssuerProfile.enabled true) so pods use identities of their own, or restrict pod IMDS access (networkProfile.podLinkLocalAccess "None")';
const WHY =
  "every pod can otherwise ask IMDS for the token of the kubelet identity every node carries (AKS: pods with " +
  'hostNetwork=false reach IMDS without restriction unless podLinkLocalAccess is "None")';
const check = (rs: ResourceInput[]) => checkDeclared(aksPodImdsRule, rs, { config: resolveConfig(aksPodImdsRule.id, {}) });
const WI = { securityProfile: { workloadIdentity: { enabled: true } }, oidcIssuerProfile: { enabled: true } };
const POOLS = { agentPoolProfiles: [{ name: "system", mode: "System", count: 1 }] };

describe("metadata-endpoint-aks-pod-imds (stack)", () => {
  it("passes: Workload ID with its issuer, the pod IMDS restriction, a pool of a cluster outside the stack, a restricted pool", () => {
    assert.deepEqual(check([res(CLUSTER, "aks", { ...POOLS, ...WI })]), []);
    assert.deepEqual(check([res(CLUSTER, "aks", { ...POOLS, networkProfile: { networkPlugin: "azure", podLinkLocalAccess: "None" } })]), []);
    assert.deepEqual(check([res(POOL, "pool", { resourceName: "their-cluster", resourceGroupName: "rg" })]), []);
    const cluster = res(CLUSTER, "aks", { resourceName: "aks", resourceGroupName: "rg", ...POOLS, ...WI });
    assert.deepEqual(check([cluster, res(POOL, "pool", { resourceName: "aks", resourceGroupName: "rg" })]), []);
  });

  it("fails a cluster with inline pools and neither Workload ID nor the restriction", () => {
    const c = res(CLUSTER, "aks", { ...POOLS });
    assert.deepEqual(check([c]), [
      { urn: c.urn, type: CLUSTER, property: "securityProfile.workloadIdentity.enabled", message: `securityProfile.workloadIdentity.enabled is not set; ${FIX}: ${WHY}.` },
    ]);
  });

  it("fails Workload ID without the OIDC issuer", () => {
    const c = res(CLUSTER, "aks", { ...POOLS, securityProfile: { workloadIdentity: { enabled: true } }, oidcIssuerProfile: { enabled: false } });
    assert.deepEqual(check([c]), [{ urn: c.urn, type: CLUSTER, property: "oidcIssuerProfile.enabled", message: `oidcIssuerProfile.enabled is false; ${FIX}: ${WHY}.` }]);
  });

  it("fails a separate agent pool of such a cluster (linked by dependency) unless the pool restricts pod IMDS itself", () => {
    const c = res(CLUSTER, "aks", { ...POOLS, networkProfile: { podLinkLocalAccess: "IMDS" } });
    const p = res(POOL, "pool", { resourceName: UNKNOWN, resourceGroupName: "rg", enableNodePublicIP: false }, { resourceName: [c.urn] });
    const restricted = res(POOL, "restricted", { resourceName: UNKNOWN, podLinkLocalAccess: "None" }, { resourceName: [c.urn] });
    assert.deepEqual(check([c, p, restricted]), [
      { urn: c.urn, type: CLUSTER, property: "securityProfile.workloadIdentity.enabled", message: `securityProfile.workloadIdentity.enabled is not set; ${FIX}: ${WHY}.` },
      {
        urn: p.urn,
        type: POOL,
        property: "podLinkLocalAccess",
        message: `podLinkLocalAccess is not set and cluster "aks" has securityProfile.workloadIdentity.enabled not set; set podLinkLocalAccess to "None" here or, on the cluster, ${FIX}: ${WHY}.`,
      },
    ]);
  });

  it("is indeterminate on unknown cluster settings", () => {
    assert.deepEqual(check([res(CLUSTER, "aks", { securityProfile: UNKNOWN })]).map((f) => f.indeterminate), [true]);
  });
});
