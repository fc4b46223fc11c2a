/**
 * pulumi-hardening/aws: hardened worker environments on AWS. The components implement the common hardening
 * contract with the controls that work on AWS (IMDS options, the host firewall, Fargate, no instance profile,
 * egress allow-lists) and report the ones that do not (a security-group deny of 169.254.169.254).
 */
export { AwsWorkerNetwork, DNS_FIREWALL_PRIORITIES } from "./network";
export { AwsWorkerPool } from "./workerPool";
export * from "./networkPlan";
export * from "./workerPoolPlan";
export * from "./metadataOptions";
export * from "./egress";
export * from "./controls";
