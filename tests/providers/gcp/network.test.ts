import * as assert from "node:assert/strict";
import type { HardeningSpec } from "../../../components";
import { metadataCidrs } from "../../../components";
import { cloudModule } from "../../../program/clouds/gcp";
import { GcpWorkerNetwork } from "../../../providers/gcp/network";
import { RecordedResource, runUnderMocks } from "../../../program/offlineEngine";
import { one, ofType, REGION, T } from "./mocks";

async function network(hardening?: HardeningSpec) {
  const run = await runUnderMocks(() => new GcpWorkerNetwork("w", { region: REGION, hardening }), { state: cloudModule.offlineState });
  const component = one(run.resources, "w");
  for (const r of run.resources) if (r !== component) assert.equal(r.parent, component.urn, `${r.name} is a child of the component`);
  return run.resources;
}

/** Firewall rules as [destinations, allow|deny entries, targets], sorted, for comparison with the allow-list. */
function allowRules(resources: RecordedResource[]) {
  return ofType(resources, T.firewall)
    .filter((r) => r.inputs.allows !== undefined && r.name !== "w-allow-google-apis")
    .map((r) => [r.inputs.destinationRanges, r.inputs.allows, r.inputs.targetTags]);
}

describe("GcpWorkerNetwork (mocks)", () => {
  it("denyAll: custom-mode VPC without default route, flow logs, Private Google Access off, no NAT, no route at all", async () => {
    const resources = await network();
    assert.deepEqual(one(resources, "w-network").inputs, {
      autoCreateSubnetworks: false,
      deleteDefaultRoutesOnCreate: true,
      routingMode: "REGIONAL",
      description: "Hardened worker network (w): no default route, egress deny-all plus allow-list",
    });
    const subnet = one(resources, "w-subnet").inputs;
    // Off under denyAll unless asked for or fenced by a perimeter (vpcServiceControls.test.ts covers both).
    assert.equal(subnet.privateIpGoogleAccess, false);
    assert.equal(subnet.ipCidrRange, "10.42.0.0/19");
    assert.deepEqual(subnet.logConfig, { aggregationInterval: "INTERVAL_5_SEC", flowSampling: 1, metadata: "INCLUDE_ALL_METADATA" });
    assert.deepEqual(ofType(resources, T.router), []);
    assert.deepEqual(ofType(resources, T.nat), []);
    assert.deepEqual(ofType(resources, T.route).map((r) => r.inputs.destRange), []);
    assert.equal(resources.some((r) => r.name === "w-allow-google-apis"), false);
    assert.deepEqual(allowRules(resources), []);
    assert.deepEqual(one(resources, "w-deny-all").inputs, {
      network: "w-network-id",
      direction: "EGRESS",
      priority: 65534,
      destinationRanges: ["0.0.0.0/0"],
      denies: [{ protocol: "all" }],
      description: "Deny all IPv4 egress not allowed above (the allow-list). Does not apply to the metadata server, which GCP always allows.",
      logConfig: { metadata: "INCLUDE_ALL_METADATA" },
    });
    assert.deepEqual(one(resources, "w-deny-metadata").inputs.destinationRanges, metadataCidrs(4));
    // The DNS sink applies even with denyAll: the metadata server's resolver would otherwise answer any name.
    assert.deepEqual(one(resources, "w-dns-sink-all").inputs, {
      responsePolicy: "w-egress-dns",
      ruleName: "sink-all",
      dnsName: "*.",
      localData: {
        localDatas: [
          { name: "*.", type: "A", ttl: 300, rrdatas: ["192.0.2.1"] },
          { name: "*.", type: "AAAA", ttl: 300, rrdatas: ["100::1"] },
        ],
      },
    });
    assert.deepEqual(ofType(resources, T.fwPolicy), []);
  });

  it("basic: the firewall allow rules equal the allow-list; NAT on the worker subnet with a tag-scoped default route", async () => {
    const allow = [
      { cidr: "203.0.113.0/24", ports: [443] },
      { cidr: "198.51.100.0/24", protocol: "udp" as const, ports: [53, 123] },
    ];
    const resources = await network({ workloadSubnet: "private", egress: { mode: "allowList", tier: "basic", allow } });
    assert.deepEqual(allowRules(resources), [
      [["203.0.113.0/24"], [{ protocol: "tcp", ports: ["443"] }], ["w-worker"]],
      [["198.51.100.0/24"], [{ protocol: "udp", ports: ["53", "123"] }], ["w-worker"]],
    ]);
    assert.deepEqual(one(resources, "w-route-nat").inputs, {
      network: "w-network-id",
      destRange: "0.0.0.0/0",
      nextHopGateway: "default-internet-gateway",
      priority: 1000,
      tags: ["w-worker"],
      description: "Default route for Cloud NAT, workers only; egress is filtered by the firewall allow-list.",
    });
    assert.deepEqual(one(resources, "w-nat").inputs, {
      router: "w-router",
      region: REGION,
      natIpAllocateOption: "AUTO_ONLY",
      sourceSubnetworkIpRangesToNat: "LIST_OF_SUBNETWORKS",
      subnetworks: [{ name: "w-subnet-id", sourceIpRangesToNats: ["ALL_IP_RANGES"] }],
      logConfig: { enable: true, filter: "ALL" },
    });
    assert.deepEqual(ofType(resources, T.policy), []);
    assert.deepEqual(ofType(resources, T.policyRule), []);
  });

  it("dns: a response policy on the network, one bypass per allowed name, ports open for the named rules", async () => {
    const resources = await network({
      workloadSubnet: "private",
      egress: { mode: "allowList", tier: "dns", allow: [{ domain: "pypi.org" }, { domain: "*.pythonhosted.org" }] },
    });
    assert.deepEqual(one(resources, "w-dns-policy").inputs, {
      responsePolicyName: "w-egress-dns",
      networks: [{ networkUrl: "w-network-id" }],
      description: "DNS allow-list: listed names resolve normally, every other name answers 192.0.2.1 / 100::1",
    });
    assert.deepEqual(
      ofType(resources, T.policyRule)
        .filter((r) => r.inputs.ruleName && String(r.inputs.ruleName).startsWith("allow-"))
        .map((r) => r.inputs),
      [
        { responsePolicy: "w-egress-dns", ruleName: "allow-pypi-org", dnsName: "pypi.org.", behavior: "bypassResponsePolicy" },
        { responsePolicy: "w-egress-dns", ruleName: "allow-wildcard-pythonhosted-org", dnsName: "*.pythonhosted.org.", behavior: "bypassResponsePolicy" },
      ],
    );
    assert.deepEqual(allowRules(resources), [[["0.0.0.0/0"], [{ protocol: "tcp", ports: ["443"] }], ["w-worker"]]]);
    assert.deepEqual(ofType(resources, T.fwPolicyRule), []);
  });

  it("firewall: Cloud NGFW FQDN rules evaluated before the classic deny-all, associated with the network", async () => {
    const resources = await network({
      workloadSubnet: "private",
      egress: { mode: "allowList", tier: "firewall", allow: [{ domain: "pypi.org" }, { domain: "files.pythonhosted.org" }] },
    });
    assert.equal(one(resources, "w-network").inputs.networkFirewallPolicyEnforcementOrder, "BEFORE_CLASSIC_FIREWALL");
    assert.deepEqual(one(resources, "w-fqdn-allow-1").inputs, {
      firewallPolicy: "w-fqdn-policy",
      priority: 1001,
      direction: "EGRESS",
      action: "allow",
      enableLogging: true,
      description: "Allow tcp/443 to the allow-listed names",
      match: { destFqdns: ["pypi.org", "files.pythonhosted.org"], layer4Configs: [{ ipProtocol: "tcp", ports: ["443"] }] },
    });
    assert.deepEqual(one(resources, "w-fqdn-deny-metadata").inputs, {
      firewallPolicy: "w-fqdn-policy",
      priority: 900,
      direction: "EGRESS",
      action: "deny",
      enableLogging: true,
      description: "Deny link-local and metadata ranges above the FQDN allows (a name may resolve into them).",
      match: { destIpRanges: metadataCidrs(4), layer4Configs: [{ ipProtocol: "all" }] },
    });
    assert.deepEqual(one(resources, "w-fqdn-policy-association").inputs, { firewallPolicy: "w-fqdn-policy", attachmentTarget: "w-network-id" });
    // No classic rule opens the names' ports to every address in this tier.
    assert.deepEqual(allowRules(resources), []);
  });

  it("an invalid spec registers nothing, not even the component, and lists every problem", async () => {
    const run = await runUnderMocks(() => {
      try {
        new GcpWorkerNetwork("w", { region: "nowhere", hardening: { egress: { mode: "sometimes" as never }, sandbox: "maybe" as never } });
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    });
    assert.deepEqual(run.resources, []);
    assert.equal(
      run.result,
      [
        `GcpWorkerNetwork "w": invalid arguments:`,
        ` - region "nowhere" is not a GCP region; expected a name such as "europe-west1".`,
        ` - hardening.sandbox "maybe" is not one of "none", "runtime".`,
        ` - hardening.egress.mode "sometimes" is not one of "denyAll", "allowList".`,
      ].join("\n"),
    );
  });
});

