import * as assert from "node:assert/strict";
import { auditResources } from "../../policy/evaluate";
import type { ResourceInput } from "../../policy/rules/types";
import { UNKNOWN } from "./rules/helpers";

const res = (type: string, name: string, props: Record<string, unknown>): ResourceInput => ({ type, name, urn: `urn:pulumi:dev::p::${type}::${name}`, props });
const badInstance = res("aws:ec2/instance:Instance", "worker", { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 }, associatePublicIpAddress: true });

describe("auditResources", () => {
  it("returns no violations for hardened resources", () => {
    assert.deepEqual(auditResources([
      res("aws:ec2/instance:Instance", "w", { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 } }),
      res("gcp:compute/instance:Instance", "g", { networkInterfaces: [{ network: "n" }], metadata: { "block-project-ssh-keys": "TRUE" } }),
      res("azure-native:compute:VirtualMachine", "a", {}),
      res("random:index/randomId:RandomId", "r", { byteLength: 4 }),
    ]), []);
  });

  it("runs every rule bound to the type and reports the contract's fields", () => {
    assert.deepEqual(auditResources([badInstance]).map((v) => [v.policy, v.property, v.enforcementLevel, v.urn, v.type]), [
      ["metadata-endpoint-aws-imds", "metadataOptions.httpPutResponseHopLimit", "mandatory", badInstance.urn, badInstance.type],
      ["workload-subnet-public-ip", "associatePublicIpAddress", "mandatory", badInstance.urn, badInstance.type],
    ]);
  });

  it("applies configured levels: disabled skips, remediate reports as mandatory, advisory stays advisory", () => {
    const v = auditResources([badInstance], {
      "metadata-endpoint-aws-imds": { enforcementLevel: "remediate" },
      "workload-subnet-public-ip": { enforcementLevel: "advisory" },
    });
    assert.deepEqual(v.map((x) => [x.policy, x.enforcementLevel]), [["metadata-endpoint-aws-imds", "mandatory"], ["workload-subnet-public-ip", "advisory"]]);
    assert.deepEqual(auditResources([badInstance], { "metadata-endpoint-aws-imds": { enforcementLevel: "disabled" }, "workload-subnet-public-ip": { enforcementLevel: "disabled" } }), []);
  });

  it("applies options and exemptions from config", () => {
    const v = auditResources([badInstance], { "metadata-endpoint-aws-imds": { maxHopLimit: 2 }, "workload-subnet-public-ip": { exemptNames: ["work*"] } });
    assert.deepEqual(v, []);
  });

  it("reports unknown values as advisory and maps versioned azure-native tokens", () => {
    const v = auditResources([
      res("aws:ec2/launchTemplate:LaunchTemplate", "lt", { metadataOptions: UNKNOWN }),
      res("azure-native:compute/v20230301:VirtualMachineScaleSet", "ss", { identity: { type: "SystemAssigned" } }),
    ]);
    assert.deepEqual(v.map((x) => [x.policy, x.type, x.enforcementLevel]), [
      ["metadata-endpoint-aws-imds", "aws:ec2/launchTemplate:LaunchTemplate", "advisory"],
      ["host-identity-azure-vm", "azure-native:compute:VirtualMachineScaleSet", "mandatory"],
    ]);
  });

  it("runs stack rules", () => {
    const subnet = res("aws:ec2/subnet:Subnet", "workload-a", { id: "subnet-1" });
    const rt = res("aws:ec2/routeTable:RouteTable", "rt", { id: "rtb-1", routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: "igw-1" }] });
    const assoc = res("aws:ec2/routeTableAssociation:RouteTableAssociation", "a", { subnetId: "subnet-1", routeTableId: "rtb-1" });
    assert.deepEqual(auditResources([subnet, rt, assoc]).map((x) => [x.policy, x.urn, x.property]), [["workload-subnet-internet-route", rt.urn, "routes[0].gatewayId"]]);
    assert.deepEqual(auditResources([subnet, rt, assoc], { "workload-subnet-internet-route": { exemptUrns: [rt.urn] } }), []);
  });
});
