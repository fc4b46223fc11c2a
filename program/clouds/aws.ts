/**
 * The AWS environment for the root program and `hardening plan --cloud aws`: an AwsWorkerNetwork and an
 * AwsWorkerPool built from the `hardening` stack config, with the `hardening:aws` settings block validated, all
 * problems at once, before anything is created.
 */
import * as pulumi from "@pulumi/pulumi";
import { getParameterOutput } from "@pulumi/aws/ssm/getParameter";
import { InvalidArgsError, SandboxMode, checkHardening, resolveHardening, show } from "../../components";
import { suggestion } from "../../components/suggest";
import type { CloudModule, EnvironmentConfig, EnvironmentResult } from "../environment";
import { awsNetworkControlsFor, awsWorkerPoolControlsFor } from "../../providers/aws/controls";
import { AwsWorkerNetwork } from "../../providers/aws/network";
import { AwsEgressProxyArgs, AwsFlowLogsArgs, AwsL7Filter, AwsNetworkFirewallArgs, AwsPrivateEndpointsArgs, AwsWorkerNetworkArgs, planAwsWorkerNetwork } from "../../providers/aws/networkPlan";
import { AwsWorkerPool } from "../../providers/aws/workerPool";
import { AwsWorkerContainerArgs, AwsWorkerPoolArgs, planAwsWorkerPool } from "../../providers/aws/workerPoolPlan";

/** The `hardening:aws` settings block. */
export interface AwsEnvironmentSettings {
  /** AMI of the EC2 hosts (sandbox "none"). @default the latest Amazon Linux 2023 AMI, from its public SSM parameter */
  imageId?: string;
  /** @default "t3.large" */
  instanceType?: string;
  /** @default 1 */
  minSize?: number;
  /** @default 3 */
  maxSize?: number;
  /** The caller's instance profile, with hostIdentity "minimal". @default undefined */
  instanceProfileArn?: string;
  /** ECS cluster the hosts join. @default undefined */
  ecsClusterName?: string;
  /** Boot script of the hosts. @default undefined */
  bootScript?: string;
  /** The Fargate container (sandbox "runtime"). @default { image: "kestra/kestra:latest", command: ["server", "worker"] } */
  container?: AwsWorkerContainerArgs;
  /** @default false */
  singleNatGateway?: boolean;
  /** @default { s3Gateway: true } */
  endpoints?: AwsPrivateEndpointsArgs;
  /** @default { destination: "cloudWatchLogs", retentionDays: 365 } */
  flowLogs?: AwsFlowLogsArgs;
  /**
   * What enforces names in the firewall tier: "networkFirewall" (AWS Network Firewall) or "egressProxy" (the Squid
   * proxy group, the cheap alternative; needs `egressProxy.imageId`). The workers then get the proxy's variables.
   * @default "networkFirewall"
   */
  l7Filter?: AwsL7Filter;
  /** The proxy group, with l7Filter "egressProxy". @default undefined */
  egressProxy?: AwsEgressProxyArgs;
  /**
   * Network Firewall's TLS inspection, with l7Filter "networkFirewall" in the firewall tier: a CA certificate ARN, or
   * `acceptSniSpoofing: true`; one of them is required when the allow-list has domain rules.
   * @default undefined
   */
  networkFirewall?: AwsNetworkFirewallArgs;
  /** @default false */
  accountMetadataDefaults?: boolean;
  /** @default {} */
  tags?: Record<string, string>;
}

const SETTINGS = [
  "imageId", "instanceType", "minSize", "maxSize", "instanceProfileArn", "ecsClusterName", "bootScript", "container",
  "singleNatGateway", "endpoints", "flowLogs", "l7Filter", "egressProxy", "networkFirewall", "accountMetadataDefaults", "tags",
];

/** The default worker container: Kestra's worker. Pin a digest in production (`hardening:aws.container.image`). */
export const DEFAULT_WORKER_CONTAINER: AwsWorkerContainerArgs = Object.freeze({ image: "kestra/kestra:latest", command: ["server", "worker"] });

/**
 * The Fargate container of the environment: the settings' container over the default, so a new image (a pinned
 * tag, an ECR copy) keeps the worker's `server worker` command unless the settings give another.
 */
export function workerContainer(settings: AwsWorkerContainerArgs | undefined): AwsWorkerContainerArgs {
  if (settings === undefined || settings === null || typeof settings !== "object") return settings ?? DEFAULT_WORKER_CONTAINER;
  return { ...settings, command: settings.command ?? [...(DEFAULT_WORKER_CONTAINER.command ?? [])] };
}

/** The public SSM parameter that names the current Amazon Linux 2023 AMI (x86_64). */
export const AL2023_AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";

/** The region the offline plan assumes. */
export const OFFLINE_REGION = "us-east-1";

function networkArgsFrom(config: EnvironmentConfig, s: AwsEnvironmentSettings): AwsWorkerNetworkArgs {
  return {
    hardening: config.hardening,
    cidr: config.networkCidr,
    zoneCount: config.zoneCount,
    singleNatGateway: s.singleNatGateway,
    endpoints: s.endpoints,
    flowLogs: s.flowLogs,
    l7Filter: s.l7Filter,
    egressProxy: s.egressProxy,
    networkFirewall: s.networkFirewall,
    tags: s.tags,
  };
}

function poolArgsFrom(config: EnvironmentConfig, s: AwsEnvironmentSettings, runtime: boolean, net: { subnetIds: pulumi.Input<string>[]; sg: pulumi.Input<string> }, imageId: pulumi.Input<string> | undefined): AwsWorkerPoolArgs {
  return {
    hardening: config.hardening,
    subnetIds: net.subnetIds,
    securityGroupIds: [net.sg],
    // Every setting is passed in both modes, so the pool's plan refuses the ones that do not fit the sandbox.
    imageId: runtime ? s.imageId : imageId,
    instanceType: s.instanceType,
    minSize: s.minSize,
    maxSize: s.maxSize,
    instanceProfileArn: s.instanceProfileArn,
    ecsClusterName: s.ecsClusterName,
    bootScript: s.bootScript,
    container: runtime ? workerContainer(s.container) : s.container,
    accountMetadataDefaults: s.accountMetadataDefaults,
    tags: s.tags,
  };
}

/** Checks the whole configuration, every problem at once; returns nothing, creates nothing. */
export function checkAwsEnvironment(config: EnvironmentConfig): string[] {
  const issues: string[] = [];
  const s = config.settings as AwsEnvironmentSettings;
  for (const key of Object.keys(s)) {
    if (!SETTINGS.includes(key)) issues.push(`hardening:aws.${key} is not a setting; ${suggestion(key, SETTINGS)}`);
  }
  const prefix = (list: readonly string[], where: string) => list.map((i) => (i.startsWith("hardening") ? i : `${where}${i}`));
  try {
    planAwsWorkerNetwork(networkArgsFrom(config, s));
  } catch (e) {
    if (!(e instanceof InvalidArgsError)) throw e;
    issues.push(...prefix(e.issues, "hardening:aws."));
  }
  let runtime = true;
  try {
    runtime = resolveHardening(config.hardening).sandbox === SandboxMode.Runtime;
  } catch {
    // Reported by the network's plan already.
  }
  try {
    // Placeholders for ids that exist only after creation: the pool checks their presence, not their values.
    planAwsWorkerPool(poolArgsFrom(config, s, runtime, { subnetIds: ["planned"], sg: "planned" }, s.imageId ?? "planned"));
  } catch (e) {
    if (!(e instanceof InvalidArgsError)) throw e;
    // The spec's own issues were listed by the network's plan; cross-field issues naming the spec are kept.
    const specIssues = new Set(checkHardening(config.hardening));
    issues.push(...prefix(e.issues.filter((i) => !specIssues.has(i)), "hardening:aws."));
  }
  if (s.imageId !== undefined && typeof s.imageId !== "string") issues.push(`hardening:aws.imageId ${show(s.imageId)} must be an AMI id string.`);
  return [...new Set(issues)];
}

/** Builds the AWS environment. Throws one error listing every problem before creating anything. */
export function createAwsEnvironment(config: EnvironmentConfig): EnvironmentResult {
  const issues = checkAwsEnvironment(config);
  if (issues.length > 0) throw new InvalidArgsError(issues);
  const s = config.settings as AwsEnvironmentSettings;
  const runtime = resolveHardening(config.hardening).sandbox === SandboxMode.Runtime;
  // The components plan again (and would refuse the same problems); the report comes from the same pure plans.
  const networkPlan = planAwsWorkerNetwork(networkArgsFrom(config, s));
  const network = new AwsWorkerNetwork(`${config.name}-net`, networkArgsFrom(config, s));
  const imageId = runtime ? undefined : (s.imageId ?? getParameterOutput({ name: AL2023_AMI_PARAMETER }).value);
  const pool = new AwsWorkerPool(`${config.name}-pool`, {
    ...poolArgsFrom(config, s, runtime, { subnetIds: network.workloadSubnetIds, sg: network.workerSecurityGroupId }, imageId),
    // With the egress proxy group the workers have no route out: its variables are their way out for names.
    ...(network.proxyEnv ? { proxyEnv: network.proxyEnv } : {}),
  });
  const poolPlan = planAwsWorkerPool(poolArgsFrom(config, s, runtime, { subnetIds: ["planned"], sg: "planned" }, imageId));
  return {
    controls: [...awsNetworkControlsFor(`${config.name}-net`, networkPlan), ...awsWorkerPoolControlsFor(`${config.name}-pool`, poolPlan)],
    outputs: {
      vpcId: network.networkId,
      workloadSubnetIds: network.workloadSubnetIds,
      workerSecurityGroupId: network.workerSecurityGroupId,
      ...(network.proxyUrl ? { proxyUrl: network.proxyUrl } : {}),
      ...(pool.launchTemplate ? { launchTemplateId: pool.launchTemplate.id, autoScalingGroupName: pool.autoScalingGroup?.name } : {}),
      ...(pool.service ? { clusterArn: pool.cluster?.arn, serviceName: pool.service.name } : {}),
    },
  };
}

const OFFLINE_ZONES = ["a", "b", "c", "d", "e", "f"].map((z) => `${OFFLINE_REGION}${z}`);

/**
 * What the offline plan assumes for provider functions: region us-east-1 with six regular zones, and a placeholder
 * Amazon Linux 2023 AMI id.
 */
export const awsOfflineCalls: Readonly<Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>>> = Object.freeze({
  "aws:index/getAvailabilityZones:getAvailabilityZones": () => ({
    id: OFFLINE_REGION,
    names: OFFLINE_ZONES,
    zoneIds: OFFLINE_ZONES.map((_, i) => `use1-az${i + 1}`),
    groupNames: OFFLINE_ZONES.map(() => OFFLINE_REGION),
    region: OFFLINE_REGION,
    state: "available",
  }),
  "aws:index/getRegion:getRegion": () => ({
    id: OFFLINE_REGION,
    name: OFFLINE_REGION,
    region: OFFLINE_REGION,
    endpoint: `ec2.${OFFLINE_REGION}.amazonaws.com`,
    description: "US East (N. Virginia)",
  }),
  "aws:index/getCallerIdentity:getCallerIdentity": () => ({
    id: "123456789012",
    accountId: "123456789012",
    arn: "arn:aws:iam::123456789012:user/offline",
    userId: "AIDAOFFLINE",
  }),
  "aws:ssm/getParameter:getParameter": (inputs) => ({
    id: String(inputs.name),
    name: String(inputs.name),
    arn: `arn:aws:ssm:${OFFLINE_REGION}::parameter${String(inputs.name)}`,
    type: "String",
    value: "ami-00000000000000000",
    insecureValue: "ami-00000000000000000",
    version: 1,
    withDecryption: true,
  }),
});

/** Outputs the environment reads from created resources, answered offline (ARNs, endpoint ids, versions). */
export function awsOfflineState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const service = type.split(":")[1]?.split("/")[0] ?? "offline";
  const state: Record<string, unknown> = { arn: `arn:aws:${service}:${OFFLINE_REGION}:123456789012:${name}` };
  if (type === "aws:networkfirewall/firewall:Firewall") {
    const mappings = (inputs.subnetMappings as { subnetId: string }[] | undefined) ?? [];
    state.firewallStatuses = [
      {
        syncStates: mappings.map((m, i) => ({
          availabilityZone: OFFLINE_ZONES[i % OFFLINE_ZONES.length],
          attachments: [{ endpointId: `vpce-${name}-${i + 1}`, subnetId: m.subnetId }],
        })),
        transitGatewayAttachmentSyncStates: [],
      },
    ];
  }
  if (type === "aws:ec2/vpcEndpoint:VpcEndpoint" && inputs.vpcEndpointType === "Gateway") state.prefixListId = "pl-63a5400a";
  if (type === "aws:ec2/launchTemplate:LaunchTemplate") state.latestVersion = 1;
  if (type === "aws:lb/loadBalancer:LoadBalancer") state.dnsName = `${name}-0123456789.elb.${OFFLINE_REGION}.amazonaws.com`;
  return state;
}

/** The AWS cloud module, as program/environment.ts loadCloud("aws") expects it. */
export const cloudModule: CloudModule = {
  cloud: "aws",
  createEnvironment: createAwsEnvironment,
  offlineCalls: awsOfflineCalls,
  offlineState: awsOfflineState,
};
