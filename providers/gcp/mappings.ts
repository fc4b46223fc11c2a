/**
 * Pure mappings from the GCP plans to the provider's native arguments. Each function names the native settings it
 * sets; the components pass the result straight to the resource constructors, and tests compare it exactly.
 * Only type imports from the SDK: nothing here creates a resource.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as compute from "@pulumi/gcp/compute";
import type * as dns from "@pulumi/gcp/dns";
import type { GcpDnsRulePlan, GcpFirewallRulePlan, GcpFqdnRulePlan, GcpNetworkPlan, GcpPolicyDenyPlan, GcpPrivateZonePlan, GcpRoutePlan } from "./networkPlan";
import type { GcpWorkerPoolPlan } from "./workerPoolPlan";

/**
 * `gcp.compute.Network`: custom-mode (`autoCreateSubnetworks: false`) with the default internet route deleted at
 * creation (`deleteDefaultRoutesOnCreate: true`), so nothing leaves unless a route in this plan says so. With an
 * FQDN firewall policy, the policy is evaluated before the classic rules, because the classic catch-all deny
 * would otherwise end evaluation before the policy's FQDN allows are reached.
 */
export function networkArgsFor(plan: GcpNetworkPlan): compute.NetworkArgs {
  const args: compute.NetworkArgs = {
    autoCreateSubnetworks: false,
    deleteDefaultRoutesOnCreate: true,
    routingMode: "REGIONAL",
    description: `Hardened worker network (${plan.name}): no default route, egress deny-all plus allow-list`,
  };
  if (plan.fqdnRules.length > 0) args.networkFirewallPolicyEnforcementOrder = "BEFORE_CLASSIC_FIREWALL";
  return args;
}

/**
 * `gcp.compute.Subnetwork`: the one regional worker subnet, IPv4 only, `privateIpGoogleAccess` as planned (Google APIs
 * without external IPs) and VPC Flow Logs on (`logConfig`, 5-second aggregation, every metadata field).
 */
export function subnetworkArgsFor(plan: GcpNetworkPlan, network: pulumi.Input<string>): compute.SubnetworkArgs {
  return {
    network,
    region: plan.region,
    ipCidrRange: plan.subnetCidr,
    stackType: "IPV4_ONLY",
    privateIpGoogleAccess: plan.privateGoogleAccess,
    logConfig: { aggregationInterval: "INTERVAL_5_SEC", flowSampling: plan.flowLogSampling, metadata: "INCLUDE_ALL_METADATA" },
    description: `Workers of ${plan.name}; regional, so one subnet serves every zone`,
  };
}

/** `gcp.compute.Firewall`: one egress rule, logged (`logConfig.metadata: "INCLUDE_ALL_METADATA"`). */
export function firewallArgsFor(rule: GcpFirewallRulePlan, network: pulumi.Input<string>): compute.FirewallArgs {
  const entry = rule.ports.length > 0 ? { protocol: rule.protocol, ports: [...rule.ports] } : { protocol: rule.protocol };
  const args: compute.FirewallArgs = {
    network,
    direction: "EGRESS",
    priority: rule.priority,
    destinationRanges: [...rule.destinationRanges],
    description: rule.description,
    logConfig: { metadata: "INCLUDE_ALL_METADATA" },
  };
  if (rule.action === "allow") args.allows = [entry];
  else args.denies = [entry];
  if (rule.targetTags.length > 0) args.targetTags = [...rule.targetTags];
  return args;
}

/** `gcp.compute.Route`: next hop `default-internet-gateway`, only for instances carrying the workers' tag. */
export function routeArgsFor(route: GcpRoutePlan, network: pulumi.Input<string>): compute.RouteArgs {
  return {
    network,
    destRange: route.destRange,
    nextHopGateway: "default-internet-gateway",
    priority: route.priority,
    tags: [...route.tags],
    description: route.description,
  };
}

/** `gcp.compute.Router`: the Cloud Router Cloud NAT runs on. */
export function routerArgsFor(plan: GcpNetworkPlan, network: pulumi.Input<string>): compute.RouterArgs {
  return { network, region: plan.region, description: `Cloud NAT for ${plan.name}` };
}

/**
 * `gcp.compute.RouterNat`: NAT for the worker subnet only (`LIST_OF_SUBNETWORKS`), auto-allocated addresses,
 * every translation and error logged.
 */
export function routerNatArgsFor(plan: GcpNetworkPlan, router: pulumi.Input<string>, subnetwork: pulumi.Input<string>): compute.RouterNatArgs {
  return {
    router,
    region: plan.region,
    natIpAllocateOption: "AUTO_ONLY",
    sourceSubnetworkIpRangesToNat: "LIST_OF_SUBNETWORKS",
    subnetworks: [{ name: subnetwork, sourceIpRangesToNats: ["ALL_IP_RANGES"] }],
    logConfig: { enable: true, filter: "ALL" },
  };
}

/** `gcp.dns.ManagedZone`: a private zone visible to the worker network only. */
export function privateZoneArgsFor(zone: GcpPrivateZonePlan, network: pulumi.Input<string>): dns.ManagedZoneArgs {
  return {
    dnsName: zone.dnsName,
    visibility: "private",
    privateVisibilityConfig: { networks: [{ networkUrl: network }] },
    description: zone.description,
  };
}

/** `gcp.dns.RecordSet` for one planned record. */
export function recordSetArgsFor(record: GcpPrivateZonePlan["records"][number], zone: pulumi.Input<string>): dns.RecordSetArgs {
  return { managedZone: zone, name: record.name, type: record.type, ttl: record.ttl, rrdatas: [...record.rrdatas] };
}

/** `gcp.dns.ResponsePolicy` bound to the worker network. */
export function responsePolicyArgsFor(plan: GcpNetworkPlan, network: pulumi.Input<string>): dns.ResponsePolicyArgs {
  return {
    responsePolicyName: `${plan.name}-egress-dns`,
    networks: [{ networkUrl: network }],
    description: "DNS allow-list: listed names resolve normally, every other name answers 192.0.2.1 / 100::1",
  };
}

/** `gcp.dns.ResponsePolicyRule`: a bypass (`behavior: "bypassResponsePolicy"`) or the local-data sink. */
export function responsePolicyRuleArgsFor(rule: GcpDnsRulePlan, policy: pulumi.Input<string>): dns.ResponsePolicyRuleArgs {
  const args: dns.ResponsePolicyRuleArgs = { responsePolicy: policy, ruleName: rule.ruleName, dnsName: rule.dnsName };
  if (rule.behavior) args.behavior = rule.behavior;
  if (rule.localData) {
    args.localData = { localDatas: rule.localData.map((r) => ({ name: r.name, type: r.type, ttl: r.ttl, rrdatas: [...r.rrdatas] })) };
  }
  return args;
}

/** `gcp.compute.NetworkFirewallPolicy`: holds the FQDN egress rules. */
export function fqdnPolicyArgsFor(plan: GcpNetworkPlan): compute.NetworkFirewallPolicyArgs {
  return { description: `FQDN egress allow-list of ${plan.name} (Cloud NGFW)` };
}

/**
 * `gcp.compute.NetworkFirewallPolicyRule`: EGRESS allow to `match.destFqdns` on the rule's protocol and ports,
 * logged. No target: network firewall policies cannot target network tags (only secure tags and service
 * accounts), so it covers every instance of the worker network, which holds only workers.
 */
export function fqdnRuleArgsFor(rule: GcpFqdnRulePlan, policy: pulumi.Input<string>): compute.NetworkFirewallPolicyRuleArgs {
  return {
    firewallPolicy: policy,
    priority: rule.priority,
    direction: "EGRESS",
    action: "allow",
    enableLogging: true,
    description: rule.description,
    match: { destFqdns: [...rule.fqdns], layer4Configs: [{ ipProtocol: rule.protocol, ports: [...rule.ports] }] },
  };
}

/** `gcp.compute.NetworkFirewallPolicyRule`: EGRESS deny to `match.destIpRanges` (the metadata ranges), logged. */
export function policyDenyRuleArgsFor(rule: GcpPolicyDenyPlan, policy: pulumi.Input<string>): compute.NetworkFirewallPolicyRuleArgs {
  return {
    firewallPolicy: policy,
    priority: rule.priority,
    direction: "EGRESS",
    action: "deny",
    enableLogging: true,
    description: rule.description,
    match: { destIpRanges: [...rule.destIpRanges], layer4Configs: [{ ipProtocol: "all" }] },
  };
}

/**
 * `gcp.compute.InstanceTemplate`: no `accessConfigs` (no external IP), no `serviceAccount` unless the plan has the
 * caller's dedicated one, Shielded VM (secure boot, vTPM, integrity monitoring), the hardening metadata (legacy
 * endpoints off, OS Login, project SSH keys blocked, the host firewall as `startup-script`) and a run-time limit
 * (`scheduling.maxRunDuration` with `instanceTerminationAction: "DELETE"`).
 */
export function instanceTemplateArgsFor(plan: GcpWorkerPoolPlan, subnetwork: pulumi.Input<string>): compute.InstanceTemplateArgs {
  const args: compute.InstanceTemplateArgs = {
    description: `Hardened worker of ${plan.name}`,
    machineType: plan.machineType,
    region: plan.region,
    tags: [plan.networkTag],
    disks: [{ boot: true, autoDelete: true, sourceImage: plan.image, diskSizeGb: plan.diskSizeGb, diskType: "pd-balanced" }],
    networkInterfaces: [{ subnetwork, stackType: "IPV4_ONLY" }],
    shieldedInstanceConfig: { enableSecureBoot: true, enableVtpm: true, enableIntegrityMonitoring: true },
    metadata: { ...plan.metadata },
    canIpForward: false,
    // Field names checked against @pulumi/gcp 9.37 (InstanceTemplateScheduling). Its doc comment describes
    // instanceTerminationAction for Spot VMs; GCE's "Limit the run time of a VM" covers standard VMs too ("you
    // can't use time limits with legacy preemptible VMs"), so the model is set to STANDARD explicitly.
    scheduling: {
      provisioningModel: "STANDARD",
      automaticRestart: true,
      onHostMaintenance: "MIGRATE",
      maxRunDuration: { seconds: plan.maxRunSeconds },
      instanceTerminationAction: "DELETE",
    },
  };
  // Omitting serviceAccount leaves the instance with none: the API only adds the default account when asked
  // (gcloud and the console ask by default; the API and this provider do not) [inference from the API reference].
  if (plan.serviceAccount) args.serviceAccount = { email: plan.serviceAccount.email, scopes: [...plan.serviceAccount.scopes] };
  return args;
}

/**
 * `gcp.compute.RegionInstanceGroupManager`: spread over the region's zones, proactive replacement on template
 * change (surge before removal), no fixed size (the autoscaler owns it).
 */
export function instanceGroupManagerArgsFor(plan: GcpWorkerPoolPlan, template: pulumi.Input<string>): compute.RegionInstanceGroupManagerArgs {
  return {
    baseInstanceName: plan.name,
    region: plan.region,
    versions: [{ name: "primary", instanceTemplate: template }],
    // A regional MIG's fixed surge must be 0 or at least its zone count (3 by default).
    updatePolicy: { type: "PROACTIVE", minimalAction: "REPLACE", maxSurgeFixed: 3, maxUnavailableFixed: 0, replacementMethod: "SUBSTITUTE" },
    description: `Hardened workers of ${plan.name}`,
  };
}

/** `gcp.compute.RegionAutoscaler`: CPU-based, between the plan's minimum and maximum. */
export function autoscalerArgsFor(plan: GcpWorkerPoolPlan, target: pulumi.Input<string>): compute.RegionAutoscalerArgs {
  return {
    target,
    region: plan.region,
    autoscalingPolicy: {
      minReplicas: plan.minReplicas,
      maxReplicas: plan.maxReplicas,
      cooldownPeriod: 90,
      cpuUtilization: { target: 0.6 },
    },
  };
}
