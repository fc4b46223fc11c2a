/**
 * pulumi-hardening: the cloud-neutral contract. Imports no cloud SDK and nothing from @pulumi/policy, so the
 * policy pack, the CLI and every provider can share it.
 */
export * from "./errors";
export * from "./spec";
export * from "./resolve";
export * from "./endpoints";
export * from "./cidr";
export * from "./metadataNetworks";
export * from "./controls";
export * from "./plan/subnets";
export * from "./hostFirewall";
export * from "./egressProxy";
export * from "./hostBoot";
export * from "./kestraTaskRunner";
