import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { awsOfflineCalls, awsOfflineState } from "../../../program/clouds/aws";
import { runUnderMocks } from "../../../program/offlineEngine";
import { AWS_SERVICE_DOMAINS, ECS_AGENT_CHANNELS, awsServiceDomainsFor } from "../../../providers/aws/egress";
import { AwsWorkerNetwork } from "../../../providers/aws/network";

/**
 * The ECS agent on EC2 hosts talks to numbered channels, `ecs-a-*.<region>.amazonaws.com` (task management) and
 * `ecs-t-*.<region>.amazonaws.com` (telemetry) (ECS DG). With the DNS Firewall's catch-all block, the agent of a host
 * that joins a cluster can only connect when those names resolve.
 */
// Route 53 Resolver FirewallDomainName: an optional leading "*" (as a whole label here), then letters, digits, hyphens, dots.
const DNS_FIREWALL_DOMAIN = /^(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

describe("aws ECS agent channels in the DNS Firewall allow-list", () => {
  it("lists ecs-a-N and ecs-t-N of the region, in DNS Firewall's spelling, and nothing as broad as the region", () => {
    for (const region of ["eu-west-1", "us-east-1"]) {
      const names = awsServiceDomainsFor(region);
      for (const kind of ["a", "t"]) {
        for (const n of [1, 2, 16, ECS_AGENT_CHANNELS]) assert.ok(names.includes(`ecs-${kind}-${n}.${region}.amazonaws.com`), `ecs-${kind}-${n} in ${region}`);
        assert.ok(!names.includes(`ecs-${kind}-${ECS_AGENT_CHANNELS + 1}.${region}.amazonaws.com`));
      }
      assert.ok(names.includes(`ecs.${region}.amazonaws.com`), "the ECS API itself");
      for (const d of names) {
        assert.match(d, DNS_FIREWALL_DOMAIN);
        assert.ok(![`*.${region}.amazonaws.com`, "*.amazonaws.com"].includes(d), d);
        assert.ok(!d.includes("<"), `placeholder left in ${d}`);
      }
      assert.equal(new Set(names).size, names.length, "no duplicates");
    }
    // The plan (and so the controls report) keeps the compact form.
    assert.ok(AWS_SERVICE_DOMAINS.includes("ecs-a-<n>.<region>.amazonaws.com") && AWS_SERVICE_DOMAINS.includes("ecs-t-<n>.<region>.amazonaws.com"));
  });

  it("the network's DNS Firewall allows them, and the ecs-agent and ecs-telemetry interface endpoints are pinned to the account", async () => {
    const run = await runUnderMocks(
      async () => {
        const net = new AwsWorkerNetwork("w", { hardening: { sandbox: "none" }, endpoints: { interfaceServices: ["ecs", "ecs-agent", "ecs-telemetry"] } });
        await new Promise((resolve) => pulumi.all([net.networkId, net.workerSecurityGroupId]).apply(resolve));
        return net;
      },
      { calls: awsOfflineCalls, state: awsOfflineState },
    );
    const list = run.resources.find((r) => r.name === "w-dns-aws-services")!;
    const domains = list.inputs.domains as string[];
    for (const d of ["ecs-a-1.us-east-1.amazonaws.com", "ecs-a-16.us-east-1.amazonaws.com", "ecs-t-16.us-east-1.amazonaws.com", "ecs.us-east-1.amazonaws.com"]) assert.ok(domains.includes(d), d);
    // A positive control: the catch-all block is still there, below the allows.
    assert.deepEqual(run.resources.find((r) => r.name === "w-dns-block-all")!.inputs.domains, ["*"]);
    const endpoints = run.resources.filter((r) => r.type === "aws:ec2/vpcEndpoint:VpcEndpoint" && r.inputs.vpcEndpointType === "Interface");
    assert.deepEqual(endpoints.map((e) => e.inputs.serviceName).sort(), ["com.amazonaws.us-east-1.ecs", "com.amazonaws.us-east-1.ecs-agent", "com.amazonaws.us-east-1.ecs-telemetry"]);
    for (const e of endpoints) {
      assert.equal(e.inputs.privateDnsEnabled, true);
      assert.deepEqual(JSON.parse(e.inputs.policy as string).Statement[0].Condition.StringEquals, { "aws:PrincipalAccount": "123456789012" });
    }
  });
});
