/**
 * The egress allow-list as AWS sees it: security-group egress rules, Route 53 Resolver DNS Firewall domain lists,
 * and AWS Network Firewall rules. Pure mappings from the resolved spec; the network component only creates what
 * these return, so the tests can compare the created resources with these functions' results and with the spec.
 */
import { EgressMode, EgressTier, ResolvedEgressRule, ResolvedHardening } from "../../components";

/** Where a security-group egress rule points besides a CIDR: resources the network creates itself. */
export const AwsEgressTarget = {
  /** The S3 gateway endpoint's AWS-managed prefix list (`VpcEndpoint.prefixListId`). */
  S3PrefixList: "s3PrefixList",
  /** The security group of the interface endpoints. */
  EndpointSecurityGroup: "endpointSecurityGroup",
} as const;
/** Where a security-group egress rule points besides a CIDR. */
export type AwsEgressTarget = (typeof AwsEgressTarget)[keyof typeof AwsEgressTarget];

/** One planned security-group egress rule; exactly one of `cidrBlocks` and `target` is set. */
export interface AwsEgressRulePlan {
  /** `tcp` or `udp`. */
  readonly protocol: "tcp" | "udp";
  /** First port. */
  readonly fromPort: number;
  /** Last port (equal to `fromPort`: one rule per port keeps the list comparable with the spec). */
  readonly toPort: number;
  /** IPv4 destinations. */
  readonly cidrBlocks?: readonly string[];
  /** A destination the network creates (prefix list, endpoint security group). */
  readonly target?: AwsEgressTarget;
  /** Rule description, restricted to the characters EC2 accepts. */
  readonly description: string;
}

/** The ANY-address destination domain rules need at the security-group layer: SGs cannot match names. */
export const ANY_IPV4 = "0.0.0.0/0";

/**
 * Characters EC2 accepts in a security-group rule description ("a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*"), at most 255.
 * Anything else becomes a space, so a spec's free-text description can never fail a deployment.
 */
export function ec2Description(text: string): string {
  const cleaned = text.replace(/[^a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]/g, " ").replace(/\s+/g, " ").trim();
  return cleaned.length > 255 ? cleaned.slice(0, 255) : cleaned;
}

function describe(rule: ResolvedEgressRule, what: string): string {
  return ec2Description(rule.description ? `${what}: ${rule.description}` : what);
}

/** What the security group must additionally allow for the private endpoints the network creates. */
export interface AwsEndpointEgress {
  /** An S3 gateway endpoint exists: allow tcp/443 to its prefix list. */
  readonly s3Gateway: boolean;
  /** Interface endpoints exist: allow tcp/443 to their security group. */
  readonly interfaceEndpoints: boolean;
}

/** The egress proxy group's load balancer, which replaces the domain rules' ports to anywhere. */
export interface AwsProxyEgress {
  /** The subnets of the load balancer's nodes. */
  readonly cidrs: readonly string[];
  /** Its listener port. */
  readonly port: number;
}

/**
 * The worker security group's egress rules: exactly the allow-list (CIDR, protocol, port), never an implicit
 * `0.0.0.0/0`, plus tcp/443 to the network's own private endpoints.
 *
 * Domain rules (tiers `dns` and `firewall`) cannot be expressed in a security group ("destination can be another
 * security group, an IPv4 or IPv6 CIDR block... or a prefix list ID", VPC UG security-group rules), so each domain
 * port opens tcp to `0.0.0.0/0` and the name is enforced by the DNS Firewall (tier `dns`: at resolution only) or by
 * the Network Firewall (tier `firewall`: on every connection's SNI/Host). Those rules say so in their description.
 * With the egress proxy group (`proxy`) there are none: one rule opens the proxy port to the load balancer's
 * subnets instead.
 *
 * A CIDR rule that contains metadata networks cannot carve them out here (SG rules have no `except`); that is no
 * weakness on AWS, because SGs do not govern link-local traffic at all. The host firewall does.
 */
export function securityGroupEgressFor(spec: ResolvedHardening, endpoints: AwsEndpointEgress, proxy?: AwsProxyEgress): AwsEgressRulePlan[] {
  const rules: AwsEgressRulePlan[] = [];
  if (spec.egress.mode === EgressMode.AllowList) {
    for (const rule of spec.egress.allow) {
      if (rule.kind !== "cidr" || rule.ipVersion !== 4) continue;
      for (const port of rule.ports) {
        rules.push({ protocol: rule.protocol, fromPort: port, toPort: port, cidrBlocks: [rule.cidr as string], description: describe(rule, `allow-list ${rule.cidr}`) });
      }
    }
    const domainPorts = new Map<number, string[]>();
    for (const rule of spec.egress.allow) {
      if (rule.kind !== "domain") continue;
      for (const port of rule.ports) domainPorts.set(port, [...(domainPorts.get(port) ?? []), rule.domain as string]);
    }
    const enforcer = spec.egress.tier === EgressTier.Firewall ? "Network Firewall SNI/Host allow-list" : "DNS Firewall allow-list";
    if (proxy) {
      // Names go only through the proxy group: no port is opened to the internet (there is no route there either).
      rules.push({
        protocol: "tcp",
        fromPort: proxy.port,
        toPort: proxy.port,
        cidrBlocks: [...proxy.cidrs],
        description: ec2Description(`egress proxy load balancer; names and addresses enforced by Squid`),
      });
      domainPorts.clear();
    }
    for (const [port, domains] of [...domainPorts].sort((a, b) => a[0] - b[0])) {
      rules.push({
        protocol: "tcp",
        fromPort: port,
        toPort: port,
        cidrBlocks: [ANY_IPV4],
        description: ec2Description(`domains ${domains.join(" ")}; names enforced by the ${enforcer}`),
      });
    }
  }
  if (endpoints.s3Gateway) {
    rules.push({ protocol: "tcp", fromPort: 443, toPort: 443, target: AwsEgressTarget.S3PrefixList, description: "S3 gateway endpoint (policy-restricted)" });
  }
  if (endpoints.interfaceEndpoints) {
    rules.push({ protocol: "tcp", fromPort: 443, toPort: 443, target: AwsEgressTarget.EndpointSecurityGroup, description: "VPC interface endpoints" });
  }
  return rules;
}

/** The allow-listed domain names in Route 53 Resolver DNS Firewall spelling (`pypi.org`, `*.pythonhosted.org`). */
export function dnsFirewallDomainsFor(spec: ResolvedHardening): string[] {
  if (spec.egress.mode !== EgressMode.AllowList) return [];
  // Route 53 DNS Firewall takes the spec's spelling as-is: an exact name matches only itself and "*.example.com"
  // matches its subdomains, which is the spec's meaning of both forms.
  return spec.egress.allow.filter((r) => r.kind === "domain").map((r) => r.domain as string);
}

/** Stands for the stack's region in {@link AWS_SERVICE_DOMAINS}; the network replaces it at deployment. */
export const REGION_PLACEHOLDER = "<region>";

/** Stands for the ECS agent channel number in {@link AWS_SERVICE_DOMAINS}; expanded to 1..{@link ECS_AGENT_CHANNELS}. */
export const ECS_CHANNEL_PLACEHOLDER = "<n>";

/**
 * How many numbered ECS agent channels (`ecs-a-N`, `ecs-t-N`) the DNS Firewall allows per region. AWS documents the
 * names only as `ecs-a-*.<region>.amazonaws.com` and `ecs-t-*.<region>.amazonaws.com` ("For the ecs-a and ecs-t
 * endpoints, you should include an asterisk", ECS DG, networking for external instances; "add an outbound rule to
 * allow traffic for the Amazon ECS agent management endpoints... telemetry endpoints", ECS best practices,
 * networking security), but a DNS Firewall domain may carry a wildcard only as its whole first label ("It can
 * optionally start with * (asterisk)", Route 53 Resolver API FirewallDomainName), so the channels are listed one by
 * one. [verify: AWS states no upper bound; the AWS CLI reference's DiscoverPollEndpoint example answers ecs-a-16.]
 * @default 99
 */
export const ECS_AGENT_CHANNELS = 99;

/**
 * AWS service names every worker VPC needs to resolve whatever the allow-list says, per region: ECR (API and any
 * registry; layers come from S3), regional S3, STS, CloudWatch Logs, Systems Manager, ECS with the ECS agent's
 * numbered management and telemetry channels (`ecs-a-<n>`, `ecs-t-<n>`: the agent reaches them through the
 * `ecs-agent` and `ecs-telemetry` interface endpoints, or the NAT), and EC2's internal host names. Not
 * `*.amazonaws.com`, nor `*.<region>.amazonaws.com`: those also resolve names any AWS customer controls (public EC2
 * names, API Gateway, load balancers, S3 in every region). Answers come from AWS's authoritative servers, so these
 * open no DNS channel to a name server an attacker runs. With {@link REGION_PLACEHOLDER} in place of the region and
 * {@link ECS_CHANNEL_PLACEHOLDER} in place of the channel number.
 */
export const AWS_SERVICE_DOMAINS: readonly string[] = Object.freeze([
  "api.ecr.<region>.amazonaws.com",
  "*.dkr.ecr.<region>.amazonaws.com",
  "s3.<region>.amazonaws.com",
  "*.s3.<region>.amazonaws.com",
  "sts.<region>.amazonaws.com",
  "logs.<region>.amazonaws.com",
  "ssm.<region>.amazonaws.com",
  "ssmmessages.<region>.amazonaws.com",
  "ec2messages.<region>.amazonaws.com",
  "ecs.<region>.amazonaws.com",
  "ecs-a-<n>.<region>.amazonaws.com",
  "ecs-t-<n>.<region>.amazonaws.com",
  "*.<region>.compute.internal",
]);

/**
 * {@link AWS_SERVICE_DOMAINS} for one region, the ECS agent channels expanded to `ecs-a-1` .. `ecs-a-99` (and
 * `ecs-t-`). us-east-1's EC2 internal names are `*.ec2.internal`, every other region's `*.<region>.compute.internal`.
 */
export function awsServiceDomainsFor(region: string): string[] {
  return AWS_SERVICE_DOMAINS.flatMap((d) => {
    if (d === "*.<region>.compute.internal" && region === "us-east-1") return ["*.ec2.internal"];
    const named = d.split(REGION_PLACEHOLDER).join(region);
    if (!named.includes(ECS_CHANNEL_PLACEHOLDER)) return [named];
    return Array.from({ length: ECS_AGENT_CHANNELS }, (_, i) => named.split(ECS_CHANNEL_PLACEHOLDER).join(String(i + 1)));
  });
}

/**
 * The allow-listed domains as AWS Network Firewall domain-list targets: `pypi.org` stays exact, and
 * `*.pythonhosted.org` becomes `.pythonhosted.org` ("Names that use a domain wildcard, which you indicate with an
 * initial '.'"). Note the Network Firewall form also matches the apex name itself.
 */
export function networkFirewallTargetsFor(spec: ResolvedHardening): string[] {
  return dnsFirewallDomainsFor(spec).map((d) => (d.startsWith("*.") ? d.slice(1) : d));
}

/** One 5-tuple stateful rule for AWS Network Firewall (`ruleGroup.rulesSource.statefulRules[]`). */
export interface AwsStatefulRule {
  readonly action: "PASS" | "DROP";
  readonly header: {
    readonly protocol: "TCP" | "UDP" | "IP";
    readonly source: string;
    readonly sourcePort: "ANY";
    readonly direction: "FORWARD";
    readonly destination: string;
    readonly destinationPort: string;
  };
  readonly ruleOptions: { readonly keyword: string; readonly settings: string[] }[];
}

/**
 * The allow-list's CIDR rules as Network Firewall 5-tuple rules, for the `firewall` tier (the domain list only
 * passes TLS/HTTP by name; without these a CIDR rule would hit the default drop). Metadata networks inside an
 * allowed CIDR (`except`) are dropped first; strict rule order evaluates rules in the order given.
 */
export function networkFirewallCidrRulesFor(spec: ResolvedHardening): AwsStatefulRule[] {
  if (spec.egress.mode !== EgressMode.AllowList) return [];
  const cidrRules = spec.egress.allow.filter((r) => r.kind === "cidr" && r.ipVersion === 4);
  const rules: AwsStatefulRule[] = [];
  let sid = 1;
  const options = (msg: string) => [
    { keyword: "msg", settings: [JSON.stringify(msg)] },
    { keyword: "sid", settings: [String(sid++)] },
  ];
  const excepts = [...new Set(cidrRules.flatMap((r) => r.except))].filter((c) => !c.includes(":"));
  for (const cidr of excepts) {
    rules.push({
      action: "DROP",
      header: { protocol: "IP", source: "$HOME_NET", sourcePort: "ANY", direction: "FORWARD", destination: cidr, destinationPort: "ANY" },
      ruleOptions: options(`hardening: metadata network ${cidr}`),
    });
  }
  for (const rule of cidrRules) {
    for (const port of rule.ports) {
      rules.push({
        action: "PASS",
        header: {
          protocol: rule.protocol === "udp" ? "UDP" : "TCP",
          source: "$HOME_NET",
          sourcePort: "ANY",
          direction: "FORWARD",
          destination: rule.cidr as string,
          destinationPort: String(port),
        },
        ruleOptions: options(`hardening: allow-list ${rule.cidr} ${rule.protocol}/${port}`),
      });
    }
  }
  return rules;
}

/**
 * The firewall policy's stateful defaults for the `firewall` tier. Strict order with `aws:drop_established`:
 * `aws:drop_strict` would drop a connection's TCP handshake before its TLS ClientHello (the SNI) is seen, so no
 * domain rule could ever pass; `aws:drop_established` lets the handshake through and drops every established
 * connection that no rule passed, HTTP/TLS and any other protocol alike. `aws:alert_established` logs those drops.
 * Valid values checked against the @pulumi/aws 7.x schema ("aws:drop_strict, aws:drop_established,
 * aws:drop_established_app_layer, aws:alert_strict, aws:alert_established...").
 */
export const NETWORK_FIREWALL_STATEFUL_DEFAULT_ACTIONS: readonly string[] = Object.freeze(["aws:drop_established", "aws:alert_established"]);

/** ECR's image-layer bucket in a region: ECR stores layers in S3, so a pull needs it through the S3 endpoint. */
export function ecrLayerBucketArn(region: string): string {
  return `arn:aws:s3:::prod-${region}-starport-layer-bucket/*`;
}

/**
 * The S3 gateway endpoint policy: read ECR's layer bucket (ECR UG, "Minimum Amazon S3 bucket permissions for
 * Amazon ECR"), read and write the listed buckets, nothing else. Any other bucket, an attacker's included, is
 * refused through the endpoint.
 */
export function s3EndpointPolicyFor(region: string, bucketArns: readonly string[]): string {
  const statements: Record<string, unknown>[] = [
    { Sid: "EcrImageLayers", Effect: "Allow", Principal: "*", Action: ["s3:GetObject"], Resource: [ecrLayerBucketArn(region)] },
  ];
  if (bucketArns.length > 0) {
    statements.push({
      Sid: "ListedBuckets",
      Effect: "Allow",
      Principal: "*",
      Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:GetBucketLocation"],
      Resource: bucketArns.flatMap((arn) => [arn, `${arn}/*`]),
    });
  }
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/**
 * The policy of every interface endpoint the network creates (ecr.api, ecr.dkr, logs, ...): only principals of the
 * workers' own account, acting on resources of that account (or on no resource at all, as ecr:GetAuthorizationToken
 * does). Credentials for another account, or a push to another account's registry or log group, are refused through
 * the endpoint; AWS's default endpoint policy would allow both. Images in another account's registry (AWS-managed
 * images included) are refused too: mirror them into the workers' account.
 */
export function interfaceEndpointPolicyFor(accountId: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "WorkersAccountOnly",
        Effect: "Allow",
        Principal: "*",
        Action: "*",
        Resource: "*",
        Condition: {
          StringEquals: { "aws:PrincipalAccount": accountId },
          StringEqualsIfExists: { "aws:ResourceAccount": accountId },
        },
      },
    ],
  });
}

/**
 * What the firewall does with a server certificate whose revocation status is revoked or cannot be learned: drop the
 * connection, never pass it ("PASS - Allow the connection to continue", CFN CheckCertificateRevocationStatus).
 */
export const TLS_REVOCATION_ACTION = "DROP";

/** The outbound TLS inspection of the `firewall` tier's Network Firewall, as plain data. */
export interface AwsTlsInspectionPlan {
  /** ACM ARN of the imported CA certificate the firewall signs its re-encrypted certificates with. */
  readonly certificateAuthorityArn: string;
  /** Sources decrypted: HOME_NET (the VPC). */
  readonly sources: readonly string[];
  /** Destinations decrypted: every address (the names are what the rules check). */
  readonly destinations: readonly string[];
  /** TCP ports decrypted: every port a domain rule allows. */
  readonly destinationPorts: readonly number[];
}

/**
 * The TLS inspection that closes SNI spoofing on the `firewall` tier: every TCP connection from the VPC to a port a
 * domain rule allows is decrypted, so the firewall opens its own TLS session to the destination and "drops TLS
 * traffic if... the server name that's presented in the client hello doesn't match the server name indication (SNI)
 * that's presented in the downstream server certificate" (Network Firewall DG, TLS inspection considerations), and
 * the domain list's HTTP_HOST target then matches the decrypted Host of every request ("the recommended way to build
 * an allowlist of websites for TLS-inspected traffic", DG, allowing inspected traffic with a domain list). Undefined
 * without domain rules: with none there is no domain list, so no SNI is allowed through at all.
 */
export function networkFirewallTlsInspectionFor(spec: ResolvedHardening, homeNet: string, certificateAuthorityArn: string): AwsTlsInspectionPlan | undefined {
  if (spec.egress.mode !== EgressMode.AllowList) return undefined;
  const ports = new Set<number>();
  for (const rule of spec.egress.allow) if (rule.kind === "domain" && rule.protocol === "tcp") rule.ports.forEach((p) => ports.add(p));
  if (ports.size === 0) return undefined;
  return { certificateAuthorityArn, sources: [homeNet], destinations: [ANY_IPV4], destinationPorts: [...ports].sort((a, b) => a - b) };
}

/**
 * The `tlsInspectionConfiguration` input of `aws.networkfirewall.TlsInspectionConfiguration` for a plan: outbound
 * inspection only (a CA, no server certificates), revoked and unknown certificates dropped, TCP only ("Network
 * Firewall currently supports TCP only").
 */
export function tlsInspectionConfigurationFor(plan: AwsTlsInspectionPlan): {
  serverCertificateConfiguration: {
    certificateAuthorityArn: string;
    checkCertificateRevocationStatus: { revokedStatusAction: string; unknownStatusAction: string };
    scopes: {
      protocols: number[];
      sources: { addressDefinition: string }[];
      destinations: { addressDefinition: string }[];
      destinationPorts: { fromPort: number; toPort: number }[];
    }[];
  };
} {
  return {
    serverCertificateConfiguration: {
      certificateAuthorityArn: plan.certificateAuthorityArn,
      checkCertificateRevocationStatus: { revokedStatusAction: TLS_REVOCATION_ACTION, unknownStatusAction: TLS_REVOCATION_ACTION },
      scopes: [
        {
          protocols: [6],
          sources: plan.sources.map((addressDefinition) => ({ addressDefinition })),
          destinations: plan.destinations.map((addressDefinition) => ({ addressDefinition })),
          destinationPorts: plan.destinationPorts.map((p) => ({ fromPort: p, toPort: p })),
        },
      ],
    },
  };
}
