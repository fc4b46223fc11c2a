/**
 * Planning of the AWS worker network: which subnets, route tables, gateways, endpoints, firewalls and flow logs
 * to create, decided in plain data from the resolved spec and the arguments. Validates everything and throws one
 * InvalidArgsError listing every problem; creates nothing.
 */
import { checkWorkerNetworkCidr } from "../../components/workerNetworkRange";
import type * as pulumi from "@pulumi/pulumi";
import {
  EgressMode,
  EgressTier,
  HardeningSpec,
  InvalidArgsError,
  MetadataEndpointMode,
  egressProxyCloudInit,
  javaProxyOptionsFor,
  proxyEnvFor,
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
  ANY_IPV4,
  AwsTlsInspectionPlan,
  dnsFirewallDomainsFor,
  ec2Description,
  networkFirewallCidrRulesFor,
  networkFirewallTargetsFor,
  networkFirewallTlsInspectionFor,
  securityGroupEgressFor,
} from "./egress";
import { AwsMetadataOptions, metadataOptionsFor } from "./metadataOptions";
import { checkEnum, checkFields, isRecord, wholeNumberOr } from "../../components/validation";

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

/** What enforces domain names in the `firewall` egress tier. */
export const AwsL7Filter = {
  /** AWS Network Firewall: SNI/Host allow-list on every connection, one endpoint per zone (billed per endpoint-hour and per GB). */
  NetworkFirewall: "networkFirewall",
  /**
   * A small group of Squid proxies (the package's egress proxy) behind an internal Network Load Balancer, the cheap
   * alternative: workers have no route out at all and reach allowed names only through the proxy.
   */
  EgressProxy: "egressProxy",
} as const;
/** What enforces domain names in the `firewall` egress tier. */
export type AwsL7Filter = (typeof AwsL7Filter)[keyof typeof AwsL7Filter];

/** The egress proxy group (`l7Filter: "egressProxy"`): Squid on EC2, configured by cloud-init from the spec. */
export interface AwsEgressProxyArgs {
  /**
   * AMI of the proxy hosts: Debian 12 or Ubuntu 22.04 or newer (their `squid` package is 5.x, which the rendered
   * configuration targets), for `instanceType`'s architecture. Required.
   */
  imageId?: pulumi.Input<string>;
  /**
   * EC2 instance type of the proxy hosts.
   * @default "t3.small"
   */
  instanceType?: string;
  /**
   * Number of proxy hosts, spread over the zones: two or more, so one host (or zone) can fail or be replaced.
   * @default 2
   */
  instanceCount?: number;
  /**
   * The port Squid listens on, and the load balancer's.
   * @default 3128
   */
  port?: number;
  /**
   * Largest age of a proxy host before Auto Scaling replaces it, in days (1-365).
   * @default 7
   */
  maxLifetimeDays?: number;
  /**
   * Hosts and domains workers reach without the proxy (NO_PROXY), besides loopback: AWS endpoints the workers reach
   * through VPC endpoints, in-VPC services.
   * @default []
   */
  noProxy?: string[];
  /**
   * Names of the package mirror the proxy hosts install Squid from at boot; the DNS Firewall allows them (and
   * their CNAME chains) and the hosts may reach them on tcp/80 and tcp/443. The Debian AMIs' default mirrors
   * [verify for your AMI: Ubuntu uses <region>.ec2.archive.ubuntu.com].
   * @default ["deb.debian.org", "cdn-aws.deb.debian.org", "security.debian.org"]
   */
  packageMirrors?: string[];
}

/**
 * How AWS Network Firewall (`l7Filter: "networkFirewall"`) treats TLS. Its domain list matches the SNI the client
 * chooses ("For HTTPS traffic, domain filtering is SNI-based", Network Firewall API RulesSourceList), so without TLS
 * inspection `openssl s_client -connect <any IP>:443 -servername pypi.org` leaves through it. With domain rules one of
 * the two fields is required: the network refuses to guess which.
 */
export interface AwsNetworkFirewallArgs {
  /**
   * ARN of the CA certificate the firewall signs the certificates it shows the workers with (outbound TLS
   * inspection): a CA certificate imported into ACM (`arn:aws:acm:<region>:<account>:certificate/<id>`); ACM cannot
   * generate one and AWS Private CA certificates are refused (Network Firewall API ServerCertificateConfiguration).
   * The workers must trust it (their images' CA bundle), or their TLS connections fail. With it the firewall decrypts
   * every connection to a domain rule's port, checks the server's certificate against the SNI and the decrypted Host
   * against the allow-list.
   * @default undefined
   */
  certificateAuthorityArn?: string;
  /**
   * Run Network Firewall without TLS inspection and accept that SNI spoofing and domain fronting stay open (reported
   * as `aws-network-firewall-sni-spoofing`, not effective). The explicit weaker choice when no CA can be provided;
   * `l7Filter: "egressProxy"` closes the path without a CA.
   * @default false
   */
  acceptSniSpoofing?: boolean;
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
   * What enforces domain names in the `firewall` egress tier: AWS Network Firewall, or the egress proxy group
   * (`egressProxy`), with which the worker subnets have no route out at all.
   * @default "networkFirewall"
   */
  l7Filter?: AwsL7Filter;
  /**
   * The egress proxy group, with `l7Filter: "egressProxy"`.
   * @default undefined
   */
  egressProxy?: AwsEgressProxyArgs;
  /**
   * TLS inspection of AWS Network Firewall, with `l7Filter: "networkFirewall"` in the `firewall` tier: required when
   * the allow-list has domain rules (a CA certificate ARN, or `acceptSniSpoofing: true`).
   * @default undefined (refused in the firewall tier with domain rules: name a CA or accept SNI spoofing)
   */
  networkFirewall?: AwsNetworkFirewallArgs;
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
  /**
   * Outbound TLS inspection (with `networkFirewall.certificateAuthorityArn`); undefined without it, or without
   * domain rules. Its policy also holds sessions until the SNI rules have been evaluated (`enableTlsSessionHolding`).
   */
  readonly tlsInspection: AwsTlsInspectionPlan | undefined;
  /** The caller accepted SNI spoofing (`networkFirewall.acceptSniSpoofing`): domain rules without TLS inspection. */
  readonly sniSpoofingAccepted: boolean;
}

/** The egress proxy group of the `firewall` tier with `l7Filter: "egressProxy"`, as plain data. */
export interface AwsEgressProxyPlan {
  /** Squid's and the load balancer's port. */
  readonly port: number;
  readonly instanceType: string;
  /** Hosts in the Auto Scaling group (minimum, maximum and desired). */
  readonly instanceCount: number;
  /** The group's `maxInstanceLifetime`, seconds. */
  readonly maxInstanceLifetime: number;
  /** Keys of the subnets holding the hosts and the load balancer's nodes: the tier's `firewall-N` subnets. */
  readonly subnetKeys: readonly string[];
  /** Their CIDRs (where the load balancer's nodes, and so the workers' proxy connections, go). */
  readonly subnetCidrs: readonly string[];
  /** The worker subnets: the only clients, by the load balancer's security group and by Squid's `clients` ACL. */
  readonly clientCidrs: readonly string[];
  /** The hosts' security-group egress: the allow-list's TCP ports and the package mirror's to anywhere. */
  readonly hostEgress: readonly AwsEgressRulePlan[];
  /** IMDSv2 only, hop limit 1: cloud-init reads its user data from IMDS; there is no instance profile. */
  readonly metadataOptions: AwsMetadataOptions;
  /** `#cloud-config` user data (plain text; base64 on the launch template). */
  readonly userData: string;
  /** Names the DNS Firewall allows for the hosts' package installation. */
  readonly packageMirrors: readonly string[];
  /** NO_PROXY entries besides loopback. */
  readonly noProxy: readonly string[];
}

/** The DNS Firewall configuration. */
export interface AwsDnsFirewallPlan {
  /** Names from the allow-list: ALLOW. */
  readonly allowedDomains: readonly string[];
  /** AWS service and EC2-internal names: ALLOW. */
  readonly awsServiceDomains: readonly string[];
  /** The egress proxy hosts' package mirrors: ALLOW, their CNAME chains trusted. Empty without a proxy group. */
  readonly packageMirrorDomains: readonly string[];
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
  /** Whether workers route out at all (to a NAT gateway or a firewall endpoint). False with the egress proxy group. */
  readonly routesOut: boolean;
  /** Zones that hold a NAT gateway; an internet gateway exists when this is not empty. */
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
  /** The egress proxy group, if any (the `firewall` tier with `l7Filter: "egressProxy"`). */
  readonly egressProxy: AwsEgressProxyPlan | undefined;
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
const NETWORK_FIELDS = ["hardening", "cidr", "zoneCount", "singleNatGateway", "endpoints", "flowLogs", "l7Filter", "egressProxy", "networkFirewall", "tags"];
const NETWORK_FIREWALL_FIELDS = ["certificateAuthorityArn", "acceptSniSpoofing"];
// An ACM certificate ARN (any partition); ACM ids are UUIDs.
const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z]{2}(-[a-z]+)+-\d:\d{12}:certificate\/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/;
const PROXY_FIELDS = ["imageId", "instanceType", "instanceCount", "port", "maxLifetimeDays", "noProxy", "packageMirrors"];
const DEFAULT_PACKAGE_MIRRORS: readonly string[] = Object.freeze(["deb.debian.org", "cdn-aws.deb.debian.org", "security.debian.org"]);
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;
const NO_PROXY_ENTRY = /^[A-Za-z0-9.*:[\]/-]+$/;

function checkNetworkArgs(args: AwsWorkerNetworkArgs, spec: ResolvedHardening | undefined, issues: string[]): void {
  checkFields(issues, "", args, NETWORK_FIELDS, { noun: "argument" });
  const ep = args.endpoints ?? {};
  const services = Object.values(AwsInterfaceEndpoint) as string[];
  (ep.interfaceServices ?? []).forEach((s, i) => {
    checkEnum(issues, `endpoints.interfaceServices[${i}]`, s, services);
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
  if (fl.destination !== undefined) checkEnum(issues, "flowLogs.destination", fl.destination, destinations);
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

/** `l7Filter` and the proxy group's arguments, checked; without `l7Filter: "egressProxy"` they must be absent. */
function checkProxyArgs(
  args: AwsWorkerNetworkArgs,
  issues: string[],
): { l7Filter: AwsL7Filter; proxy: Required<Omit<AwsEgressProxyArgs, "imageId">> | undefined } {
  const l7Filter = args.l7Filter ?? AwsL7Filter.NetworkFirewall;
  const filters = Object.values(AwsL7Filter) as string[];
  checkEnum(issues, "l7Filter", l7Filter, filters);
  const raw = args.egressProxy;
  if (l7Filter !== AwsL7Filter.EgressProxy) {
    if (raw !== undefined) issues.push(`egressProxy is set but l7Filter is ${show(l7Filter)}; set l7Filter to "egressProxy" or remove egressProxy.`);
    return { l7Filter, proxy: undefined };
  }
  if (raw !== undefined && !isRecord(raw)) {
    issues.push(`egressProxy ${show(raw)} must be an object such as { imageId: "ami-..." }.`);
    return { l7Filter, proxy: undefined };
  }
  const p = (raw ?? {}) as Record<string, unknown>;
  checkFields(issues, "egressProxy", p, PROXY_FIELDS, { noun: "argument" });
  if (p.imageId === undefined || p.imageId === "") {
    issues.push('egressProxy.imageId is required with l7Filter "egressProxy": a Debian 12 or Ubuntu 22.04+ AMI for the proxy hosts.');
  }
  const instanceType = p.instanceType ?? "t3.small";
  if (typeof instanceType !== "string" || !INSTANCE_TYPE.test(instanceType)) issues.push(`egressProxy.instanceType ${show(instanceType)} is not an EC2 instance type such as "t3.small".`);
  const instanceCount = wholeNumberOr(issues, "egressProxy.instanceCount", p.instanceCount, 2, 2, 10);
  const port = wholeNumberOr(issues, "egressProxy.port", p.port, 3128, 1024, 65535);
  const maxLifetimeDays = wholeNumberOr(issues, "egressProxy.maxLifetimeDays", p.maxLifetimeDays, 7, 1, 365);
  const list = (key: string, fallback: readonly string[], re: RegExp, what: string): string[] => {
    const v = p[key];
    if (v === undefined) return [...fallback];
    if (!Array.isArray(v)) {
      issues.push(`egressProxy.${key} ${show(v)} must be a list.`);
      return [...fallback];
    }
    v.forEach((h, i) => {
      if (typeof h !== "string" || !re.test(h)) issues.push(`egressProxy.${key}[${i}] ${show(h)} must be ${what}.`);
    });
    return v.map(String);
  };
  const noProxy = list("noProxy", [], NO_PROXY_ENTRY, 'one host, domain (".example.com") or address, without commas or spaces');
  const packageMirrors = list("packageMirrors", DEFAULT_PACKAGE_MIRRORS, HOST_NAME, 'a host name such as "deb.debian.org"');
  return { l7Filter, proxy: { instanceType: String(instanceType), instanceCount, port, maxLifetimeDays, noProxy, packageMirrors } };
}

/**
 * `networkFirewall`, checked against the tier it serves. Returns the CA ARN and whether SNI spoofing was accepted.
 * With Network Firewall enforcing domain rules, one of the two is required: a domain list without TLS inspection
 * passes any address that names an allowed domain in its SNI, so the network will not build it unasked.
 */
function checkNetworkFirewallArgs(
  args: AwsWorkerNetworkArgs,
  uses: { networkFirewall: boolean; domainRules: boolean },
  issues: string[],
): { certificateAuthorityArn: string | undefined; acceptSniSpoofing: boolean } {
  const raw = args.networkFirewall;
  const none = { certificateAuthorityArn: undefined, acceptSniSpoofing: false };
  if (raw !== undefined && !isRecord(raw)) {
    issues.push(`networkFirewall ${show(raw)} must be an object such as { certificateAuthorityArn: "arn:aws:acm:<region>:<account>:certificate/<id>" }.`);
    return none;
  }
  const p = (raw ?? {}) as Record<string, unknown>;
  checkFields(issues, "networkFirewall", p, NETWORK_FIREWALL_FIELDS, { noun: "argument" });
  if (!uses.networkFirewall) {
    if (raw !== undefined) {
      issues.push('networkFirewall is set but no Network Firewall is built (it serves tier "firewall" with l7Filter "networkFirewall", workloadSubnet "private" and mode "allowList"); remove networkFirewall.');
    }
    return none;
  }
  const ca = p.certificateAuthorityArn;
  const accept = p.acceptSniSpoofing;
  if (ca !== undefined && (typeof ca !== "string" || !ACM_CERTIFICATE_ARN.test(ca))) {
    issues.push(
      `networkFirewall.certificateAuthorityArn ${show(ca)} is not an ACM certificate ARN; expected arn:aws:acm:<region>:<account>:certificate/<uuid> of a CA certificate imported into ACM.`,
    );
  }
  if (accept !== undefined && typeof accept !== "boolean") issues.push(`networkFirewall.acceptSniSpoofing ${show(accept)} must be true or false.`);
  if (accept === true && ca !== undefined) {
    issues.push("networkFirewall.acceptSniSpoofing is true but networkFirewall.certificateAuthorityArn is set; TLS inspection closes SNI spoofing, so remove acceptSniSpoofing (or the ARN).");
  }
  if (uses.domainRules && ca === undefined && accept !== true) {
    issues.push(
      'networkFirewall.certificateAuthorityArn is required with tier "firewall", l7Filter "networkFirewall" and domain rules: Network Firewall matches the SNI the client chooses, so without TLS inspection TLS to any address naming an allowed domain passes. ' +
        'Set networkFirewall.certificateAuthorityArn to a CA certificate imported into ACM (the workers must trust it), or set l7Filter to "egressProxy" (no CA needed), or set networkFirewall.acceptSniSpoofing to true to run without TLS inspection and have the path reported open.',
    );
  }
  return { certificateAuthorityArn: typeof ca === "string" ? ca : undefined, acceptSniSpoofing: accept === true };
}

/** Ports the proxy hosts install their packages over (Debian's mirrors serve http; https where configured). */
const PACKAGE_MIRROR_PORTS = [80, 443];

/** The proxy hosts' security-group egress: every port Squid may connect to, and the package mirror's. */
function proxyHostEgressFor(upstreamPorts: readonly number[]): AwsEgressRulePlan[] {
  const ports = [...new Set([...upstreamPorts, ...PACKAGE_MIRROR_PORTS])].sort((a, b) => a - b);
  return ports.map((port) => {
    const why = [
      ...(upstreamPorts.includes(port) ? ["allow-list port, destinations checked by Squid"] : []),
      ...(PACKAGE_MIRROR_PORTS.includes(port) ? ["package mirror at boot"] : []),
    ].join("; ");
    return { protocol: "tcp", fromPort: port, toPort: port, cidrBlocks: [ANY_IPV4], description: ec2Description(`egress proxy: ${why}`) };
  });
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
 *   and back: the egress subnet routes each worker CIDR to the firewall endpoint of that worker's zone;
 * - `firewall` with `l7Filter: "egressProxy"`: workers have no route out (only the local route and the S3 gateway
 *   endpoint's); they reach the internal load balancer in the firewall subnets by the local route, and only the
 *   proxy hosts there route 0.0.0.0/0 -> NAT -> IGW.
 */
export function planAwsWorkerNetwork(args: AwsWorkerNetworkArgs): AwsWorkerNetworkPlan {
  const issues: string[] = [];
  const hardening = resolveHardeningInto(args.hardening, issues);
  checkNetworkArgs(args, hardening, issues);
  const { l7Filter, proxy: proxyArgs } = checkProxyArgs(args, issues);
  const spec = hardening;
  // Whether the spec lets workers out at all; with the proxy group only the proxies route out, for them.
  const specRoutesOut = spec !== undefined && spec.workloadSubnet === WorkloadSubnetMode.Private && spec.egress.mode === EgressMode.AllowList;
  const firewallTier = specRoutesOut && spec?.egress.tier === EgressTier.Firewall;
  if (spec !== undefined && l7Filter === AwsL7Filter.EgressProxy && !firewallTier) {
    issues.push(
      'l7Filter "egressProxy" is the firewall tier\'s name filter; set hardening.egress.tier to "firewall" (with workloadSubnet "private" and mode "allowList") or remove l7Filter.',
    );
  }
  const proxyGroup = firewallTier && proxyArgs !== undefined;
  const routesOut = specRoutesOut && !proxyGroup;
  const tls = checkNetworkFirewallArgs(
    args,
    {
      networkFirewall: firewallTier && l7Filter === AwsL7Filter.NetworkFirewall,
      domainRules: spec !== undefined && spec.egress.mode === EgressMode.AllowList && spec.egress.allow.some((r) => r.kind === "domain"),
    },
    issues,
  );
  let subnets: PlannedSubnet[] = [];
  let networkCidr = "";
  // A worker network over a reserved range (the metadata range among them) is refused, whatever the subnets say.
  issues.push(...checkWorkerNetworkCidr("cidr", String(args.cidr ?? "10.42.0.0/16")).problems);
  try {
    const plan = planSubnets({
      networkCidr: args.cidr ?? "10.42.0.0/16",
      zoneCount: args.zoneCount ?? 2,
      egressSubnets: specRoutesOut,
      firewallSubnets: firewallTier,
    });
    subnets = [...plan.subnets];
    networkCidr = plan.networkCidr;
  } catch (e) {
    if (!(e instanceof InvalidArgsError)) throw e;
    issues.push(...e.issues.map((i) => i.replace(/^networkCidr /, "cidr ")));
  }
  let egressProxy: AwsEgressProxyPlan | undefined;
  if (proxyGroup && proxyArgs !== undefined && subnets.length > 0) {
    egressProxy = planProxyGroup(args, proxyArgs, subnets, issues);
  }
  if (issues.length > 0 || spec === undefined) throw new InvalidArgsError(issues);

  const zoneCount = args.zoneCount ?? 2;
  const natZones = specRoutesOut ? (args.singleNatGateway ? [0] : [...Array(zoneCount).keys()]) : [];
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
      if (firewallTier && !proxyGroup) {
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
    securityGroupEgress: securityGroupEgressFor(
      spec,
      { s3Gateway: s3Gateway !== undefined, interfaceEndpoints: interfaceServices.length > 0 },
      egressProxy ? { cidrs: egressProxy.subnetCidrs, port: egressProxy.port } : undefined,
    ),
    s3Gateway,
    interfaceServices,
    dnsFirewall: dnsTier
      ? { allowedDomains: dnsFirewallDomainsFor(spec), awsServiceDomains: AWS_SERVICE_DOMAINS, packageMirrorDomains: egressProxy ? [...egressProxy.packageMirrors] : [] }
      : undefined,
    networkFirewall:
      firewallTier && !proxyGroup
        ? {
            domainTargets: networkFirewallTargetsFor(spec),
            cidrRules: networkFirewallCidrRulesFor(spec),
            homeNet: networkCidr,
            tlsInspection: tls.certificateAuthorityArn ? networkFirewallTlsInspectionFor(spec, networkCidr, tls.certificateAuthorityArn) : undefined,
            sniSpoofingAccepted: tls.acceptSniSpoofing,
          }
        : undefined,
    egressProxy,
    flowLogs,
    tags: { ...(args.tags ?? {}) },
  };
}

/**
 * The proxy group: its subnets (the tier's firewall subnets), clients (the worker subnets), host egress and the
 * cloud-init that makes each host the package's Squid proxy.
 */
function planProxyGroup(
  args: AwsWorkerNetworkArgs,
  proxy: Required<Omit<AwsEgressProxyArgs, "imageId">>,
  subnets: readonly PlannedSubnet[],
  issues: string[],
): AwsEgressProxyPlan | undefined {
  const hosts = subnets.filter((s) => s.role === "firewall");
  const clientCidrs = subnets.filter((s) => s.role === "workload").map((s) => s.cidr);
  let init: ReturnType<typeof egressProxyCloudInit>;
  try {
    init = egressProxyCloudInit(args.hardening, { cloud: "aws", clients: clientCidrs, port: proxy.port });
  } catch (e) {
    if (!(e instanceof InvalidArgsError)) throw e;
    // The spec's own problems were reported when it was resolved.
    issues.push(...e.issues.filter((i) => !i.startsWith("hardening")).map((i) => `egressProxy: ${i}`));
    return undefined;
  }
  if (init.squid.upstreamPorts.length === 0) {
    issues.push('l7Filter "egressProxy": hardening.egress.allow has no TCP rule for the proxy to allow; add domain or cidr rules over TCP, or use l7Filter "networkFirewall".');
    return undefined;
  }
  return {
    port: proxy.port,
    instanceType: proxy.instanceType,
    instanceCount: proxy.instanceCount,
    maxInstanceLifetime: proxy.maxLifetimeDays * 86400,
    subnetKeys: hosts.map((s) => s.key),
    subnetCidrs: hosts.map((s) => s.cidr),
    clientCidrs,
    hostEgress: proxyHostEgressFor(init.squid.upstreamPorts),
    // cloud-init reads the user data from IMDS, so the endpoint stays on: tokens only, one hop, no role behind it.
    metadataOptions: metadataOptionsFor({ metadataEndpoint: MetadataEndpointMode.TokenRequired }),
    userData: init.userData,
    packageMirrors: [...new Set(proxy.packageMirrors)],
    noProxy: proxy.noProxy,
  };
}

/**
 * The variables a worker needs to use the proxy group behind `loadBalancerDnsName`: HTTP(S)_PROXY, NO_PROXY (and
 * lower-case forms), plus `JAVA_TOOL_OPTIONS` for JVM programs such as Kestra.
 */
export function awsProxyEnvFor(loadBalancerDnsName: string, plan: AwsEgressProxyPlan): { name: string; value: string }[] {
  const url = awsProxyUrlFor(loadBalancerDnsName, plan);
  return [...proxyEnvFor(url, plan.noProxy), { name: "JAVA_TOOL_OPTIONS", value: javaProxyOptionsFor(url, plan.noProxy) }];
}

/** The proxy URL workers use: `http://<load balancer DNS name>:<port>` (clients send CONNECT to it for https). */
export function awsProxyUrlFor(loadBalancerDnsName: string, plan: Pick<AwsEgressProxyPlan, "port">): string {
  return `http://${loadBalancerDnsName}:${plan.port}`;
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
