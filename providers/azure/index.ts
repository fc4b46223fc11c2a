/**
 * pulumi-hardening/azure: hardened worker environments on Azure with @pulumi/azure-native 3.x. The components
 * (AzureWorkerNetwork, AzureWorkerPool, AzureAksNodePool), the pure spec-to-native mappings they are built from,
 * and the controls reports. See docs/azure.md for what each control stops and what it does not.
 */
export * from "./networkPlan";
export * from "./workerPoolPlan";
export * from "./aksPlan";
export * from "./controls";
export * from "./network";
export * from "./workerPool";
export * from "./aksNodePool";
