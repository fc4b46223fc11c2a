import * as assert from "node:assert/strict";
import fc from "fast-check";
import { HardeningSpec, InvalidArgsError, resolveHardening } from "../../../components";
import { awsProxyEnvFor, hardeningSpecOf, planAwsWorkerNetwork } from "../../../providers/aws/networkPlan";
import { egressProxyCloudInit, javaProxyOptionsFor, proxyEnvFor } from "../../../components";

const tiers: Record<string, HardeningSpec> = {
  denyAll: {},
  basic: { workloadSubnet: "private", egress: { mode: "allowList", tier: "basic", allow: [{ cidr: "203.0.113.0/24" }] } },
  dns: { workloadSubnet: "private", egress: { mode: "allowList", tier: "dns", allow: [{ domain: "pypi.org" }] } },
  firewall: { workloadSubnet: "private", egress: { mode: "allowList", tier: "firewall", allow: [{ domain: "pypi.org" }] } },
};

// The firewall tier with domain rules needs TLS inspection or an explicit acceptSniSpoofing (tlsInspection.test.ts).
const UNINSPECTED = { networkFirewall: { acceptSniSpoofing: true } };

function issuesOf(f: () => unknown): readonly string[] {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof InvalidArgsError, String(e));
    return e.issues;
  }
  assert.fail("expected InvalidArgsError");
}

describe("aws planAwsWorkerNetwork", () => {
  it("denyAll: workload subnets only, route tables with no route at all, no NAT, a DNS Firewall", () => {
    const plan = planAwsWorkerNetwork({ hardening: tiers.denyAll, zoneCount: 3 });
    assert.deepEqual(plan.subnets.map((s) => `${s.key} ${s.cidr}`), ["workload-1 10.42.0.0/19", "workload-2 10.42.32.0/19", "workload-3 10.42.64.0/19"]);
    assert.deepEqual(plan.routeTables, plan.subnets.map((s) => ({ subnetKey: s.key, routes: [] })));
    assert.deepEqual(plan.natZones, []);
    assert.equal(plan.routesOut, false);
    assert.deepEqual(plan.dnsFirewall?.allowedDomains, []);
    assert.equal(plan.networkFirewall, undefined);
  });

  it("basic/dns: workers -> NAT of the same zone; only egress subnets route to the internet gateway", () => {
    for (const tier of ["basic", "dns"]) {
      const plan = planAwsWorkerNetwork({ hardening: tiers[tier] });
      assert.deepEqual(plan.routeTables, [
        { subnetKey: "workload-1", routes: [{ destination: "0.0.0.0/0", target: { kind: "natGateway", zoneIndex: 0 } }] },
        { subnetKey: "workload-2", routes: [{ destination: "0.0.0.0/0", target: { kind: "natGateway", zoneIndex: 1 } }] },
        { subnetKey: "egress-1", routes: [{ destination: "0.0.0.0/0", target: { kind: "internetGateway" } }] },
        { subnetKey: "egress-2", routes: [{ destination: "0.0.0.0/0", target: { kind: "internetGateway" } }] },
      ]);
      assert.equal(plan.dnsFirewall !== undefined, tier === "dns");
    }
  });

  it("firewall: worker -> endpoint -> NAT -> IGW, and each worker CIDR returns through its own zone's endpoint", () => {
    const plan = planAwsWorkerNetwork({ hardening: tiers.firewall, singleNatGateway: true, ...UNINSPECTED });
    const w1 = plan.subnets.find((s) => s.key === "workload-1")!.cidr;
    const w2 = plan.subnets.find((s) => s.key === "workload-2")!.cidr;
    assert.deepEqual(plan.routeTables, [
      { subnetKey: "workload-1", routes: [{ destination: "0.0.0.0/0", target: { kind: "firewallEndpoint", zoneIndex: 0 } }] },
      { subnetKey: "workload-2", routes: [{ destination: "0.0.0.0/0", target: { kind: "firewallEndpoint", zoneIndex: 1 } }] },
      {
        subnetKey: "egress-1",
        routes: [
          { destination: "0.0.0.0/0", target: { kind: "internetGateway" } },
          { destination: w1, target: { kind: "firewallEndpoint", zoneIndex: 0 } },
          { destination: w2, target: { kind: "firewallEndpoint", zoneIndex: 1 } },
        ],
      },
      { subnetKey: "firewall-1", routes: [{ destination: "0.0.0.0/0", target: { kind: "natGateway", zoneIndex: 0 } }] },
      { subnetKey: "firewall-2", routes: [{ destination: "0.0.0.0/0", target: { kind: "natGateway", zoneIndex: 0 } }] },
    ]);
    assert.deepEqual(plan.natZones, [0]);
    assert.deepEqual(plan.networkFirewall, { domainTargets: ["pypi.org"], cidrRules: [], homeNet: "10.42.0.0/16", tlsInspection: undefined, sniSpoofingAccepted: true });
  });

  it("an isolated subnet never routes out, whatever the tier and rules", () => {
    const plan = planAwsWorkerNetwork({ hardening: { egress: { mode: "allowList", tier: "firewall", allow: [{ cidr: "10.9.0.0/16" }] } } });
    assert.equal(plan.routesOut, false);
    assert.ok(plan.routeTables.every((t) => t.routes.length === 0));
    assert.equal(plan.networkFirewall, undefined);
  });

  it("property: no workload route table ever targets the internet gateway, and every route out stays in its zone or its NAT's", () => {
    const spec = fc.constantFrom(...Object.values(tiers));
    fc.assert(
      fc.property(spec, fc.integer({ min: 1, max: 6 }), fc.boolean(), (hardening, zoneCount, singleNatGateway) => {
        const plan = planAwsWorkerNetwork({ hardening, zoneCount, singleNatGateway, ...(hardening === tiers.firewall ? UNINSPECTED : {}) });
        for (const t of plan.routeTables.filter((x) => x.subnetKey.startsWith("workload-"))) {
          for (const r of t.routes) {
            assert.notEqual(r.target.kind, "internetGateway");
            if (r.target.kind === "firewallEndpoint") assert.equal(`workload-${r.target.zoneIndex + 1}`, t.subnetKey);
            if (r.target.kind === "natGateway") assert.ok(plan.natZones.includes(r.target.zoneIndex));
          }
        }
        assert.equal(plan.subnets.filter((s) => s.role === "workload").length, zoneCount);
      }),
      { numRuns: 60 },
    );
  });

  it("lists every problem of the spec and the arguments at once", () => {
    const issues = issuesOf(() =>
      planAwsWorkerNetwork({
        hardening: { metadataEndpoint: "open" as never, workloadSubnet: "private", egress: { mode: "allowList", tier: "basic", allow: [{ cidr: "2001:db8::/32" }] } },
        cidr: "10.0.0.0/8",
        endpoints: { interfaceServices: ["ecr" as never], s3BucketArns: ["bucket"] },
        flowLogs: { retentionDays: 10, s3BucketArn: "arn:aws:s3:::logs" },
        tags: { Name: "x" },
      }),
    );
    assert.deepEqual(issues, [
      'hardening.metadataEndpoint "open" is not one of "blocked", "tokenRequired".',
      'endpoints.interfaceServices[0] "ecr" is not one of "ecr.api", "ecr.dkr", "sts", "logs", "ssm", "ssmmessages", "ec2messages", "ecs", "ecs-agent", "ecs-telemetry".',
      'endpoints.s3BucketArns[0] "bucket" is not an S3 bucket ARN; expected arn:aws:s3:::bucket-name.',
      "flowLogs.retentionDays 10 is not a CloudWatch Logs retention; use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653.",
      'flowLogs.s3BucketArn is set but flowLogs.destination is not "s3"; set destination to "s3" or remove the bucket.',
      "tags.Name is reserved; the network sets Name and hardening:* itself.",
      'cidr "10.0.0.0/8" must have a prefix from /16 to /24.',
    ]);
  });

  it("refuses IPv6 allow-list rules: the network is IPv4-only", () => {
    const issues = issuesOf(() =>
      planAwsWorkerNetwork({ hardening: { workloadSubnet: "private", egress: { mode: "allowList", tier: "basic", allow: [{ cidr: "2001:db8::/32" }] } } }),
    );
    assert.deepEqual(issues, [
      'hardening.egress.allow: cidr "2001:db8::/32" is IPv6, but the AWS worker network is IPv4-only (no IPv6 CIDR, no egress-only gateway); remove the rule.',
    ]);
  });

  it("hardeningSpecOf gives the resolved spec back in the contract's shape, resolving to itself", () => {
    for (const spec of [...Object.values(tiers), { workloadSubnet: "private", egress: { mode: "allowList", tier: "basic", allow: [{ cidr: "0.0.0.0/0", ports: [443, 80, 443] }] } }] as HardeningSpec[]) {
      const resolved = resolveHardening(spec);
      const shown = hardeningSpecOf(resolved);
      assert.deepEqual(resolveHardening(shown), resolved);
      assert.ok((shown.egress?.allow ?? []).every((r) => !("kind" in r) && !("except" in r)));
    }
  });

  describe('l7Filter "egressProxy"', () => {
    const AMI = "ami-0123456789abcdef0";
    const spec: HardeningSpec = {
      workloadSubnet: "private",
      egress: { mode: "allowList", tier: "firewall", allow: [{ domain: "pypi.org" }, { cidr: "203.0.113.0/24", ports: [8443] }] },
    };

    it("plans the proxy group in the firewall subnets; workers get no route out, only the proxy subnets reach NAT", () => {
      const plan = planAwsWorkerNetwork({ hardening: spec, l7Filter: "egressProxy", egressProxy: { imageId: AMI } });
      assert.equal(plan.routesOut, false);
      assert.deepEqual(plan.natZones, [0, 1]);
      assert.equal(plan.networkFirewall, undefined);
      assert.deepEqual(plan.routeTables, [
        { subnetKey: "workload-1", routes: [] },
        { subnetKey: "workload-2", routes: [] },
        { subnetKey: "egress-1", routes: [{ destination: "0.0.0.0/0", target: { kind: "internetGateway" } }] },
        { subnetKey: "egress-2", routes: [{ destination: "0.0.0.0/0", target: { kind: "internetGateway" } }] },
        { subnetKey: "firewall-1", routes: [{ destination: "0.0.0.0/0", target: { kind: "natGateway", zoneIndex: 0 } }] },
        { subnetKey: "firewall-2", routes: [{ destination: "0.0.0.0/0", target: { kind: "natGateway", zoneIndex: 1 } }] },
      ]);
      const p = plan.egressProxy;
      assert.ok(p);
      assert.deepEqual(
        { port: p.port, instanceType: p.instanceType, instanceCount: p.instanceCount, maxInstanceLifetime: p.maxInstanceLifetime, subnetKeys: p.subnetKeys, subnetCidrs: p.subnetCidrs, clientCidrs: p.clientCidrs },
        {
          port: 3128,
          instanceType: "t3.small",
          instanceCount: 2,
          maxInstanceLifetime: 604800,
          subnetKeys: ["firewall-1", "firewall-2"],
          subnetCidrs: ["10.42.192.0/24", "10.42.193.0/24"],
          clientCidrs: ["10.42.0.0/19", "10.42.32.0/19"],
        },
      );
      assert.deepEqual(p.metadataOptions, { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, httpProtocolIpv6: "disabled", instanceMetadataTags: "disabled" });
      assert.equal(p.userData, egressProxyCloudInit(spec, { cloud: "aws", clients: ["10.42.0.0/19", "10.42.32.0/19"], port: 3128 }).userData);
      assert.deepEqual(p.hostEgress.map((r) => [r.protocol, r.fromPort, r.toPort, r.cidrBlocks]), [
        ["tcp", 80, 80, ["0.0.0.0/0"]],
        ["tcp", 443, 443, ["0.0.0.0/0"]],
        ["tcp", 8443, 8443, ["0.0.0.0/0"]],
      ]);
      assert.deepEqual(plan.dnsFirewall?.packageMirrorDomains, ["deb.debian.org", "cdn-aws.deb.debian.org", "security.debian.org"]);
      // The workers' only rule for names is the proxy port, to the proxy subnets.
      assert.deepEqual(
        plan.securityGroupEgress.filter((r) => r.cidrBlocks !== undefined).map((r) => [r.fromPort, r.cidrBlocks]),
        [
          [8443, ["203.0.113.0/24"]],
          [3128, ["10.42.192.0/24", "10.42.193.0/24"]],
        ],
      );
    });

    it("gives workers the variables for the load balancer's name, JAVA_TOOL_OPTIONS included", () => {
      const plan = planAwsWorkerNetwork({ hardening: spec, l7Filter: "egressProxy", egressProxy: { imageId: AMI, port: 8080, noProxy: [".internal"] } });
      const p = plan.egressProxy;
      assert.ok(p);
      const url = "http://internal-w-proxy-lb-1.elb.us-east-1.amazonaws.com:8080";
      assert.deepEqual(awsProxyEnvFor("internal-w-proxy-lb-1.elb.us-east-1.amazonaws.com", p), [
        ...proxyEnvFor(url, [".internal"]),
        { name: "JAVA_TOOL_OPTIONS", value: javaProxyOptionsFor(url, [".internal"]) },
      ]);
    });

    it("property: with the proxy group, no workload route table has any route, whatever the zones and NAT layout", () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 6 }), fc.boolean(), fc.integer({ min: 2, max: 10 }), (zoneCount, singleNatGateway, instanceCount) => {
          const plan = planAwsWorkerNetwork({ hardening: spec, zoneCount, singleNatGateway, l7Filter: "egressProxy", egressProxy: { imageId: AMI, instanceCount } });
          for (const t of plan.routeTables.filter((x) => x.subnetKey.startsWith("workload-"))) assert.deepEqual(t.routes, []);
          for (const t of plan.routeTables.filter((x) => x.subnetKey.startsWith("firewall-"))) {
            assert.deepEqual(t.routes.map((r) => r.target.kind), ["natGateway"]);
          }
          assert.equal(plan.egressProxy?.subnetKeys.length, zoneCount);
          assert.equal(plan.egressProxy?.instanceCount, instanceCount);
        }),
        { numRuns: 40 },
      );
    });

    it("refuses the proxy group outside the firewall tier and bad proxy arguments, all at once", () => {
      assert.deepEqual(issuesOf(() => planAwsWorkerNetwork({ hardening: tiers.dns, l7Filter: "egressProxy", egressProxy: { imageId: AMI } })), [
        'l7Filter "egressProxy" is the firewall tier\'s name filter; set hardening.egress.tier to "firewall" (with workloadSubnet "private" and mode "allowList") or remove l7Filter.',
      ]);
      assert.deepEqual(issuesOf(() => planAwsWorkerNetwork({ hardening: spec, egressProxy: { imageId: AMI } })), [
        'egressProxy is set but l7Filter is "networkFirewall"; set l7Filter to "egressProxy" or remove egressProxy.',
        // With l7Filter left at "networkFirewall", the domain rules also need TLS inspection: listed in the same error.
        'networkFirewall.certificateAuthorityArn is required with tier "firewall", l7Filter "networkFirewall" and domain rules: Network Firewall matches the SNI the client chooses, so without TLS inspection TLS to any address naming an allowed domain passes. Set networkFirewall.certificateAuthorityArn to a CA certificate imported into ACM (the workers must trust it), or set l7Filter to "egressProxy" (no CA needed), or set networkFirewall.acceptSniSpoofing to true to run without TLS inspection and have the path reported open.',
      ]);
      assert.deepEqual(
        issuesOf(() =>
          planAwsWorkerNetwork({
            hardening: spec,
            l7Filter: "egressProxy",
            egressProxy: { instanceType: "big", instanceCount: 1, port: 80, maxLifetimeDays: 0, noProxy: ["a,b"], packageMirrors: ["http://deb.debian.org"], colour: "red" } as never,
          }),
        ),
        [
          "egressProxy.colour is not an argument; known arguments: imageId, instanceType, instanceCount, port, maxLifetimeDays, noProxy, packageMirrors.",
          'egressProxy.imageId is required with l7Filter "egressProxy": a Debian 12 or Ubuntu 22.04+ AMI for the proxy hosts.',
          'egressProxy.instanceType "big" is not an EC2 instance type such as "t3.small".',
          "egressProxy.instanceCount 1 must be a whole number from 2 to 10.",
          "egressProxy.port 80 must be a whole number from 1024 to 65535.",
          "egressProxy.maxLifetimeDays 0 must be a whole number from 1 to 365.",
          'egressProxy.noProxy[0] "a,b" must be one host, domain (".example.com") or address, without commas or spaces.',
          'egressProxy.packageMirrors[0] "http://deb.debian.org" must be a host name such as "deb.debian.org".',
        ],
      );
      assert.deepEqual(issuesOf(() => planAwsWorkerNetwork({ hardening: spec, l7Filter: "squid" as never })), ['l7Filter "squid" is not one of "networkFirewall", "egressProxy".']);
    });
  });
});
