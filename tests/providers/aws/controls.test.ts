import * as assert from "node:assert/strict";
import { ControlFamily, ControlReport, HardeningSpec } from "../../../components";
import { awsNetworkControlsFor, awsWorkerPoolControlsFor } from "../../../providers/aws/controls";
import { planAwsWorkerNetwork } from "../../../providers/aws/networkPlan";
import { planAwsWorkerPool } from "../../../providers/aws/workerPoolPlan";

const tiers: Record<string, HardeningSpec> = {
  denyAll: {},
  basic: { workloadSubnet: "private", egress: { mode: "allowList", tier: "basic", allow: [{ cidr: "203.0.113.0/24" }] } },
  dns: { workloadSubnet: "private", egress: { mode: "allowList", tier: "dns", allow: [{ domain: "pypi.org" }] } },
  firewall: { workloadSubnet: "private", egress: { mode: "allowList", tier: "firewall", allow: [{ domain: "pypi.org" }] } },
};
// The firewall tier with domain rules needs TLS inspection (a CA) or an explicit acceptSniSpoofing.
const CA = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";
const networkFirewallFor = (tier: string) => (tier === "firewall" ? { networkFirewall: { certificateAuthorityArn: CA } } : {});
const byId = (reports: ControlReport[]) => new Map(reports.map((r) => [r.id, r]));
const net = { subnetIds: ["s"], securityGroupIds: ["sg"] };

describe("aws controls reports", () => {
  it("every tier reports the SG and NACL deny of 169.254.169.254 as ineffective, quoting the VPC User Guide", () => {
    for (const [tier, hardening] of Object.entries(tiers)) {
      const reports = awsNetworkControlsFor("n", planAwsWorkerNetwork({ hardening, ...networkFirewallFor(tier) }));
      for (const id of ["aws-security-group-deny-metadata", "aws-nacl-deny-metadata"]) {
        const r = byId(reports).get(id);
        assert.ok(r, `${tier}: ${id}`);
        assert.equal(r.effective, false);
        assert.deepEqual(r.resources, []);
        assert.match(r.source, /don't filter traffic to or from link-local addresses \(169\.254\.0\.0\/16\)/);
      }
      assert.equal(new Set(reports.map((r) => r.id)).size, reports.length, `${tier}: ids unique`);
      for (const r of reports) {
        assert.equal(r.cloud, "aws");
        assert.ok((Object.values(ControlFamily) as string[]).includes(r.family));
        assert.ok(r.appliedBy && r.protects && r.source, `${r.id} is complete`);
      }
    }
  });

  it("tier-specific entries: DNS Firewall in denyAll/dns/firewall, Network Firewall (and its ineffective IMDS rule) only in firewall, DNS exfiltration open in basic", () => {
    const ids = (tier: string) => new Set(awsNetworkControlsFor("n", planAwsWorkerNetwork({ hardening: tiers[tier], ...networkFirewallFor(tier) })).map((r) => r.id));
    assert.deepEqual(
      Object.keys(tiers).map((t) => [t, ids(t).has("aws-dns-firewall"), ids(t).has("aws-network-firewall-domain-allow-list"), ids(t).has("aws-network-firewall-deny-metadata"), ids(t).has("aws-dns-exfiltration")]),
      [
        ["denyAll", true, false, false, false],
        ["basic", false, false, false, true],
        ["dns", true, false, false, false],
        ["firewall", true, true, true, false],
      ],
    );
    const exfil = byId(awsNetworkControlsFor("n", planAwsWorkerNetwork({ hardening: tiers.basic }))).get("aws-dns-exfiltration");
    assert.equal(exfil?.effective, false);
  });

  it("the dns tier says domain ports are open to any address and direct IPs bypass the DNS Firewall", () => {
    const sg = byId(awsNetworkControlsFor("n", planAwsWorkerNetwork({ hardening: tiers.dns }))).get("aws-security-group-egress-allow-list");
    assert.match(sg?.limits ?? "", /Domain rules open tcp\/443 to 0\.0\.0\.0\/0 here .* a direct-IP connection on those ports bypasses it/);
    assert.match(sg?.limits ?? "", /SGs do not govern link-local traffic at all; the host firewall does/);
  });

  it("EC2 pool: IMDS sealed after boot by default, the host firewall with its preconditions, no instance profile, and the lifetime rounding stated", () => {
    const reports = byId(awsWorkerPoolControlsFor("p", planAwsWorkerPool({ ...net, hardening: { sandbox: "none", ephemeral: { maxLifetimeHours: 4 } }, imageId: "ami-1" })));
    assert.equal(reports.get("aws-imds-sealed-after-boot")?.effective, true);
    assert.match(reports.get("aws-imds-sealed-after-boot")?.limits ?? "", /While the host boots .* root-owned processes reach IMDS/);
    assert.match(reports.get("aws-host-firewall")?.preconditions?.[0] ?? "", /the program exits 1, the caller's boot script does not run and docker, containerd, ECS, kubelet, CRI-O and Squid cannot start/);
    assert.equal(reports.get("aws-docker-userns-remap")?.effective, true);
    assert.equal(reports.has("aws-imds-v2-hop-limit-1"), false);
    assert.equal(reports.get("aws-host-firewall")?.effective, true);
    assert.ok(reports.has("aws-no-instance-profile"));
    assert.equal(reports.get("aws-max-instance-lifetime")?.appliedBy, "aws.autoscaling.Group maxInstanceLifetime=86400");
    assert.match(reports.get("aws-max-instance-lifetime")?.limits ?? "", /maxLifetimeHours 4 is below the AWS minimum of 86400 s; rounded up to 24 h/);
    assert.equal(reports.get("aws-sandbox-none")?.effective, false);
  });

  it("Fargate pool: no IMDS, own kernel, no task role; task age is not enforced and says so", () => {
    const reports = byId(awsWorkerPoolControlsFor("p", planAwsWorkerPool({ ...net, container: { image: "img" } })));
    for (const id of ["aws-fargate-no-imds", "aws-fargate-kernel-isolation", "aws-task-least-privilege", "aws-no-task-role"]) assert.equal(reports.get(id)?.effective, true, id);
    assert.equal(reports.get("aws-fargate-task-lifetime")?.effective, false);
    assert.equal(reports.has("aws-host-firewall"), false);
  });
});
