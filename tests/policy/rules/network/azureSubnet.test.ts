import * as assert from "node:assert/strict";
import { azureDefaultOutboundRule } from "../../../../policy/rules/network/azureSubnet";
import { runCheck, UNKNOWN } from "../helpers";

const SUBNET = "azure-native:network:Subnet";
const VNET = "azure-native:network:VirtualNetwork";
const msg = (property: string, seen: string) =>
  `${property} is ${seen} on a worker subnet; set it to false: a subnet with default outbound access gives its VMs an ` +
  "implicit Microsoft-owned public IP for outbound traffic, a way out that bypasses the NAT gateway, the firewall route and the egress allow-list.";

describe("workload-subnet-azure-default-outbound", () => {
  const passing: [string, Record<string, unknown>, string][] = [
    [SUBNET, { addressPrefix: "10.0.0.0/24", defaultOutboundAccess: false }, "net-workload-1"],
    [SUBNET, { addressPrefix: "10.0.1.0/24" }, "frontend"],
    [SUBNET, { subnetName: "AzureFirewallSubnet", addressPrefix: "10.0.2.0/26" }, "workers-firewall-1"],
    [VNET, { subnets: [{ name: "workers", defaultOutboundAccess: false }, { name: "GatewaySubnet" }, { name: "frontend" }] }, "vnet"],
  ];
  for (const [type, props, name] of passing) it(`passes ${name} ${JSON.stringify(props)}`, () => assert.deepEqual(runCheck(azureDefaultOutboundRule, type, props, {}, name), []));
  const failing: [string, Record<string, unknown>, string, string, string][] = [
    [SUBNET, { addressPrefix: "10.0.0.0/24" }, "net-workload-1", "defaultOutboundAccess", "not set"],
    [SUBNET, { addressPrefix: "10.0.0.0/24", defaultOutboundAccess: true }, "net-workload-1", "defaultOutboundAccess", "true"],
    [SUBNET, { subnetName: "kestra-workers", defaultOutboundAccess: true }, "subnet-b", "defaultOutboundAccess", "true"],
    [VNET, { subnets: [{ name: "frontend" }, { name: "workers" }] }, "vnet", "subnets[1].defaultOutboundAccess", "not set"],
  ];
  for (const [type, props, name, property, seen] of failing) {
    it(`fails ${name} ${JSON.stringify(props)}`, () => assert.deepEqual(runCheck(azureDefaultOutboundRule, type, props, {}, name), [{ property, message: msg(property, seen) }]));
  }
  it("follows workerNames", () => {
    assert.equal(runCheck(azureDefaultOutboundRule, SUBNET, {}, { workerNames: ["batch-*"] }, "batch-a").length, 1);
    assert.deepEqual(runCheck(azureDefaultOutboundRule, SUBNET, {}, { workerNames: ["batch-*"] }, "net-workload-1"), []);
  });
  it("is indeterminate on an unknown value", () => {
    assert.deepEqual(runCheck(azureDefaultOutboundRule, SUBNET, { defaultOutboundAccess: UNKNOWN }, {}, "workers").map((f) => f.indeterminate), [true]);
  });
});
