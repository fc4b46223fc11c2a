import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { HardeningSpec } from "../../../components";
import { RecordedResource, runUnderMocks } from "../../../program/offlineEngine";
import { AwsWorkerNetwork } from "../../../providers/aws/network";
import { AwsWorkerNetworkArgs } from "../../../providers/aws/networkPlan";
import { awsOfflineCalls, awsOfflineState } from "../../../program/clouds/aws";

async function build(args: AwsWorkerNetworkArgs): Promise<{ resources: RecordedResource[]; net: AwsWorkerNetwork }> {
  const run = await runUnderMocks(
    async () => {
      const net = new AwsWorkerNetwork("w", args);
      // Registrations arrive asynchronously: wait for the outputs before looking.
      await new Promise((resolve) => pulumi.all([net.networkId, ...net.workloadSubnetIds, net.workerSecurityGroupId]).apply(resolve));
      return net;
    },
    { calls: awsOfflineCalls, state: awsOfflineState },
  );
  return { resources: run.resources, net: run.result };
}

const of = (resources: RecordedResource[], type: string) => resources.filter((r) => r.type === type);
const one = (resources: RecordedResource[], name: string) => {
  const found = resources.filter((r) => r.name === name);
  assert.equal(found.length, 1, `exactly one resource named ${name}`);
  return found[0];
};

const allowed = [{ domain: "pypi.org" }, { domain: "*.pythonhosted.org" }, { cidr: "203.0.113.0/24", ports: [443, 8443], description: "Kestra backend" }];
const specs: Record<string, HardeningSpec> = {
  denyAll: {},
  basic: { workloadSubnet: "private", egress: { mode: "allowList", tier: "basic", allow: [allowed[2]] } },
  dns: { workloadSubnet: "private", egress: { mode: "allowList", tier: "dns", allow: allowed } },
  firewall: { workloadSubnet: "private", egress: { mode: "allowList", tier: "firewall", allow: allowed } },
};
// The firewall tier with domain rules needs TLS inspection or an explicit acceptSniSpoofing; these tests build the
// uninspected firewall (tests/providers/aws/tlsInspection.test.ts covers the inspected one).
const nfFor = (hardening: HardeningSpec): Partial<AwsWorkerNetworkArgs> => (hardening === specs.firewall ? { networkFirewall: { acceptSniSpoofing: true } } : {});
const s3Rule = { protocol: "tcp", fromPort: 443, toPort: 443, prefixListIds: ["pl-63a5400a"], description: "S3 gateway endpoint (policy-restricted)" };
const backendRules = [443, 8443].map((p) => ({ protocol: "tcp", fromPort: p, toPort: p, cidrBlocks: ["203.0.113.0/24"], description: "allow-list 203.0.113.0/24: Kestra backend" }));
const domainRule = (enforcer: string) => ({
  protocol: "tcp",
  fromPort: 443,
  toPort: 443,
  cidrBlocks: ["0.0.0.0/0"],
  description: `domains pypi.org *.pythonhosted.org; names enforced by the ${enforcer}`,
});

describe("AwsWorkerNetwork (mocks)", () => {
  it("every tier: worker subnets without public IPs, tagged for the policy pack, default SG emptied, no route to an IGW", async () => {
    for (const [tier, hardening] of Object.entries(specs)) {
      const { resources } = await build({ hardening, ...nfFor(hardening) });
      const subnets = of(resources, "aws:ec2/subnet:Subnet");
      for (const s of subnets) {
        assert.equal(s.inputs.mapPublicIpOnLaunch, false, `${tier} ${s.name}`);
        assert.equal((s.inputs.tags as Record<string, string>)["hardening:role"], s.name.replace(/^w-/, "").replace(/-\d$/, ""));
      }
      const workloads = subnets.filter((s) => s.name.startsWith("w-workload-"));
      assert.deepEqual(workloads.map((s) => [s.inputs.cidrBlock, s.inputs.availabilityZone]), [
        ["10.42.0.0/19", "us-east-1a"],
        ["10.42.32.0/19", "us-east-1b"],
      ]);
      // The default security group is adopted with no rule in either direction.
      assert.deepEqual(one(resources, "w-default-sg").inputs, { vpcId: "w-vpc-id", tags: { Name: "w-default-sg" } });
      for (const key of ["workload-1", "workload-2"]) {
        const routes = one(resources, `w-rt-${key}`).inputs.routes as Record<string, unknown>[];
        assert.ok(routes.every((r) => r.gatewayId === undefined), `${tier}: ${key} routes to an internet gateway: ${JSON.stringify(routes)}`);
      }
      assert.equal(of(resources, "aws:ec2/route:Route").length, 0, "routes are inline only");
    }
  });

  it("denyAll: no route out at all, no IGW or NAT; SG egress only to the S3 endpoint; DNS allows AWS names only", async () => {
    const { resources } = await build({ hardening: specs.denyAll });
    assert.deepEqual(of(resources, "aws:ec2/routeTable:RouteTable").map((r) => [r.name, r.inputs.routes]), [
      ["w-rt-workload-1", []],
      ["w-rt-workload-2", []],
    ]);
    assert.equal(of(resources, "aws:ec2/internetGateway:InternetGateway").length, 0);
    assert.equal(of(resources, "aws:ec2/natGateway:NatGateway").length, 0);
    const sg = one(resources, "w-workers-sg").inputs;
    assert.deepEqual(sg.ingress, []);
    assert.deepEqual(sg.egress, [s3Rule]);
    const s3 = one(resources, "w-s3-endpoint").inputs;
    assert.equal(s3.serviceName, "com.amazonaws.us-east-1.s3");
    assert.equal(s3.vpcEndpointType, "Gateway");
    assert.deepEqual(s3.routeTableIds, ["w-rt-workload-1-id", "w-rt-workload-2-id"]);
    assert.deepEqual(JSON.parse(s3.policy as string).Statement[0].Resource, ["arn:aws:s3:::prod-us-east-1-starport-layer-bucket/*"]);
    assert.equal(resources.some((r) => r.name === "w-dns-allowed"), false);
    // Per-region service names, never "*.amazonaws.com" (which also resolves other customers' endpoints).
    const services = one(resources, "w-dns-aws-services").inputs.domains as string[];
    assert.deepEqual(services, [
      "api.ecr.us-east-1.amazonaws.com", "*.dkr.ecr.us-east-1.amazonaws.com", "s3.us-east-1.amazonaws.com", "*.s3.us-east-1.amazonaws.com",
      "sts.us-east-1.amazonaws.com", "logs.us-east-1.amazonaws.com", "ssm.us-east-1.amazonaws.com", "ssmmessages.us-east-1.amazonaws.com",
      "ec2messages.us-east-1.amazonaws.com", "ecs.us-east-1.amazonaws.com",
      // The ECS agent's management and telemetry channels, one by one (DNS Firewall has no mid-label wildcard).
      ...["a", "t"].flatMap((k) => Array.from({ length: 99 }, (_, i) => `ecs-${k}-${i + 1}.us-east-1.amazonaws.com`)),
      "*.ec2.internal",
    ]);
    for (const d of services) assert.doesNotMatch(d, /^\*\.(amazonaws\.com|[a-z0-9-]+\.amazonaws\.com)$/, d);
    assert.deepEqual(one(resources, "w-dns-block-all").inputs.domains, ["*"]);
  });

  it("denyAll with interface endpoints: private DNS, own SG open to the worker subnets only, SG egress to it", async () => {
    const { resources } = await build({ hardening: specs.denyAll, endpoints: { interfaceServices: ["ecr.dkr", "ecr.api", "sts", "logs", "ssm"] } });
    const eps = of(resources, "aws:ec2/vpcEndpoint:VpcEndpoint").filter((r) => r.inputs.vpcEndpointType === "Interface");
    assert.deepEqual(eps.map((r) => r.inputs.serviceName).sort(), ["ecr.api", "ecr.dkr", "logs", "ssm", "sts"].map((s) => `com.amazonaws.us-east-1.${s}`));
    for (const ep of eps) {
      assert.equal(ep.inputs.privateDnsEnabled, true);
      assert.deepEqual(ep.inputs.securityGroupIds, ["w-endpoints-sg-id"]);
      assert.deepEqual(ep.inputs.subnetIds, ["w-workload-1-id", "w-workload-2-id"]);
      // Only the workers' account, on its own resources: no push to another account's registry or log group.
      assert.deepEqual(JSON.parse(ep.inputs.policy as string), {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "WorkersAccountOnly",
            Effect: "Allow",
            Principal: "*",
            Action: "*",
            Resource: "*",
            Condition: { StringEquals: { "aws:PrincipalAccount": "123456789012" }, StringEqualsIfExists: { "aws:ResourceAccount": "123456789012" } },
          },
        ],
      });
    }
    const epSg = one(resources, "w-endpoints-sg").inputs;
    assert.deepEqual(epSg.ingress, [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.42.0.0/19", "10.42.32.0/19"], description: "worker subnets" }]);
    assert.deepEqual(epSg.egress, []);
    assert.deepEqual(one(resources, "w-workers-sg").inputs.egress, [
      s3Rule,
      { protocol: "tcp", fromPort: 443, toPort: 443, securityGroups: ["w-endpoints-sg-id"], description: "VPC interface endpoints" },
    ]);
  });

  it("basic: workers -> NAT (same zone) -> IGW; SG egress equals the allow-list exactly; no DNS or Network Firewall", async () => {
    const { resources } = await build({ hardening: specs.basic });
    assert.deepEqual(of(resources, "aws:ec2/routeTable:RouteTable").map((r) => [r.name, r.inputs.routes]).sort(), [
      ["w-rt-egress-1", [{ cidrBlock: "0.0.0.0/0", gatewayId: "w-igw-id" }]],
      ["w-rt-egress-2", [{ cidrBlock: "0.0.0.0/0", gatewayId: "w-igw-id" }]],
      ["w-rt-workload-1", [{ cidrBlock: "0.0.0.0/0", natGatewayId: "w-nat-1-id" }]],
      ["w-rt-workload-2", [{ cidrBlock: "0.0.0.0/0", natGatewayId: "w-nat-2-id" }]],
    ]);
    assert.deepEqual(of(resources, "aws:ec2/natGateway:NatGateway").map((r) => [r.name, r.inputs.subnetId]), [
      ["w-nat-1", "w-egress-1-id"],
      ["w-nat-2", "w-egress-2-id"],
    ]);
    assert.deepEqual(one(resources, "w-workers-sg").inputs.egress, [...backendRules, s3Rule]);
    assert.equal(of(resources, "aws:route53/resolverFirewallRuleGroup:ResolverFirewallRuleGroup").length, 0);
    assert.equal(of(resources, "aws:networkfirewall/firewall:Firewall").length, 0);
  });

  it("dns: DNS Firewall allows exactly the spec's domains, then AWS names, then blocks every other name; fails closed", async () => {
    const { resources } = await build({ hardening: specs.dns });
    assert.deepEqual(one(resources, "w-dns-allowed").inputs.domains, ["pypi.org", "*.pythonhosted.org"]);
    const rules = of(resources, "aws:route53/resolverFirewallRule:ResolverFirewallRule").map((r) => ({
      list: r.inputs.firewallDomainListId,
      action: r.inputs.action,
      priority: r.inputs.priority,
      blockResponse: r.inputs.blockResponse,
    }));
    assert.deepEqual(
      rules.sort((a, b) => (a.priority as number) - (b.priority as number)),
      [
        { list: "w-dns-allowed-id", action: "ALLOW", priority: 100, blockResponse: undefined },
        { list: "w-dns-aws-services-id", action: "ALLOW", priority: 200, blockResponse: undefined },
        { list: "w-dns-block-all-id", action: "BLOCK", priority: 1000, blockResponse: "NXDOMAIN" },
      ],
    );
    assert.deepEqual(one(resources, "w-dns-firewall-association").inputs, {
      firewallRuleGroupId: "w-dns-firewall-id",
      vpcId: "w-vpc-id",
      priority: 101,
      tags: { Name: "w-dns-firewall-association" },
    });
    assert.deepEqual(one(resources, "w-dns-firewall-config").inputs, { resourceId: "w-vpc-id", firewallFailOpen: "DISABLED" });
    assert.deepEqual(one(resources, "w-workers-sg").inputs.egress, [...backendRules, domainRule("DNS Firewall allow-list"), s3Rule]);
  });

  it("firewall: domain ALLOWLIST on SNI and Host, strict order with drop_established, symmetric routes through the endpoints", async () => {
    const { resources } = await build({ hardening: specs.firewall, ...nfFor(specs.firewall) });
    const domains = one(resources, "w-firewall-domains").inputs;
    assert.equal(domains.type, "STATEFUL");
    assert.deepEqual(domains.ruleGroup, {
      ruleVariables: { ipSets: [{ key: "HOME_NET", ipSet: { definitions: ["10.42.0.0/16"] } }] },
      statefulRuleOptions: { ruleOrder: "STRICT_ORDER" },
      rulesSource: { rulesSourceList: { generatedRulesType: "ALLOWLIST", targetTypes: ["TLS_SNI", "HTTP_HOST"], targets: ["pypi.org", ".pythonhosted.org"] } },
    });
    const cidrs = one(resources, "w-firewall-cidrs").inputs.ruleGroup as { rulesSource: { statefulRules: { action: string; header: { destination: string; destinationPort: string } }[] } };
    assert.deepEqual(cidrs.rulesSource.statefulRules.map((r) => [r.action, r.header.destination, r.header.destinationPort]), [
      ["PASS", "203.0.113.0/24", "443"],
      ["PASS", "203.0.113.0/24", "8443"],
    ]);
    assert.deepEqual(one(resources, "w-firewall-policy").inputs.firewallPolicy, {
      statelessDefaultActions: ["aws:forward_to_sfe"],
      statelessFragmentDefaultActions: ["aws:forward_to_sfe"],
      statefulEngineOptions: { ruleOrder: "STRICT_ORDER", streamExceptionPolicy: "DROP" },
      statefulDefaultActions: ["aws:drop_established", "aws:alert_established"],
      statefulRuleGroupReferences: [
        { priority: 10, resourceArn: "arn:aws:networkfirewall:us-east-1:123456789012:w-firewall-cidrs" },
        { priority: 20, resourceArn: "arn:aws:networkfirewall:us-east-1:123456789012:w-firewall-domains" },
      ],
    });
    assert.deepEqual(one(resources, "w-firewall").inputs.subnetMappings, [{ subnetId: "w-firewall-1-id" }, { subnetId: "w-firewall-2-id" }]);
    const routes = Object.fromEntries(of(resources, "aws:ec2/routeTable:RouteTable").map((r) => [r.name, r.inputs.routes]));
    assert.deepEqual(routes, {
      "w-rt-workload-1": [{ cidrBlock: "0.0.0.0/0", vpcEndpointId: "vpce-w-firewall-1" }],
      "w-rt-workload-2": [{ cidrBlock: "0.0.0.0/0", vpcEndpointId: "vpce-w-firewall-2" }],
      "w-rt-firewall-1": [{ cidrBlock: "0.0.0.0/0", natGatewayId: "w-nat-1-id" }],
      "w-rt-firewall-2": [{ cidrBlock: "0.0.0.0/0", natGatewayId: "w-nat-2-id" }],
      "w-rt-egress-1": [
        { cidrBlock: "0.0.0.0/0", gatewayId: "w-igw-id" },
        { cidrBlock: "10.42.0.0/19", vpcEndpointId: "vpce-w-firewall-1" },
        { cidrBlock: "10.42.32.0/19", vpcEndpointId: "vpce-w-firewall-2" },
      ],
      "w-rt-egress-2": [
        { cidrBlock: "0.0.0.0/0", gatewayId: "w-igw-id" },
        { cidrBlock: "10.42.0.0/19", vpcEndpointId: "vpce-w-firewall-1" },
        { cidrBlock: "10.42.32.0/19", vpcEndpointId: "vpce-w-firewall-2" },
      ],
    });
    assert.deepEqual(one(resources, "w-dns-allowed").inputs.domains, ["pypi.org", "*.pythonhosted.org"]);
    assert.deepEqual(one(resources, "w-workers-sg").inputs.egress, [...backendRules, domainRule("Network Firewall SNI/Host allow-list"), s3Rule]);
  });

  it("flow logs on by default: CloudWatch group with retention, one delivery role scoped to that group, one log per worker subnet", async () => {
    const { resources } = await build({ hardening: specs.denyAll, flowLogs: { retentionDays: 90 } });
    assert.equal(one(resources, "w-flow-logs").inputs.retentionInDays, 90);
    assert.deepEqual(of(resources, "aws:iam/role:Role").map((r) => r.name), ["w-flow-logs-role"]);
    assert.deepEqual(JSON.parse(one(resources, "w-flow-logs-role").inputs.assumeRolePolicy as string).Statement[0].Principal, { Service: "vpc-flow-logs.amazonaws.com" });
    const policy = JSON.parse(one(resources, "w-flow-logs-policy").inputs.policy as string);
    const arn = "arn:aws:cloudwatch:us-east-1:123456789012:w-flow-logs";
    assert.deepEqual(policy.Statement.map((s: { Resource: string[] }) => s.Resource), [[arn, `${arn}:*`]]);
    const logs = of(resources, "aws:ec2/flowLog:FlowLog");
    assert.deepEqual(logs.map((l) => [l.inputs.subnetId, l.inputs.trafficType, l.inputs.logDestinationType, l.inputs.logDestination, l.inputs.iamRoleArn]), [
      ["w-workload-1-id", "ALL", "cloud-watch-logs", arn, "arn:aws:iam:us-east-1:123456789012:w-flow-logs-role"],
      ["w-workload-2-id", "ALL", "cloud-watch-logs", arn, "arn:aws:iam:us-east-1:123456789012:w-flow-logs-role"],
    ]);
  });

  it("flow logs to S3 create no role; disabled flow logs create nothing", async () => {
    const s3 = await build({ hardening: specs.denyAll, flowLogs: { destination: "s3", s3BucketArn: "arn:aws:s3:::audit-logs" } });
    assert.equal(of(s3.resources, "aws:iam/role:Role").length, 0);
    assert.deepEqual(of(s3.resources, "aws:ec2/flowLog:FlowLog").map((l) => [l.inputs.logDestinationType, l.inputs.logDestination, l.inputs.iamRoleArn]), [
      ["s3", "arn:aws:s3:::audit-logs", undefined],
      ["s3", "arn:aws:s3:::audit-logs", undefined],
    ]);
    const off = await build({ hardening: specs.denyAll, flowLogs: { enabled: false } });
    assert.equal(of(off.resources, "aws:ec2/flowLog:FlowLog").length, 0);
  });

  it("an invalid spec registers nothing, the component included, and names every problem", async () => {
    let message = "";
    const run = await runUnderMocks(
      () => {
        try {
          new AwsWorkerNetwork("bad", { hardening: { metadataEndpoint: "off" as never, egress: { mode: "denyAll", allow: [{ domain: "pypi.org" }] } }, zoneCount: 9 });
        } catch (e) {
          message = (e as Error).message;
        }
      },
      { calls: awsOfflineCalls, state: awsOfflineState },
    );
    assert.deepEqual(run.resources, []);
    assert.match(message, /^AwsWorkerNetwork "bad": invalid arguments:\n - hardening\.metadataEndpoint "off"/);
    assert.match(message, /hardening\.egress\.allow lists 1 rule/);
    assert.match(message, /zoneCount 9 must be a whole number from 1 to 6/);
  });

  it("every resource its controls report names was registered", async () => {
    for (const hardening of Object.values(specs)) {
      const { resources, net } = await build({ hardening, ...nfFor(hardening), endpoints: { interfaceServices: ["sts"] } });
      const names = new Set(resources.map((r) => r.name));
      const controls = await new Promise<{ id: string; resources: string[] }[]>((r) => net.controls.apply(r));
      for (const c of controls) for (const name of c.resources) assert.ok(names.has(name), `${c.id} names ${name}, which was not created`);
    }
  });
});

describe("AwsWorkerNetwork with the egress proxy group (mocks)", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { egressProxyCloudInit, proxyEnvFor, javaProxyOptionsFor } = require("../../../components") as typeof import("../../../components");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { auditResources } = require("../../../policy/rules") as typeof import("../../../policy/rules");
  const args: AwsWorkerNetworkArgs = { hardening: specs.firewall, l7Filter: "egressProxy", egressProxy: { imageId: "ami-0123456789abcdef0" } };
  const WORKERS = ["10.42.0.0/19", "10.42.32.0/19"];
  const PROXY_SUBNETS = ["10.42.192.0/24", "10.42.193.0/24"];

  it("workers have no route out; only the proxy subnets route to NAT; no Network Firewall", async () => {
    const { resources } = await build(args);
    const routes = Object.fromEntries(of(resources, "aws:ec2/routeTable:RouteTable").map((r) => [r.name, r.inputs.routes]));
    assert.deepEqual(routes, {
      "w-rt-workload-1": [],
      "w-rt-workload-2": [],
      "w-rt-egress-1": [{ cidrBlock: "0.0.0.0/0", gatewayId: "w-igw-id" }],
      "w-rt-egress-2": [{ cidrBlock: "0.0.0.0/0", gatewayId: "w-igw-id" }],
      "w-rt-firewall-1": [{ cidrBlock: "0.0.0.0/0", natGatewayId: "w-nat-1-id" }],
      "w-rt-firewall-2": [{ cidrBlock: "0.0.0.0/0", natGatewayId: "w-nat-2-id" }],
    });
    assert.deepEqual(of(resources, "aws:networkfirewall/firewall:Firewall"), []);
    assert.deepEqual(of(resources, "aws:networkfirewall/firewallPolicy:FirewallPolicy"), []);
    assert.deepEqual(
      of(resources, "aws:ec2/subnet:Subnet").filter((s) => s.name.startsWith("w-firewall-")).map((s) => s.inputs.cidrBlock),
      PROXY_SUBNETS,
    );
  });

  it("workers may open only the proxy port to the load balancer's subnets, never a port to the internet", async () => {
    const { resources } = await build(args);
    assert.deepEqual(one(resources, "w-workers-sg").inputs.egress, [
      ...backendRules,
      { protocol: "tcp", fromPort: 3128, toPort: 3128, cidrBlocks: PROXY_SUBNETS, description: "egress proxy load balancer; names and addresses enforced by Squid" },
      s3Rule,
    ]);
  });

  it("an internal NLB admitting only the workers, an ASG of 2 hardened Squid hosts behind it, the cloud-init as base64 user data", async () => {
    const { resources } = await build(args);
    assert.deepEqual(one(resources, "w-proxy-lb-sg").inputs.ingress, [{ protocol: "tcp", fromPort: 3128, toPort: 3128, cidrBlocks: WORKERS, description: "worker subnets" }]);
    assert.deepEqual(one(resources, "w-proxy-lb-sg").inputs.egress, [
      { protocol: "tcp", fromPort: 3128, toPort: 3128, cidrBlocks: PROXY_SUBNETS, description: "proxy hosts and their health checks" },
    ]);
    const hostSg = one(resources, "w-proxy-sg").inputs;
    assert.deepEqual(hostSg.ingress, [{ protocol: "tcp", fromPort: 3128, toPort: 3128, securityGroups: ["w-proxy-lb-sg-id"], description: "egress proxy load balancer" }]);
    assert.deepEqual(
      (hostSg.egress as { fromPort: number; cidrBlocks: string[]; description: string }[]).map((r) => [r.fromPort, r.cidrBlocks, r.description]),
      [
        [80, ["0.0.0.0/0"], "egress proxy: package mirror at boot"],
        [443, ["0.0.0.0/0"], "egress proxy: allow-list port, destinations checked by Squid; package mirror at boot"],
        [8443, ["0.0.0.0/0"], "egress proxy: allow-list port, destinations checked by Squid"],
      ],
    );
    const nlb = one(resources, "w-proxy-lb").inputs;
    assert.deepEqual(
      [nlb.internal, nlb.loadBalancerType, nlb.subnets, nlb.securityGroups, nlb.enableCrossZoneLoadBalancing],
      [true, "network", ["w-firewall-1-id", "w-firewall-2-id"], ["w-proxy-lb-sg-id"], true],
    );
    const tg = one(resources, "w-proxy-tg").inputs;
    assert.deepEqual([tg.targetType, tg.protocol, tg.port, tg.preserveClientIp], ["instance", "TCP", 3128, "true"]);
    const listener = one(resources, "w-proxy-listener").inputs;
    assert.deepEqual([listener.port, listener.protocol], [3128, "TCP"]);

    const lt = one(resources, "w-proxy-launch-template").inputs;
    assert.equal(lt.iamInstanceProfile, undefined);
    assert.deepEqual(lt.metadataOptions, { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, httpProtocolIpv6: "disabled", instanceMetadataTags: "disabled" });
    assert.deepEqual(lt.networkInterfaces, [{ deviceIndex: 0, associatePublicIpAddress: "false", deleteOnTermination: "true", securityGroups: ["w-proxy-sg-id"] }]);
    const expected = egressProxyCloudInit(specs.firewall, { cloud: "aws", clients: WORKERS, port: 3128 }).userData;
    assert.equal(Buffer.from(lt.userData as string, "base64").toString("utf8"), expected);

    const asg = one(resources, "w-proxy-asg").inputs;
    assert.deepEqual(
      [asg.minSize, asg.maxSize, asg.desiredCapacity, asg.vpcZoneIdentifiers, asg.healthCheckType, asg.maxInstanceLifetime],
      [2, 2, 2, ["w-firewall-1-id", "w-firewall-2-id"], "ELB", 7 * 86400],
    );
    assert.equal((asg.targetGroupArns as string[]).length, 1);
  });

  it("the DNS Firewall also lets the hosts resolve their package mirror, trusting its CNAME chain", async () => {
    const { resources } = await build(args);
    assert.deepEqual(one(resources, "w-dns-package-mirrors").inputs.domains, ["deb.debian.org", "cdn-aws.deb.debian.org", "security.debian.org"]);
    const rule = one(resources, "w-dns-rule-package-mirrors").inputs;
    assert.deepEqual([rule.action, rule.priority, rule.firewallDomainRedirectionAction], ["ALLOW", 150, "TRUST_REDIRECTION_DOMAIN"]);
    // No other rule trusts redirections.
    for (const r of of(resources, "aws:route53/resolverFirewallRule:ResolverFirewallRule").filter((x) => x.name !== "w-dns-rule-package-mirrors")) {
      assert.equal(r.inputs.firewallDomainRedirectionAction, undefined, r.name);
    }
  });

  it("exposes the proxy URL and the workers' variables; the whole network passes the policy pack", async () => {
    const { resources, net } = await build({ ...args, egressProxy: { imageId: "ami-0123456789abcdef0", noProxy: [".internal"] } });
    const url = await new Promise<string>((r) => (net.proxyUrl as pulumi.Output<string>).apply(r));
    assert.match(url, /^http:\/\/.+:3128$/);
    const env = await new Promise((r) => (net.proxyEnv as pulumi.Output<unknown>).apply(r));
    assert.deepEqual(env, [...proxyEnvFor(url, [".internal"]), { name: "JAVA_TOOL_OPTIONS", value: javaProxyOptionsFor(url, [".internal"]) }]);
    const violations = auditResources(resources.map((r) => ({ type: r.type, urn: r.urn, name: r.name, props: r.inputs, parent: r.parent })));
    assert.deepEqual(violations.map((v) => `${v.policy} ${v.urn} ${v.property}`), []);
    const names = new Set(resources.map((r) => r.name));
    const controls = await new Promise<{ id: string; resources: string[] }[]>((r) => net.controls.apply(r));
    for (const id of ["aws-egress-proxy-allow-list", "aws-egress-proxy-resolved-address", "aws-egress-proxy-load-balancer", "aws-egress-proxy-host"]) {
      assert.ok(controls.some((c) => c.id === id), id);
    }
    for (const c of controls) for (const name of c.resources) assert.ok(names.has(name), `${c.id} names ${name}, which was not created`);
  });

  it("without the proxy group nothing of it exists, and no output says otherwise", async () => {
    const { resources, net } = await build({ hardening: specs.firewall, ...nfFor(specs.firewall) });
    assert.equal(net.proxyUrl, undefined);
    assert.equal(net.proxyEnv, undefined);
    assert.deepEqual(resources.filter((r) => r.name.startsWith("w-proxy")), []);
  });
});

describe("AwsWorkerNetwork egress plan, every tier (mocks)", () => {
  for (const tier of ["denyAll", "basic", "dns", "firewall"] as const) {
    it(`${tier}: interface endpoints pinned to the account; the DNS Firewall (where present) allows the region's service names only`, async () => {
      const { resources } = await build({ hardening: specs[tier], ...nfFor(specs[tier]), endpoints: { interfaceServices: ["ecr.api", "ecr.dkr", "logs"] } });
      const eps = resources.filter((r) => r.type === "aws:ec2/vpcEndpoint:VpcEndpoint" && r.inputs.vpcEndpointType === "Interface");
      assert.equal(eps.length, 3);
      for (const ep of eps) {
        const condition = JSON.parse(ep.inputs.policy as string).Statement[0].Condition;
        assert.deepEqual(condition, { StringEquals: { "aws:PrincipalAccount": "123456789012" }, StringEqualsIfExists: { "aws:ResourceAccount": "123456789012" } }, String(ep.name));
      }
      const services = resources.find((r) => r.name === "w-dns-aws-services");
      // Tier basic has no DNS Firewall (and says DNS tunnelling stays open); every other tier has one.
      assert.equal(services === undefined, tier === "basic");
      for (const d of (services?.inputs.domains as string[] | undefined) ?? []) assert.ok(/\.us-east-1\.amazonaws\.com$|^\*\.ec2\.internal$/.test(d) && d !== "*.us-east-1.amazonaws.com", d);
    });
  }
});
