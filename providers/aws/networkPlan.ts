/**
 * Planning of the AWS worker network: which subnets, route tables, gateways, endpoints, firewalls and flow logs
 * to create, decided in plain data from the resolved spec and the arguments. Validates everything and throws one
 * InvalidArgsError listing every problem; creates nothing.
 */
import {
  EgressMode,
  EgressTier,
  HardeningSpec,
  InvalidArgsError,
  PlannedSubnet,
  ResolvedHardening,
  WorkloadSubnetMode,
  planSubnets,
  resolveHardeningInto,
  show,
} from "../../components";
import {
  AWS_SERVICE_DOMAINS,
  AwsEgressRulePlan,
  AwsStatefulRule,
  dnsFirewallDomainsFor,
  networkFirewallCidrRulesFor,
  networkFirewallTargetsFor,
  securityGroupEgressFor,
} from "./egress";

/** AWS services that can get an interface VPC endpoint in the worker subnets. */
export const AwsInterfaceEndpoint = {
  /** Amazon ECR API (`com.amazonaws.<region>.ecr.api`). */
  EcrApi: "ecr.api",
  /** Amazon ECR Docker registry (`ecr.dkr`); image layers come through the S3 gateway endpoint. */
  EcrDkr: "ecr.dkr",
  /** AWS STS. */
  Sts: "sts",
  /** CloudWatch Logs. */
  Logs: "logs",
  /** Systems Manager. */
  Ssm: "ssm",
  /** Systems Manager Session Manager channels. */
  SsmMessages: "ssmmessages",
  /** EC2 messages (SSM agent). */
  Ec2Messages: "ec2messages",
  /** Amazon ECS control plane (EC2 hosts running the ECS agent). */
  Ecs: "ecs",
  /** Amazon ECS agent endpoint. */
  EcsAgent: "ecs-agent",
  /** Amazon ECS telemetry endpoint. */
  EcsTelemetry: "ecs-telemetry",
} as const;
/** An AWS service that can get an interface VPC endpoint. */
export type AwsInterfaceEndpoint = (typeof AwsInterfaceEndpoint)[keyof typeof AwsInterfaceEndpoint];

/** Where VPC flow logs are delivered. */
export const FlowLogDestination = {
  /** A CloudWatch Logs group the network creates, with a retention period and a delivery role scoped to it. */
  CloudWatchLogs: "cloudWatchLogs",
  /** An S3 bucket the caller owns (no role needed: delivery uses the bucket policy). */
  S3: "s3",
} as const;
/** Where VPC flow logs are delivered. */
export type FlowLogDestination = (typeof FlowLogDestination)[keyof typeof FlowLogDestination];

/** Private endpoints to AWS services, so workers reach them without a route out. */
export interface AwsPrivateEndpointsArgs {
  /**
   * Create an S3 gateway endpoint on the worker route tables (free). ECR keeps image layers in S3, so workers
   * pull images through it in the `denyAll` tier.
   * @default true
   */
  s3Gateway?: boolean;
  /**
   * Buckets (ARNs, `arn:aws:s3:::name`) that the S3 endpoint policy lets workers read and write, e.g. Kestra's
   * internal storage; ECR's layer bucket for the region is always readable. Every other bucket is refused.
   * @default []
   */
  s3BucketArns?: string[];
  /**
   * Interface endpoints to create in the worker subnets, with private DNS and their own security group.
   * @default []
   */
  interfaceServices?: AwsInterfaceEndpoint[];
}

/** VPC flow logs for the worker subnets. */
export interface AwsFlowLogsArgs {
  /**
   * Record flow logs for every worker subnet.
   * @default true
   */
  enabled?: boolean;
  /**
   * Where the logs go.
   * @default "cloudWatchLogs"
   */
  destination?: FlowLogDestination;
  /**
   * Retention of the CloudWatch Logs group, in days; one of the values CloudWatch accepts.
   * @default 365
   */
  retentionDays?: number;
  /** The S3 bucket ARN, required with `destination: "s3"`. @default undefined */
  s3BucketArn?: string;
  /** A KMS key ARN for the CloudWatch Logs group (its key policy must allow CloudWatch Logs). @default undefined (AWS-owned key) */
  kmsKeyArn?: string;
}

/** Arguments of {@link AwsWorkerNetwork}. */
export interface AwsWorkerNetworkArgs {
  /**
   * The hardening contract; resolved and validated before anything is created.
   * @default {} (the strictest settings)
   */
  hardening?: HardeningSpec;
  /**
   * The VPC's IPv4 CIDR, /16 to /24.
   * @default "10.42.0.0/16"
   */
  cidr?: string;
  /**
   * Availability zones to spread the worker subnets over (1-6).
   * @default 2
   */
  zoneCount?: number;
  /**
   * One NAT gateway in the first zone instead of one per zone: cheaper, but egress stops when that zone fails and
   * cross-zone traffic is billed. Only used when the workers route out.
   * @default false
   */
  singleNatGateway?: boolean;
  /**
   * Private endpoints to AWS services.
   * @default { s3Gateway: true, s3BucketArns: [], interfaceServices: [] }
   */
  endpoints?: AwsPrivateEndpointsArgs;
  /**
   * VPC flow logs for the worker subnets.
   * @default { enabled: true, destination: "cloudWatchLogs", retentionDays: 365 }
   */
  flowLogs?: AwsFlowLogsArgs;
  /**
   * Tags for every resource the network creates (besides `Name` and `hardening:role`).
   * @default {}
   */
  tags?: Record<string, string>;
}

/** What a route sends its traffic to. */
export type AwsRouteTarget =
  | { readonly kind: "internetGateway" }
  | { readonly kind: "natGateway"; readonly zoneIndex: number }
  | { readonly kind: "firewallEndpoint"; readonly zoneIndex: number };

/** One planned route. */
export interface AwsPlannedRoute {
  /** Destination IPv4 CIDR. */
  readonly destination: string;
  /** Next hop. */
  readonly target: AwsRouteTarget;
}

/** One planned route table, associated with one subnet of the same key. */
export interface AwsPlannedRouteTable {
  /** The subnet key it serves (`workload-1`, `egress-1`, `firewall-1`). */
  readonly subnetKey: string;
  /** Routes besides the VPC's implicit local route. */
  readonly routes: readonly AwsPlannedRoute[];
}

/** The Network Firewall configuration of the `firewall` tier. */
export interface AwsNetworkFirewallPlan {
  /** Domain-list targets (TLS SNI and HTTP Host), in Network Firewall spelling. */
  readonly domainTargets: readonly string[];
  /** 5-tuple rules for the allow-list's CIDR rules. */
  readonly cidrRules: readonly AwsStatefulRule[];
  /** HOME_NET: the VPC CIDR. */
  readonly homeNet: string;
}

/** The DNS Firewall configuration. */
export interface AwsDnsFirewallPlan {
  /** Names from the allow-list: ALLOW. */
  readonly allowedDomains: readonly string[];
  /** AWS service and EC2-internal names: ALLOW. */
  readonly awsServiceDomains: readonly string[];
}

/** Everything the network creates, decided before the first resource. */
export interface AwsWorkerNetworkPlan {
  /** The resolved spec. */
  readonly hardening: ResolvedHardening;
  /** The VPC CIDR. */
  readonly cidr: string;
  /** Zones used. */
  readonly zoneCount: number;
  /** Every subnet: workload per zone, then egress and firewall subnets where the tier needs them. */
  readonly subnets: readonly PlannedSubnet[];
  /** One route table per subnet. */
  readonly routeTables: readonly AwsPlannedRouteTable[];
  /** Whether workers route out at all (NAT gateways and an internet gateway exist). */
  readonly routesOut: boolean;
  /** Zones that hold a NAT gateway (empty when `routesOut` is false). */
  readonly natZones: readonly number[];
  /** The worker security group's egress rules; it has no ingress rules. */
  readonly securityGroupEgress: readonly AwsEgressRulePlan[];
  /** The S3 gateway endpoint, if any. */
  readonly s3Gateway: { readonly bucketArns: readonly string[] } | undefined;
  /** Interface endpoints, sorted. */
  readonly interfaceServices: readonly AwsInterfaceEndpoint[];
  /** DNS Firewall, if any. */
  readonly dnsFirewall: AwsDnsFirewallPlan | undefined;
  /** Network Firewall, if any. */
  readonly networkFirewall: AwsNetworkFirewallPlan | undefined;
  /** Flow logs, if any. */
  readonly flowLogs: { readonly destination: FlowLogDestination; readonly retentionDays?: number; readonly s3BucketArn?: string; readonly kmsKeyArn?: string } | undefined;
  /** Extra tags. */
  readonly tags: Readonly<Record<string, string>>;
}

/** Retention values CloudWatch Logs accepts (PutRetentionPolicy). */
export const CLOUDWATCH_RETENTION_DAYS: readonly number[] = Object.freeze([
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
]);

const S3_BUCKET_ARN = /^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const NETWORK_FIELDS = ["hardening", "cidr", "zoneCount", "singleNatGateway", "endpoints", "flowLogs", "tags"];

function checkNetworkArgs(args: AwsWorkerNetworkArgs, spec: ResolvedHardening | undefined, issues: string[]): void {
  for (const key of Object.keys(args)) {
    if (!NETWORK_FIELDS.includes(key) && (args as Record<string, unknown>)[key] !== undefined) {
      issues.push(`${key} is not an argument; known arguments: ${NETWORK_FIELDS.join(", ")}.`);
    }
  }
  const ep = args.endpoints ?? {};
  const services = Object.values(AwsInterfaceEndpoint) as string[];
  (ep.interfaceServices ?? []).forEach((s, i) => {
    if (!services.includes(s)) issues.push(`endpoints.interfaceServices[${i}] ${show(s)} is not one of ${services.map((v) => `"${v}"`).join(", ")}.`);
  });
  (ep.s3BucketArns ?? []).forEach((arn, i) => {
    if (typeof arn !== "string" || !S3_BUCKET_ARN.test(arn)) {
      issues.push(`endpoints.s3BucketArns[${i}] ${show(arn)} is not an S3 bucket ARN; expected arn:aws:s3:::bucket-name.`);
    }
  });
  if ((ep.s3BucketArns ?? []).length > 0 && ep.s3Gateway === false) {
    issues.push(`endpoints.s3BucketArns lists buckets but endpoints.s3Gateway is false; enable the gateway or remove the buckets.`);
  }
  const fl = args.flowLogs ?? {};
  const destinations = Object.values(FlowLogDestination) as string[];
  if (fl.destination !== undefined && !destinations.includes(fl.destination)) {
    issues.push(`flowLogs.destination ${show(fl.destination)} is not one of ${destinations.map((v) => `"${v}"`).join(", ")}.`);
  }
  if (fl.retentionDays !== undefined && !CLOUDWATCH_RETENTION_DAYS.includes(fl.retentionDays)) {
    issues.push(`flowLogs.retentionDays ${show(fl.retentionDays)} is not a CloudWatch Logs retention; use one of ${CLOUDWATCH_RETENTION_DAYS.join(", ")}.`);
  }
  if (fl.destination === FlowLogDestination.S3) {
    if (typeof fl.s3BucketArn !== "string" || !S3_BUCKET_ARN.test(fl.s3BucketArn)) {
      issues.push(`flowLogs.s3BucketArn ${show(fl.s3BucketArn)} must be an S3 bucket ARN (arn:aws:s3:::bucket-name) with flowLogs.destination "s3".`);
    }
    if (fl.retentionDays !== undefined) issues.push(`flowLogs.retentionDays is set but destination is "s3"; use an S3 lifecycle rule on the bucket instead.`);
    if (fl.kmsKeyArn !== undefined) issues.push(`flowLogs.kmsKeyArn is set but destination is "s3"; set the bucket's default encryption instead.`);
  } else if (fl.s3BucketArn !== undefined) {
    issues.push(`flowLogs.s3BucketArn is set but flowLogs.destination is not "s3"; set destination to "s3" or remove the bucket.`);
  }
  if (spec) {
    spec.egress.allow.forEach((r) => {
      if (r.kind === "cidr" && r.ipVersion === 6) {
        issues.push(`hardening.egress.allow: cidr ${show(r.cidr)} is IPv6, but the AWS worker network is IPv4-only (no IPv6 CIDR, no egress-only gateway); remove the rule.`);
      }
    });
  }
  for (const [k, v] of Object.entries(args.tags ?? {})) {
    if (k === "Name" || k.startsWith("hardening:") || k.startsWith("aws:")) issues.push(`tags.${k} is reserved; the network sets Name and hardening:* itself.`);
    if (typeof v !== "string") issues.push(`tags.${k} ${show(v)} must be a string.`);
  }
}

/**
 * Decides the whole network. Throws InvalidArgsError listing every problem in the spec and the arguments.
 *
 * Routing by tier (link-local services such as IMDS answer whatever the routes say, so routes only govern the rest):
 * - no way out (`workloadSubnet: "isolated"`, or `egress.mode: "denyAll"`): worker route tables hold only the
 *   VPC's local route (and the S3 gateway endpoint's prefix-list route): "an isolated subnet has no routes to
 *   destinations outside its VPC" (VPC UG, subnet types);
 * - `basic`/`dns`: worker 0.0.0.0/0 -> NAT gateway (same zone) -> egress subnet -> internet gateway;
 * - `firewall`: worker 0.0.0.0/0 -> firewall endpoint (same zone) -> firewall subnet 0.0.0.0/0 -> NAT -> IGW,
 *   and back: the egress subnet routes each worker CIDR to the firewall endpoint of that worker's zone.
 */
export function planAwsWorkerNetwork(args: AwsWorkerNetworkArgs): AwsWorkerNetworkPlan {
  const issues: string[] = [];
  const hardening = resolveHardeningInto(args.hardening, issues);
  checkNetworkArgs(args, hardening, issues);
  const spec = hardening;
  const routesOut = spec !== undefined && spec.workloadSubnet === WorkloadSubnetMode.Private && spec.egress.mode === EgressMode.AllowList;
  const firewallTier = routesOut && spec?.egress.tier === EgressTier.Firewall;
  let subnets: PlannedSubnet[] = [];
  let networkCidr = "";
  try {
    const plan = planSubnets({
      networkCidr: args.cidr ?? "10.42.0.0/16",
      zoneCount: args.zoneCount ?? 2,
      egressSubnets: routesOut,
      firewallSubnets: firewallTier,
    });
    subnets = [...plan.subnets];
    networkCidr = plan.networkCidr;
  } catch (e) {
    if (!(e instanceof InvalidArgsError)) throw e;
    issues.push(...e.issues.map((i) => i.replace(/^networkCidr /, "cidr ")));
  }
  if (issues.length > 0 || spec === undefined) throw new InvalidArgsError(issues);

  const zoneCount = args.zoneCount ?? 2;
  const natZones = routesOut ? (args.singleNatGateway ? [0] : [...Array(zoneCount).keys()]) : [];
  // With one NAT gateway only the first zone's egress subnet is used; the others are not created.
  subnets = subnets.filter((s) => s.role !== "egress" || natZones.includes(s.zoneIndex));
  const natFor = (zone: number) => (natZones.includes(zone) ? zone : natZones[0]);
  const workloads = subnets.filter((s) => s.role === "workload");

  const routeTables: AwsPlannedRouteTable[] = subnets.map((s) => {
    const routes: AwsPlannedRoute[] = [];
    if (s.role === "workload" && routesOut) {
      routes.push({
        destination: "0.0.0.0/0",
        target: firewallTier ? { kind: "firewallEndpoint", zoneIndex: s.zoneIndex } : { kind: "natGateway", zoneIndex: natFor(s.zoneIndex) },
      });
    } else if (s.role === "firewall") {
      routes.push({ destination: "0.0.0.0/0", target: { kind: "natGateway", zoneIndex: natFor(s.zoneIndex) } });
    } else if (s.role === "egress") {
      routes.push({ destination: "0.0.0.0/0", target: { kind: "internetGateway" } });
      if (firewallTier) {
        // Return path: the NAT gateway's replies to a worker must cross the same firewall endpoint the request
        // crossed, or the stateful engine sees half a flow and drops it. A route whose destination is exactly a
        // subnet's CIDR may be more specific than the VPC's local route (VPC UG, "middlebox" routing), so each
        // worker CIDR points at the endpoint in the worker's own zone, whichever zone the NAT gateway is in.
        for (const w of workloads) routes.push({ destination: w.cidr, target: { kind: "firewallEndpoint", zoneIndex: w.zoneIndex } });
      }
    }
    return { subnetKey: s.key, routes };
  });

  const endpoints = args.endpoints ?? {};
  const s3Gateway = endpoints.s3Gateway === false ? undefined : { bucketArns: [...new Set(endpoints.s3BucketArns ?? [])] };
  const interfaceServices = [...new Set(endpoints.interfaceServices ?? [])].sort();
  const dnsTier = spec.egress.mode === EgressMode.DenyAll || (spec.egress.mode === EgressMode.AllowList && spec.egress.tier !== EgressTier.Basic);
  const fl = args.flowLogs ?? {};
  const flowLogs =
    fl.enabled === false
      ? undefined
      : fl.destination === FlowLogDestination.S3
        ? { destination: FlowLogDestination.S3, s3BucketArn: fl.s3BucketArn }
        : { destination: FlowLogDestination.CloudWatchLogs, retentionDays: fl.retentionDays ?? 365, kmsKeyArn: fl.kmsKeyArn };
  return {
    hardening: spec,
    cidr: networkCidr,
    zoneCount,
    subnets,
    routeTables,
    routesOut,
    natZones,
    securityGroupEgress: securityGroupEgressFor(spec, { s3Gateway: s3Gateway !== undefined, interfaceEndpoints: interfaceServices.length > 0 }),
    s3Gateway,
    interfaceServices,
    dnsFirewall: dnsTier ? { allowedDomains: dnsFirewallDomainsFor(spec), awsServiceDomains: AWS_SERVICE_DOMAINS } : undefined,
    networkFirewall: firewallTier
      ? { domainTargets: networkFirewallTargetsFor(spec), cidrRules: networkFirewallCidrRulesFor(spec), homeNet: networkCidr }
      : undefined,
    flowLogs,
    tags: { ...(args.tags ?? {}) },
  };
}

/**
 * The resolved spec in the contract's own shape (every default filled in, rules normalised), for a component's
 * `hardening` output: schema-friendly, unlike ResolvedHardening's internal fields (`kind`, `except`).
 */
export function hardeningSpecOf(spec: ResolvedHardening): HardeningSpec {
  return {
    metadataEndpoint: spec.metadataEndpoint,
    workloadSubnet: spec.workloadSubnet,
    egress: {
      mode: spec.egress.mode,
      tier: spec.egress.tier,
      allow: spec.egress.allow.map((r) => ({
        ...(r.kind === "cidr" ? { cidr: r.cidr } : { domain: r.domain }),
        protocol: r.protocol,
        ports: [...r.ports],
        description: r.description,
      })),
    },
    sandbox: spec.sandbox,
    hostIdentity: spec.hostIdentity,
    ephemeral: { maxLifetimeHours: spec.ephemeral.maxLifetimeHours },
  };
}
