/**
 * The GCP controls reports, built from the plans alone (pure), so tests and `hardening plan` print the same
 * thing the components expose. Each report lists the controls applied and, with `effective: false`, the tempting
 * ones that GCP does not enforce, so nobody mistakes a VPC firewall rule for metadata protection.
 */
import { DOCKER_USERNS_SOURCE, HOST_FIREWALL_PRECONDITIONS } from "../../components/hostBoot";
import { ControlFamily, ControlReport, EgressMode, EgressTier, MetadataEndpointMode, SandboxMode } from "../../components";
import type { GkeNodePoolPlan } from "./gkeNodePoolPlan";
import { DNS_SINK_V4, DNS_SINK_V6, type GcpNetworkPlan } from "./networkPlan";
import { GCP_SOURCES as S } from "./sources";
import type { GcpWorkerPoolPlan } from "./workerPoolPlan";

function control(c: Omit<ControlReport, "cloud">): ControlReport {
  return { ...c, cloud: "gcp" };
}

/** Private Google Access, and whether Google APIs can carry data to another project. */
function googleApisControls(plan: GcpNetworkPlan, n: (key: string) => string): ControlReport[] {
  if (!plan.privateGoogleAccess) {
    return [
      control({
        id: "gcp-private-google-access-off",
        family: ControlFamily.Egress,
        appliedBy: "gcp.compute.Subnetwork privateIpGoogleAccess = false; no route, allow or private zone for a Google APIs VIP",
        protects: "Code that brings its own credentials uploading to another project's bucket, registry or topic through Google's APIs: no Google API is reachable from the workers.",
        effective: true,
        limits:
          "The workers reach no Google API either: no Artifact Registry pulls, no Cloud Logging or Monitoring agent. The metadata server still answers. privateGoogleAccess: true brings the APIs back with this path open; vpcServiceControls brings them back inside a perimeter.",
        resources: [n("subnet")],
        source: S.privateGoogleAccess,
      }),
    ];
  }
  const reports: ControlReport[] = [
    control({
      id: "gcp-private-google-access",
      family: ControlFamily.WorkloadSubnet,
      appliedBy: `gcp.compute.Subnetwork privateIpGoogleAccess = true; route ${plan.googleApis.cidr} to default-internet-gateway; private zones ${plan.privateZones.map((z) => z.dnsName).join(", ")} -> ${plan.googleApis.host}`,
      protects: "Reaching Google APIs and Artifact Registry with no external IP and no route to the internet.",
      effective: true,
      limits:
        plan.googleApis.vip === "restricted"
          ? "restricted.googleapis.com serves only APIs supported by VPC Service Controls; exfiltration to another project's resources is stopped only inside a VPC-SC perimeter."
          : "private.googleapis.com serves most Google APIs, including ones VPC Service Controls cannot restrict.",
      resources: [n("subnet"), n("route-google-apis"), ...plan.privateZones.map((z) => n(z.key)), n("allow-google-apis")],
      source: S.privateGoogleAccess,
    }),
  ];
  const perimeter = plan.perimeter;
  if (perimeter) {
    reports.push(
      control({
        id: "gcp-vpc-service-controls",
        family: ControlFamily.Egress,
        appliedBy: `gcp.accesscontextmanager.ServicePerimeter ${perimeter.name} (regular) around ${perimeter.status.resources.join(", ")}: restricted services ${perimeter.status.restrictedServices.join(", ")}; vpcAccessibleServices enableRestriction=true, allowedServices RESTRICTED-SERVICES; the workers reach Google APIs only through ${plan.googleApis.host}`,
        protects:
          "code that brings its own credentials copying data through Google's APIs to a bucket, registry, topic or dataset of another project: calls from inside the perimeter to resources outside it are refused for the restricted services, and the workers' network may call no other service",
        effective: true,
        limits:
          "Covers the restricted services only; the perimeter has no egress rules, so the workers' own project is the only one they reach through those services. It encloses the whole project: every workload in it is bound by it, and callers outside it (a CI runner deploying the stack) need an access level or an ingress rule to use the restricted services. The access policy is the organisation's; the package creates only the perimeter.",
        resources: [n("perimeter")],
        source: S.vpcServiceControls,
      }),
    );
    return reports;
  }
  reports.push(
    control({
      id: "gcp-google-apis-other-project",
      family: ControlFamily.Egress,
      appliedBy: `not closed: ${plan.googleApis.host} is reachable from the workers (Private Google Access) and no VPC Service Controls perimeter is created`,
      protects: "nothing: code that brings its own credentials uploading to a bucket, registry or topic of another project through Google's APIs",
      effective: false,
      limits:
        "Google APIs authorise by credential, not by network: without a perimeter around the workers' project, any project's resources answer (restricted.googleapis.com limits which APIs answer, not whose resources). Set vpcServiceControls (an access policy id and the project number) to put the project in a perimeter, or turn Private Google Access off if the workers need no Google API (the denyAll default).",
      resources: [],
      source: `${S.privateGoogleAccess}; VPC Service Controls overview: a service perimeter around a project's resources is what mitigates data exfiltration through Google APIs [paraphrase]`,
    }),
  );
  return reports;
}

/** The worker network's controls: routing, egress filtering per tier, DNS, and the ineffective metadata deny. */
export function gcpNetworkControls(plan: GcpNetworkPlan): ControlReport[] {
  const n = (key: string) => `${plan.name}-${key}`;
  const h = plan.hardening;
  const rules = (prefix: string) => plan.firewallRules.filter((r) => r.key.startsWith(prefix)).map((r) => n(r.key));
  const report: ControlReport[] = [
    control({
      id: "gcp-vpc-firewall-metadata-deny",
      family: ControlFamily.MetadataEndpoint,
      appliedBy: `gcp.compute.Firewall EGRESS deny ${plan.firewallRules.find((r) => r.key === "deny-metadata")!.destinationRanges.join(", ")} (priority 900)`,
      protects: "Nothing against the GCE metadata server. Kept only so a broad allow (0.0.0.0/0) never covers the rest of link-local or other clouds' metadata addresses.",
      effective: false,
      limits: "VPC firewall rules and firewall policies never apply to VM<->metadata-server traffic; the worker pool's host firewall and service-account choice are the protection.",
      resources: rules("deny-metadata"),
      source: S.metadataAlwaysAllowed,
    }),
    control({
      id: "gcp-no-default-route",
      family: ControlFamily.WorkloadSubnet,
      appliedBy: "gcp.compute.Network autoCreateSubnetworks = false, deleteDefaultRoutesOnCreate = true",
      protects: "Any connection to the internet that no route in this plan allows; new subnets appearing in every region.",
      effective: true,
      limits: plan.nat
        ? "A default route is re-added for the workers' tag only, for Cloud NAT; the firewall allow-list filters it. The metadata server (DHCP, DNS, NTP) stays reachable whatever the routes."
        : "The metadata server (DHCP, DNS, NTP) stays reachable whatever the routes.",
      resources: [n("network"), ...plan.routes.map((r) => n(r.key))],
      source: S.deleteDefaultRoute,
    }),
    ...googleApisControls(plan, n),
    control({
      id: "gcp-flow-logs",
      family: ControlFamily.Egress,
      appliedBy: `gcp.compute.Subnetwork logConfig (5 s aggregation, sampling ${plan.flowLogSampling}, all metadata); firewall rule logging on every rule`,
      protects: "Evidence after the fact: which worker connected where, and which rule allowed or denied it.",
      effective: true,
      limits: "Detection, not prevention; sampled flows; traffic to the metadata server is not a firewall decision and cannot be relied on in these logs.",
      resources: [n("subnet")],
      source: S.flowLogs,
    }),
    control({
      id: "gcp-egress-deny-all",
      family: ControlFamily.Egress,
      appliedBy: "gcp.compute.Firewall EGRESS deny all to 0.0.0.0/0 and ::/0, priority 65534, every instance in the network",
      protects: "Every outbound connection not on the allow-list, from any instance in the worker network.",
      effective: true,
      limits: "Does not apply to the metadata server, which also answers DNS: see the DNS control for lookups.",
      resources: rules("deny-all"),
      source: S.firewallEgress,
    }),
  ];
  if (h.egress.mode === EgressMode.AllowList) {
    report.push(
      control({
        id: "gcp-egress-allow-list",
        family: ControlFamily.Egress,
        appliedBy: "gcp.compute.Firewall EGRESS allow per CIDR rule (protocol, ports), priority 1000, targetTags = the workers' tag",
        protects: "Limits outbound traffic to the listed networks and ports.",
        effective: true,
        limits:
          h.egress.tier === EgressTier.Dns
            ? "Tier dns: the ports of name rules are open to any address; only DNS decides which names resolve, so a connection straight to an IP address bypasses the name list."
            : "Addresses and ports only; a CIDR shared by many services (a CDN) allows all of them.",
        resources: rules("allow-").filter((r) => !r.endsWith("google-apis")),
        source: S.firewallEgress,
      }),
    );
    if (h.egress.tier === EgressTier.Dns && h.egress.allow.some((r) => r.kind === "domain")) {
      report.push(
        control({
          id: "gcp-egress-allow-list-name-ports",
          family: ControlFamily.Egress,
          appliedBy: "not closed: the domain rules' ports are allowed to 0.0.0.0/0 in tier dns (VPC firewall rules cannot match names)",
          protects: "nothing: connections straight to an IP address, or TLS naming an allowed domain to any address, on those ports",
          effective: false,
          limits: "Only the DNS response policy decides which names resolve. Tier firewall (Cloud NGFW FQDN objects) allows only the addresses the allowed names resolve to.",
          resources: [],
          source: S.firewallEgress,
        }),
      );
    }
  }
  if (plan.nat) {
    report.push(
      control({
        id: "gcp-cloud-nat",
        family: ControlFamily.WorkloadSubnet,
        appliedBy: "gcp.compute.Router + gcp.compute.RouterNat (LIST_OF_SUBNETWORKS: the worker subnet only, logging ALL); default route for the workers' tag",
        protects: "Outbound connections without any external IP on the workers; no inbound path from the internet.",
        effective: true,
        limits: "NAT itself filters nothing: the firewall allow-list does.",
        resources: [n("router"), n("nat"), n("route-nat")],
        source: S.cloudNat,
      }),
    );
  }
  if (plan.dnsRules.length > 0) {
    report.push(
      control({
        id: "gcp-dns-allow-list",
        family: ControlFamily.Egress,
        appliedBy: `gcp.dns.ResponsePolicy on the worker network: bypassResponsePolicy for ${plan.dnsRules.filter((r) => r.behavior).length} names (allowed names, Google zones, .internal), local data ${DNS_SINK_V4} / ${DNS_SINK_V6} (addresses nothing routes) for "*."`,
        protects:
          h.egress.mode === EgressMode.DenyAll
            ? "DNS tunnelling through the metadata server's resolver: no outside name is resolved for the workers."
            : "Resolution of any name not on the allow-list, and DNS tunnelling through the metadata server's resolver.",
        effective: true,
        limits:
          "Names only: a connection to a literal IP address never asks DNS. Whether Cloud DNS applies the sink to the CNAME targets of an allowed name is not documented [unverified]; if it does, list the CDN names as well. A wildcard rule (*.example.com) allows subdomains, not the apex.",
        resources: [n("dns-policy"), ...plan.dnsRules.map((r) => n(r.key))],
        source: S.responsePolicy,
      }),
    );
  }
  if (plan.fqdnRules.length > 0) {
    report.push(
      control({
        id: "gcp-ngfw-fqdn-egress",
        family: ControlFamily.Egress,
        appliedBy: `gcp.compute.NetworkFirewallPolicy (evaluated before classic rules) with ${plan.fqdnRules.length} EGRESS allow rule(s) on match.destFqdns, associated with the worker network`,
        protects: "Outbound connections to any address that the allowed names do not currently resolve to, whatever name the workload asks for.",
        effective: true,
        limits:
          "Layer 3 after resolution, not SNI or Host: an address shared by many sites (a CDN) allows all of them; at most 32 IPv4 and 32 IPv6 addresses per name; an unresolvable name is ignored; exact names only (no wildcards). Cloud NGFW Standard pricing applies.",
        resources: [n("fqdn-policy"), n("fqdn-policy-association"), ...plan.fqdnPolicyDenies.map((r) => n(r.key)), ...plan.fqdnRules.map((r) => n(r.key))],
        source: S.fqdnObjects,
      }),
      control({
        id: "gcp-ngfw-fqdn-cdn",
        family: ControlFamily.Egress,
        appliedBy: "not closed: FQDN objects allow the addresses an allowed name resolves to, whoever else is served there",
        protects: "nothing: domain fronting on a CDN an allowed name shares, and an allowed name whose answer points at an internal address",
        effective: false,
        limits: "Layer 3 after resolution: the firewall never sees the SNI or Host, so any site on the same CDN addresses is reachable, and a name that resolves to a private address is allowed to it.",
        resources: [],
        source: S.fqdnObjects,
      }),
    );
  }
  return report;
}

/** The worker pool's controls: identity, host firewall, metadata keys, Shielded VM, lifetime, sandbox. */
export function gcpWorkerPoolControls(plan: GcpWorkerPoolPlan): ControlReport[] {
  const template = `${plan.name}-template`;
  const h = plan.hardening;
  const report: ControlReport[] = [];
  report.push(
    plan.serviceAccount
      ? control({
          id: "gcp-dedicated-service-account",
          family: ControlFamily.HostIdentity,
          appliedBy: `gcp.compute.InstanceTemplate serviceAccount = { email: "${plan.serviceAccount.email}", scopes: [cloud-platform] }`,
          protects: "Limits what a token stolen from the metadata server can do to the roles of the caller's dedicated account.",
          effective: true,
          limits: "Only as narrow as the roles the caller grants it; the package never grants any. The default compute account is refused.",
          resources: [template],
          source: `${S.scopes}; ${S.defaultComputeSa}`,
        })
      : control({
          id: "gcp-no-service-account",
          family: ControlFamily.HostIdentity,
          appliedBy: "gcp.compute.InstanceTemplate without serviceAccount",
          protects: "Credential theft through the metadata server: it has no token to hand out.",
          effective: true,
          limits: "Instance metadata (attributes, startup script) stays readable to processes the host firewall lets through; keep secrets out of metadata.",
          resources: [template],
          source: S.noServiceAccount,
        }),
  );
  if (h.metadataEndpoint === MetadataEndpointMode.Blocked) {
    report.push(
      control({
        id: "gcp-host-firewall",
        family: ControlFamily.MetadataEndpoint,
        appliedBy:
          "gcp.compute.InstanceTemplate metadata.startup-script: installs and applies iptables/ip6tables chains (non-root TCP/UDP to link-local and every catalogued endpoint refused by current and by original destination, except the metadata server's DNS on 53 and NTP on 123; FORWARD, DOCKER-USER and INPUT drops for containers), a boot unit that docker and containerd require, and a re-assert timer; the caller's boot script runs only once the rules are in force",
        protects: "Workload processes and containers on the worker reaching the metadata server, also through a NAT redirect to a local agent.",
        effective: true,
        limits:
          "Root on the host passes (it must: the guest agent needs the server); a workload that gains root bypasses it. On the first boot the startup script runs after the network is up, later than a cloud-init boothook; on later boots its unit applies the rules before the container runtime.",
        resources: [template],
        source: `${S.hostFirewall}; ${S.startupScript}; ${S.metadataServes}`,
        preconditions: [...HOST_FIREWALL_PRECONDITIONS],
      }),
      control({
        id: "gcp-docker-userns-remap",
        family: ControlFamily.Sandbox,
        appliedBy: 'startup-script: /etc/docker/daemon.json {"userns-remap":"default","no-new-privileges":true} (written when the image has none), and a docker.service drop-in that refuses to start dockerd without those settings',
        protects: "a flow's container getting the host: container root is an unprivileged host uid; dockerd refuses --privileged and --network host without --userns=host; no setuid escalation",
        effective: true,
        limits:
          "Host volumes and the Docker socket are dockerd's to grant: Kestra's Docker task runner must keep host volumes disabled (kestra.plugins.configurations volume-enabled: false, Kestra's default). A dockerd already running at first boot is restarted to pick the settings up.",
        resources: [template],
        source: DOCKER_USERNS_SOURCE,
        preconditions: ["dockerd reads /etc/docker/daemon.json: made true by the boot path, which writes it and refuses to start dockerd without the settings"],
      }),
    );
  } else {
    report.push(
      control({
        id: "gcp-metadata-flavor-header",
        family: ControlFamily.MetadataEndpoint,
        appliedBy: "none needed: the GCE metadata server always requires Metadata-Flavor: Google (with legacy endpoints disabled)",
        protects: "Simple server-side request forgery that cannot set headers.",
        effective: true,
        limits: "Any code running on the worker, in or out of a container, can set the header and read the server; no host firewall is installed with metadataEndpoint \"tokenRequired\".",
        resources: [template],
        source: S.metadataFlavor,
      }),
    );
  }
  report.push(
    control({
      id: "gcp-legacy-metadata-endpoints-disabled",
      family: ControlFamily.MetadataEndpoint,
      appliedBy: "gcp.compute.InstanceTemplate metadata disable-legacy-endpoints = TRUE",
      protects: "Header-less requests to the v0.1 and v1beta1 metadata endpoints (SSRF without header control).",
      effective: true,
      limits: "Hygiene: the v1 endpoint stays, with its header requirement.",
      resources: [template],
      source: S.legacyEndpoints,
    }),
    control({
      id: "gcp-os-login",
      family: ControlFamily.HostIdentity,
      appliedBy: "gcp.compute.InstanceTemplate metadata enable-oslogin = TRUE, block-project-ssh-keys = TRUE",
      protects: "SSH to the workers with project-wide keys; SSH access is decided by IAM instead.",
      effective: true,
      limits: "Does not stop code that already runs on the worker.",
      resources: [template],
      source: S.osLogin,
    }),
    control({
      id: "gcp-shielded-vm",
      family: ControlFamily.HostIdentity,
      appliedBy: "gcp.compute.InstanceTemplate shieldedInstanceConfig = { enableSecureBoot, enableVtpm, enableIntegrityMonitoring }",
      protects: "Boot-level persistence (bootkits, unsigned kernels) surviving on a worker.",
      effective: true,
      limits: "Boot integrity only; it does not restrict the metadata server.",
      resources: [template],
      source: S.shieldedVm,
    }),
    control({
      id: "gcp-no-external-ip",
      family: ControlFamily.WorkloadSubnet,
      appliedBy: "gcp.compute.InstanceTemplate networkInterfaces without accessConfigs",
      protects: "Inbound connections from the internet and outbound traffic that skips NAT and the allow-list.",
      effective: true,
      limits: "",
      resources: [template],
      source: S.noExternalIp,
    }),
    control({
      id: "gcp-max-run-duration",
      family: ControlFamily.Ephemeral,
      appliedBy: `gcp.compute.InstanceTemplate scheduling.maxRunDuration = ${plan.maxRunSeconds}s, instanceTerminationAction = DELETE; gcp.compute.RegionInstanceGroupManager recreates deleted workers`,
      protects: "Persistence of a compromised worker beyond its lifetime.",
      effective: true,
      limits:
        plan.lifetimeHours < h.ephemeral.maxLifetimeHours
          ? `Capped at GCE's 120-day limit: ${plan.lifetimeHours} h instead of the ${h.ephemeral.maxLifetimeHours} h asked (shorter, so stricter). Runs in progress are cut at the limit.`
          : "Runs in progress on a worker are cut when it reaches its limit.",
      resources: [template, `${plan.name}-group`],
      source: S.maxRunDuration,
    }),
  );
  report.push(
    h.sandbox === SandboxMode.Runtime
      ? control({
          id: "gcp-vm-sandbox-runtime",
          family: ControlFamily.Sandbox,
          appliedBy: "not applied: GCE offers no managed sandbox runtime for plain VMs",
          protects: "Kernel escapes from a workload container to the worker host.",
          effective: false,
          limits: "Containers on this pool share the host kernel. For gVisor use GcpGkeNodePool (GKE Sandbox), or install a sandbox runtime in your own image.",
          resources: [],
          source: S.gkeSandbox,
        })
      : control({
          id: "gcp-vm-sandbox-none",
          family: ControlFamily.Sandbox,
          appliedBy: "hardening.sandbox = none",
          protects: "Nothing: containers share the worker's kernel.",
          effective: false,
          limits: "A kernel escape reaches the host, where root passes the host firewall.",
          resources: [],
          source: S.gkeSandbox,
        }),
  );
  return report;
}

/** The GKE node pool's controls: Workload Identity, GKE Sandbox, node identity, Shielded nodes, private nodes. */
export function gkeNodePoolControls(plan: GkeNodePoolPlan): ControlReport[] {
  const pool = `${plan.name}-pool`;
  const h = plan.hardening;
  const report: ControlReport[] = [
    control({
      id: "gke-workload-metadata-gke-metadata",
      family: ControlFamily.MetadataEndpoint,
      appliedBy: 'gcp.container.NodePool nodeConfig.workloadMetadataConfig.mode = "GKE_METADATA"',
      protects: "Pods reading the node's service-account token and instance metadata: they get the GKE metadata server, which serves only their own Workload Identity.",
      effective: true,
      limits:
        "Needs Workload Identity on the cluster (workloadIdentityConfig.workloadPool). Pods with hostNetwork: true bypass it and reach the GCE metadata server with the node's account: forbid hostNetwork with Pod Security baseline or restricted.",
      resources: [pool],
      source: `${S.workloadIdentity}; ${S.hostNetworkBypass}`,
    }),
    control({
      id: "gke-node-service-account",
      family: ControlFamily.HostIdentity,
      appliedBy: `gcp.container.NodePool nodeConfig.serviceAccount = "${plan.nodeConfig.serviceAccount}", oauthScopes = [cloud-platform]`,
      protects: "Limits a stolen node token to the roles of the caller's dedicated node account; never the default compute account.",
      effective: true,
      limits: "The account must not hold compute.instances.get, or anyone with its token reads instance metadata through the Compute API.",
      resources: [pool],
      source: `${S.nodeSaNoInstancesGet}; ${S.scopes}`,
    }),
    control({
      id: "gke-legacy-metadata-endpoints-disabled",
      family: ControlFamily.MetadataEndpoint,
      appliedBy: 'gcp.container.NodePool nodeConfig.metadata disable-legacy-endpoints = "true"',
      protects: "Header-less requests to the legacy metadata endpoints.",
      effective: true,
      limits: "Hygiene.",
      resources: [pool],
      source: S.legacyEndpoints,
    }),
    control({
      id: "gke-shielded-nodes",
      family: ControlFamily.HostIdentity,
      appliedBy: "gcp.container.NodePool nodeConfig.shieldedInstanceConfig = { enableSecureBoot, enableIntegrityMonitoring }",
      protects: "Boot-level persistence on nodes.",
      effective: true,
      limits: "Boot integrity only.",
      resources: [pool],
      source: S.shieldedVm,
    }),
    control({
      id: "gke-private-nodes",
      family: ControlFamily.WorkloadSubnet,
      appliedBy: "gcp.container.NodePool networkConfig.enablePrivateNodes = true",
      protects: "Inbound connections from the internet to nodes; outbound traffic that skips NAT and the allow-list.",
      effective: true,
      limits: "The control plane endpoint, legacy ABAC and the cluster's network policy are cluster settings this node pool cannot set.",
      resources: [pool],
      source: S.privateNodes,
    }),
    control({
      id: "gke-max-run-duration",
      family: ControlFamily.Ephemeral,
      appliedBy: `gcp.container.NodePool nodeConfig.maxRunDuration = "${plan.nodeConfig.maxRunDuration}"`,
      protects: "Persistence of a compromised node beyond its lifetime.",
      effective: true,
      limits: "Not verified for standard (non-Spot, non-flex-start) nodes; if GKE refuses it, the deployment fails rather than running long-lived nodes silently.",
      resources: [pool],
      source: S.gkeMaxRunDuration,
    }),
  ];
  report.push(
    h.sandbox === SandboxMode.Runtime
      ? control({
          id: "gke-sandbox-gvisor",
          family: ControlFamily.Sandbox,
          appliedBy: 'gcp.container.NodePool nodeConfig.sandboxConfig.type = "GVISOR", imageType = "COS_CONTAINERD"',
          protects: "Kernel escapes, and access to node and cluster metadata, from untrusted pods.",
          effective: true,
          limits:
            "Pods must ask for runtimeClassName: gvisor (GKE taints sandbox nodes so only they land there). The default node pool cannot use GKE Sandbox when it is the cluster's only pool.",
          resources: [pool],
          source: S.gkeSandbox,
        })
      : control({
          id: "gke-sandbox-none",
          family: ControlFamily.Sandbox,
          appliedBy: "hardening.sandbox = none",
          protects: "Nothing: pods share the node's kernel.",
          effective: false,
          limits: "A kernel escape reaches the node.",
          resources: [],
          source: S.gkeSandbox,
        }),
  );
  return report;
}
