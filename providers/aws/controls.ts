/**
 * The AWS controls reports: one entry per control a component applies, plus the tempting ones that do not work on
 * AWS (a security-group or NACL deny of 169.254.169.254) with `effective: false`. Pure functions of the plans, so
 * tests and `hardening plan` print exactly what the components apply.
 */
import { ControlFamily, ControlReport, EgressMode, EgressTier } from "../../components";
import { DOCKER_USERNS_SOURCE, HOST_FIREWALL_PRECONDITIONS } from "../../components/hostBoot";
import { ECS_AGENT_CHANNELS, TLS_REVOCATION_ACTION } from "./egress";
import { AwsWorkerNetworkPlan, FlowLogDestination } from "./networkPlan";
import { AwsWorkerPoolPlan } from "./workerPoolPlan";

/** Vendor words the reports quote. Sources: docs/design/cloud-controls.md section 2. */
export const AWS_SOURCES = {
  linkLocal:
    'VPC UG, Internetwork traffic privacy: "Amazon security groups and network ACLs don\'t filter traffic to or from link-local addresses (169.254.0.0/16) or AWS reserved IPv4 addresses... Similarly, flow logs do not capture IP traffic to or from these addresses... You can implement additional firewall solutions in your instances to block network communication with link-local addresses."',
  imdsDisabled: 'CFN LaunchTemplate MetadataOptions: "If you specify a value of disabled, you will not be able to access your instance metadata."',
  userDataThroughImds:
    'EC2 UG, Run commands when you launch an EC2 instance with user data input: user data is retrieved from "http://169.254.169.254/latest/user-data" (instance metadata); with the endpoint disabled cloud-init never receives it',
  imdsV2: 'EC2 API InstanceMetadataOptionsRequest HttpTokens: "required - ... IMDSv1 is disabled"',
  hopLimit:
    'AWS whitepaper Security Practices for Multi-Tenant SaaS on EKS: "require IMDSv2... and to set the maximum hop count to 1... requests to IMDS from pods [are] rejected, provided those pods do not use host networking."',
  imdsIpv6: 'CFN LaunchTemplate MetadataOptions HttpProtocolIpv6: "Enables or disables the IPv6 endpoint for the instance metadata service." (default disabled)',
  imdsTags: "CFN LaunchTemplate MetadataOptions InstanceMetadataTags: access to instance tags from the instance metadata",
  iptables:
    'EC2 UG, Limit access to the IMDS: "iptables --append OUTPUT --proto tcp --destination 169.254.169.254 --match owner ! --uid-owner trustworthy-user --jump REJECT"; "iptables rules are not persistent across system reboots"',
  ecsBlockImds:
    'ECS DG, ec2-security-considerations: "To prevent containers run by tasks that use the awsvpc network mode from accessing the credential information supplied to the Amazon EC2 instance profile... set the ECS_AWSVPC_BLOCK_IMDS agent configuration variable to true"',
  ecsHostMode:
    'AWS Knowledge Center ecs-container-ec2-metadata: "It\'s not possible to prevent access with the host networking mode, because the Amazon ECS agent runs on the host networking namespace and requires access to it."',
  fargate:
    'EKS UG fargate: "The Amazon EC2 instance metadata service (IMDS) isn\'t available to Pods that are deployed to Fargate nodes"; "Each Pod... has its own isolation boundary... don\'t share the underlying kernel" (same Fargate platform for ECS tasks [inference])',
  isolatedSubnet: 'VPC UG, subnet types: "Isolated subnet - The subnet has no routes to destinations outside its VPC"; "Private subnet... require[s] a NAT device"',
  sgDestinations: 'VPC UG, security group rules: the "destination can be another security group, an IPv4 or IPv6 CIDR block... or a prefix list ID"',
  dnsFirewall: "Route 53 Resolver DNS Firewall: ResolverFirewallRule action ALLOW | BLOCK on a domain list, associated with the VPC; it filters names resolved through the VPC resolver [direct-IP connections bypass it: inference]",
  networkFirewall:
    'CFN RulesSourceList: "For HTTPS traffic, domain filtering is SNI-based... By default... domain list inspection only includes traffic coming from the VPC where you deploy the firewall... set the HOME_NET rule variable"; Network Firewall DG strict order: stateful default actions aws:drop_established, aws:alert_established',
  networkFirewallImds:
    'EC2 UG, Limit access to the IMDS: IMDS is only reachable from the network "when a network appliance... forwards packets to the IMDS address"; the request is answered on the host, so a firewall endpoint never sees it [inference]',
  defaultSg: "terraform-aws-vpc / AWS Security Hub EC2.2: the VPC default security group should not allow inbound or outbound traffic; adopted with no rules",
  s3Endpoint: 'ECR UG, VPC endpoints: image layers are stored in S3 ("arn:aws:s3:::prod-region-starport-layer-bucket/*"); a gateway endpoint policy restricts which buckets are reachable through it',
  flowLogs: "VPC UG, flow logs: capture IP traffic of the subnet's network interfaces; they do not capture traffic to link-local addresses (quoted in the link-local entry)",
  asgLifetime: "EC2 Auto Scaling UG, Replace instances based on maximum instance lifetime: the value must be 0 or between 86400 seconds (one day) and 31536000 seconds",
  instanceRefresh: "EC2 Auto Scaling UG, instance refresh: replaces instances when the launch template changes (provider: instance refresh is triggered by a change of launch_template)",
  instanceMetadataDefaults: "Pulumi registry ec2/instancemetadatadefaults; EC2 UG: account-level IMDS defaults apply to instances launched without explicit metadata options",
  noInstanceProfile: "EC2 UG: instance-profile credentials are served at IMDS /latest/meta-data/iam/security-credentials/; with no profile there are none to steal",
  taskRole: "ECS DG, task IAM roles: task-role credentials are served at 169.254.170.2 through AWS_CONTAINER_CREDENTIALS_RELATIVE_URI; with no task role there are none",
  ecsTaskHardening: "ECS DG, task definition parameters: user, readonlyRootFilesystem, privileged (Fargate refuses privileged containers)",
  squidAllowList:
    'squid.conf.documented (squid 5.7): "acl aclname dst [-n] ip-address/mask ... # URL host\'s IP address [slow]"; "-n Disable lookups and address type conversions"; behaviour checked against the real squid 5.7 by tests/components/egressProxy/squid.real.test.ts',
  nlbSecurityGroups:
    'ELB UG, Network Load Balancer security groups: "If you don\'t assign a security group to your Network Load Balancer, all client traffic can reach the Network Load Balancer listeners"; "Referencing the security group associated with your Network Load Balancer in the security groups associated with your targets ensures that your targets accept traffic from your Network Load Balancer even if you enable client IP preservation"; a load balancer created without security groups cannot be given them later',
  nlbCrossZone:
    'ELB UG, cross-zone load balancing for target groups: "With Network Load Balancers, cross-zone load balancing is off by default at the load balancer level"; "When enabling cross-zone load balancing for a Network Load Balancer, EC2 data transfer charges apply"',
  asgElbHealth:
    'EC2 Auto Scaling UG, health checks: Elastic Load Balancing health checks check "whether the load balancer reports the instance as healthy"; "To run this health check type, you must turn it on for your Auto Scaling group"; an unhealthy instance is replaced',
  tlsInspection:
    'Network Firewall DG, TLS inspection considerations: "Network Firewall also drops TLS traffic if the client hello message in the TLS handshake doesn\'t include a server name, or if the server name that\'s presented in the client hello doesn\'t match the server name indication (SNI) that\'s presented in the downstream server certificate"; DG, allowing inspected traffic with a domain list: "HTTP_HOST – Allows the matching requests at the decrypted request stage... This is the recommended way to build an allowlist of websites for TLS-inspected traffic"; API ServerCertificateConfiguration: CertificateAuthorityArn "to use for outbound SSL/TLS inspection... You can use CA certificates that you imported into ACM, but you can\'t generate CA certificates with ACM"; CFN CheckCertificateRevocationStatus RevokedStatusAction/UnknownStatusAction "DROP - Network Firewall closes the connection"',
  tlsInspectionBypass:
    'AWS Public Sector Blog, web filtering with Network Firewall egress TLS inspection: "TLS inspection in Network Firewall provides visibility into encrypted traffic, even when browsers implement Encrypted Client Hello (ECH) or when SNI fields contain modified information... helping to mitigate filter bypass attempts"',
  tlsSessionHolding:
    'Network Firewall DG, session holding with TLS inspection: "When enabled, Network Firewall holds these packets until it evaluates TLS Inspection rules for Server Name Indication (SNI)"',
  sniBased: 'Network Firewall API RulesSourceList: "For HTTPS traffic, domain filtering is SNI-based. It uses the server name indicator extension of the TLS handshake."',
  ecsAgentChannels:
    'ECS DG, networking for external instances: "For the ecs-a and ecs-t endpoints, you should include an asterisk (for example, ecs-a-*)"; "ecs-a-*.region.amazonaws.com — This endpoint is used when managing tasks"; "ecs-t-*.region.amazonaws.com — This endpoint is used to manage task and container metrics"; ECS DG, interface VPC endpoints: com.amazonaws.region.ecs-agent, com.amazonaws.region.ecs-telemetry, com.amazonaws.region.ecs',
  dnsRedirection: "@pulumi/aws ResolverFirewallRule firewallDomainRedirectionAction: \"Evaluate DNS redirection in the DNS redirection chain, such as CNAME, DNAME, ot ALIAS. Valid values are INSPECT_REDIRECTION_DOMAIN and TRUST_REDIRECTION_DOMAIN\"",
} as const;

type Entry = Omit<ControlReport, "cloud">;

function entry(e: Entry): ControlReport {
  return { ...e, cloud: "aws" };
}

/** The network's controls report (what the subnets, routes, security groups and firewalls do, and do not do). */
export function awsNetworkControlsFor(name: string, plan: AwsWorkerNetworkPlan): ControlReport[] {
  const spec = plan.hardening;
  const n = (key: string) => `${name}-${key}`;
  const workloads = plan.subnets.filter((s) => s.role === "workload");
  const reports: ControlReport[] = [];
  const proxy = plan.egressProxy;
  reports.push(
    entry({
      id: plan.routesOut || proxy ? "aws-workload-subnet-private" : "aws-workload-subnet-isolated",
      family: ControlFamily.WorkloadSubnet,
      appliedBy: plan.routesOut
        ? `aws.ec2.Subnet mapPublicIpOnLaunch=false; aws.ec2.RouteTable 0.0.0.0/0 -> ${plan.networkFirewall ? "Network Firewall endpoint -> NAT gateway" : "NAT gateway"}, never an internet gateway`
        : proxy
          ? "aws.ec2.Subnet mapPublicIpOnLaunch=false; aws.ec2.RouteTable with only the VPC's local route (and the S3 gateway endpoint's): the egress proxy group's load balancer, reached by the local route, is the only way out"
          : "aws.ec2.Subnet mapPublicIpOnLaunch=false; aws.ec2.RouteTable with only the VPC's local route",
      protects: plan.routesOut
        ? "workers reachable from, or reaching, the internet except through the egress filter"
        : proxy
          ? "workers reaching the internet except through the egress proxy: with no route out, a program that ignores HTTP(S)_PROXY reaches nothing outside the VPC"
          : "any traffic from workers leaving the VPC",
      effective: true,
      limits: "Link-local services (IMDS, DNS, NTP) answer whatever the routes say; routing cannot express \"no route to metadata\" on AWS.",
      resources: [...workloads.map((s) => n(s.key)), ...workloads.map((s) => n(`rt-${s.key}`))],
      source: AWS_SOURCES.isolatedSubnet,
    }),
    entry({
      id: "aws-default-security-group-emptied",
      family: ControlFamily.Egress,
      appliedBy: "aws.ec2.DefaultSecurityGroup with no ingress and no egress rules",
      protects: "anything launched without a security group silently getting the default group's allow-all egress",
      effective: true,
      limits: "",
      resources: [n("default-sg")],
      source: AWS_SOURCES.defaultSg,
    }),
  );
  const allowCount = spec.egress.mode === EgressMode.AllowList ? spec.egress.allow.length : 0;
  const domainPorts = plan.securityGroupEgress.filter((r) => r.cidrBlocks?.includes("0.0.0.0/0"));
  reports.push(
    entry({
      id: "aws-security-group-egress-allow-list",
      family: ControlFamily.Egress,
      appliedBy: `aws.ec2.SecurityGroup (worker) with no ingress and exactly ${plan.securityGroupEgress.length} egress rule(s): the allow-list's ${allowCount} rule(s) by CIDR, protocol and port, plus tcp/443 to the private endpoints`,
      protects: "connections to destinations, protocols and ports outside the allow-list",
      // Not effective once a domain rule opens a port to every address: on that port the group allows anything.
      effective: domainPorts.length === 0 || proxy !== undefined,
      limits: [
        domainPorts.length > 0
          ? `Domain rules open tcp/${domainPorts.map((r) => r.fromPort).join(",")} to 0.0.0.0/0 here (SGs cannot match names); the name is enforced by the ${plan.networkFirewall ? "Network Firewall on every connection" : "DNS Firewall at resolution only, so a direct-IP connection on those ports bypasses it"}.`
          : "",
        proxy
          ? `Names go only to the egress proxy's load balancer (tcp/${proxy.port} to ${proxy.subnetCidrs.join(", ")}); no port is open to the internet. CIDR rules outside the VPC have no route: Squid serves them for IP-literal HTTP and CONNECT requests only.`
          : "",
        "SG rules cannot except the metadata ranges inside a broad CIDR, and need not: SGs do not govern link-local traffic at all; the host firewall does.",
        "DNS queries to the VPC resolver (an AWS reserved address) are never filtered by SGs.",
      ]
        .filter(Boolean)
        .join(" "),
      resources: [n("workers-sg")],
      source: AWS_SOURCES.sgDestinations,
    }),
    ...(domainPorts.length > 0 && !proxy
      ? [
          entry({
            // In tier firewall every route out crosses the Network Firewall; only VPC-local destinations bypass it.
            id: plan.networkFirewall ? "aws-security-group-domain-ports-vpc-local" : "aws-security-group-domain-ports-open",
            family: ControlFamily.Egress,
            appliedBy: `not closed: the worker security group opens tcp/${domainPorts.map((r) => r.fromPort).join(",")} to 0.0.0.0/0 for the domain rules (security groups cannot match names)`,
            protects: plan.networkFirewall
              ? "nothing: connections straight to an address inside the VPC on those ports"
              : "nothing: connections straight to an IP address on those ports",
            effective: false,
            limits: plan.networkFirewall
              ? "On those ports a worker reaches any address inside the VPC, which never passes the Network Firewall (the local route), including an allowed name that resolves to a private address; addresses outside the VPC go through the firewall. Use the egress proxy (l7Filter \"egressProxy\"), whose workers have no route out at all."
              : "Tier dns: the DNS Firewall decides which names resolve, and nothing decides where a connection goes: `curl https://<any IP>` or TLS with an allowed SNI to any address on those ports leaves through the NAT gateway, and an allowed name resolving to a private address is reached too. Choose tier firewall with the egress proxy (l7Filter \"egressProxy\") to close it.",
            resources: [],
            source: AWS_SOURCES.sgDestinations,
          }),
        ]
      : []),
    entry({
      id: "aws-security-group-deny-metadata",
      family: ControlFamily.MetadataEndpoint,
      appliedBy: "not applied: a security-group rule against 169.254.169.254/32 (SGs are allow-only, and skip link-local traffic)",
      protects: "nothing: workloads reaching the instance metadata service",
      effective: false,
      limits: "AWS security groups do not filter traffic to link-local addresses; use the IMDS options, the host firewall or Fargate.",
      resources: [],
      source: AWS_SOURCES.linkLocal,
    }),
    entry({
      id: "aws-nacl-deny-metadata",
      family: ControlFamily.MetadataEndpoint,
      appliedBy: "not applied: a network ACL deny of 169.254.0.0/16",
      protects: "nothing: workloads reaching the instance metadata service",
      effective: false,
      limits: "Network ACLs do not filter traffic to link-local addresses either.",
      resources: [],
      source: AWS_SOURCES.linkLocal,
    }),
  );
  if (plan.dnsFirewall) {
    const tierWords = spec.egress.mode === EgressMode.DenyAll ? "every name except AWS service and EC2-internal names" : `every name except the ${plan.dnsFirewall.allowedDomains.length} allow-listed name(s) and AWS service names`;
    reports.push(
      entry({
        id: "aws-dns-firewall",
        family: ControlFamily.Egress,
        appliedBy: `aws.route53.ResolverFirewallRuleGroup: ALLOW allow-listed domains, ${plan.dnsFirewall.packageMirrorDomains.length > 0 ? `ALLOW the proxy hosts' package mirror ${plan.dnsFirewall.packageMirrorDomains.join(" ")} (CNAME chain trusted), ` : ""}ALLOW ${plan.dnsFirewall.awsServiceDomains.join(" ")}, BLOCK "*" (NXDOMAIN), associated with the VPC; aws.route53.ResolverFirewallConfig firewallFailOpen=DISABLED`,
        protects: `resolution of ${tierWords}, including DNS tunnelling of data to a name server an attacker controls`,
        effective: true,
        limits: `Filters names, not connections: code that connects to an IP address directly is not stopped by it${domainPorts.length > 0 && !plan.networkFirewall && !proxy ? " (nor by the security group, which opens the domain rules' ports to every address: see aws-security-group-domain-ports-open)" : ""}. The AWS service names are the region's own endpoints, not *.amazonaws.com (which would also resolve public EC2 names, API Gateway, load balancers and S3 in every region); *.dkr.ecr and *.s3 of the region still name other accounts' registries and buckets, which the endpoint policies refuse through the endpoints. The ECS agent's channels are listed as ecs-a-1..ecs-a-${ECS_AGENT_CHANNELS} and ecs-t-1..ecs-t-${ECS_AGENT_CHANNELS} (DNS Firewall takes a wildcard only as a whole first label); AWS states no upper bound for N.`,
        resources: [n("dns-firewall"), n("dns-firewall-association"), ...(plan.dnsFirewall.packageMirrorDomains.length > 0 ? [n("dns-rule-package-mirrors")] : [])],
        source: `${AWS_SOURCES.dnsFirewall}; ${AWS_SOURCES.ecsAgentChannels}${plan.dnsFirewall.packageMirrorDomains.length > 0 ? `; ${AWS_SOURCES.dnsRedirection}` : ""}`,
      }),
    );
  } else if (spec.egress.mode === EgressMode.AllowList && spec.egress.tier === EgressTier.Basic) {
    reports.push(
      entry({
        id: "aws-dns-exfiltration",
        family: ControlFamily.Egress,
        appliedBy: "not applied in tier basic: no DNS Firewall",
        protects: "nothing: data tunnelled out through DNS queries to the VPC resolver",
        effective: false,
        limits: "The VPC resolver recurses to any name on the internet; choose tier dns or firewall to allow-list names.",
        resources: [],
        source: AWS_SOURCES.dnsFirewall,
      }),
    );
  }
  if (plan.networkFirewall) {
    const fw = plan.networkFirewall;
    const tls = fw.tlsInspection;
    const hasDomains = fw.domainTargets.length > 0;
    reports.push(
      entry({
        id: "aws-network-firewall-domain-allow-list",
        family: ControlFamily.Egress,
        appliedBy: `aws.networkfirewall.RuleGroup STATEFUL rulesSourceList ALLOWLIST on TLS_SNI and HTTP_HOST (${fw.domainTargets.length} name(s)) and ${fw.cidrRules.length} 5-tuple rule(s) for the CIDR rules; FirewallPolicy STRICT_ORDER with default actions aws:drop_established, aws:alert_established; HOME_NET ${fw.homeNet}; one endpoint per zone on the worker -> NAT path both ways`,
        protects: "connections that leave through the firewall to any name or address outside the allow-list, whatever the port or protocol, when the client names its real destination (a connection to an IP address with no allowed SNI or Host is dropped)",
        effective: true,
        limits: [
          !hasDomains
            ? "No domain rule: no SNI or Host is allowed, so only the CIDR rules' 5-tuples pass."
            : tls
              ? "With TLS inspection the SNI is checked against the server's certificate and the Host is read decrypted: see aws-network-firewall-tls-inspection."
              : "SNI is chosen by the client and is not checked against the address: see aws-network-firewall-sni-spoofing.",
          "Encrypted ClientHello hides the SNI and is dropped. The first packet of a UDP flow may pass before the flow counts as established; the security group allows only the allow-list's ports.",
        ].join(" "),
        resources: [n("firewall"), n("firewall-policy"), ...(hasDomains ? [n("firewall-domains")] : []), ...(fw.cidrRules.length > 0 ? [n("firewall-cidrs")] : [])],
        source: AWS_SOURCES.networkFirewall,
      }),
      ...(tls
        ? [
            entry({
              id: "aws-network-firewall-tls-inspection",
              family: ControlFamily.Egress,
              appliedBy: `aws.networkfirewall.TlsInspectionConfiguration: outbound inspection with the CA ${tls.certificateAuthorityArn}, scope TCP from ${tls.sources.join(", ")} to ${tls.destinations.join(", ")} on port(s) ${tls.destinationPorts.join(", ")}, revoked and unknown server certificates ${TLS_REVOCATION_ACTION}; FirewallPolicy tlsInspectionConfigurationArn with enableTlsSessionHolding=true; the domain list matches TLS_SNI at the handshake and HTTP_HOST on the decrypted requests`,
              protects:
                "TLS to any address that claims an allowed name (the firewall's own session to that address must present a certificate for the SNI, or the connection is dropped), and domain fronting (every decrypted request's Host must be an allowed name)",
              effective: true,
              limits: `The workers must trust the CA, or their TLS fails (it is not put into their images). Plain HTTP to port(s) ${tls.destinationPorts.join(", ")} is dropped (non-TLS traffic in the scope is), so domain rules serve HTTPS only there. Certificate pinning in a client breaks against the re-signed certificate. [verify: AWS's pages checked state the name match and the revocation checks, not which trust store validates the server's chain: test that a server presenting a self-signed certificate for an allowed name is refused.] Network Firewall bills TLS inspection per GB in addition to the endpoint-hours.`,
              resources: [n("firewall-tls-inspection"), n("firewall-policy")],
              source: `${AWS_SOURCES.tlsInspection}; ${AWS_SOURCES.tlsInspectionBypass}; ${AWS_SOURCES.tlsSessionHolding}`,
            }),
          ]
        : []),
      ...(hasDomains && !tls
        ? [
            entry({
              id: "aws-network-firewall-sni-spoofing",
              family: ControlFamily.Egress,
              appliedBy: "not closed: networkFirewall.acceptSniSpoofing; the domain allow-list matches the TLS SNI and HTTP Host the client sends, without TLS inspection",
              protects:
                "nothing: TLS to any address that claims an allowed name (`openssl s_client -connect <any IP>:443 -servername pypi.org`), the cloud's public API endpoints reached that way with another account's credentials, and domain fronting on a CDN an allowed name shares",
              effective: false,
              limits:
                "Closed only with TLS inspection: set networkFirewall.certificateAuthorityArn (a CA certificate imported into ACM that the workers trust), or use the egress proxy (l7Filter \"egressProxy\"): Squid resolves the allowed name itself and connects to that name's addresses, whatever SNI the client sends inside the tunnel.",
              resources: [],
              source: `${AWS_SOURCES.sniBased}; ${AWS_SOURCES.tlsInspectionBypass}`,
            }),
          ]
        : []),
      entry({
        id: "aws-network-firewall-deny-metadata",
        family: ControlFamily.MetadataEndpoint,
        appliedBy: "not applied: a Network Firewall rule against 169.254.169.254",
        protects: "nothing: IMDS traffic never reaches a firewall endpoint",
        effective: false,
        limits: "The host answers IMDS requests itself; only the IMDS options, the host firewall or Fargate stop them.",
        resources: [],
        source: AWS_SOURCES.networkFirewallImds,
      }),
    );
  }
  if (proxy) reports.push(...egressProxyControlsFor(n, plan, proxy));
  if (plan.s3Gateway) {
    reports.push(
      entry({
        id: "aws-s3-gateway-endpoint-policy",
        family: ControlFamily.Egress,
        appliedBy: `aws.ec2.VpcEndpoint (Gateway, S3) on the worker route tables with a policy allowing only ECR's layer bucket (read) and ${plan.s3Gateway.bucketArns.length} listed bucket(s)`,
        protects: "copying data to an attacker's S3 bucket through the endpoint; image pulls keep working with no route out",
        effective: true,
        limits: "The prefix-list route sends all S3 traffic of the workers to the endpoint, so buckets not listed are unreachable, also through NAT.",
        resources: [n("s3-endpoint")],
        source: AWS_SOURCES.s3Endpoint,
      }),
    );
  }
  if (plan.interfaceServices.length > 0) {
    reports.push(
      entry({
        id: "aws-interface-endpoints",
        family: ControlFamily.Egress,
        appliedBy: `aws.ec2.VpcEndpoint (Interface, private DNS) for ${plan.interfaceServices.join(", ")} in the worker subnets, own security group: tcp/443 in from the worker subnets only`,
        protects: "a route out being needed to reach these AWS APIs",
        effective: true,
        limits: "What the endpoints allow is in aws-interface-endpoint-policies.",
        resources: plan.interfaceServices.map((s) => n(`endpoint-${s.replace(/\./g, "-")}`)),
        source: "VPC UG, interface endpoints (AWS PrivateLink) with private DNS",
      }),
      entry({
        id: "aws-interface-endpoint-policies",
        family: ControlFamily.Egress,
        appliedBy: `aws.ec2.VpcEndpoint policy on ${plan.interfaceServices.join(", ")}: Allow only when aws:PrincipalAccount is the workers' account and aws:ResourceAccount (where the action has one) is too`,
        protects: "credentials for another account used through the endpoints: pushing an image to another account's registry, log events to another account's log group",
        effective: true,
        limits: "Images in another account's registry (AWS-managed ones included) are refused through the endpoint: mirror them into the workers' account. Where a route out exists (tiers dns and firewall), the public service endpoints are another way to the same APIs: see the exfiltration matrix (docs/egress.md).",
        resources: plan.interfaceServices.map((s) => n(`endpoint-${s.replace(/\./g, "-")}`)),
        source: 'AWS PrivateLink guide, Control access to VPC endpoints using endpoint policies; IAM global condition keys aws:PrincipalAccount and aws:ResourceAccount (the data-perimeter pattern)',
      }),
    );
  }
  if (plan.flowLogs) {
    reports.push(
      entry({
        id: "aws-flow-logs",
        family: ControlFamily.Egress,
        appliedBy:
          plan.flowLogs.destination === FlowLogDestination.S3
            ? "aws.ec2.FlowLog (ALL traffic) per worker subnet to the caller's S3 bucket"
            : `aws.ec2.FlowLog (ALL traffic) per worker subnet to an aws.cloudwatch.LogGroup kept ${plan.flowLogs.retentionDays} days; delivery role scoped to that group`,
        protects: "egress attempts going unrecorded (a record for audits and incident response, not a block)",
        effective: true,
        limits: "Flow logs do not capture traffic to link-local addresses, so IMDS access never appears in them.",
        resources: workloads.map((s) => n(`flow-log-${s.key}`)),
        source: AWS_SOURCES.flowLogs,
      }),
    );
  }
  return reports;
}

/**
 * The egress proxy group's controls: Squid's allow-list and resolved-address refusal, the load balancer's client
 * gate, and the hosts' own hardening, each with what it does not stop. The cheap alternative to Network Firewall.
 */
function egressProxyControlsFor(n: (key: string) => string, plan: AwsWorkerNetworkPlan, proxy: NonNullable<AwsWorkerNetworkPlan["egressProxy"]>): ControlReport[] {
  const spec = plan.hardening;
  const rules = spec.egress.allow.filter((r) => r.protocol === "tcp").map((r) => `${r.domain ?? r.cidr}:${r.ports.join(",")}`);
  const hosts = [n("proxy-asg"), n("proxy-launch-template")];
  return [
    entry({
      id: "aws-egress-proxy-allow-list",
      family: ControlFamily.Egress,
      appliedBy: `Squid on ${proxy.instanceCount} EC2 hosts (aws.autoscaling.Group, cloud-init user data): HTTP and CONNECT only to ${rules.join(", ")}; everything else 403 and logged to /var/log/squid/egress.log`,
      protects: "connections to names, addresses and ports outside the allow-list, at a fraction of Network Firewall's per-endpoint price (two small instances and one Network Load Balancer)",
      effective: true,
      limits:
        "Matches the requested name (Host, CONNECT authority), not the TLS SNI inside a tunnel (domain fronting on a shared CDN stays possible); TCP, HTTP and CONNECT only: other protocols have no way out at all. The hosts install Squid from the distribution's mirror at boot, so they may reach it on tcp/80 and tcp/443; they hold no credentials.",
      resources: [...hosts, n("proxy-sg")],
      source: AWS_SOURCES.squidAllowList,
    }),
    entry({
      id: "aws-egress-proxy-cdn-fronting",
      family: ControlFamily.Egress,
      appliedBy: "not closed: Squid checks the CONNECT authority and Host, not what is sent inside the TLS tunnel",
      protects: "nothing: an allowed name served by a shared CDN, with another site of that CDN named in the Host header inside the tunnel",
      effective: false,
      limits: "Squid connects to the allowed name's own addresses, so SNI spoofing to an arbitrary address is closed; a CDN that routes by the inner Host still serves any of its customers. List names on dedicated addresses where that matters.",
      resources: [],
      source: AWS_SOURCES.squidAllowList,
    }),
    entry({
      id: "aws-egress-proxy-resolved-address",
      family: ControlFamily.MetadataEndpoint,
      appliedBy: "Squid dst ACL forbidden_dst, checked on the resolved addresses of every named host before any allow: metadata, link-local, loopback, private and reserved ranges (IPv4, IPv6, NAT64), whatever cidr rules list (those open IP-literal requests only), and the proxy's own addresses; the host firewall refuses the metadata endpoints to every uid but root",
      protects: "allowed-looking names that resolve to 169.254.169.254 or an internal address (169.254.169.254.nip.io, rebinding names), and raw-IP spellings, sent through the proxy",
      effective: true,
      limits: "Squid connects to the addresses it checked; should a cache entry expire between check and connect, the host firewall still refuses the metadata endpoints to Squid's uid, but private VPC addresses are refused by Squid alone.",
      resources: hosts,
      source: `${AWS_SOURCES.squidAllowList}; ${AWS_SOURCES.iptables}`,
    }),
    entry({
      id: "aws-egress-proxy-load-balancer",
      family: ControlFamily.Egress,
      appliedBy: `aws.lb.LoadBalancer (network, internal) in ${proxy.subnetKeys.join(", ")} with a security group admitting tcp/${proxy.port} from the worker subnets only; target group with client IP preservation; cross-zone load balancing on; the hosts' security group admits only the load balancer's; Auto Scaling replaces hosts that fail the load balancer's health check`,
      protects: "anything but the worker subnets using the proxy; one failed or replaced host (or zone) cutting the workers off",
      effective: true,
      limits: `Squid also refuses clients outside ${proxy.clientCidrs.join(", ")}. Cross-zone traffic is billed. Each proxy subnet is small (it also holds the load balancer's nodes) [verify the free addresses a Network Load Balancer needs in each subnet].`,
      resources: [n("proxy-lb"), n("proxy-lb-sg"), n("proxy-tg"), n("proxy-listener"), n("proxy-asg"), n("proxy-sg")],
      source: `${AWS_SOURCES.nlbSecurityGroups}; ${AWS_SOURCES.nlbCrossZone}; ${AWS_SOURCES.asgElbHealth}`,
    }),
    entry({
      id: "aws-egress-proxy-host",
      family: ControlFamily.HostIdentity,
      appliedBy: `aws.ec2.LaunchTemplate: no instance profile; metadataOptions httpTokens=required, httpPutResponseHopLimit=1 (cloud-init reads its user data from IMDS); no public IP; replaced after ${proxy.maxInstanceLifetime / 86400} day(s) (maxInstanceLifetime ${proxy.maxInstanceLifetime} s)`,
      protects: "a compromised proxy host yielding AWS credentials, or living long enough to be worth persisting on",
      effective: true,
      limits: "The hosts share nothing with the workers but the network path; a compromised host can reach the internet on the ports above.",
      resources: [n("proxy-launch-template"), n("proxy-asg")],
      source: `${AWS_SOURCES.noInstanceProfile}; ${AWS_SOURCES.imdsV2}; ${AWS_SOURCES.hopLimit}; ${AWS_SOURCES.asgLifetime}`,
    }),
  ];
}

/** The worker pool's controls report. */
export function awsWorkerPoolControlsFor(name: string, plan: AwsWorkerPoolPlan): ControlReport[] {
  const n = (key: string) => `${name}-${key}`;
  const reports: ControlReport[] = [];
  if (plan.ec2) {
    const ec2 = plan.ec2;
    const lt = n("launch-template");
    reports.push(
      ec2.sealAfterBoot
        ? entry({
            id: "aws-imds-sealed-after-boot",
            family: ControlFamily.MetadataEndpoint,
            appliedBy:
              'aws.ec2.LaunchTemplate metadataOptions httpTokens="required", httpPutResponseHopLimit=1, httpEndpoint="enabled" (EC2 delivers user data through IMDS); userData: once cloud-init\'s final stage has finished, the host firewall refuses the metadata endpoints to every uid, root included (hardening-metadata-seal.service after cloud-final.service on later boots)',
            protects: "every process and container on the host reading instance metadata or credentials once the host has booted",
            effective: true,
            limits:
              "While the host boots (cloud-init's stages, before the caller's boot script ends) root-owned processes reach IMDS; nothing of the caller's runs as root then but the boot script. Agents that need IMDS (SSM Agent, EC2 Instance Connect, CloudWatch agent) do not work on a sealed host. Root can remove the rules.",
            resources: [lt],
            source: `${AWS_SOURCES.userDataThroughImds}; ${AWS_SOURCES.iptables}; ${AWS_SOURCES.imdsV2}`,
            preconditions: [...HOST_FIREWALL_PRECONDITIONS],
          })
        : entry({
            id: "aws-imds-v2-hop-limit-1",
            family: ControlFamily.MetadataEndpoint,
            appliedBy: 'aws.ec2.LaunchTemplate metadataOptions httpTokens="required", httpPutResponseHopLimit=1',
            protects: "GET-only SSRF (IMDSv1) and containers on a bridge/pod network obtaining a token",
            effective: true,
            limits: "Host-network processes still obtain tokens; the host firewall restricts them to root.",
            resources: [lt],
            source: `${AWS_SOURCES.imdsV2}; ${AWS_SOURCES.hopLimit}`,
          }),
      entry({
        id: "aws-imds-ipv6-disabled",
        family: ControlFamily.MetadataEndpoint,
        appliedBy: 'aws.ec2.LaunchTemplate metadataOptions.httpProtocolIpv6="disabled"',
        protects: "the IMDS at [fd00:ec2::254] as a second way in",
        effective: true,
        limits: "",
        resources: [lt],
        source: AWS_SOURCES.imdsIpv6,
      }),
      entry({
        id: "aws-imds-tags-disabled",
        family: ControlFamily.MetadataEndpoint,
        appliedBy: 'aws.ec2.LaunchTemplate metadataOptions.instanceMetadataTags="disabled"',
        protects: "instance tags leaking through IMDS",
        effective: true,
        limits: "",
        resources: [lt],
        source: AWS_SOURCES.imdsTags,
      }),
      entry({
        id: "aws-host-firewall",
        family: ControlFamily.MetadataEndpoint,
        appliedBy:
          "aws.ec2.LaunchTemplate userData: a #cloud-boothook installs and applies iptables/ip6tables chains (OUTPUT by uid; FORWARD, DOCKER-USER and INPUT for containers; every refusal by current and by original destination, so NAT redirects to local agents cannot route around it), a boot unit that docker, containerd, ECS and kubelet require, and a re-assert timer",
        protects:
          "processes other than root, and every container, reaching IMDS, the ECS/EKS credential endpoints (also when the host redirects them to a local agent) and the other catalogued metadata addresses",
        effective: true,
        limits: `Root on the host is trusted: a workload that gains root passes. The owner match uses the primary group only. DNS (169.254.169.253) and NTP (169.254.169.123) stay open.${ec2.ecsTaskCredentials ? " ecsTaskCredentials: every container reaches the ECS agent's task credentials endpoint (169.254.170.2:80)." : ""}`,
        resources: [lt],
        source: AWS_SOURCES.iptables,
        preconditions: [...HOST_FIREWALL_PRECONDITIONS],
      }),
    );
    if (ec2.runsEcs) {
      reports.push(
        entry({
          id: "aws-ecs-awsvpc-block-imds",
          family: ControlFamily.MetadataEndpoint,
          appliedBy: "userData /etc/ecs/ecs.config (written before the agent starts): ECS_AWSVPC_BLOCK_IMDS=true, ECS_DISABLE_PRIVILEGED=true; DOCKER-USER and INPUT drops for bridge tasks",
          protects: "awsvpc and bridge ECS tasks reaching the instance profile's credentials, and privileged task containers",
          effective: true,
          limits: "Tasks in host network mode are not covered: see aws-ecs-host-network-tasks.",
          resources: [lt],
          source: `${AWS_SOURCES.ecsBlockImds}; ${AWS_SOURCES.ecsHostMode}`,
          preconditions: ["the ECS-optimized AMI's agent reads /etc/ecs/ecs.config when it starts, after cloud-init's final stage: made true by writing it in the boothook"],
        }),
        entry({
          id: "aws-ecs-host-network-tasks",
          family: ControlFamily.Sandbox,
          appliedBy: "none: the ECS agent has no setting that refuses networkMode host",
          protects: "a task definition with networkMode host running in the host's network namespace, as root, past the host firewall",
          effective: false,
          limits: "Register only task definitions with networkMode awsvpc or bridge for untrusted code (the policy pack's ECS rule checks them); the package cannot stop another task definition from using host mode.",
          resources: [],
          source: AWS_SOURCES.ecsHostMode,
        }),
      );
    } else {
      reports.push(
        entry({
          id: "aws-docker-userns-remap",
          family: ControlFamily.Sandbox,
          appliedBy: 'userData: /etc/docker/daemon.json {"userns-remap":"default","no-new-privileges":true} (written when the image has none), and a docker.service drop-in that refuses to start dockerd without those settings',
          protects: "a flow's container getting the host: root in a container is an unprivileged host uid (refused by the host firewall's owner match); dockerd refuses --privileged and --network host without --userns=host; no setuid escalation",
          effective: true,
          limits:
            "Host volumes and the Docker socket are dockerd's to grant: Kestra's Docker task runner must keep host volumes disabled (kestra.plugins.configurations volume-enabled: false, Kestra's default). A runner that passes --userns=host undoes it. Images that ship their own daemon.json must carry the two settings or dockerd does not start.",
          resources: [lt],
          source: DOCKER_USERNS_SOURCE,
          preconditions: ["dockerd reads /etc/docker/daemon.json: made true by the boot path, which writes it and refuses to start dockerd without the settings"],
        }),
      );
    }
    reports.push(
      entry({
        id: "aws-no-public-ip",
        family: ControlFamily.WorkloadSubnet,
        appliedBy: 'aws.ec2.LaunchTemplate networkInterfaces[0].associatePublicIpAddress="false", securityGroups = the worker group',
        protects: "hosts reachable from, or reaching, the internet directly",
        effective: true,
        limits: "",
        resources: [lt],
        source: AWS_SOURCES.isolatedSubnet,
      }),
      ec2.instanceProfile
        ? entry({
            id: "aws-caller-instance-profile",
            family: ControlFamily.HostIdentity,
            appliedBy: "aws.ec2.LaunchTemplate iamInstanceProfile.arn = the caller's profile; the pool creates no role or profile",
            protects: "hosts carrying broader permissions than the caller chose",
            effective: true,
            limits: "Whatever the caller's role allows is what a process that reaches IMDS gets; keep it minimal.",
            resources: [lt],
            source: AWS_SOURCES.noInstanceProfile,
          })
        : entry({
            id: "aws-no-instance-profile",
            family: ControlFamily.HostIdentity,
            appliedBy: "aws.ec2.LaunchTemplate without iamInstanceProfile; the pool creates no role",
            protects: "stolen instance credentials: IMDS has none to give",
            effective: true,
            limits: "",
            resources: [lt],
            source: AWS_SOURCES.noInstanceProfile,
          }),
      entry({
        id: "aws-ebs-encrypted",
        family: ControlFamily.Ephemeral,
        appliedBy: 'aws.ec2.LaunchTemplate blockDeviceMappings ebs encrypted="true", volumeType gp3, deleteOnTermination="true"',
        protects: "data left on a replaced host's volume",
        effective: true,
        limits: "",
        resources: [lt],
        source: "EC2 UG, Amazon EBS encryption",
      }),
      entry({
        id: "aws-max-instance-lifetime",
        family: ControlFamily.Ephemeral,
        appliedBy: `aws.autoscaling.Group maxInstanceLifetime=${ec2.maxInstanceLifetime}`,
        protects: "a compromised host persisting: every host is replaced within the lifetime",
        effective: true,
        limits: ec2.lifetimeRoundedUp
          ? `hardening.ephemeral.maxLifetimeHours ${plan.hardening.ephemeral.maxLifetimeHours} is below the AWS minimum of 86400 s; rounded up to 24 h.`
          : "",
        resources: [n("asg")],
        source: AWS_SOURCES.asgLifetime,
      }),
      entry({
        id: "aws-instance-refresh",
        family: ControlFamily.Ephemeral,
        appliedBy: "aws.autoscaling.Group instanceRefresh Rolling, launchTemplate.version = the template's latest version",
        protects: "hosts running an outdated launch template (old metadata options, old firewall) after a change",
        effective: true,
        limits: "",
        resources: [n("asg")],
        source: AWS_SOURCES.instanceRefresh,
      }),
      entry({
        id: "aws-sandbox-none",
        family: ControlFamily.Sandbox,
        appliedBy: 'hardening.sandbox "none": containers on EC2 hosts',
        protects: "nothing: untrusted code shares the host kernel",
        effective: false,
        limits: 'A kernel escape gives the host; set sandbox "runtime" for Fargate (a kernel per task).',
        resources: [],
        source: AWS_SOURCES.fargate,
      }),
    );
  }
  if (plan.fargate) {
    const f = plan.fargate;
    const td = n("task");
    reports.push(
      entry({
        id: "aws-fargate-no-imds",
        family: ControlFamily.MetadataEndpoint,
        appliedBy: 'aws.ecs.TaskDefinition requiresCompatibilities=["FARGATE"], networkMode="awsvpc"',
        protects: "workers reaching the EC2 instance metadata service: there is none",
        effective: true,
        limits: "The task metadata endpoint 169.254.170.2 remains (task ARN, image, network details).",
        resources: [td],
        source: AWS_SOURCES.fargate,
      }),
      entry({
        id: "aws-fargate-kernel-isolation",
        family: ControlFamily.Sandbox,
        appliedBy: "ECS on Fargate: each task in its own micro-VM with its own kernel",
        protects: "a kernel escape reaching other workers or a shared host",
        effective: true,
        limits: "",
        resources: [td, n("service")],
        source: AWS_SOURCES.fargate,
      }),
      entry({
        id: "aws-task-least-privilege",
        family: ControlFamily.Sandbox,
        appliedBy: `aws.ecs.TaskDefinition container user="${f.user}", readonlyRootFilesystem=true, privileged=false, capabilities drop ALL`,
        protects: "root inside the container and writes to the image filesystem",
        effective: true,
        limits: "",
        resources: [td],
        source: AWS_SOURCES.ecsTaskHardening,
      }),
      entry({
        id: "aws-no-public-ip",
        family: ControlFamily.WorkloadSubnet,
        appliedBy: "aws.ecs.Service networkConfiguration.assignPublicIp=false in the worker subnets, worker security group",
        protects: "tasks reachable from, or reaching, the internet directly",
        effective: true,
        limits: "",
        resources: [n("service")],
        source: AWS_SOURCES.isolatedSubnet,
      }),
      f.taskRole
        ? entry({
            id: "aws-caller-task-role",
            family: ControlFamily.HostIdentity,
            appliedBy: "aws.ecs.TaskDefinition taskRoleArn = the caller's role; the pool creates no role",
            protects: "tasks carrying broader permissions than the caller chose",
            effective: true,
            limits: "Any code in the task can read these credentials at 169.254.170.2; keep the role minimal.",
            resources: [td],
            source: AWS_SOURCES.taskRole,
          })
        : entry({
            id: "aws-no-task-role",
            family: ControlFamily.HostIdentity,
            appliedBy: "aws.ecs.TaskDefinition without taskRoleArn; the pool creates no role",
            protects: "stolen task credentials: 169.254.170.2 has none to give",
            effective: true,
            limits: "The execution role, if given, is used by the ECS agent only and is not exposed to the container.",
            resources: [td],
            source: AWS_SOURCES.taskRole,
          }),
      entry({
        id: "aws-fargate-task-lifetime",
        family: ControlFamily.Ephemeral,
        appliedBy: "not applied: ECS has no maximum task age",
        protects: "nothing: a long-running worker task is not replaced by age",
        effective: false,
        limits: `hardening.ephemeral.maxLifetimeHours ${plan.hardening.ephemeral.maxLifetimeHours} is not enforced on Fargate; schedule a forced new deployment of the service to rotate tasks. Each task still starts on a fresh kernel.`,
        resources: [],
        source: "ECS DG, services: tasks are replaced when unhealthy or on a new deployment",
      }),
    );
  }
  if (plan.accountMetadataDefaults) {
    reports.push(
      entry({
        id: "aws-account-imds-defaults",
        family: ControlFamily.MetadataEndpoint,
        appliedBy: 'aws.ec2.InstanceMetadataDefaults httpTokens="required", httpPutResponseHopLimit=1, instanceMetadataTags="disabled"',
        protects: "other instances in the account and region launched without metadata options falling back to IMDSv1",
        effective: true,
        limits: "Account- and region-wide; explicit metadata options on an instance or template still win.",
        resources: [n("account-imds-defaults")],
        source: AWS_SOURCES.instanceMetadataDefaults,
      }),
    );
  }
  // Keep the report's metadata entries ahead of the rest, in a stable order.
  const order = Object.values(ControlFamily);
  return reports.sort((a, b) => order.indexOf(a.family) - order.indexOf(b.family));
}
