/** Issue 19 misses: ECS services with assignPublicIp, spot instance requests with a public IP. */
import * as assert from "node:assert/strict";
import { publicIpRule } from "../../../../policy/rules/network/cloudNetwork";
import { runCheck, UNKNOWN } from "../helpers";

const SERVICE = "aws:ecs/service:Service";
const SPOT = "aws:ec2/spotInstanceRequest:SpotInstanceRequest";
const WHY = "a worker with a public address is reachable from the internet and can bypass the egress filter";

describe("workload-subnet-public-ip: ECS services and spot instance requests", () => {
  it("passes a service without a public IP, or without awsvpc networking (positive control)", () => {
    assert.deepEqual(runCheck(publicIpRule, SERVICE, { networkConfiguration: { subnets: ["subnet-1"], assignPublicIp: false } }), []);
    assert.deepEqual(runCheck(publicIpRule, SERVICE, { name: "bridge-mode" }), []);
  });
  it("fails a service that assigns public IPs to its tasks", () => {
    assert.deepEqual(runCheck(publicIpRule, SERVICE, { networkConfiguration: { subnets: ["subnet-1"], assignPublicIp: true } }), [
      {
        property: "networkConfiguration.assignPublicIp",
        message: `networkConfiguration.assignPublicIp is true; set it to false and give the tasks a private subnet with a NAT gateway or the egress proxy: ${WHY}.`,
      },
    ]);
  });
  it("is indeterminate while assignPublicIp is unknown", () => {
    assert.deepEqual(runCheck(publicIpRule, SERVICE, { networkConfiguration: { assignPublicIp: UNKNOWN } })[0].indeterminate, true);
  });
  it("fails a spot request with associatePublicIpAddress, passes one without", () => {
    assert.deepEqual(runCheck(publicIpRule, SPOT, { associatePublicIpAddress: false }), []);
    assert.deepEqual(runCheck(publicIpRule, SPOT, { associatePublicIpAddress: true }), [
      { property: "associatePublicIpAddress", message: `associatePublicIpAddress is true; set it to false and reach the host through SSM or a bastion: ${WHY}.` },
    ]);
  });
});
