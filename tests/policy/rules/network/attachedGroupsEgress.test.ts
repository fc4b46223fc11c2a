import * as assert from "node:assert/strict";
import { resolveConfig } from "../../../../policy/options";
import { splitEgressRule } from "../../../../policy/rules/network/splitEgress";
import type { ResourceInput } from "../../../../policy/rules/types";
import { checkDeclared, EGRESS_WHY, res, UNKNOWN } from "../helpers";

const SG = "aws:ec2/securityGroup:SecurityGroup";
const check = (rs: ResourceInput[], config: Record<string, unknown> = {}) =>
  checkDeclared(splitEgressRule, rs, { config: resolveConfig(splitEgressRule.id, config) });
const tcp = (from: number, to: number, cidrBlocks = ["0.0.0.0/0"]) => ({ protocol: "tcp", fromPort: from, toPort: to, cidrBlocks });
const low = res(SG, "low", { id: "sg-low", egress: [tcp(0, 32767)] });
const high = res(SG, "high", { id: "sg-high", egress: [tcp(32768, 65535)] });

describe("egress-open-to-internet-combined: security groups attached together (stack)", () => {
  it("passes one group, groups with a gap, and groups attached to different instances", () => {
    const gap = res(SG, "gap", { id: "sg-gap", egress: [tcp(32769, 65535)] });
    assert.deepEqual(check([low, high, res("aws:ec2/instance:Instance", "a", { vpcSecurityGroupIds: ["sg-low"] }), res("aws:ec2/instance:Instance", "b", { vpcSecurityGroupIds: ["sg-high"] })]), []);
    assert.deepEqual(check([low, gap, res("aws:ec2/instance:Instance", "a", { vpcSecurityGroupIds: ["sg-low", "sg-gap"] })]), []);
  });

  it("fails an instance whose two groups together open every TCP port, naming both, by id", () => {
    const vm = res("aws:ec2/instance:Instance", "worker", { vpcSecurityGroupIds: ["sg-low", "sg-high"] });
    assert.deepEqual(check([low, high, vm]), [
      {
        urn: vm.urn,
        type: vm.type,
        property: "vpcSecurityGroupIds",
        message: `"worker" attaches security groups "low", "high", whose egress together allows every TCP port out to 0.0.0.0/0: low.egress[0].cidrBlocks (tcp 0-32767), high.egress[0].cidrBlocks (tcp 32768-65535); ${EGRESS_WHY}.`,
      },
    ]);
  });

  it("fails a launch template linked by property dependency (ids unknown in preview), an ECS service and a spot request", () => {
    const lt = res("aws:ec2/launchTemplate:LaunchTemplate", "lt", { networkInterfaces: [{ securityGroups: [UNKNOWN, UNKNOWN] }] }, { networkInterfaces: [low.urn, high.urn] });
    const svc = res("aws:ecs/service:Service", "svc", { networkConfiguration: { subnets: ["subnet-1"], securityGroups: ["sg-low", "sg-high"] } });
    const spot = res("aws:ec2/spotInstanceRequest:SpotInstanceRequest", "spot", { vpcSecurityGroupIds: ["sg-high", "sg-low"] });
    assert.deepEqual(check([low, high, lt, svc, spot]).map((f) => [f.urn, f.property]), [
      [spot.urn, "vpcSecurityGroupIds"],
      [lt.urn, "networkInterfaces"],
      [svc.urn, "networkConfiguration"],
    ]);
  });

  it("leaves a group that opens every port alone to its own finding, and honours scope: workers", () => {
    const both = res(SG, "both", { id: "sg-both", egress: [tcp(0, 100), tcp(101, 65535)] });
    const vm = res("aws:ec2/instance:Instance", "bastion", { vpcSecurityGroupIds: ["sg-both", "sg-low"] });
    assert.deepEqual(check([both, low, vm]).map((f) => f.urn), [both.urn], "the group's own finding only");
    const shared = res("aws:ec2/instance:Instance", "bastion", { vpcSecurityGroupIds: ["sg-low", "sg-high"] });
    assert.deepEqual(check([low, high, shared], { scope: "workers" }), []);
    const worker = res("aws:ec2/instance:Instance", "kestra-worker", { vpcSecurityGroupIds: ["sg-low", "sg-high"] });
    assert.equal(check([low, high, worker], { scope: "workers" }).length, 1);
  });
});
