/**
 * pulumi-hardening/aws: hardened worker environments on AWS. The components implement the common hardening
 * contract with the controls that work on AWS (IMDS options, the host firewall, Fargate, no instance profile,
 * egress allow-lists) and report the ones that do not (a security-group deny of 169.254.169.254).
 */
export { AwsWorkerNetwork, DNS_FIREWALL_PRIORITIES } from "./network";
export { AwsWorkerPool } from "./workerPool";
export { planAwsWorkerNetwork, awsProxyEnvFor, awsProxyUrlFor, hardeningSpecOf, AwsInterfaceEndpoint, FlowLogDestination, AwsL7Filter, CLOUDWATCH_RETENTION_DAYS } from "./networkPlan";
export type { AwsPrivateEndpointsArgs, AwsEgressProxyArgs, AwsFlowLogsArgs, AwsWorkerNetworkArgs, AwsRouteTarget, AwsPlannedRoute, AwsPlannedRouteTable, AwsNetworkFirewallPlan, AwsEgressProxyPlan, AwsDnsFirewallPlan, AwsWorkerNetworkPlan } from "./networkPlan";
export { maxInstanceLifetimeFor, planAwsWorkerPool, userDataFor, containerDefinitionsFor, AWS_MIN_INSTANCE_LIFETIME_SECONDS, SCRATCH_VOLUME } from "./workerPoolPlan";
export type { AwsWorkerContainerArgs, AwsWorkerPoolArgs, AwsEc2PoolPlan, AwsFargatePlan, AwsWorkerPoolPlan } from "./workerPoolPlan";
export { metadataOptionsFor, instanceMetadataDefaultsFor } from "./metadataOptions";
export type { AwsMetadataOptions, AwsInstanceMetadataDefaults } from "./metadataOptions";
export { ec2Description, securityGroupEgressFor, dnsFirewallDomainsFor, networkFirewallTargetsFor, networkFirewallCidrRulesFor, ecrLayerBucketArn, s3EndpointPolicyFor, AwsEgressTarget, ANY_IPV4, AWS_SERVICE_DOMAINS, NETWORK_FIREWALL_STATEFUL_DEFAULT_ACTIONS } from "./egress";
export type { AwsEgressRulePlan, AwsEndpointEgress, AwsProxyEgress, AwsStatefulRule } from "./egress";
export { awsNetworkControlsFor, awsWorkerPoolControlsFor, AWS_SOURCES } from "./controls";
export { networkFirewallTlsInspectionFor, tlsInspectionConfigurationFor, awsServiceDomainsFor, ECS_AGENT_CHANNELS, ECS_CHANNEL_PLACEHOLDER, TLS_REVOCATION_ACTION } from "./egress";
export type { AwsTlsInspectionPlan } from "./egress";
export type { AwsNetworkFirewallArgs } from "./networkPlan";
