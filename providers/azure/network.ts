/**
 * AzureWorkerNetwork: a VNet with one private worker subnet behind an NSG allow-list, and the egress path the spec
 * asks for (none, NAT gateway, NAT gateway + DNS security policy, or Azure Firewall with a 0.0.0.0/0 route).
 * Everything it creates comes from {@link planAzureWorkerNetwork}; this file only turns the plan into resources.
 */
import * as pulumi from "@pulumi/pulumi";
import * as dnsresolver from "@pulumi/azure-native/dnsresolver";
import * as network from "@pulumi/azure-native/network";
import * as resources from "@pulumi/azure-native/resources";
import { ControlReport } from "../../components/controls";
import { HardeningSpec } from "../../components/spec";
import { azureNetworkControls } from "./controls";
import { AzureEgressPath, AzureNetworkPlan, planAzureWorkerNetwork } from "./networkPlan";
import { planForComponent } from "../planForComponent";
import { withEnforcement } from "../../components/controlCatalogue";

/** Arguments of {@link AzureWorkerNetwork}. */
export interface AzureWorkerNetworkArgs {
  /** Azure region of every resource, lower case, e.g. `westeurope`. */
  location: string;
  /**
   * An existing resource group to create the network in.
   * @default a new resource group named after the component
   */
  resourceGroupName?: pulumi.Input<string>;
  /**
   * The VNet address space (IPv4, /16 to /24). The worker subnet takes the first eighth of it; with the firewall
   * tier, AzureFirewallSubnet takes a slot of the last quarter (it must be /26 or larger, so /21 or larger).
   * @default "10.42.0.0/16"
   */
  networkCidr?: string;
  /**
   * The hardening spec; omitted fields take the strictest setting.
   * @default {}
   */
  hardening?: HardeningSpec;
  /**
   * Whether the NSG denies the `AzurePlatformIMDS` service tag (the only NSG rule Azure applies to IMDS). Possible
   * only with hostIdentity "none" and metadataEndpoint "blocked"; it also stops VM extensions, managed identity and
   * Azure Monitor, and a provisioning agent that queries IMDS at first boot (cloud-init) may fail: see docs/azure.md.
   * Pass the same value to the worker pool's `imdsServiceTagDenied`.
   * @default true when the spec allows it
   */
  denyImdsServiceTag?: boolean;
  /**
   * Link a DNS security policy to the VNet in every tier, resolving only the allow-list's domains (none with
   * `denyAll`), so nothing tunnels data out through Azure DNS, which NSGs never see. It also stops the hosts
   * resolving other names; `false` leaves DNS tunnelling open, and the controls report says so.
   * @default true
   */
  dnsSecurityPolicy?: boolean;
  /**
   * Tags on every resource.
   * @default {}
   */
  tags?: Record<string, string>;
}

const TYPE = "hardening:index:AzureWorkerNetwork";

/** Plans, or throws an error naming the component and listing every problem. Creates nothing. */
function planOrThrow(name: string, args: AzureWorkerNetworkArgs): AzureNetworkPlan {
  return planForComponent("AzureWorkerNetwork", name, () =>
    planAzureWorkerNetwork({
      location: args?.location,
      networkCidr: args?.networkCidr,
      hardening: args?.hardening,
      denyImdsServiceTag: args?.denyImdsServiceTag,
      dnsSecurityPolicy: args?.dnsSecurityPolicy,
    }),
  );
}

/**
 * A hardened worker network on Azure. Guarantees: the worker subnet has no default outbound access; its NSG denies
 * all traffic in and out except the allow-list; with a spec that blocks metadata and gives hosts no identity, the
 * NSG also denies the `AzurePlatformIMDS` service tag (the only NSG rule Azure applies to IMDS traffic); outbound
 * traffic leaves only through the egress path of the spec's tier.
 */
export class AzureWorkerNetwork extends pulumi.ComponentResource {
  /** The VNet's id. */
  readonly networkId: pulumi.Output<string>;
  /** The worker subnet's id, in a list as on every cloud. */
  readonly workloadSubnetIds: pulumi.Output<string>[];
  /** The resource group every child is in. */
  readonly resourceGroupName: pulumi.Output<string>;
  /** One entry per control applied or deliberately not relied on. */
  readonly controls: pulumi.Output<ControlReport[]>;
  /** The resource group, when the component created it. */
  readonly resourceGroup: resources.ResourceGroup | undefined;
  /** The native children, for what this component does not cover. */
  readonly virtualNetwork: network.VirtualNetwork;
  readonly networkSecurityGroup: network.NetworkSecurityGroup;
  readonly workloadSubnet: network.Subnet;
  readonly natGateway: network.NatGateway | undefined;
  readonly egressPublicIp: network.PublicIPAddress | undefined;
  readonly firewall: network.AzureFirewall | undefined;
  readonly firewallPolicy: network.FirewallPolicy | undefined;
  readonly routeTable: network.RouteTable | undefined;
  readonly dnsResolverPolicy: dnsresolver.DnsResolverPolicy | undefined;

  constructor(name: string, args: AzureWorkerNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before registering anything, the component included: a bad spec leaves no trace in the stack.
    const plan = planOrThrow(name, args);
    super(TYPE, name, {}, opts);
    const parent = { parent: this };
    const tags = { ...(args.tags ?? {}), "hardening:component": name };
    const location = plan.location;

    this.resourceGroup = args.resourceGroupName === undefined
      ? new resources.ResourceGroup(`${name}-rg`, { location, tags }, parent)
      : undefined;
    const rg: pulumi.Output<string> = this.resourceGroup ? this.resourceGroup.name : pulumi.output(args.resourceGroupName as pulumi.Input<string>);
    const common = { resourceGroupName: rg, location, tags };

    this.virtualNetwork = new network.VirtualNetwork(`${name}-vnet`, {
      ...common,
      addressSpace: { addressPrefixes: [plan.networkCidr] },
    }, parent);

    this.networkSecurityGroup = new network.NetworkSecurityGroup(`${name}-nsg`, {
      ...common,
      securityRules: plan.securityRules.map((r) => ({ ...r })),
    }, parent);

    let natGateway: network.NatGateway | undefined;
    let egressPublicIp: network.PublicIPAddress | undefined;
    let firewall: network.AzureFirewall | undefined;
    let firewallPolicy: network.FirewallPolicy | undefined;
    let routeTable: network.RouteTable | undefined;
    let dnsResolverPolicy: dnsresolver.DnsResolverPolicy | undefined;
    const publicIp = (key: string) => new network.PublicIPAddress(`${name}-${key}`, {
      ...common,
      sku: { name: "Standard", tier: "Regional" },
      publicIPAllocationMethod: "Static",
      publicIPAddressVersion: "IPv4",
    }, parent);

    if (plan.egressPath === AzureEgressPath.NatGateway || plan.egressPath === AzureEgressPath.NatGatewayDnsPolicy) {
      egressPublicIp = publicIp("nat-ip");
      natGateway = new network.NatGateway(`${name}-nat`, {
        ...common,
        sku: { name: "Standard" },
        publicIpAddresses: [{ id: egressPublicIp.id }],
        idleTimeoutInMinutes: 4,
      }, parent);
    }

    if (plan.egressPath === AzureEgressPath.Firewall) {
      const firewallSubnet = new network.Subnet(`${name}-firewall-1`, {
        resourceGroupName: rg,
        virtualNetworkName: this.virtualNetwork.name,
        // Azure Firewall requires this exact subnet name.
        subnetName: "AzureFirewallSubnet",
        addressPrefix: plan.firewallSubnetCidr,
      }, parent);
      egressPublicIp = publicIp("firewall-ip");
      firewallPolicy = new network.FirewallPolicy(`${name}-fwpolicy`, {
        ...common,
        sku: { tier: "Standard" },
        // Known-malicious destinations are dropped even when a rule would allow them.
        threatIntelMode: "Deny",
      }, parent);
      const ruleGroup = new network.FirewallPolicyRuleCollectionGroup(`${name}-fwrules`, {
        resourceGroupName: rg,
        firewallPolicyName: firewallPolicy.name,
        priority: 200,
        ruleCollections: plan.firewallRuleCollections.map((c) => ({ ...c })),
      }, parent);
      firewall = new network.AzureFirewall(`${name}-firewall`, {
        ...common,
        sku: { name: "AZFW_VNet", tier: "Standard" },
        // Threat intelligence is set on the policy; a firewall with a policy takes its settings from there.
        firewallPolicy: { id: firewallPolicy.id },
        ipConfigurations: [{ name: "ipconfig", subnet: { id: firewallSubnet.id }, publicIPAddress: { id: egressPublicIp.id } }],
      }, { parent: this, dependsOn: [ruleGroup] });
      // The firewall's private address is an output; the route takes it as an Input, so nothing is created in apply().
      const firewallPrivateIp = firewall.ipConfigurations.apply((c) => c?.[0]?.privateIPAddress ?? "");
      routeTable = new network.RouteTable(`${name}-routes`, {
        ...common,
        // The worker subnet must not learn a way around the firewall from BGP.
        disableBgpRoutePropagation: true,
        routes: [{ name: "default-via-firewall", addressPrefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopIpAddress: firewallPrivateIp }],
      }, parent);
    }

    this.workloadSubnet = new network.Subnet(`${name}-workload-1`, {
      resourceGroupName: rg,
      virtualNetworkName: this.virtualNetwork.name,
      addressPrefix: plan.workloadSubnetCidr,
      // A private subnet: no implicit outbound SNAT; the only ways out are the NAT gateway or the firewall route.
      defaultOutboundAccess: false,
      networkSecurityGroup: { id: this.networkSecurityGroup.id },
      natGateway: natGateway ? { id: natGateway.id } : undefined,
      routeTable: routeTable ? { id: routeTable.id } : undefined,
      privateEndpointNetworkPolicies: "Enabled",
    }, { parent: this, dependsOn: firewall ? [firewall] : [] });

    if (plan.dnsPolicy) {
      dnsResolverPolicy = new dnsresolver.DnsResolverPolicy(`${name}-dnspolicy`, common, parent);
      // "." is every name: the catch-all the allow rule above it punches holes in (DNS security policy overview).
      const everything = new dnsresolver.DnsResolverDomainList(`${name}-dns-all`, { ...common, domains: ["."] }, parent);
      // With no domain rule (denyAll, CIDR-only tiers) there is nothing to allow: every name is blocked.
      if (plan.dnsAllowedDomains.length > 0) {
        const allowed = new dnsresolver.DnsResolverDomainList(`${name}-dns-allowed`, {
          ...common,
          domains: [...plan.dnsAllowedDomains],
        }, parent);
        new dnsresolver.DnsSecurityRule(`${name}-dns-allow`, {
          ...common,
          dnsResolverPolicyName: dnsResolverPolicy.name,
          priority: 100,
          action: { actionType: "Allow" },
          dnsResolverDomainLists: [{ id: allowed.id }],
          dnsSecurityRuleState: "Enabled",
        }, parent);
      }
      new dnsresolver.DnsSecurityRule(`${name}-dns-block`, {
        ...common,
        dnsResolverPolicyName: dnsResolverPolicy.name,
        priority: 65000,
        action: { actionType: "Block", blockResponseCode: "SERVFAIL" },
        dnsResolverDomainLists: [{ id: everything.id }],
        dnsSecurityRuleState: "Enabled",
      }, parent);
      new dnsresolver.DnsResolverPolicyVirtualNetworkLink(`${name}-dns-link`, {
        ...common,
        dnsResolverPolicyName: dnsResolverPolicy.name,
        virtualNetwork: { id: this.virtualNetwork.id },
      }, parent);
    }

    this.natGateway = natGateway;
    this.egressPublicIp = egressPublicIp;
    this.firewall = firewall;
    this.firewallPolicy = firewallPolicy;
    this.routeTable = routeTable;
    this.dnsResolverPolicy = dnsResolverPolicy;
    this.resourceGroupName = rg;
    this.networkId = this.virtualNetwork.id;
    this.workloadSubnetIds = [this.workloadSubnet.id];
    this.controls = pulumi.output(withEnforcement(azureNetworkControls(plan, name)));
    this.registerOutputs({ networkId: this.networkId, workloadSubnetIds: this.workloadSubnetIds, controls: this.controls });
  }
}
