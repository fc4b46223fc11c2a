import * as assert from "node:assert/strict";
import { resolveHardening } from "../../../components";
import {
  awsServiceDomainsFor,
  NETWORK_FIREWALL_STATEFUL_DEFAULT_ACTIONS,
  dnsFirewallDomainsFor,
  ec2Description,
  networkFirewallCidrRulesFor,
  networkFirewallTargetsFor,
  s3EndpointPolicyFor,
  securityGroupEgressFor,
} from "../../../providers/aws/egress";

const none = { s3Gateway: false, interfaceEndpoints: false };

describe("aws egress mappings", () => {
  it("denyAll gives no egress rule but the private endpoints'", () => {
    const spec = resolveHardening({});
    assert.deepEqual(securityGroupEgressFor(spec, none), []);
    assert.deepEqual(securityGroupEgressFor(spec, { s3Gateway: true, interfaceEndpoints: true }), [
      { protocol: "tcp", fromPort: 443, toPort: 443, target: "s3PrefixList", description: "S3 gateway endpoint (policy-restricted)" },
      { protocol: "tcp", fromPort: 443, toPort: 443, target: "endpointSecurityGroup", description: "VPC interface endpoints" },
    ]);
  });

  it("basic: one rule per CIDR, protocol and port, never 0.0.0.0/0 unless the spec says so", () => {
    const spec = resolveHardening({
      workloadSubnet: "private",
      egress: {
        mode: "allowList",
        tier: "basic",
        allow: [
          { cidr: "203.0.113.0/24", ports: [443, 80], description: "mirror" },
          { cidr: "198.51.100.7/32", protocol: "udp", ports: [123] },
        ],
      },
    });
    assert.deepEqual(securityGroupEgressFor(spec, none), [
      { protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["203.0.113.0/24"], description: "allow-list 203.0.113.0/24: mirror" },
      { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["203.0.113.0/24"], description: "allow-list 203.0.113.0/24: mirror" },
      { protocol: "udp", fromPort: 123, toPort: 123, cidrBlocks: ["198.51.100.7/32"], description: "allow-list 198.51.100.7/32" },
    ]);
  });

  it("domain rules open their ports to any address, once per port, naming the enforcing firewall", () => {
    const spec = resolveHardening({
      workloadSubnet: "private",
      egress: { mode: "allowList", tier: "dns", allow: [{ domain: "pypi.org" }, { domain: "*.pythonhosted.org" }, { domain: "example.com", ports: [80] }] },
    });
    assert.deepEqual(securityGroupEgressFor(spec, none), [
      { protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"], description: "domains example.com; names enforced by the DNS Firewall allow-list" },
      {
        protocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrBlocks: ["0.0.0.0/0"],
        description: "domains pypi.org *.pythonhosted.org; names enforced by the DNS Firewall allow-list",
      },
    ]);
    assert.deepEqual(dnsFirewallDomainsFor(spec), ["pypi.org", "*.pythonhosted.org", "example.com"]);
    assert.deepEqual(networkFirewallTargetsFor(spec), ["pypi.org", ".pythonhosted.org", "example.com"]);
  });

  it("Network Firewall CIDR rules drop the metadata networks inside an allowed CIDR before passing it", () => {
    const spec = resolveHardening({ workloadSubnet: "private", egress: { mode: "allowList", tier: "firewall", allow: [{ cidr: "0.0.0.0/0", ports: [22] }] } });
    const rules = networkFirewallCidrRulesFor(spec);
    const drops = rules.filter((r) => r.action === "DROP").map((r) => r.header.destination);
    assert.deepEqual(drops, spec.egress.allow[0].except.filter((c) => !c.includes(":")));
    assert.ok(drops.includes("169.254.0.0/16"));
    assert.deepEqual(rules[rules.length - 1], {
      action: "PASS",
      header: { protocol: "TCP", source: "$HOME_NET", sourcePort: "ANY", direction: "FORWARD", destination: "0.0.0.0/0", destinationPort: "22" },
      ruleOptions: [
        { keyword: "msg", settings: ['"hardening: allow-list 0.0.0.0/0 tcp/22"'] },
        { keyword: "sid", settings: [String(rules.length)] },
      ],
    });
    // Every sid is unique: Network Firewall refuses duplicates.
    const sids = rules.map((r) => r.ruleOptions.find((o) => o.keyword === "sid")?.settings[0]);
    assert.equal(new Set(sids).size, rules.length);
  });

  it("strict order uses drop_established, the default drop that still lets a TLS handshake reach its SNI", () => {
    assert.deepEqual(NETWORK_FIREWALL_STATEFUL_DEFAULT_ACTIONS, ["aws:drop_established", "aws:alert_established"]);
  });

  it("descriptions keep only characters EC2 accepts, at most 255", () => {
    assert.equal(ec2Description("pip <mirror> \"eu\" ✓ ok"), "pip mirror eu ok");
    assert.equal(ec2Description("x".repeat(300)).length, 255);
  });

  it("the S3 endpoint policy allows ECR's layer bucket and the listed buckets only", () => {
    assert.deepEqual(JSON.parse(s3EndpointPolicyFor("eu-west-1", ["arn:aws:s3:::kestra-storage"])), {
      Version: "2012-10-17",
      Statement: [
        { Sid: "EcrImageLayers", Effect: "Allow", Principal: "*", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*"] },
        {
          Sid: "ListedBuckets",
          Effect: "Allow",
          Principal: "*",
          Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:GetBucketLocation"],
          Resource: ["arn:aws:s3:::kestra-storage", "arn:aws:s3:::kestra-storage/*"],
        },
      ],
    });
  });
});

describe("awsServiceDomainsFor", () => {
  it("names each region's own service endpoints and internal names, nothing under another region", () => {
    const eu = awsServiceDomainsFor("eu-west-1");
    assert.ok(eu.includes("*.eu-west-1.compute.internal") && !eu.includes("*.ec2.internal"));
    for (const d of eu) assert.ok(d.endsWith(".eu-west-1.amazonaws.com") || d === "*.eu-west-1.compute.internal", d);
    assert.ok(awsServiceDomainsFor("us-east-1").includes("*.ec2.internal"));
  });
});
