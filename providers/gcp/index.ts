/**
 * pulumi-hardening/gcp: hardened worker environments on Google Cloud. The components (GcpWorkerNetwork,
 * GcpWorkerPool, GcpGkeNodePool), their pure planners and mappings, and the controls reports.
 *
 * On GCP no VPC firewall rule or firewall policy protects the metadata server ("Google Cloud always allows
 * communication between a VM instance and its corresponding metadata server"); these components rely on no
 * service account (or a dedicated minimal one), a host firewall, GKE_METADATA and GKE Sandbox instead.
 */
export { googleApisVipInfo, GoogleApisVip, GOOGLE_PRIVATE_DOMAINS } from "./googleApis";
export type { GoogleApisVipInfo } from "./googleApis";
export { checkServiceAccountEmail, requestedHostIdentity, CLOUD_PLATFORM_SCOPE } from "./identity";
export { planGcpWorkerNetwork, FIREWALL_PRIORITY, MAX_FQDNS_PER_RULE } from "./networkPlan";
export type { GcpWorkerNetworkArgs, GcpFirewallRulePlan, GcpRoutePlan, GcpRecordPlan, GcpPrivateZonePlan, GcpDnsRulePlan, GcpFqdnRulePlan, GcpPolicyDenyPlan, GcpNetworkPlan } from "./networkPlan";
export { workerMetadataFor, planGcpWorkerPool, MAX_RUN_HOURS } from "./workerPoolPlan";
export type { GcpWorkerPoolPlanArgs, GcpWorkerPoolPlan } from "./workerPoolPlan";
export { gkeNodeConfigFor, planGkeNodePool } from "./gkeNodePoolPlan";
export type { GkeNodePoolPlanArgs, GkeNodePoolPlan } from "./gkeNodePoolPlan";
export { networkArgsFor, subnetworkArgsFor, firewallArgsFor, routeArgsFor, routerArgsFor, routerNatArgsFor, privateZoneArgsFor, recordSetArgsFor, responsePolicyArgsFor, responsePolicyRuleArgsFor, fqdnPolicyArgsFor, fqdnRuleArgsFor, policyDenyRuleArgsFor, instanceTemplateArgsFor, instanceGroupManagerArgsFor, autoscalerArgsFor } from "./mappings";
export { gcpNetworkControls, gcpWorkerPoolControls, gkeNodePoolControls } from "./controls";
export { GCP_SOURCES } from "./sources";
export { planPerimeter, GCP_PERIMETER_SERVICES } from "./vpcServiceControls";
export type { GcpVpcServiceControlsArgs, GcpPerimeterPlan } from "./vpcServiceControls";
export { GcpWorkerNetwork, GCP_WORKER_NETWORK_TYPE, planNetworkFor } from "./network";
export { GcpWorkerPool, GCP_WORKER_POOL_TYPE, planWorkerPoolFor, type GcpWorkerPoolArgs } from "./workerPool";
export { GcpGkeNodePool, GCP_GKE_NODE_POOL_TYPE, planGkeNodePoolFor, nodePoolArgsFor, type GcpGkeNodePoolArgs } from "./gkeNodePool";
