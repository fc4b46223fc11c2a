/**
 * pulumi-hardening: the cloud-neutral contract. Imports no cloud SDK and nothing from @pulumi/policy, so the
 * policy pack, the CLI and every provider can share it.
 */
export { throwIfIssues, show, InvalidArgsError } from "./errors";
export { MetadataEndpointMode, WorkloadSubnetMode, EgressMode, EgressTier, EgressProtocol, SandboxMode, HostIdentityMode, DEFAULT_HARDENING } from "./spec";
export type { EgressRule, EgressSpec, EphemeralSpec, HardeningSpec, ResolvedEgressRule, ResolvedHardening } from "./spec";
export { checkHardening, resolveHardening, resolveHardeningInto } from "./resolve";
export { defineHardening } from "./defineHardening";
export type { ReadonlyDeep } from "./defineHardening";
export { endpointsFor, metadataAddresses, metadataHostnames, endpointsServing, EndpointCloud, METADATA_ENDPOINTS, DENIED_RANGES, PROTECTED_SERVICES, WILDCARD_DNS_SERVICES } from "./endpoints";
export type { Confidence, MetadataEndpoint, ProtectedService } from "./endpoints";
export { bitsOf, formatAddress, isIpAddress, parseAddress, parseCidr, mustParseCidr, sizeOf, lastOf, formatCidr, cidrContains, cidrOverlaps, hostCidr } from "./cidr";
export type { Cidr, ParsedCidr } from "./cidr";
export { metadataCidrs, carveOutFor, METADATA_NETWORKS } from "./metadataNetworks";
export type { MetadataNetwork, CarveOut } from "./metadataNetworks";
export { ControlFamily } from "./controls";
export type { ControlReport, HardenedComponentOutputs } from "./controls";
export { planSubnets, ipv6SubnetCidr, subnetSize } from "./plan/subnets";
export type { SubnetPlanArgs, SubnetRole, PlannedSubnet, SubnetPlan } from "./plan/subnets";
export { hostFirewallRules, hostFirewallScript, AGENT_EXCEPTIONS, HOST_FIREWALL_CHAINS, HOST_FIREWALL_PATH, HOST_FIREWALL_UNIT, HOST_FIREWALL_STATE_DIR } from "./hostFirewall";
export type { HostFirewallCloud, HostFirewallContainers, HostFirewallAgentException, HostFirewallArgs, HostFirewallFamilyRules, HostFirewallRules } from "./hostFirewall";
export { hostBootUserData, hostBootStartupScript, hostBootInstaller, hostBootUnits, checkBootScript, checkImageFamily, proxyEnvScript, GATED_RUNTIMES, HARDENED_DOCKER_DAEMON, DOCKER_USERNS_SOURCE, HOST_FIREWALL_PRECONDITIONS, UNSUPPORTED_IMAGE_FAMILIES } from "./hostBoot";
export type { HostBootArgs, BootFile, BootLink } from "./hostBoot";
export { kestraForcedRunnerConfig, KESTRA_RUNNER_TYPES, KESTRA_DOCKER_RUN_TASK } from "./kestraTaskRunner";
export type { KestraForcedRunner, KestraDockerRunnerOptions, KestraKubernetesRunnerSettings, KestraForcedRunnerOptions, KestraPluginDefault, KestraPluginConfiguration, KestraForcedRunnerConfig } from "./kestraTaskRunner";
// Named, not `export *`: the egress proxy's test-only allow-everything configuration (allowAllSquidConfigFor) stays
// out of the public API.
export { EgressDenyReason, EGRESS_LOG_FORMAT, EGRESS_LOG_TAG, EGRESS_LOG_FORMAT_BODY, parseEgressLogLine, egressDenials } from "./egressProxy/accessLog";
export type { EgressLogRecord } from "./egressProxy/accessLog";
export { INTERNAL_RANGES, NAT64_WELL_KNOWN_PREFIX, PROXY_SELF_RANGES, subtractCidrs, minimalCidrs, nat64Of, forbiddenNetworks, forbiddenCidrs, forbiddenForNames } from "./egressProxy/ranges";
export type { InternalRange } from "./egressProxy/ranges";
export { DEFAULT_PROXY_CLIENTS, DEFAULT_PROXY_PORT, wildcardRegex, planSquidConfig, squidConfigFor } from "./egressProxy/squidConfig";
export type { SquidConfigOptions, SquidConfigPlan } from "./egressProxy/squidConfig";
export { PROXY_VM_PATHS, egressProxyCloudInit } from "./egressProxy/cloudInit";
export type { EgressProxyCloudInitArgs, EgressProxyCloudInit } from "./egressProxy/cloudInit";
export { proxyEnvFor, javaProxyOptionsFor } from "./egressProxy/proxyEnv";
export type { ProxyEnvVar } from "./egressProxy/proxyEnv";
