/**
 * Azure worker subnets: no default outbound access. A VM in a subnet with default outbound access reaches the
 * internet through a Microsoft-owned public IP that no NAT gateway, firewall route or NSG allow-list of the stack
 * controls ("Default outbound access in Azure"); `defaultOutboundAccess: false` makes the subnet private.
 */
import { isWorker, WORKER_NAMES_OPTION, workerGlobs } from "../../config";
import type { CheckContext, Finding, ResourceRule } from "../types";
import { field, isUnknown, list, show, unknownFinding } from "../values";

/** Subnets Azure reserves for its own appliances by name: never worker subnets, whatever the logical name says. */
const PLATFORM_SUBNETS = new Set(["azurefirewallsubnet", "azurefirewallmanagementsubnet", "gatewaysubnet", "azurebastionsubnet", "routeserversubnet"]);

const WHY =
  "a subnet with default outbound access gives its VMs an implicit Microsoft-owned public IP for outbound traffic, " +
  "a way out that bypasses the NAT gateway, the firewall route and the egress allow-list";


function platform(name: unknown): boolean {
  return typeof name === "string" && PLATFORM_SUBNETS.has(name.toLowerCase());
}

function defaultOutbound(subnet: unknown, path: string): Finding[] {
  const v = field(subnet, "defaultOutboundAccess");
  const property = `${path}defaultOutboundAccess`;
  if (isUnknown(v)) return [unknownFinding(property)];
  if (v === false) return [];
  return [{ property, message: `${property} is ${show(v)} on a worker subnet; set it to false: ${WHY}.` }];
}

/** `network.Subnet`: a worker subnet (by tag-less name: logical name or `subnetName`) sets `defaultOutboundAccess: false`. */
export function checkAzureSubnet(props: Record<string, unknown>, ctx: CheckContext): Finding[] {
  if (platform(props.subnetName) || platform(props.name)) return [];
  const named = typeof props.subnetName === "string" && !isUnknown(props.subnetName) && isWorker(props.subnetName, {}, workerGlobs(ctx.config));
  if (!named && !isWorker(ctx.resource?.name, props, workerGlobs(ctx.config))) return [];
  return defaultOutbound(props, "");
}

/** `network.VirtualNetwork` inline `subnets`: each worker subnet (by its name) sets `defaultOutboundAccess: false`. */
export function checkAzureVnetSubnets(props: Record<string, unknown>, ctx: CheckContext): Finding[] {
  const subnets = props.subnets;
  if (isUnknown(subnets)) return [unknownFinding("subnets")];
  return list(subnets).flatMap((s, i) => {
    const name = field(s, "name");
    if (platform(name) || typeof name !== "string" || !isWorker(name, {}, workerGlobs(ctx.config))) return [];
    return defaultOutbound(s, `subnets[${i}].`);
  });
}

/** `workload-subnet-azure-default-outbound`: Azure worker subnets are private. */
export const azureDefaultOutboundRule: ResourceRule = {
  id: "workload-subnet-azure-default-outbound",
  description: "Azure worker subnets set defaultOutboundAccess to false, so their VMs get no implicit public IP for outbound traffic.",
  enforcementLevel: "mandatory",
  family: "workloadSubnet",
  docs:
    "Azure `Subnet` resources and `VirtualNetwork` inline `subnets` marked as worker subnets (by name): `defaultOutboundAccess` false " +
    "(unset fails: its default depends on the API version). Azure's platform subnets (AzureFirewallSubnet, GatewaySubnet, ...) are skipped.",
  options: { workerNames: WORKER_NAMES_OPTION },
  checks: {
    "azure-native:network:Subnet": checkAzureSubnet,
    "azure-native:network:VirtualNetwork": checkAzureVnetSubnets,
  },
};
