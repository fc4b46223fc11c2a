/**
 * The Azure controls reports, built from the plans alone (pure), so tests and `hardening plan` print exactly what a
 * component applies. Each entry quotes the vendor text that says the control works, or that it does not; the
 * tempting-but-ineffective NSG deny of 169.254.169.254 by IP is always listed with `effective: false`.
 */
import { DOCKER_USERNS_SOURCE, HOST_FIREWALL_PRECONDITIONS } from "../../components/hostBoot";
import { ControlFamily, ControlReport } from "../../components/controls";
import { EgressMode, HostIdentityMode, MetadataEndpointMode, SandboxMode, WorkloadSubnetMode } from "../../components/spec";
import { AksNodePoolPlan } from "./aksNodePoolPlan";
import { AzureEgressPath, AzureNetworkPlan } from "./networkPlan";
import { AzureWorkerPoolPlan, LIFETIME_HEALTH_PORT } from "./workerPoolPlan";

const NSG_PLATFORM =
  'MicrosoftDocs azure-docs, network-security-groups-overview.md, Azure platform considerations: "Basic infrastructure services like DHCP, DNS, IMDS, and health monitoring are provided through the virtualized host IP addresses 168.63.129.16 and 169.254.169.254 ... By default, these services aren\'t subject to the configured network security groups unless targeted by service tags specific to each service."';
const IMDS_TAG = 'NSG service tags table: "AzurePlatformIMDS ... You can use this tag to disable the default IMDS. Be cautious."';
const WIRESERVER_UDR = 'learn.microsoft.com, What is IP address 168.63.129.16: it "isn\'t subject to user defined routes"; IMDS traffic never leaves the host';
const MI_TOKENS = 'Managed identities docs: "All code/scripts running on a virtual machine can request and retrieve tokens for any managed identities available on it."';

function entry(
  id: string,
  family: ControlFamily,
  appliedBy: string,
  protects: string,
  effective: boolean,
  limits: string,
  resources: string[],
  source: string,
): ControlReport {
  return { id, family, cloud: "azure", appliedBy, protects, effective, limits, resources, source };
}

/** The controls of an {@link AzureNetworkPlan}: what the network component named `name` applies. */
export function azureNetworkControls(plan: AzureNetworkPlan, name: string): ControlReport[] {
  const spec = plan.hardening;
  const nsg = `${name}-nsg`;
  const subnet = `${name}-workload-1`;
  const out: ControlReport[] = [];
  out.push(entry(
    "azure-subnet-no-default-outbound",
    "workloadSubnet",
    "azure-native network.Subnet defaultOutboundAccess = false",
    "Implicit internet access (default outbound SNAT) from the worker subnet",
    true,
    plan.egressPath === AzureEgressPath.None
      ? "No NAT gateway and no firewall route: nothing leaves the VNet except to addresses the NSG allows inside it."
      : "Traffic still leaves through the egress path of the tier; the NSG and that path decide what.",
    [subnet],
    'Azure Networking: a private subnet ("defaultOutboundAccess: false") has no default outbound access; since API 2025-07-01 new VNets default to it [secondary]',
  ));
  out.push(entry(
    "azure-nsg-deny-all-outbound",
    "egress",
    `azure-native network.NetworkSecurityGroup securityRules: Deny * outbound and inbound at priority 4096, ${plan.securityRules.filter((r) => r.access === "Allow").length} allow rule(s) above it`,
    "Outbound connections to anything not on the allow-list, and inbound connections between workers",
    true,
    "NSG rules match addresses, protocols and ports, never names. They do not apply to Azure platform addresses (168.63.129.16, 169.254.169.254) unless a rule targets their service tags.",
    [nsg],
    `${NSG_PLATFORM}; AKS egress docs: dependencies "are almost entirely defined with FQDNs ... you can't use NSGs to block outbound traffic"`,
  ));
  if (plan.denyImdsServiceTag) {
    out.push(entry(
      "azure-nsg-imds-service-tag-deny",
      "metadataEndpoint",
      'azure-native network.NetworkSecurityGroup securityRules: Outbound Deny "*" to service tag AzurePlatformIMDS, priority 100',
      "Any process on a worker VM reading instance metadata (IMDS, 169.254.169.254)",
      true,
      "Blocks IMDS for the whole VM, root included: it also stops VM extensions, managed identity and Azure Monitor agents on every VM in the subnet, and a provisioning agent that queries IMDS at first boot may fail [verify your image; docs/azure.md]. Applied because hostIdentity is \"none\" and metadataEndpoint is \"blocked\"; turn off with denyImdsServiceTag: false.",
      [nsg],
      `${NSG_PLATFORM}; ${IMDS_TAG}`,
    ));
  }
  out.push(entry(
    "azure-nsg-metadata-ip-deny",
    "metadataEndpoint",
    "not applied: an NSG rule denying 169.254.169.254/32 by IP",
    "Workloads reaching IMDS",
    false,
    "Not protection: NSGs do not see IMDS traffic unless a rule targets the AzurePlatformIMDS service tag, so a deny by IP is never evaluated. The host firewall and the Metadata Security Protocol are the per-process controls.",
    [],
    NSG_PLATFORM,
  ));
  if (spec.metadataEndpoint === MetadataEndpointMode.Blocked && !plan.denyImdsServiceTag) {
    out.push(entry(
      "azure-nsg-imds-service-tag-deny",
      "metadataEndpoint",
      spec.hostIdentity === HostIdentityMode.Minimal
        ? "not applied: hostIdentity is \"minimal\", and the tag deny would cut the host's own identity off"
        : "not applied: turned off by the caller (denyImdsServiceTag: false)",
      "Any process on a worker VM reading instance metadata",
      false,
      "IMDS stays reachable at the network level; the worker pool's host firewall and Metadata Security Protocol keep workloads off it.",
      [],
      `${NSG_PLATFORM}; ${IMDS_TAG}`,
    ));
  }
  const egressResources: Record<AzureEgressPath, string[]> = {
    none: [],
    natGateway: [`${name}-nat`, `${name}-nat-ip`],
    natGatewayDnsPolicy: [`${name}-nat`, `${name}-nat-ip`],
    firewall: [`${name}-firewall`, `${name}-fwpolicy`, `${name}-fwrules`, `${name}-routes`],
  };
  if (plan.egressPath === AzureEgressPath.NatGateway || plan.egressPath === AzureEgressPath.NatGatewayDnsPolicy) {
    out.push(entry(
      "azure-nat-gateway-egress",
      "egress",
      "azure-native network.NatGateway (Standard, one static public IP) on the worker subnet",
      "Unfiltered or unattributable egress: all outbound traffic leaves from one known address, only where the NSG allows",
      true,
      "The NAT gateway filters nothing; the NSG allow-list does, by address and port only.",
      egressResources[plan.egressPath],
      "cloud-controls.md section 4, cheap default: network.Subnet { defaultOutboundAccess: false } plus network.NatGateway",
    ));
  }
  if (plan.dnsPolicy) {
    out.push(entry(
      "azure-dns-security-policy-allow-list",
      "egress",
      `azure-native dnsresolver.DnsResolverPolicy linked to the VNet: ${plan.dnsAllowedDomains.length > 0 ? `Allow ${plan.dnsAllowedDomains.join(" ")} (priority 100), ` : "no name allowed, "}Block "." with SERVFAIL (priority 65000)`,
      "Workloads resolving, and so reaching by name, any domain not on the allow-list (also DNS tunnelling through Azure DNS)",
      true,
      `${plan.egressPath === AzureEgressPath.NatGatewayDnsPolicy ? "Direct-IP connections bypass DNS: the NSG still allows the domain rules' ports to the Internet tag. " : ""}Each allowed name also allows all its subdomains ("Rules follow the DNS hierarchy"). DNS security policy is in preview in the pinned API version (2023-07-01-preview); the block rule also stops every other name the hosts would resolve.`,
      [`${name}-dnspolicy`, ...(plan.dnsAllowedDomains.length > 0 ? [`${name}-dns-allowed`, `${name}-dns-allow`] : []), `${name}-dns-all`, `${name}-dns-block`, `${name}-dns-link`],
      'MicrosoftDocs azure-docs, dns-security-policy.md: "DNS security policy offers the ability to filter and log DNS queries at the virtual network (VNet) level"; "Rules are processed in order of Priority in the range 100-65000"; "if you create a domain list that applies to all domains (by entering `.` as the DNS domain) and then configure a DNS traffic rule to block queries to this domain list, you can prevent required services from working"',
    ));
  }
  if (plan.egressPath === AzureEgressPath.Firewall) {
    out.push(entry(
      "azure-firewall-application-rules",
      "egress",
      "azure-native network.AzureFirewall (Standard) with a FirewallPolicy (threat intelligence Deny) whose rule collection group allows only the listed FQDNs (application rules) and CIDRs (network rules) from the worker subnet",
      "Egress to any destination not on the allow-list, checked by TLS SNI / HTTP Host for domains",
      true,
      "Application rules match the SNI or Host header, not the certificate: a client that sends an allowed SNI to another server's IP may pass unless the firewall's DNS-based FQDN matching applies. Only traffic routed to the firewall is filtered.",
      egressResources.firewall,
      'ARM firewallPolicies/ruleCollectionGroups (ApplicationRule: targetFqdns, protocols Http/Https); cloud-controls.md: "Application rules apply only to traffic that reaches the firewall, and only to public FQDNs"',
    ));
    out.push(entry(
      "azure-udr-default-via-firewall",
      "egress",
      "azure-native network.RouteTable on the worker subnet: 0.0.0.0/0 -> VirtualAppliance (the firewall's private IP), BGP propagation disabled",
      "Egress that would bypass the firewall",
      true,
      "168.63.129.16 and IMDS are not routed through the firewall whatever the routes say; the host firewall covers them.",
      [`${name}-routes`, subnet],
      WIRESERVER_UDR,
    ));
  }
  if (spec.workloadSubnet === WorkloadSubnetMode.Private && spec.egress.mode === EgressMode.DenyAll) {
    out.push(entry(
      "azure-egress-deny-all",
      "egress",
      "no NAT gateway, no firewall: the NSG's deny-all is the whole policy",
      "All egress but DNS: every connection leaving the worker subnet",
      true,
      "DNS queries to Azure DNS (168.63.129.16) are not subject to the NSG, and Azure DNS recurses to the internet: see azure-dns-tunnelling.",
      [nsg],
      NSG_PLATFORM,
    ));
  }
  if (!plan.dnsPolicy) {
    out.push(entry(
      "azure-dns-tunnelling",
      "egress",
      "not closed: no DNS security policy on the VNet (dnsSecurityPolicy: false), and the NSG does not see Azure DNS (168.63.129.16:53)",
      "nothing: data tunnelled out in DNS queries that Azure DNS forwards to a name server the attacker runs",
      false,
      "Azure DNS recurses to any name. The default (dnsSecurityPolicy: true) links a DNS security policy that resolves only the allowed names; an NSG rule denying the AzurePlatformDNS service tag would stop DNS altogether (the hosts' own lookups included), which this package does not apply.",
      [],
      `${NSG_PLATFORM}; NSG service tags table, AzurePlatformDNS: the basic infrastructure (default) DNS service; the tag can be used to disable the default DNS [paraphrase]`,
    ));
  }
  if (plan.egressPath === AzureEgressPath.NatGatewayDnsPolicy && spec.egress.allow.some((r) => r.kind === "domain")) {
    out.push(entry(
      "azure-nsg-domain-ports-open",
      "egress",
      "not closed: the NSG allows the domain rules' ports to the Internet service tag (NSG rules cannot match names)",
      "nothing: connections straight to an IP address, or TLS naming an allowed domain to any address, on those ports",
      false,
      "The DNS security policy decides which names resolve; nothing decides where a connection goes. Tier firewall (Azure Firewall application rules) checks the SNI or Host of every connection.",
      [],
      NSG_PLATFORM,
    ));
  }
  if (plan.egressPath === AzureEgressPath.Firewall) {
    out.push(entry(
      "azure-firewall-sni-spoofing",
      "egress",
      "not closed: application rules match the SNI or Host the client sends, without TLS inspection (Azure Firewall Premium)",
      "nothing: TLS to another server's address that claims an allowed name, and domain fronting on a CDN an allowed name shares",
      false,
      "TLS inspection needs Azure Firewall Premium and a certificate authority the workers trust; the package deploys Standard.",
      [],
      "Azure Firewall docs, application rules: HTTPS FQDN filtering reads the TLS SNI the client sends [paraphrase]; TLS inspection is an Azure Firewall Premium feature",
    ));
  }
  return out;
}

/** The controls of an {@link AzureWorkerPoolPlan}: what the worker pool component named `name` applies. */
export function azureWorkerPoolControls(plan: AzureWorkerPoolPlan, name: string): ControlReport[] {
  const spec = plan.hardening;
  const vmss = `${name}-vmss`;
  const out: ControlReport[] = [];
  if (spec.hostIdentity === HostIdentityMode.None) {
    out.push(entry(
      "azure-vmss-no-managed-identity",
      "hostIdentity",
      'azure-native compute.VirtualMachineScaleSet identity = { type: "None" }',
      "Workloads obtaining Azure tokens from the IMDS token endpoint",
      true,
      "The token endpoint has no identity to issue; other metadata (custom data, tags, network layout) is still served unless IMDS is blocked.",
      [vmss],
      MI_TOKENS,
    ));
  } else {
    out.push(entry(
      "azure-vmss-user-assigned-identity",
      "hostIdentity",
      'azure-native compute.VirtualMachineScaleSet identity = { type: "UserAssigned" } with only the caller\'s identity',
      "Broad host permissions: the hosts carry only the identity you scoped",
      true,
      "Any process that reaches IMDS can get this identity's tokens; the host firewall and the Metadata Security Protocol keep workloads off IMDS.",
      [vmss],
      MI_TOKENS,
    ));
  }
  out.push({
    ...entry(
      "azure-host-firewall",
      "metadataEndpoint",
      "custom data: a #cloud-boothook installs and applies iptables/ip6tables chains (only root reaches metadata endpoints, root keeps 168.63.129.16 on 80 and 32526, everyone keeps Azure DNS on 53; containers are dropped in FORWARD, DOCKER-USER and INPUT; every refusal by current and by original destination), a boot unit that docker and containerd require, and a re-assert timer; the caller's boot script runs only once the rules are in force",
      "Workload processes and containers reaching IMDS (169.254.169.254), WireServer (168.63.129.16) and every other catalogued metadata endpoint, also through a NAT redirect to a local agent",
      true,
      "Root on the host is trusted (the guest agent needs IMDS and WireServer); a container escape to root defeats it.",
      [vmss],
      'learn.microsoft.com, What is IP address 168.63.129.16: "We recommend that you allow this IP address in any local (in the VM) firewall policies"; EC2 UG instance-metadata-limiting-access (the owner-match pattern)',
    ),
    preconditions: [...HOST_FIREWALL_PRECONDITIONS],
  });
  out.push({
    ...entry(
      "azure-docker-userns-remap",
      "sandbox",
      'custom data: /etc/docker/daemon.json {"userns-remap":"default","no-new-privileges":true} (written when the image has none), and a docker.service drop-in that refuses to start dockerd without those settings',
      "a flow's container getting the host: container root is an unprivileged host uid; dockerd refuses --privileged and --network host without --userns=host; no setuid escalation",
      true,
      "Host volumes and the Docker socket are dockerd's to grant: Kestra's Docker task runner must keep host volumes disabled (kestra.plugins.configurations volume-enabled: false, Kestra's default).",
      [vmss],
      DOCKER_USERNS_SOURCE,
    ),
    preconditions: ["dockerd reads /etc/docker/daemon.json: made true by the boot path, which writes it and refuses to start dockerd without the settings"],
  });
  out.push({
    ...entry(
      "azure-metadata-security-protocol",
      "metadataEndpoint",
      'azure-native compute.VirtualMachineScaleSet virtualMachineProfile.securityProfile.proxyAgentSettings = { enabled: true, imds: { mode: "Enforce" }, wireServer: { mode: "Enforce" } }',
      "Unauthorised processes on the VM using IMDS and WireServer: the Guest Proxy Agent authorises each request per process",
      false,
      "Not counted as protection: on Linux it works only where the image runs Microsoft's Guest Proxy Agent (azure-proxy-agent), which the default Ubuntu image is not known to ship, and per-process rules need an access-control profile (inVMAccessControlProfileReferenceId) that the package does not create. The host firewall is what protects the host. Requires Compute API 2024-03-01 or later (the pinned SDK uses 2024-11-01).",
      [],
      'Azure SDK ProxyAgentSettings: "Specifies whether ProxyAgent feature should be enabled on the virtual machine or virtual machine scale set"; HostEndpointSettings.mode: "In Enforce mode, the system will enforce the access control and it is the recommended mode of operation"; Ubuntu man page azure-proxy-agent: "eBPF ... default-open to a default-closed access model"',
    ),
    preconditions: [
      "the image runs the Guest Proxy Agent: the caller's image choice, not checked by the package",
      "an in-VM access-control profile names the processes allowed: not created by the package",
    ],
  });
  out.push(entry(
    "azure-vmss-no-public-ip",
    "workloadSubnet",
    "azure-native compute.VirtualMachineScaleSet networkInterfaceConfigurations without publicIPAddressConfiguration",
    "Direct inbound or outbound internet paths that bypass the network's egress path",
    true,
    "",
    [vmss],
    "Flexible orchestration NIC configuration: a public IP exists only if publicIPAddressConfiguration is set",
  ));
  out.push(entry(
    "azure-trusted-launch",
    "ephemeral",
    'azure-native compute.VirtualMachineScaleSet securityProfile = { securityType: "TrustedLaunch", uefiSettings: { secureBootEnabled: true, vTpmEnabled: true }, encryptionAtHost: true }',
    "Boot kits and unsigned kernels persisting on a host; run data left in clear on host caches and temporary disks",
    true,
    "Needs a Gen2 image and a size that supports Trusted Launch; encryption at host needs the EncryptionAtHost feature registered on the subscription.",
    [vmss],
    'Azure SDK SecurityProfile.encryptionAtHost: "This will enable the encryption for all the disks including Resource/Temp disk at host itself"; UefiSettings: secure boot and vTPM',
  ));
  out.push(entry(
    "azure-ephemeral-os-disk",
    "ephemeral",
    'azure-native compute.VirtualMachineScaleSet osDisk.diffDiskSettings = { option: "Local", placement: "ResourceDisk" }, caching ReadOnly',
    "State surviving a host's replacement: the OS disk lives on the host's local disk and is discarded on reimage or delete",
    true,
    "A reboot keeps the disk; only reimage, deallocation or deletion resets it. The VM size needs a temporary disk larger than the image.",
    [vmss],
    "Azure ephemeral OS disks: created on the local VM storage and not saved to remote Azure Storage [secondary wording]",
  ));
  out.push(entry(
    "azure-host-lifetime",
    "ephemeral",
    plan.lifetime.automaticReplacement
      ? `custom data: a systemd timer fixed at first boot + ${plan.lifetime.maxLifetimeHours}h closes a local health endpoint (127.0.0.1:${LIFETIME_HEALTH_PORT}); the ApplicationHealthLinux extension reports the host unhealthy and automaticRepairsPolicy (default action Replace) replaces it; the host powers itself off an hour later regardless`
      : `custom data: a systemd timer fixed at first boot + ${plan.lifetime.maxLifetimeHours}h powers the host off (VM extensions are blocked with the IMDS tag deny, so no health extension and no automatic repair)`,
    "Long-lived worker hosts accumulating state or a foothold across runs",
    true,
    plan.lifetime.automaticReplacement
      ? "Azure has no native maximum instance lifetime; this relies on the guest's clock and cloud-init, and on automatic repairs supporting Flexible orchestration [verify]. Repairs run in batches (at most 5% of instances, one at a time under 20); if they are suspended, the host is powered off but not replaced until you reimage or scale."
      : "Azure has no native maximum instance lifetime, and no extension can report health here: a powered-off host is not replaced (and is still billed) until a scheduled `az vmss reimage` / delete-and-scale job you run restores capacity (docs/azure.md).",
    [vmss],
    'MicrosoftDocs azure-docs, virtual-machine-scale-sets-automatic-instance-repairs.md: "If an instance in the scale set is found to be unhealthy as reported by Application Health extension ... this feature automatically performs instance repair by deleting the unhealthy instance and creating a new one to replace it."',
  ));
  if (spec.sandbox === SandboxMode.Runtime) {
    out.push(entry(
      "azure-vmss-sandbox-runtime",
      "sandbox",
      "not applied on VM workers: the scale set runs ordinary containers",
      "A container escape reaching the host kernel",
      false,
      "Azure offers no managed sandbox runtime for plain VMs. Run untrusted tasks on the AKS node pool (Kata VM isolation), or install gVisor in your image yourself.",
      [],
      'AKS Pod Sandboxing: "When a pod uses the kata-vm-isolation runtimeClass, it creates a VM to serve as the pod sandbox"',
    ));
  }
  return out;
}

/** The controls of an {@link AksNodePoolPlan}: what the AKS node pool component named `name` applies. */
export function azureAksNodePoolControls(plan: AksNodePoolPlan, name: string): ControlReport[] {
  const spec = plan.hardening;
  const pool = `${name}-pool`;
  const kata = spec.sandbox === SandboxMode.Runtime;
  const out: ControlReport[] = [];
  out.push(entry(
    "azure-aks-kata-pod-sandboxing",
    "sandbox",
    kata
      ? 'azure-native containerservice.AgentPool workloadRuntime = "KataVmIsolation", osSKU = "AzureLinux"; pods use runtimeClassName "kata-vm-isolation"'
      : 'not applied: hardening.sandbox is "none" (workloadRuntime "OCIContainer")',
    "A container escape reaching the node kernel: each Kata pod gets its own kernel in a nested VM",
    kata,
    kata
      ? "Only pods that name the runtime class are sandboxed; \"Kata host-network isn't supported\". A Kata pod still reaches IMDS through the node unless pod IMDS access is restricted (NetworkPolicy or podLinkLocalAccess)."
      : "Pods share the node kernel.",
    kata ? [pool] : [],
    'MicrosoftDocs azure-aks-docs, use-pod-sandboxing.md: "To use this feature with a pod, the only difference is to add runtimeClassName kata-vm-isolation to the pod spec"; "--os-sku: AzureLinux. Only the Azure Linux os-sku supports this feature"',
  ));
  out.push(entry(
    "azure-aks-no-node-public-ip",
    "workloadSubnet",
    "azure-native containerservice.AgentPool enableNodePublicIP = false",
    "Nodes reachable from, or egressing directly to, the internet",
    true,
    "",
    [pool],
    "AKS agent pool API: enableNodePublicIP",
  ));
  out.push(entry(
    "azure-aks-pod-imds-restriction",
    "metadataEndpoint",
    'not applied: ManagedCluster networkProfile.podLinkLocalAccess = "None" exists only in preview API versions, not in the pinned 2025-09-01 (see aksClusterSettingsFor().previewOnly)',
    "Pods (hostNetwork=false) reading IMDS and the node's kubelet identity tokens",
    false,
    "Until applied, pods can reach IMDS and the kubelet identity's tokens through the node. Use the Kubernetes provider's default-deny NetworkPolicy (except 169.254.0.0/16, 168.63.129.16/32); hostNetwork pods keep access either way.",
    [],
    'Azure SDK (preview) PodLinkLocalAccess: "None: Pods with hostNetwork=false cannot access Azure Instance Metadata Service (IMDS)"; AKS imds-restriction: "non host network pods are unable to access the IMDS endpoint ... should rely on Microsoft Entra Workload ID"',
  ));
  out.push(entry(
    "azure-aks-workload-identity",
    "hostIdentity",
    "not applied by the node pool: ManagedCluster securityProfile.workloadIdentity.enabled and oidcIssuerProfile.enabled are cluster settings (aksClusterSettingsFor().stable)",
    "Pods borrowing the node's identity for Azure access",
    false,
    "Apply aksClusterSettingsFor() to your ManagedCluster; the node pool cannot verify it.",
    [],
    'AKS imds-restriction: pods "should rely on Microsoft Entra Workload ID"',
  ));
  out.push(entry(
    "azure-aks-ephemeral-os-disk",
    "ephemeral",
    'azure-native containerservice.AgentPool osDiskType = "Ephemeral", enableEncryptionAtHost = true, securityProfile.sshAccess = "Disabled"' + (kata ? "" : ", enableSecureBoot and enableVTPM = true"),
    "State and footholds surviving a node reimage; run data in clear on host disks; SSH into nodes",
    true,
    (kata ? "Trusted Launch is off: it \"can't be enabled in the same node pool as ... Pod Sandboxing\". " : "") +
      "AKS has no maximum node lifetime; nodes are reimaged by node image upgrades (aksClusterSettingsFor sets nodeOSUpgradeChannel NodeImage).",
    [pool],
    "AKS Trusted Launch limitations; AKS agent pool API: osDiskType Ephemeral, enableEncryptionAtHost",
  ));
  return out;
}
