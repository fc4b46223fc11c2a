import * as assert from "node:assert/strict";
import { HardeningSpec } from "../../../components/spec";
import { RecordedResource, runUnderMocks } from "../../../program/offlineEngine";
import { AzureWorkerNetwork } from "../../../providers/azure/network";
import { cloudModule } from "../../../program/clouds/azure";

const FIREWALL_IP = "10.42.192.4";

/** Names resources after their logical names and gives the firewall its private address, as Azure would. */
function state(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const s = cloudModule.offlineState!(type, name, inputs);
  if (type === "azure-native:network:AzureFirewall") {
    s.ipConfigurations = (inputs.ipConfigurations as object[]).map((c) => ({ ...c, privateIPAddress: FIREWALL_IP }));
  }
  return s;
}

async function build(hardening: HardeningSpec, extra: { resourceGroupName?: string; dnsSecurityPolicy?: boolean } = {}): Promise<RecordedResource[]> {
  const { resources } = await runUnderMocks(() => new AzureWorkerNetwork("w", { location: "westeurope", hardening, ...extra }), { state });
  return resources;
}

function one(resources: RecordedResource[], type: string, name?: string): RecordedResource {
  const found = resources.filter((r) => r.type === type && (name === undefined || r.name === name));
  assert.equal(found.length, 1, `expected one ${type} ${name ?? ""}, found ${found.length}`);
  return found[0];
}

const types = (resources: RecordedResource[]) => resources.map((r) => r.type).sort();

const DENY_OUT = {
  name: "deny-all-outbound", priority: 4096, direction: "Outbound", access: "Deny", protocol: "*",
  sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*",
  description: "Deny everything not allowed above; overrides AllowVnetOutBound and AllowInternetOutBound.",
};
const DENY_IN = { ...DENY_OUT, name: "deny-all-inbound", direction: "Inbound", description: "Workers accept no connections; overrides AllowVnetInBound (lateral movement between workers)." };
const IMDS_DENY = {
  name: "deny-azure-platform-imds", priority: 100, direction: "Outbound", access: "Deny", protocol: "*",
  sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "AzurePlatformIMDS", destinationPortRange: "*",
  description: "No IMDS for the whole VM (hosts carry no identity). Also stops VM extensions, managed identity, Azure Monitor.",
};

describe("AzureWorkerNetwork (mocks)", () => {
  it("default spec: resource group, VNet, NSG, private subnet, DNS security policy; no NAT, no firewall, no public IP", async () => {
    const resources = await build({});
    assert.deepEqual(types(resources), [
      "azure-native:dnsresolver:DnsResolverDomainList",
      "azure-native:dnsresolver:DnsResolverPolicy",
      "azure-native:dnsresolver:DnsResolverPolicyVirtualNetworkLink",
      "azure-native:dnsresolver:DnsSecurityRule",
      "azure-native:network:NetworkSecurityGroup",
      "azure-native:network:Subnet",
      "azure-native:network:VirtualNetwork",
      "azure-native:resources:ResourceGroup",
      "hardening:index:AzureWorkerNetwork",
    ]);
    assert.deepEqual(one(resources, "azure-native:network:NetworkSecurityGroup").inputs.securityRules, [IMDS_DENY, DENY_OUT, DENY_IN]);
    assert.deepEqual(one(resources, "azure-native:network:Subnet").inputs, {
      resourceGroupName: "w-rg",
      virtualNetworkName: "w-vnet",
      addressPrefix: "10.42.0.0/19",
      defaultOutboundAccess: false,
      networkSecurityGroup: { id: "w-nsg-id" },
      privateEndpointNetworkPolicies: "Enabled",
      // A default the SDK itself fills in.
      privateLinkServiceNetworkPolicies: "Enabled",
    });
    assert.deepEqual(one(resources, "azure-native:network:VirtualNetwork").inputs.addressSpace, { addressPrefixes: ["10.42.0.0/16"] });
    // The component itself sends no properties.
    assert.deepEqual(one(resources, "hardening:index:AzureWorkerNetwork").inputs, {});
  });

  it("uses the caller's resource group instead of creating one", async () => {
    const resources = await build({}, { resourceGroupName: "platform-rg" });
    assert.equal(resources.some((r) => r.type === "azure-native:resources:ResourceGroup"), false);
    assert.equal(one(resources, "azure-native:network:VirtualNetwork").inputs.resourceGroupName, "platform-rg");
  });

  it("basic tier: NAT gateway with a static public IP on the subnet; NSG rules are the allow-list plus the denies", async () => {
    const resources = await build({
      workloadSubnet: "private",
      egress: { mode: "allowList", tier: "basic", allow: [{ cidr: "203.0.113.0/24", ports: [443, 8443], description: "mirror" }] },
    });
    assert.deepEqual(one(resources, "azure-native:network:NetworkSecurityGroup").inputs.securityRules, [
      IMDS_DENY,
      {
        name: "allow-cidr-1", priority: 200, direction: "Outbound", access: "Allow", protocol: "Tcp",
        sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "203.0.113.0/24",
        destinationPortRanges: ["443", "8443"], description: "mirror",
      },
      DENY_OUT,
      DENY_IN,
    ]);
    const nat = one(resources, "azure-native:network:NatGateway");
    assert.deepEqual(nat.inputs, {
      resourceGroupName: "w-rg", location: "westeurope", tags: { "hardening:component": "w" },
      sku: { name: "Standard" }, publicIpAddresses: [{ id: "w-nat-ip-id" }], idleTimeoutInMinutes: 4,
    });
    const ip = one(resources, "azure-native:network:PublicIPAddress");
    assert.deepEqual([ip.inputs.sku, ip.inputs.publicIPAllocationMethod], [{ name: "Standard", tier: "Regional" }, "Static"]);
    const subnet = one(resources, "azure-native:network:Subnet");
    assert.deepEqual(subnet.inputs.natGateway, { id: "w-nat-id" });
    assert.equal(subnet.inputs.defaultOutboundAccess, false);
    assert.equal(subnet.inputs.routeTable, undefined);
    assert.equal(resources.some((r) => r.type === "azure-native:network:AzureFirewall"), false);
    // No domain rule: the DNS security policy allows no name and blocks every one (no tunnelling through Azure DNS).
    assert.deepEqual(resources.filter((r) => r.type.startsWith("azure-native:dnsresolver:")).map((r) => r.name).sort(), ["w-dns-all", "w-dns-block", "w-dns-link", "w-dnspolicy"]);
  });

  it("links a DNS security policy that blocks every name in denyAll, and none when the caller turns it off", async () => {
    const denyAll = await build({});
    const block = one(denyAll, "azure-native:dnsresolver:DnsSecurityRule", "w-dns-block").inputs;
    assert.deepEqual([block.priority, block.action, block.dnsResolverDomainLists], [65000, { actionType: "Block", blockResponseCode: "SERVFAIL" }, [{ id: "w-dns-all-id" }]]);
    assert.deepEqual(one(denyAll, "azure-native:dnsresolver:DnsResolverDomainList", "w-dns-all").inputs.domains, ["."]);
    assert.deepEqual(one(denyAll, "azure-native:dnsresolver:DnsResolverPolicyVirtualNetworkLink", "w-dns-link").inputs.virtualNetwork, { id: "w-vnet-id" });
    assert.equal(denyAll.some((r) => r.name === "w-dns-allow"), false);
    const off = await build({}, { dnsSecurityPolicy: false });
    assert.equal(off.some((r) => r.type.startsWith("azure-native:dnsresolver:")), false);
  });

  it("dns tier: NAT gateway plus a DNS security policy that allows the listed domains and blocks every other name", async () => {
    const resources = await build({
      workloadSubnet: "private",
      egress: { mode: "allowList", tier: "dns", allow: [{ domain: "pypi.org" }, { domain: "*.pythonhosted.org" }] },
    });
    one(resources, "azure-native:network:NatGateway");
    assert.deepEqual(one(resources, "azure-native:dnsresolver:DnsResolverDomainList", "w-dns-allowed").inputs.domains, ["pypi.org.", "pythonhosted.org."]);
    assert.deepEqual(one(resources, "azure-native:dnsresolver:DnsResolverDomainList", "w-dns-all").inputs.domains, ["."]);
    const allow = one(resources, "azure-native:dnsresolver:DnsSecurityRule", "w-dns-allow").inputs;
    const block = one(resources, "azure-native:dnsresolver:DnsSecurityRule", "w-dns-block").inputs;
    assert.deepEqual([allow.priority, allow.action, allow.dnsResolverDomainLists, allow.dnsSecurityRuleState], [100, { actionType: "Allow" }, [{ id: "w-dns-allowed-id" }], "Enabled"]);
    assert.deepEqual([block.priority, block.action, block.dnsResolverDomainLists, block.dnsResolverPolicyName], [65000, { actionType: "Block", blockResponseCode: "SERVFAIL" }, [{ id: "w-dns-all-id" }], "w-dnspolicy"]);
    assert.deepEqual(one(resources, "azure-native:dnsresolver:DnsResolverPolicyVirtualNetworkLink").inputs.virtualNetwork, { id: "w-vnet-id" });
    const rules = one(resources, "azure-native:network:NetworkSecurityGroup").inputs.securityRules as { name: string; destinationAddressPrefix: string; destinationPortRanges?: string[] }[];
    assert.deepEqual(rules.map((r) => r.name), ["deny-azure-platform-imds", "allow-domain-ports", "deny-all-outbound", "deny-all-inbound"]);
    assert.deepEqual([rules[1].destinationAddressPrefix, rules[1].destinationPortRanges], ["Internet", ["443"]]);
  });

  it("firewall tier: AzureFirewallSubnet, firewall with policy and rules, 0.0.0.0/0 routed to its private IP; no NAT gateway", async () => {
    const resources = await build({
      workloadSubnet: "private",
      egress: { mode: "allowList", tier: "firewall", allow: [{ domain: "pypi.org" }, { cidr: "203.0.113.0/24", ports: [22] }] },
    });
    assert.equal(resources.some((r) => r.type === "azure-native:network:NatGateway"), false);
    const fwSubnet = one(resources, "azure-native:network:Subnet", "w-firewall-1").inputs;
    assert.deepEqual([fwSubnet.subnetName, fwSubnet.addressPrefix], ["AzureFirewallSubnet", "10.42.192.0/24"]);
    const fw = one(resources, "azure-native:network:AzureFirewall").inputs;
    assert.deepEqual([fw.sku, fw.firewallPolicy, fw.ipConfigurations], [
      { name: "AZFW_VNet", tier: "Standard" },
      { id: "w-fwpolicy-id" },
      [{ name: "ipconfig", subnet: { id: "w-firewall-1-id" }, publicIPAddress: { id: "w-firewall-ip-id" } }],
    ]);
    assert.deepEqual(one(resources, "azure-native:network:FirewallPolicyRuleCollectionGroup").inputs, {
      resourceGroupName: "w-rg",
      firewallPolicyName: "w-fwpolicy",
      priority: 200,
      ruleCollections: [
        {
          ruleCollectionType: "FirewallPolicyFilterRuleCollection", name: "allow-domains", priority: 200, action: { type: "Allow" },
          rules: [{ ruleType: "ApplicationRule", name: "domain-1", description: "pypi.org", sourceAddresses: ["10.42.0.0/19"], protocols: [{ protocolType: "Https", port: 443 }], targetFqdns: ["pypi.org"] }],
        },
        {
          ruleCollectionType: "FirewallPolicyFilterRuleCollection", name: "allow-networks", priority: 300, action: { type: "Allow" },
          rules: [{ ruleType: "NetworkRule", name: "network-1", description: "203.0.113.0/24", sourceAddresses: ["10.42.0.0/19"], destinationAddresses: ["203.0.113.0/24"], destinationPorts: ["22"], ipProtocols: ["TCP"] }],
        },
      ],
    });
    assert.equal(one(resources, "azure-native:network:FirewallPolicy").inputs.threatIntelMode, "Deny");
    const routes = one(resources, "azure-native:network:RouteTable").inputs;
    assert.deepEqual([routes.disableBgpRoutePropagation, routes.routes], [
      true,
      [{ name: "default-via-firewall", addressPrefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopIpAddress: FIREWALL_IP }],
    ]);
    const subnet = one(resources, "azure-native:network:Subnet", "w-workload-1").inputs;
    assert.deepEqual([subnet.routeTable, subnet.natGateway, subnet.defaultOutboundAccess], [{ id: "w-routes-id" }, undefined, false]);
  });

  it("an invalid spec registers nothing, not even the component, and names every problem", async () => {
    const { resources, result } = await runUnderMocks(() => {
      try {
        new AzureWorkerNetwork("bad", { location: "westeurope", hardening: { metadataEndpoint: "open" as never, egress: { mode: "denyAll", allow: [{ cidr: "10.0.0.0/8" }] } } });
        return "created";
      } catch (e) {
        return (e as Error).message;
      }
    });
    assert.deepEqual(resources, []);
    assert.match(result, /^AzureWorkerNetwork "bad": invalid arguments:\n - hardening.metadataEndpoint "open" is not one of/);
    assert.match(result, /hardening.egress.allow lists 1 rule\(s\) but hardening.egress.mode is "denyAll"/);
  });
});

describe("AzureWorkerNetwork DNS security policy, every tier (mocks)", () => {
  const allow = [{ domain: "pypi.org" }, { cidr: "203.0.113.0/24" }];
  const tiers: [string, HardeningSpec, string[]][] = [
    ["denyAll", {}, []],
    ["basic", { workloadSubnet: "private", egress: { mode: "allowList", tier: "basic", allow: [{ cidr: "203.0.113.0/24" }] } }, []],
    ["dns", { workloadSubnet: "private", egress: { mode: "allowList", tier: "dns", allow } }, ["pypi.org."]],
    ["firewall", { workloadSubnet: "private", egress: { mode: "allowList", tier: "firewall", allow } }, ["pypi.org."]],
  ];
  for (const [tier, hardening, allowed] of tiers) {
    it(`${tier}: linked to the VNet, allows ${allowed.length === 0 ? "no name" : allowed.join(" ")}, blocks every other`, async () => {
      const resources = await build(hardening);
      assert.deepEqual(one(resources, "azure-native:dnsresolver:DnsResolverPolicyVirtualNetworkLink").inputs.virtualNetwork, { id: "w-vnet-id" });
      assert.deepEqual(one(resources, "azure-native:dnsresolver:DnsResolverDomainList", "w-dns-all").inputs.domains, ["."]);
      const lists = resources.filter((r) => r.type === "azure-native:dnsresolver:DnsResolverDomainList" && r.name === "w-dns-allowed");
      assert.deepEqual(lists.map((l) => l.inputs.domains), allowed.length === 0 ? [] : [allowed]);
      assert.equal(one(resources, "azure-native:dnsresolver:DnsSecurityRule", "w-dns-block").inputs.priority, 65000);
    });
  }
});
