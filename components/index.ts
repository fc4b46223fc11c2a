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
// Named, not `export *`: the egress proxy's test-only allow-everything configuration (allowAllSquidConfigFor) stays
// out of the public API.
export { EgressDenyReason, EGRESS_LOG_FORMAT, EGRESS_LOG_TAG, EGRESS_LOG_FORMAT_BODY, parseEgressLogLine, egressDenials } from "./egressProxy/accessLog";
export type { EgressLogRecord } from "./egressProxy/accessLog";
export { INTERNAL_RANGES, NAT64_WELL_KNOWN_PREFIX, subtractCidrs, minimalCidrs, nat64Of, forbiddenNetworks, forbiddenCidrs } from "./egressProxy/ranges";
export type { InternalRange } from "./egressProxy/ranges";
export { DEFAULT_PROXY_CLIENTS, DEFAULT_PROXY_PORT, wildcardRegex, planSquidConfig, squidConfigFor } from "./egressProxy/squidConfig";
export type { SquidConfigOptions, SquidConfigPlan } from "./egressProxy/squidConfig";
export { PROXY_VM_PATHS, egressProxyCloudInit } from "./egressProxy/cloudInit";
export type { EgressProxyCloudInitArgs, EgressProxyCloudInit } from "./egressProxy/cloudInit";
export { proxyEnvFor, javaProxyOptionsFor } from "./egressProxy/proxyEnv";
export type { ProxyEnvVar } from "./egressProxy/proxyEnv";
export * from "../detect";
