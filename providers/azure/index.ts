/**
 * pulumi-hardening/azure: hardened worker environments on Azure with @pulumi/azure-native 3.x. The components
 * (AzureWorkerNetwork, AzureWorkerPool, AzureAksNodePool), the pure spec-to-native mappings they are built from,
 * and the controls reports. See docs/azure.md for what each control stops and what it does not.
 */
export { imdsServiceTagDenyAllowed, deniesImdsServiceTag, checkImdsServiceTagRequest, egressPathFor, nsgRulesFor, firewallRuleCollectionsFor, dnsAllowedDomainsFor, planAzureWorkerNetwork, AzureEgressPath, NSG_PRIORITY } from "./networkPlan";
export type { NsgRule, FirewallApplicationRule, FirewallNetworkRule, FirewallRuleCollection, AzureNetworkPlanArgs, AzureNetworkPlan } from "./networkPlan";
export { noLoginSshPublicKey, vmssSecurityProfileFor, vmssIdentityFor, vmssOsDiskFor, automaticRepairsPolicyFor, healthExtensionFor, lifetimeCloudConfig, workerCustomDataFor, planAzureWorkerPool, DEFAULT_WORKER_IMAGE, DEFAULT_WORKER_VM_SIZE, LIFETIME_HEALTH_PORT, NO_LOGIN_KEY_SEED } from "./workerPoolPlan";
export type { AzureImageReference, AzureWorkerPoolPlanArgs, LifetimePlan, AzureWorkerPoolPlan } from "./workerPoolPlan";
export { aksNodePoolSettingsFor, aksClusterSettingsFor, planAksNodePool, AKS_KATA_RUNTIME_CLASS, DEFAULT_AKS_VM_SIZE } from "./aksNodePoolPlan";
export type { AksNodePoolPlanArgs, AksNodePoolSettings, AksNodePoolPlan, AksClusterSettings, AksPreviewSettings } from "./aksNodePoolPlan";
export { azureNetworkControls, azureWorkerPoolControls, azureAksNodePoolControls } from "./controls";
export { AzureWorkerNetwork } from "./network";
export type { AzureWorkerNetworkArgs } from "./network";
export { AzureWorkerPool } from "./workerPool";
export type { AzureWorkerPoolArgs } from "./workerPool";
export { AzureAksNodePool } from "./aksNodePool";
export type { AzureAksNodePoolArgs } from "./aksNodePool";
