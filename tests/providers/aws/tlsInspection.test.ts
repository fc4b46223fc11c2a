import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { HardeningSpec, InvalidArgsError } from "../../../components";
import { EgressPath, egressPathVerdicts } from "../../../components/egressPaths";
import { awsOfflineCalls, awsOfflineState } from "../../../program/clouds/aws";
import { RecordedResource, runUnderMocks } from "../../../program/offlineEngine";
import { awsNetworkControlsFor } from "../../../providers/aws/controls";
import { tlsInspectionConfigurationFor } from "../../../providers/aws/egress";
import { AwsWorkerNetwork } from "../../../providers/aws/network";
import { AwsWorkerNetworkArgs, planAwsWorkerNetwork } from "../../../providers/aws/networkPlan";

/**
 * AWS Network Firewall and SNI spoofing: the domain list matches the SNI the client chooses, so the firewall tier
 * either decrypts (TLS inspection with the caller's CA) and reports the path closed, runs without inspection only
 * when the caller says so and reports it open, or refuses to plan.
 */
const CA = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";
const firewall: HardeningSpec = {
  workloadSubnet: "private",
  egress: {
    mode: "allowList",
    tier: "firewall",
    allow: [{ domain: "pypi.org" }, { domain: "*.pythonhosted.org", ports: [443, 8443] }, { cidr: "203.0.113.0/24", ports: [5432] }],
  },
};

function issuesOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof InvalidArgsError) return [...e.issues];
    throw e;
  }
  assert.fail("expected InvalidArgsError");
}

async function build(args: AwsWorkerNetworkArgs): Promise<RecordedResource[]> {
  const run = await runUnderMocks(
    async () => {
      const net = new AwsWorkerNetwork("w", args);
      await new Promise((resolve) => pulumi.all([net.networkId, net.workerSecurityGroupId]).apply(resolve));
      return net;
    },
    { calls: awsOfflineCalls, state: awsOfflineState },
  );
  return run.resources;
}

const named = (resources: RecordedResource[], name: string) => {
  const found = resources.filter((r) => r.name === name);
  assert.equal(found.length, 1, `exactly one resource named ${name}`);
  return found[0];
};

describe("aws Network Firewall TLS inspection (SNI spoofing)", () => {
  it("refuses the firewall tier with domain rules and no CA, naming the field and the three ways out, before anything is created", () => {
    const issues = issuesOf(() => planAwsWorkerNetwork({ hardening: firewall }));
    assert.equal(issues.length, 1, issues.join("\n"));
    assert.match(issues[0], /^networkFirewall\.certificateAuthorityArn is required with tier "firewall", l7Filter "networkFirewall" and domain rules/);
    for (const fix of ["networkFirewall.certificateAuthorityArn", 'l7Filter to "egressProxy"', "networkFirewall.acceptSniSpoofing to true"]) assert.ok(issues[0].includes(fix), fix);
  });

  it("needs no CA without domain rules, and none with the egress proxy", () => {
    const cidrOnly = planAwsWorkerNetwork({ hardening: { workloadSubnet: "private", egress: { mode: "allowList", tier: "firewall", allow: [{ cidr: "203.0.113.0/24" }] } } });
    assert.equal(cidrOnly.networkFirewall?.tlsInspection, undefined);
    assert.ok(!awsNetworkControlsFor("w", cidrOnly).some((c) => c.id === "aws-network-firewall-sni-spoofing"));
    const proxied = planAwsWorkerNetwork({ hardening: firewall, l7Filter: "egressProxy", egressProxy: { imageId: "ami-0123456789abcdef0" } });
    assert.equal(proxied.networkFirewall, undefined);
  });

  it("lists every problem of networkFirewall at once: a bad ARN, both choices, unknown keys, and use outside the Network Firewall", () => {
    assert.deepEqual(issuesOf(() => planAwsWorkerNetwork({ hardening: firewall, networkFirewall: { certificateAuthorityArn: "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/x", acceptSniSpoofing: true, inspect: true } as never })), [
      "networkFirewall.inspect is not an argument; known arguments: certificateAuthorityArn, acceptSniSpoofing.",
      'networkFirewall.certificateAuthorityArn "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/x" is not an ACM certificate ARN; expected arn:aws:acm:<region>:<account>:certificate/<uuid> of a CA certificate imported into ACM.',
      "networkFirewall.acceptSniSpoofing is true but networkFirewall.certificateAuthorityArn is set; TLS inspection closes SNI spoofing, so remove acceptSniSpoofing (or the ARN).",
    ]);
    const dns: HardeningSpec = { workloadSubnet: "private", egress: { mode: "allowList", tier: "dns", allow: [{ domain: "pypi.org" }] } };
    assert.deepEqual(issuesOf(() => planAwsWorkerNetwork({ hardening: dns, networkFirewall: { certificateAuthorityArn: CA } })), [
      'networkFirewall is set but no Network Firewall is built (it serves tier "firewall" with l7Filter "networkFirewall", workloadSubnet "private" and mode "allowList"); remove networkFirewall.',
    ]);
    assert.ok(issuesOf(() => planAwsWorkerNetwork({ hardening: firewall, l7Filter: "egressProxy", egressProxy: { imageId: "ami-0123456789abcdef0" }, networkFirewall: { acceptSniSpoofing: true } })).some((i) => i.startsWith("networkFirewall is set but no Network Firewall is built")));
  });

  it("with a CA: a TLS inspection configuration of the domain ports, on a new policy with session holding; the path is reported closed", async () => {
    const plan = planAwsWorkerNetwork({ hardening: firewall, networkFirewall: { certificateAuthorityArn: CA } });
    assert.deepEqual(plan.networkFirewall?.tlsInspection, { certificateAuthorityArn: CA, sources: ["10.42.0.0/16"], destinations: ["0.0.0.0/0"], destinationPorts: [443, 8443] });
    const resources = await build({ hardening: firewall, networkFirewall: { certificateAuthorityArn: CA } });
    const tls = named(resources, "w-firewall-tls-inspection");
    assert.equal(tls.type, "aws:networkfirewall/tlsInspectionConfiguration:TlsInspectionConfiguration");
    assert.deepEqual(tls.inputs.tlsInspectionConfiguration, tlsInspectionConfigurationFor(plan.networkFirewall!.tlsInspection!));
    assert.deepEqual(tls.inputs.tlsInspectionConfiguration, {
      serverCertificateConfiguration: {
        certificateAuthorityArn: CA,
        checkCertificateRevocationStatus: { revokedStatusAction: "DROP", unknownStatusAction: "DROP" },
        scopes: [
          {
            protocols: [6],
            sources: [{ addressDefinition: "10.42.0.0/16" }],
            destinations: [{ addressDefinition: "0.0.0.0/0" }],
            destinationPorts: [
              { fromPort: 443, toPort: 443 },
              { fromPort: 8443, toPort: 8443 },
            ],
          },
        ],
      },
    });
    const policy = named(resources, "w-firewall-policy").inputs.firewallPolicy as Record<string, unknown>;
    assert.equal(policy.tlsInspectionConfigurationArn, "arn:aws:networkfirewall:us-east-1:123456789012:w-firewall-tls-inspection");
    assert.equal(policy.enableTlsSessionHolding, true);
    // Session holding is incompatible with the application-layer drop default; the policy keeps drop_established.
    assert.deepEqual(policy.statefulDefaultActions, ["aws:drop_established", "aws:alert_established"]);
    // The domain list the decrypted traffic is matched against: the SNI at the handshake, the Host per request.
    const domains = named(resources, "w-firewall-domains").inputs.ruleGroup as { rulesSource: { rulesSourceList: Record<string, unknown> } };
    assert.deepEqual(domains.rulesSource.rulesSourceList, { generatedRulesType: "ALLOWLIST", targetTypes: ["TLS_SNI", "HTTP_HOST"], targets: ["pypi.org", ".pythonhosted.org"] });

    const controls = awsNetworkControlsFor("w", plan);
    const inspection = controls.find((c) => c.id === "aws-network-firewall-tls-inspection");
    assert.ok(inspection?.effective, "TLS inspection reported effective");
    assert.ok(inspection.source.includes("doesn't match the server name indication (SNI) that's presented in the downstream server certificate"));
    assert.ok(!controls.some((c) => c.id === "aws-network-firewall-sni-spoofing"));
    for (const r of inspection.resources) assert.ok(resources.some((x) => x.name === r), r);
    const verdicts = egressPathVerdicts(controls);
    for (const path of [EgressPath.SniSpoofing, EgressPath.CdnFronting]) {
      const v = verdicts.find((x) => x.path === path)!;
      assert.deepEqual([v.open, v.by], [false, ["aws-network-firewall-tls-inspection"]], path);
    }
  });

  it("with acceptSniSpoofing: no inspection is created, and the report and the matrix say SNI spoofing stays open", async () => {
    const args: AwsWorkerNetworkArgs = { hardening: firewall, networkFirewall: { acceptSniSpoofing: true } };
    const resources = await build(args);
    assert.equal(resources.filter((r) => r.type === "aws:networkfirewall/tlsInspectionConfiguration:TlsInspectionConfiguration").length, 0);
    const policy = named(resources, "w-firewall-policy").inputs.firewallPolicy as Record<string, unknown>;
    assert.equal(policy.tlsInspectionConfigurationArn, undefined);
    assert.equal(policy.enableTlsSessionHolding, undefined);
    const controls = awsNetworkControlsFor("w", planAwsWorkerNetwork(args));
    const spoofing = controls.find((c) => c.id === "aws-network-firewall-sni-spoofing");
    assert.equal(spoofing?.effective, false);
    assert.match(spoofing.limits, /Closed only with TLS inspection: set networkFirewall\.certificateAuthorityArn/);
    assert.ok(!controls.some((c) => c.id === "aws-network-firewall-tls-inspection"));
    const v = egressPathVerdicts(controls).find((x) => x.path === EgressPath.SniSpoofing)!;
    assert.equal(v.open, true);
    assert.ok(v.by.includes("aws-network-firewall-sni-spoofing"));
  });

  it("in tier firewall the security group's open domain ports are reported as reaching VPC-local addresses, not as SNI spoofing", () => {
    const controls = awsNetworkControlsFor("w", planAwsWorkerNetwork({ hardening: firewall, networkFirewall: { certificateAuthorityArn: CA } }));
    const local = controls.find((c) => c.id === "aws-security-group-domain-ports-vpc-local");
    assert.equal(local?.effective, false);
    assert.ok(!controls.some((c) => c.id === "aws-security-group-domain-ports-open"));
    const verdicts = egressPathVerdicts(controls);
    assert.ok(verdicts.find((v) => v.path === EgressPath.DirectIp)!.by.includes("aws-security-group-domain-ports-vpc-local"));
  });
});
