/**
 * AwsWorkerNetwork: a VPC whose worker subnets reach only what the hardening spec allows. Thin: every decision is
 * in planAwsWorkerNetwork (networkPlan.ts), every report line in awsNetworkControlsFor (controls.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import * as autoscaling from "@pulumi/aws/autoscaling";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ec2 from "@pulumi/aws/ec2";
import * as iam from "@pulumi/aws/iam";
import * as lb from "@pulumi/aws/lb";
import * as networkfirewall from "@pulumi/aws/networkfirewall";
import * as route53 from "@pulumi/aws/route53";
import { getAvailabilityZonesOutput } from "@pulumi/aws/getAvailabilityZones";
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getRegionOutput } from "@pulumi/aws/getRegion";
import type * as awsInput from "@pulumi/aws/types/input";
import { ControlReport, HardeningSpec, ProxyEnvVar } from "../../components";
import { awsNetworkControlsFor } from "./controls";
import {
  AwsEgressRulePlan,
  AwsEgressTarget,
  NETWORK_FIREWALL_STATEFUL_DEFAULT_ACTIONS,
  awsServiceDomainsFor,
  interfaceEndpointPolicyFor,
  s3EndpointPolicyFor,
  tlsInspectionConfigurationFor,
} from "./egress";
import {
  AwsPlannedRoute,
  AwsWorkerNetworkArgs,
  AwsWorkerNetworkPlan,
  FlowLogDestination,
  awsProxyEnvFor,
  awsProxyUrlFor,
  hardeningSpecOf,
  planAwsWorkerNetwork,
} from "./networkPlan";
import { planForComponent } from "../planForComponent";

const TYPE = "hardening:index:AwsWorkerNetwork";

/** Priorities of the DNS Firewall rules: the allow lists first, the catch-all block last. */
export const DNS_FIREWALL_PRIORITIES = { allowed: 100, packageMirrors: 150, awsServices: 200, blockAll: 1000 } as const;

/**
 * A hardened worker network on AWS: one isolated (or NAT/firewall-routed) worker subnet per zone, a worker
 * security group that allows exactly the spec's allow-list, the default security group emptied, the spec's egress
 * tier (private endpoints, NAT, Route 53 Resolver DNS Firewall, AWS Network Firewall) and flow logs.
 *
 * It does not, and on AWS cannot, stop traffic to 169.254.169.254 at the network: security groups, NACLs and
 * Network Firewall never see it. Pair it with {@link AwsWorkerPool}, which does (see `controls`).
 */
export class AwsWorkerNetwork extends pulumi.ComponentResource {
  /** The VPC id. */
  readonly networkId: pulumi.Output<string>;
  /** The worker subnet ids, one per zone, in zone order. */
  readonly workloadSubnetIds: pulumi.Output<string>[];
  /** The worker security group id: give it to the worker pool. */
  readonly workerSecurityGroupId: pulumi.Output<string>;
  /** The resolved spec this network implements: every default filled in, rules normalised. */
  readonly hardening: pulumi.Output<HardeningSpec>;
  /** One entry per control, including the ineffective ones AWS users reach for. */
  readonly controls: pulumi.Output<ControlReport[]>;
  /** The VPC. */
  readonly vpc: ec2.Vpc;
  /** Every subnet, by plan key (`workload-1`, `egress-1`, `firewall-1`). */
  readonly subnets: Record<string, ec2.Subnet>;
  /** Every route table, by subnet key. */
  readonly routeTables: Record<string, ec2.RouteTable>;
  /** The worker security group. */
  readonly workerSecurityGroup: ec2.SecurityGroup;
  /** The VPC's default security group, adopted with no rules. */
  readonly defaultSecurityGroup: ec2.DefaultSecurityGroup;
  /** NAT gateways by zone number (1-based key), when workers route out. */
  readonly natGateways: Record<string, ec2.NatGateway>;
  /** The Network Firewall, in the `firewall` tier. */
  readonly firewall: networkfirewall.Firewall | undefined;
  /** The DNS Firewall rule group, when names are filtered. */
  readonly dnsFirewallRuleGroup: route53.ResolverFirewallRuleGroup | undefined;
  /** The S3 gateway endpoint. */
  readonly s3Endpoint: ec2.VpcEndpoint | undefined;
  /** Flow logs by worker subnet key. */
  readonly flowLogs: Record<string, ec2.FlowLog>;
  /**
   * The egress proxy's URL, `http://<internal load balancer DNS name>:<port>`, with `l7Filter: "egressProxy"`;
   * undefined otherwise.
   */
  readonly proxyUrl: pulumi.Output<string> | undefined;
  /**
   * HTTP_PROXY, HTTPS_PROXY, NO_PROXY (and lower-case forms) and JAVA_TOOL_OPTIONS for the workers, with
   * `l7Filter: "egressProxy"` (AwsWorkerPool `proxyEnv`); undefined otherwise.
   */
  readonly proxyEnv: pulumi.Output<ProxyEnvVar[]> | undefined;
  /** The egress proxy group's internal Network Load Balancer, with `l7Filter: "egressProxy"`. */
  readonly proxyLoadBalancer: lb.LoadBalancer | undefined;
  /** The egress proxy group's Auto Scaling group, with `l7Filter: "egressProxy"`. */
  readonly proxyAutoScalingGroup: autoscaling.Group | undefined;
  /** The egress proxy hosts' security group, with `l7Filter: "egressProxy"`. */
  readonly proxySecurityGroup: ec2.SecurityGroup | undefined;

  constructor(name: string, args: AwsWorkerNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before anything, the component included, is registered.
    const plan = planOrThrow(name, args);
    super(TYPE, name, {}, opts);
    this.hardening = pulumi.output(hardeningSpecOf(plan.hardening));
    const parent = { parent: this };
    const n = (key: string) => `${name}-${key}`;
    const tags = (key: string, extra: Record<string, string> = {}) => ({ ...plan.tags, Name: n(key), ...extra });

    const zones = getAvailabilityZonesOutput(
      // Local and Wavelength zones need opt-in and lack services (NAT, Network Firewall): regular zones only.
      { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
      parent,
    );
    const zoneName = (index: number) =>
      zones.names.apply((names) => {
        if (index >= names.length) throw new Error(`AwsWorkerNetwork "${name}": zoneCount ${plan.zoneCount} exceeds the ${names.length} available zones in this region.`);
        return names[index];
      });
    const region = getRegionOutput({}, parent).region;

    this.vpc = new ec2.Vpc(n("vpc"), { cidrBlock: plan.cidr, enableDnsSupport: true, enableDnsHostnames: true, tags: tags("vpc") }, parent);
    // Adopting the default group removes all of its rules; it then allows nothing in either direction.
    this.defaultSecurityGroup = new ec2.DefaultSecurityGroup(n("default-sg"), { vpcId: this.vpc.id, tags: tags("default-sg") }, parent);

    this.subnets = {};
    for (const s of plan.subnets) {
      this.subnets[s.key] = new ec2.Subnet(
        n(s.key),
        {
          vpcId: this.vpc.id,
          cidrBlock: s.cidr,
          availabilityZone: zoneName(s.zoneIndex),
          mapPublicIpOnLaunch: false,
          tags: tags(s.key, { "hardening:role": s.role }),
        },
        parent,
      );
    }
    const workloads = plan.subnets.filter((s) => s.role === "workload");

    // An internet gateway exists whenever something routes out: the workers, or with the proxy group only the proxies.
    const igw = plan.natZones.length > 0 ? new ec2.InternetGateway(n("igw"), { vpcId: this.vpc.id, tags: tags("igw") }, parent) : undefined;
    this.natGateways = {};
    for (const zone of plan.natZones) {
      const key = `${zone + 1}`;
      const eip = new ec2.Eip(n(`nat-eip-${key}`), { domain: "vpc", tags: tags(`nat-eip-${key}`) }, { ...parent, dependsOn: igw ? [igw] : [] });
      this.natGateways[key] = new ec2.NatGateway(
        n(`nat-${key}`),
        { subnetId: this.subnets[`egress-${key}`].id, allocationId: eip.id, connectivityType: "public", tags: tags(`nat-${key}`) },
        parent,
      );
    }

    this.firewall = plan.networkFirewall ? this.createNetworkFirewall(name, plan, tags) : undefined;
    const firewallEndpoint = (zoneIndex: number): pulumi.Output<string> => {
      const fw = this.firewall as networkfirewall.Firewall;
      const subnetId = this.subnets[`firewall-${zoneIndex + 1}`].id;
      // The endpoint of a zone is the attachment of that zone's firewall subnet.
      return pulumi.all([fw.firewallStatuses, subnetId]).apply(([statuses, id]) => {
        for (const status of statuses ?? []) {
          for (const sync of status.syncStates ?? []) {
            for (const a of sync.attachments ?? []) if (a.subnetId === id) return a.endpointId;
          }
        }
        throw new Error(`AwsWorkerNetwork "${name}": the Network Firewall reports no endpoint for subnet ${id}.`);
      });
    };
    const routeArgs = (r: AwsPlannedRoute): awsInput.ec2.RouteTableRoute => {
      switch (r.target.kind) {
        case "internetGateway":
          return { cidrBlock: r.destination, gatewayId: (igw as ec2.InternetGateway).id };
        case "natGateway":
          return { cidrBlock: r.destination, natGatewayId: this.natGateways[`${r.target.zoneIndex + 1}`].id };
        case "firewallEndpoint":
          return { cidrBlock: r.destination, vpcEndpointId: firewallEndpoint(r.target.zoneIndex) };
      }
    };
    this.routeTables = {};
    // Routes are inline, so the table is authoritative: a route added out of band (an internet gateway route on a
    // worker subnet) is removed by the next `pulumi up`. The S3 gateway endpoint's prefix-list routes are left alone:
    // the provider skips prefix-list routes to a "vpce-" gateway ("VPC endpoint routes are handled separately").
    const associations: Record<string, ec2.RouteTableAssociation> = {};
    for (const rt of plan.routeTables) {
      this.routeTables[rt.subnetKey] = new ec2.RouteTable(n(`rt-${rt.subnetKey}`), { vpcId: this.vpc.id, routes: rt.routes.map(routeArgs), tags: tags(`rt-${rt.subnetKey}`) }, parent);
      associations[rt.subnetKey] = new ec2.RouteTableAssociation(n(`rta-${rt.subnetKey}`), { subnetId: this.subnets[rt.subnetKey].id, routeTableId: this.routeTables[rt.subnetKey].id }, parent);
    }
    const workerRouteTableIds = workloads.map((s) => this.routeTables[s.key].id);

    this.s3Endpoint = plan.s3Gateway
      ? new ec2.VpcEndpoint(
          n("s3-endpoint"),
          {
            vpcId: this.vpc.id,
            serviceName: pulumi.interpolate`com.amazonaws.${region}.s3`,
            vpcEndpointType: "Gateway",
            routeTableIds: workerRouteTableIds,
            policy: region.apply((r) => s3EndpointPolicyFor(r, plan.s3Gateway?.bucketArns ?? [])),
            tags: tags("s3-endpoint"),
          },
          parent,
        )
      : undefined;

    let endpointSg: ec2.SecurityGroup | undefined;
    if (plan.interfaceServices.length > 0) {
      endpointSg = new ec2.SecurityGroup(
        n("endpoints-sg"),
        {
          vpcId: this.vpc.id,
          description: "VPC interface endpoints: HTTPS from the worker subnets only",
          ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: workloads.map((s) => s.cidr), description: "worker subnets" }],
          egress: [],
          revokeRulesOnDelete: true,
          tags: tags("endpoints-sg"),
        },
        parent,
      );
      // Pinned to the account the stack deploys into: the workers' own.
      const endpointPolicy = getCallerIdentityOutput({}, parent).accountId.apply(interfaceEndpointPolicyFor);
      for (const service of plan.interfaceServices) {
        const key = `endpoint-${service.replace(/\./g, "-")}`;
        new ec2.VpcEndpoint(
          n(key),
          {
            vpcId: this.vpc.id,
            serviceName: pulumi.interpolate`com.amazonaws.${region}.${service}`,
            vpcEndpointType: "Interface",
            privateDnsEnabled: true,
            subnetIds: workloads.map((s) => this.subnets[s.key].id),
            securityGroupIds: [endpointSg.id],
            policy: endpointPolicy,
            tags: tags(key),
          },
          parent,
        );
      }
    }

    const egressArgs = (r: AwsEgressRulePlan): awsInput.ec2.SecurityGroupEgress => {
      const base = { protocol: r.protocol, fromPort: r.fromPort, toPort: r.toPort, description: r.description };
      if (r.target === AwsEgressTarget.S3PrefixList) return { ...base, prefixListIds: [(this.s3Endpoint as ec2.VpcEndpoint).prefixListId] };
      if (r.target === AwsEgressTarget.EndpointSecurityGroup) return { ...base, securityGroups: [(endpointSg as ec2.SecurityGroup).id] };
      return { ...base, cidrBlocks: [...(r.cidrBlocks ?? [])] };
    };
    // Inline rules make the group authoritative: any rule added out of band is removed on the next update, and an
    // empty list really means no egress at all (AWS's default allow-all egress rule is removed on creation).
    this.workerSecurityGroup = new ec2.SecurityGroup(
      n("workers-sg"),
      {
        vpcId: this.vpc.id,
        description: "Workers: no ingress; egress only to the hardening allow-list",
        ingress: [],
        egress: plan.securityGroupEgress.map(egressArgs),
        revokeRulesOnDelete: true,
        tags: tags("workers-sg"),
      },
      parent,
    );

    const proxy = plan.egressProxy ? this.createEgressProxy(name, plan, args, tags, associations) : undefined;
    this.proxyLoadBalancer = proxy?.loadBalancer;
    this.proxyAutoScalingGroup = proxy?.group;
    this.proxySecurityGroup = proxy?.securityGroup;
    const proxyPlan = plan.egressProxy;
    this.proxyUrl = proxy && proxyPlan ? proxy.loadBalancer.dnsName.apply((dns) => awsProxyUrlFor(dns, proxyPlan)) : undefined;
    this.proxyEnv = proxy && proxyPlan ? proxy.loadBalancer.dnsName.apply((dns) => awsProxyEnvFor(dns, proxyPlan)) : undefined;

    this.dnsFirewallRuleGroup = plan.dnsFirewall ? this.createDnsFirewall(name, plan, tags, region) : undefined;
    this.flowLogs = plan.flowLogs ? this.createFlowLogs(name, plan, tags) : {};

    this.networkId = this.vpc.id;
    this.workloadSubnetIds = workloads.map((s) => this.subnets[s.key].id);
    this.workerSecurityGroupId = this.workerSecurityGroup.id;
    this.controls = pulumi.output(awsNetworkControlsFor(name, plan));
    this.registerOutputs({
      networkId: this.networkId,
      workloadSubnetIds: this.workloadSubnetIds,
      workerSecurityGroupId: this.workerSecurityGroupId,
      controls: this.controls,
      hardening: this.hardening,
      ...(this.proxyUrl ? { proxyUrl: this.proxyUrl, proxyEnv: this.proxyEnv } : {}),
    });
  }

  /**
   * The egress proxy group: an internal Network Load Balancer in the firewall subnets, admitting only the worker
   * subnets, in front of an Auto Scaling group of Squid hosts (cloud-init from components/egressProxy) that have
   * no instance profile, IMDSv2 only with hop limit 1, and a security group that admits only the load balancer.
   */
  private createEgressProxy(
    name: string,
    plan: AwsWorkerNetworkPlan,
    args: AwsWorkerNetworkArgs,
    tags: (key: string, extra?: Record<string, string>) => Record<string, string>,
    associations: Record<string, ec2.RouteTableAssociation>,
  ): { loadBalancer: lb.LoadBalancer; group: autoscaling.Group; securityGroup: ec2.SecurityGroup } {
    const p = plan.egressProxy as NonNullable<AwsWorkerNetworkPlan["egressProxy"]>;
    const parent = { parent: this };
    const n = (key: string) => `${name}-${key}`;
    const subnetIds = p.subnetKeys.map((k) => this.subnets[k].id);
    // The load balancer's own group is the clients' gate: a Network Load Balancer created without a security group
    // admits every client and cannot be given one later (ELB UG, load-balancer-security-groups).
    const lbSg = new ec2.SecurityGroup(
      n("proxy-lb-sg"),
      {
        vpcId: this.vpc.id,
        description: "Egress proxy load balancer: the proxy port from the worker subnets only",
        ingress: [{ protocol: "tcp", fromPort: p.port, toPort: p.port, cidrBlocks: [...p.clientCidrs], description: "worker subnets" }],
        egress: [{ protocol: "tcp", fromPort: p.port, toPort: p.port, cidrBlocks: [...p.subnetCidrs], description: "proxy hosts and their health checks" }],
        revokeRulesOnDelete: true,
        tags: tags("proxy-lb-sg"),
      },
      parent,
    );
    const securityGroup = new ec2.SecurityGroup(
      n("proxy-sg"),
      {
        vpcId: this.vpc.id,
        description: "Egress proxy hosts: the proxy port from the load balancer only; out on the allow-list ports",
        // Client IPs are preserved, so the rule names the load balancer's group, which ELB honours for preserved
        // client traffic and for health checks alike (ELB UG, load-balancer-security-groups).
        ingress: [{ protocol: "tcp", fromPort: p.port, toPort: p.port, securityGroups: [lbSg.id], description: "egress proxy load balancer" }],
        egress: p.hostEgress.map((r) => ({ protocol: r.protocol, fromPort: r.fromPort, toPort: r.toPort, cidrBlocks: [...(r.cidrBlocks ?? [])], description: r.description })),
        revokeRulesOnDelete: true,
        tags: tags("proxy-sg"),
      },
      parent,
    );
    const launchTemplate = new ec2.LaunchTemplate(
      n("proxy-launch-template"),
      {
        imageId: args.egressProxy?.imageId,
        instanceType: p.instanceType,
        metadataOptions: { ...p.metadataOptions },
        networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: "false", deleteOnTermination: "true", securityGroups: [securityGroup.id] }],
        userData: Buffer.from(p.userData, "utf8").toString("base64"),
        updateDefaultVersion: true,
        tagSpecifications: [{ resourceType: "instance", tags: tags("proxy", { "hardening:role": "egress-proxy" }) }],
        tags: tags("proxy-launch-template"),
      },
      parent,
    );
    const loadBalancer = new lb.LoadBalancer(
      n("proxy-lb"),
      {
        internal: true,
        loadBalancerType: "network",
        subnets: subnetIds,
        securityGroups: [lbSg.id],
        // Off by default for Network Load Balancers: on, a zone whose proxies are down or being replaced is still
        // served by the other zones' (ELB UG, target-group-cross-zone; cross-zone traffic is billed).
        enableCrossZoneLoadBalancing: true,
        tags: tags("proxy-lb"),
      },
      parent,
    );
    const targetGroup = new lb.TargetGroup(
      n("proxy-tg"),
      {
        vpcId: this.vpc.id,
        targetType: "instance",
        protocol: "TCP",
        port: p.port,
        // Squid admits only the worker subnets (its clients ACL), so it must see their addresses.
        preserveClientIp: "true",
        deregistrationDelay: 30,
        healthCheck: { enabled: true, protocol: "TCP", port: "traffic-port", interval: 10, healthyThreshold: 2, unhealthyThreshold: 2 },
        tags: tags("proxy-tg"),
      },
      parent,
    );
    new lb.Listener(
      n("proxy-listener"),
      { loadBalancerArn: loadBalancer.arn, port: p.port, protocol: "TCP", defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }], tags: tags("proxy-listener") },
      parent,
    );
    const group = new autoscaling.Group(
      n("proxy-asg"),
      {
        vpcZoneIdentifiers: subnetIds,
        minSize: p.instanceCount,
        maxSize: p.instanceCount,
        desiredCapacity: p.instanceCount,
        maxInstanceLifetime: p.maxInstanceLifetime,
        launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply((v) => `${v}`) },
        targetGroupArns: [targetGroup.arn],
        // A host whose Squid stops answering is replaced, not only taken out of the load balancer (Auto Scaling
        // UG, health checks: Elastic Load Balancing health checks must be turned on for the group).
        healthCheckType: "ELB",
        healthCheckGracePeriod: 300,
        instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 50 } },
        tags: Object.entries(tags("proxy", { "hardening:role": "egress-proxy" })).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
      },
      // The hosts install Squid at boot, so their route out must exist first.
      { parent: this, dependsOn: [...p.subnetKeys.map((k) => associations[k]), ...Object.values(this.natGateways)] },
    );
    return { loadBalancer, group, securityGroup };
  }

  private createNetworkFirewall(name: string, plan: AwsWorkerNetworkPlan, tags: (key: string) => Record<string, string>): networkfirewall.Firewall {
    const fwPlan = plan.networkFirewall as NonNullable<AwsWorkerNetworkPlan["networkFirewall"]>;
    const parent = { parent: this };
    const n = (key: string) => `${name}-${key}`;
    // HOME_NET is the VPC: "domain list inspection only includes traffic coming from the VPC" unless it is set.
    const ruleVariables = { ipSets: [{ key: "HOME_NET", ipSet: { definitions: [fwPlan.homeNet] } }] };
    const strict = { ruleOrder: "STRICT_ORDER" };
    const references: { priority: number; resourceArn: pulumi.Output<string> }[] = [];
    if (fwPlan.cidrRules.length > 0) {
      const cidrs = new networkfirewall.RuleGroup(
        n("firewall-cidrs"),
        {
          type: "STATEFUL",
          // Capacity cannot change after creation; leave room to grow the allow-list without a replacement.
          capacity: Math.max(100, fwPlan.cidrRules.length * 4),
          description: "hardening: allow-list CIDR rules (metadata networks dropped first)",
          ruleGroup: { ruleVariables, statefulRuleOptions: strict, rulesSource: { statefulRules: fwPlan.cidrRules.map((r) => ({ ...r, ruleOptions: r.ruleOptions.map((o) => ({ ...o })) })) } },
          tags: tags("firewall-cidrs"),
        },
        parent,
      );
      references.push({ priority: 10, resourceArn: cidrs.arn });
    }
    if (fwPlan.domainTargets.length > 0) {
      const domains = new networkfirewall.RuleGroup(
        n("firewall-domains"),
        {
          type: "STATEFUL",
          capacity: Math.max(100, fwPlan.domainTargets.length * 4),
          description: "hardening: allow-list domains by TLS SNI and HTTP Host",
          ruleGroup: {
            ruleVariables,
            statefulRuleOptions: strict,
            rulesSource: { rulesSourceList: { generatedRulesType: "ALLOWLIST", targetTypes: ["TLS_SNI", "HTTP_HOST"], targets: [...fwPlan.domainTargets] } },
          },
          tags: tags("firewall-domains"),
        },
        parent,
      );
      references.push({ priority: 20, resourceArn: domains.arn });
    }
    // Outbound TLS inspection: the firewall terminates each worker's TLS on the domain rules' ports with the caller's
    // CA and opens its own session to the destination, so the SNI is checked against the server's certificate and
    // the domain list's HTTP_HOST target sees the decrypted Host. A policy takes it only when created ("You can only
    // add a TLS inspection configuration to a new policy"); a change replaces the policy.
    const tls = fwPlan.tlsInspection
      ? new networkfirewall.TlsInspectionConfiguration(
          n("firewall-tls-inspection"),
          {
            description: "hardening: outbound TLS inspection of the allow-list's domain ports",
            tlsInspectionConfiguration: tlsInspectionConfigurationFor(fwPlan.tlsInspection),
            tags: tags("firewall-tls-inspection"),
          },
          parent,
        )
      : undefined;
    const policy = new networkfirewall.FirewallPolicy(
      n("firewall-policy"),
      {
        firewallPolicy: {
          // Held until the SNI rules have been evaluated: nothing of a refused connection reaches its destination.
          ...(tls ? { tlsInspectionConfigurationArn: tls.arn, enableTlsSessionHolding: true } : {}),
          // Everything goes to the stateful engine; nothing is passed or dropped statelessly.
          statelessDefaultActions: ["aws:forward_to_sfe"],
          statelessFragmentDefaultActions: ["aws:forward_to_sfe"],
          statefulEngineOptions: { ruleOrder: "STRICT_ORDER", streamExceptionPolicy: "DROP" },
          statefulDefaultActions: [...NETWORK_FIREWALL_STATEFUL_DEFAULT_ACTIONS],
          statefulRuleGroupReferences: references,
        },
        tags: tags("firewall-policy"),
      },
      parent,
    );
    return new networkfirewall.Firewall(
      n("firewall"),
      {
        vpcId: this.vpc.id,
        firewallPolicyArn: policy.arn,
        subnetMappings: plan.subnets.filter((s) => s.role === "firewall").map((s) => ({ subnetId: this.subnets[s.key].id })),
        tags: tags("firewall"),
      },
      parent,
    );
  }

  private createDnsFirewall(name: string, plan: AwsWorkerNetworkPlan, tags: (key: string) => Record<string, string>, region: pulumi.Output<string>): route53.ResolverFirewallRuleGroup {
    const dns = plan.dnsFirewall as NonNullable<AwsWorkerNetworkPlan["dnsFirewall"]>;
    const parent = { parent: this };
    const n = (key: string) => `${name}-${key}`;
    const group = new route53.ResolverFirewallRuleGroup(n("dns-firewall"), { tags: tags("dns-firewall") }, parent);
    const rule = (key: string, domains: readonly string[] | pulumi.Output<string[]>, action: "ALLOW" | "BLOCK", priority: number, redirection?: string) => {
      const list = new route53.ResolverFirewallDomainList(n(`dns-${key}`), { domains: pulumi.Output.isInstance(domains) ? domains : [...domains], tags: tags(`dns-${key}`) }, parent);
      new route53.ResolverFirewallRule(
        n(`dns-rule-${key}`),
        {
          firewallRuleGroupId: group.id,
          firewallDomainListId: list.id,
          action,
          priority,
          ...(action === "BLOCK" ? { blockResponse: "NXDOMAIN" } : {}),
          ...(redirection ? { firewallDomainRedirectionAction: redirection } : {}),
        },
        parent,
      );
    };
    if (dns.allowedDomains.length > 0) rule("allowed", dns.allowedDomains, "ALLOW", DNS_FIREWALL_PRIORITIES.allowed);
    // The proxy hosts' package mirror: mirrors answer through CDN CNAME chains, which this rule alone trusts.
    if (dns.packageMirrorDomains.length > 0) rule("package-mirrors", dns.packageMirrorDomains, "ALLOW", DNS_FIREWALL_PRIORITIES.packageMirrors, "TRUST_REDIRECTION_DOMAIN");
    rule("aws-services", region.apply(awsServiceDomainsFor), "ALLOW", DNS_FIREWALL_PRIORITIES.awsServices);
    // The catch-all: every name no ALLOW rule matched is answered NXDOMAIN.
    rule("block-all", ["*"], "BLOCK", DNS_FIREWALL_PRIORITIES.blockAll);
    new route53.ResolverFirewallRuleGroupAssociation(n("dns-firewall-association"), { firewallRuleGroupId: group.id, vpcId: this.vpc.id, priority: 101, tags: tags("dns-firewall-association") }, parent);
    // Fail closed: if DNS Firewall cannot answer, queries fail instead of passing unfiltered.
    new route53.ResolverFirewallConfig(n("dns-firewall-config"), { resourceId: this.vpc.id, firewallFailOpen: "DISABLED" }, parent);
    return group;
  }

  private createFlowLogs(name: string, plan: AwsWorkerNetworkPlan, tags: (key: string) => Record<string, string>): Record<string, ec2.FlowLog> {
    const fl = plan.flowLogs as NonNullable<AwsWorkerNetworkPlan["flowLogs"]>;
    const parent = { parent: this };
    const n = (key: string) => `${name}-${key}`;
    let destination: pulumi.Input<string>;
    let iamRoleArn: pulumi.Input<string> | undefined;
    if (fl.destination === FlowLogDestination.S3) {
      destination = fl.s3BucketArn as string;
    } else {
      const group = new cloudwatch.LogGroup(n("flow-logs"), { retentionInDays: fl.retentionDays, kmsKeyId: fl.kmsKeyArn, tags: tags("flow-logs") }, parent);
      // The only role the network creates: VPC Flow Logs may write to this one log group and nothing else.
      const role = new iam.Role(
        n("flow-logs-role"),
        {
          description: "VPC Flow Logs delivery to one log group",
          assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole" }],
          }),
          tags: tags("flow-logs-role"),
        },
        parent,
      );
      new iam.RolePolicy(
        n("flow-logs-policy"),
        {
          role: role.id,
          policy: group.arn.apply((arn) =>
            JSON.stringify({
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Allow",
                  Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "logs:DescribeLogGroups"],
                  Resource: [arn, `${arn}:*`],
                },
              ],
            }),
          ),
        },
        parent,
      );
      destination = group.arn;
      iamRoleArn = role.arn;
    }
    const logs: Record<string, ec2.FlowLog> = {};
    for (const s of plan.subnets.filter((x) => x.role === "workload")) {
      logs[s.key] = new ec2.FlowLog(
        n(`flow-log-${s.key}`),
        {
          subnetId: this.subnets[s.key].id,
          trafficType: "ALL",
          logDestinationType: fl.destination === FlowLogDestination.S3 ? "s3" : "cloud-watch-logs",
          logDestination: destination,
          iamRoleArn,
          maxAggregationInterval: 60,
          tags: tags(`flow-log-${s.key}`),
        },
        parent,
      );
    }
    return logs;
  }
}

function planOrThrow(name: string, args: AwsWorkerNetworkArgs): AwsWorkerNetworkPlan {
  return planForComponent("AwsWorkerNetwork", name, () =>
    planAwsWorkerNetwork(args ?? {}),
  );
}
