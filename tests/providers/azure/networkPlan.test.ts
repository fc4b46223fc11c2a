import * as assert from "node:assert/strict";
import { InvalidArgsError } from "../../../components/validation";
import { resolveHardening } from "../../../components/resolve";
import { HardeningSpec } from "../../../components/spec";
import {
  AzureEgressPath,
  NsgRule,
  dnsAllowedDomainsFor,
  egressPathFor,
  firewallRuleCollectionsFor,
  nsgRulesFor,
  planAzureWorkerNetwork,
} from "../../../providers/azure/networkPlan";

const IMDS_DENY: NsgRule = {
  name: "deny-azure-platform-imds",
  priority: 100,
  direction: "Outbound",
  access: "Deny",
  protocol: "*",
  sourceAddressPrefix: "*",
  sourcePortRange: "*",
  destinationAddressPrefix: "AzurePlatformIMDS",
  destinationPortRange: "*",
  description: "No IMDS for the whole VM (hosts carry no identity). Also stops VM extensions, managed identity, Azure Monitor.",
};
const DENY_OUT: NsgRule = {
  name: "deny-all-outbound",
  priority: 4096,
  direction: "Outbound",
  access: "Deny",
  protocol: "*",
  sourceAddressPrefix: "*",
  sourcePortRange: "*",
  destinationAddressPrefix: "*",
  destinationPortRange: "*",
  description: "Deny everything not allowed above; overrides AllowVnetOutBound and AllowInternetOutBound.",
};
const DENY_IN: NsgRule = {
  ...DENY_OUT,
  name: "deny-all-inbound",
  direction: "Inbound",
  description: "Workers accept no connections; overrides AllowVnetInBound (lateral movement between workers).",
};

const basic: HardeningSpec = {
  workloadSubnet: "private",
  egress: {
    mode: "allowList",
    tier: "basic",
    allow: [
      { cidr: "203.0.113.0/24", ports: [443], description: "artifact mirror" },
      { cidr: "198.51.100.7/32", protocol: "udp", ports: [123, 53] },
    ],
  },
};

describe("Azure network plan: NSG rules", () => {
  it("with the default spec: the IMDS service-tag deny and deny-all both ways, nothing else", () => {
    assert.deepEqual(nsgRulesFor(resolveHardening({})), [IMDS_DENY, DENY_OUT, DENY_IN]);
  });

  it("basic tier: the allow-list (CIDR, protocol, ports) between the IMDS deny and deny-all", () => {
    assert.deepEqual(nsgRulesFor(resolveHardening(basic)), [
      IMDS_DENY,
      {
        name: "allow-cidr-1", priority: 200, direction: "Outbound", access: "Allow", protocol: "Tcp",
        sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "203.0.113.0/24",
        destinationPortRanges: ["443"], description: "artifact mirror",
      },
      {
        name: "allow-cidr-2", priority: 201, direction: "Outbound", access: "Allow", protocol: "Udp",
        sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "198.51.100.7/32",
        destinationPortRanges: ["53", "123"], description: "allow-list entry 198.51.100.7/32",
      },
      DENY_OUT,
      DENY_IN,
    ]);
  });

  it("keeps IMDS reachable at the network when hosts carry the caller's identity", () => {
    const rules = nsgRulesFor(resolveHardening({ hostIdentity: "minimal" }));
    assert.deepEqual(rules, [DENY_OUT, DENY_IN]);
  });

  it("keeps IMDS reachable at the network when metadata is tokenRequired", () => {
    assert.equal(nsgRulesFor(resolveHardening({ metadataEndpoint: "tokenRequired" })).some((r) => r.destinationAddressPrefix === "AzurePlatformIMDS"), false);
  });

  it("carves the metadata networks out of an allowed 0.0.0.0/0, above the allow", () => {
    const rules = nsgRulesFor(resolveHardening({ workloadSubnet: "private", egress: { mode: "allowList", tier: "basic", allow: [{ cidr: "0.0.0.0/0" }] } }));
    const carve = rules.filter((r) => r.name.startsWith("deny-carve-out-"));
    assert.ok(carve.some((r) => r.destinationAddressPrefix === "169.254.0.0/16"));
    assert.ok(carve.some((r) => r.destinationAddressPrefix === "168.63.129.16/32"));
    const allow = rules.find((r) => r.name === "allow-cidr-1")!;
    assert.ok(carve.every((r) => r.priority < allow.priority && r.access === "Deny"));
  });

  it("domain rules open their TCP ports to the Internet tag only; the names are the DNS policy's or firewall's job", () => {
    const rules = nsgRulesFor(resolveHardening({
      workloadSubnet: "private",
      egress: { mode: "allowList", tier: "firewall", allow: [{ domain: "pypi.org" }, { domain: "*.pythonhosted.org", ports: [443, 80] }] },
    }));
    const domain = rules.filter((r) => r.access === "Allow");
    assert.deepEqual(domain.map((r) => [r.name, r.protocol, r.destinationAddressPrefix, r.destinationPortRanges]), [
      ["allow-domain-ports", "Tcp", "Internet", ["80", "443"]],
    ]);
  });

  it("every NSG rule description fits Azure's 140 characters", () => {
    const spec = resolveHardening({ ...basic, egress: { ...basic.egress, allow: [{ cidr: "0.0.0.0/0", description: "x".repeat(300) }] } });
    for (const r of nsgRulesFor(spec)) assert.ok(r.description.length <= 140, r.name);
  });
});

describe("Azure network plan: egress paths", () => {
  const cases: [string, HardeningSpec, AzureEgressPath][] = [
    ["default (isolated, denyAll)", {}, "none"],
    ["private + denyAll", { workloadSubnet: "private" }, "none"],
    ["isolated + allowList of private CIDRs", { egress: { mode: "allowList", tier: "basic", allow: [{ cidr: "10.1.0.0/16" }] } }, "none"],
    ["basic", basic, "natGateway"],
    ["dns", { workloadSubnet: "private", egress: { mode: "allowList", tier: "dns", allow: [{ domain: "pypi.org" }] } }, "natGatewayDnsPolicy"],
    ["firewall", { workloadSubnet: "private", egress: { mode: "allowList", tier: "firewall", allow: [{ domain: "pypi.org" }] } }, "firewall"],
  ];
  for (const [label, spec, path] of cases) {
    it(`${label} -> ${path}`, () => assert.equal(egressPathFor(resolveHardening(spec)), path));
  }
});

describe("Azure network plan: firewall and DNS rules", () => {
  const spec = resolveHardening({
    workloadSubnet: "private",
    egress: {
      mode: "allowList",
      tier: "firewall",
      allow: [
        { domain: "pypi.org", description: "python packages" },
        { domain: "*.pythonhosted.org", ports: [80, 443] },
        { cidr: "203.0.113.0/24", ports: [8443] },
      ],
    },
  });

  it("application rules allow only the domains from the worker subnet (Https 443, Http 80), network rules the CIDRs", () => {
    assert.deepEqual(firewallRuleCollectionsFor(spec, "10.42.0.0/19"), [
      {
        ruleCollectionType: "FirewallPolicyFilterRuleCollection",
        name: "allow-domains",
        priority: 200,
        action: { type: "Allow" },
        rules: [
          { ruleType: "ApplicationRule", name: "domain-1", description: "python packages", sourceAddresses: ["10.42.0.0/19"], protocols: [{ protocolType: "Https", port: 443 }], targetFqdns: ["pypi.org"] },
          { ruleType: "ApplicationRule", name: "domain-2", description: "*.pythonhosted.org", sourceAddresses: ["10.42.0.0/19"], protocols: [{ protocolType: "Http", port: 80 }, { protocolType: "Https", port: 443 }], targetFqdns: ["*.pythonhosted.org"] },
        ],
      },
      {
        ruleCollectionType: "FirewallPolicyFilterRuleCollection",
        name: "allow-networks",
        priority: 300,
        action: { type: "Allow" },
        rules: [
          { ruleType: "NetworkRule", name: "network-1", description: "203.0.113.0/24", sourceAddresses: ["10.42.0.0/19"], destinationAddresses: ["203.0.113.0/24"], destinationPorts: ["8443"], ipProtocols: ["TCP"] },
        ],
      },
    ]);
  });

  it("DNS allow-list: trailing-dot names, a wildcard folded into its parent (the policy follows the DNS hierarchy)", () => {
    const dns = resolveHardening({
      workloadSubnet: "private",
      egress: { mode: "allowList", tier: "dns", allow: [{ domain: "pypi.org" }, { domain: "*.pypi.org" }, { domain: "*.pythonhosted.org" }] },
    });
    assert.deepEqual(dnsAllowedDomainsFor(dns), ["pypi.org.", "pythonhosted.org."]);
  });
});

describe("planAzureWorkerNetwork", () => {
  it("puts the worker subnet in the first eighth and AzureFirewallSubnet in the last quarter, /26 or larger", () => {
    const plan = planAzureWorkerNetwork({ location: "westeurope", hardening: { workloadSubnet: "private", egress: { mode: "allowList", tier: "firewall", allow: [{ domain: "pypi.org" }] } } });
    assert.equal(plan.networkCidr, "10.42.0.0/16");
    assert.equal(plan.workloadSubnetCidr, "10.42.0.0/19");
    assert.equal(plan.firewallSubnetCidr, "10.42.192.0/24");
    assert.equal(plan.egressPath, "firewall");
    assert.equal(plan.firewallRuleCollections.length, 1);
    // The DNS security policy is in every tier: the firewall tier's allowed names resolve, nothing else.
    assert.deepEqual([plan.dnsPolicy, plan.dnsAllowedDomains], [true, ["pypi.org."]]);
  });

  it("plans no firewall subnet without the firewall path", () => {
    const plan = planAzureWorkerNetwork({ location: "westeurope", hardening: basic });
    assert.equal(plan.firewallSubnetCidr, undefined);
    assert.equal(plan.denyImdsServiceTag, true);
    assert.deepEqual(plan.firewallRuleCollections, []);
  });

  it("lists every problem at once: location, IPv6 rule, firewall subnet too small", () => {
    let err: unknown;
    try {
      planAzureWorkerNetwork({
        location: "West Europe",
        networkCidr: "10.0.0.0/22",
        hardening: { workloadSubnet: "private", egress: { mode: "allowList", tier: "firewall", allow: [{ cidr: "2001:db8::/32" }, { domain: "pypi.org" }] } },
      });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof InvalidArgsError);
    assert.deepEqual(err.issues, [
      'location "West Europe" is not an Azure region name; use the lower-case name, e.g. "westeurope".',
      'networkCidr "10.0.0.0/22" leaves a /27 for AzureFirewallSubnet, which must be /26 or larger; use a /21 or larger network, or egress tier "basic" or "dns".',
      'hardening.egress.allow "2001:db8::/32" is IPv6, but the Azure worker subnet is IPv4-only; remove the rule.',
    ]);
  });

  it("lists spec problems together with its own", () => {
    assert.throws(
      () => planAzureWorkerNetwork({ location: "", networkCidr: "10.0.0.0/8", hardening: { sandbox: "maybe" as never } }),
      (e: unknown) => e instanceof InvalidArgsError && e.issues.length === 3 &&
        e.issues[0] === 'hardening.sandbox "maybe" is not one of "none", "runtime".' &&
        e.issues[1].startsWith('location "" is not an Azure region name') &&
        e.issues[2] === 'networkCidr "10.0.0.0/8" must have a prefix from /16 to /24.',
    );
  });

  it("denyImdsServiceTag: false leaves the tag deny out; true is refused where the spec does not allow it", () => {
    const off = planAzureWorkerNetwork({ location: "westeurope", denyImdsServiceTag: false });
    assert.equal(off.denyImdsServiceTag, false);
    assert.deepEqual(off.securityRules.map((r) => r.name), ["deny-all-outbound", "deny-all-inbound"]);
    assert.throws(
      () => planAzureWorkerNetwork({ location: "westeurope", denyImdsServiceTag: true, hardening: { hostIdentity: "minimal" } }),
      (e: unknown) => e instanceof InvalidArgsError && e.issues.length === 1 &&
        e.issues[0] === 'denyImdsServiceTag is true, but the deny would cut off the host\'s own identity (hardening.hostIdentity is "minimal"); remove it, or set hostIdentity "none" and metadataEndpoint "blocked".',
    );
  });

  it("refuses IPv6 CIDR rules: the worker subnet is IPv4-only", () => {
    assert.throws(
      () => planAzureWorkerNetwork({ location: "westeurope", hardening: { workloadSubnet: "private", egress: { mode: "allowList", tier: "basic", allow: [{ cidr: "2001:db8::/32" }] } } }),
      (e: unknown) => e instanceof InvalidArgsError && e.issues.length === 1 && /"2001:db8::\/32" is IPv6/.test(e.issues[0]),
    );
  });
});
