/**
 * pulumi-hardening/gcp: hardened worker environments on Google Cloud. The components (GcpWorkerNetwork,
 * GcpWorkerPool, GcpGkeNodePool), their pure planners and mappings, and the controls reports.
 *
 * On GCP no VPC firewall rule or firewall policy protects the metadata server ("Google Cloud always allows
 * communication between a VM instance and its corresponding metadata server"); these components rely on no
 * service account (or a dedicated minimal one), a host firewall, GKE_METADATA and GKE Sandbox instead.
 */
export * from "./googleApis";
export * from "./identity";
export * from "./networkPlan";
export * from "./workerPoolPlan";
export * from "./gkeNodePoolPlan";
export * from "./mappings";
export * from "./controls";
export * from "./sources";
export { GcpWorkerNetwork, GCP_WORKER_NETWORK_TYPE, planNetworkFor } from "./network";
export { GcpWorkerPool, GCP_WORKER_POOL_TYPE, planWorkerPoolFor, type GcpWorkerPoolArgs } from "./workerPool";
export { GcpGkeNodePool, GCP_GKE_NODE_POOL_TYPE, planGkeNodePoolFor, nodePoolArgsFor, type GcpGkeNodePoolArgs } from "./gkeNodePool";
