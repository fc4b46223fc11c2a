/** What the GCP component tests under mocks share: the region, the type tokens they look for, and two finders. */
import * as assert from "node:assert/strict";
import type { RecordedResource } from "../../../program/offlineEngine";

export const REGION = "europe-west1";
export const T = {
  network: "gcp:compute/network:Network",
  subnet: "gcp:compute/subnetwork:Subnetwork",
  firewall: "gcp:compute/firewall:Firewall",
  route: "gcp:compute/route:Route",
  router: "gcp:compute/router:Router",
  nat: "gcp:compute/routerNat:RouterNat",
  zone: "gcp:dns/managedZone:ManagedZone",
  record: "gcp:dns/recordSet:RecordSet",
  policy: "gcp:dns/responsePolicy:ResponsePolicy",
  policyRule: "gcp:dns/responsePolicyRule:ResponsePolicyRule",
  fwPolicy: "gcp:compute/networkFirewallPolicy:NetworkFirewallPolicy",
  fwPolicyRule: "gcp:compute/networkFirewallPolicyRule:NetworkFirewallPolicyRule",
  fwPolicyAssoc: "gcp:compute/networkFirewallPolicyAssociation:NetworkFirewallPolicyAssociation",
  template: "gcp:compute/instanceTemplate:InstanceTemplate",
  mig: "gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager",
  autoscaler: "gcp:compute/regionAutoscaler:RegionAutoscaler",
  nodePool: "gcp:container/nodePool:NodePool",
} as const;

export const ofType = (resources: RecordedResource[], type: string) => resources.filter((r) => r.type === type);
export const one = (resources: RecordedResource[], name: string) => {
  const found = resources.filter((r) => r.name === name);
  assert.equal(found.length, 1, `exactly one resource named ${name}`);
  return found[0];
};
