/**
 * The vendor words each GCP control in the controls report rests on. One place, so the report, the docs and the
 * code comments quote the same sentence. `[secondary]` marks a quote known from third-party copies of the page,
 * `[unverified]` a statement not yet checked against the vendor page.
 */
export const GCP_SOURCES = {
  metadataAlwaysAllowed:
    "cloud.google.com/vpc/docs/firewalls, Always allowed traffic: \"Google Cloud always allows communication between a VM instance and its corresponding metadata server at 169.254.169.254\"; \"VPC firewall rules and hierarchical firewall policies do not apply\" to it [secondary]",
  metadataServes:
    "cloud.google.com/compute/docs/metadata: the metadata server also provides \"DHCP, DNS resolution, NTP, Instance metadata\" [secondary]; so the host firewall keeps 169.254.169.254:53 (DNS) and :123 (NTP) open and refuses every other TCP/UDP port there",
  noServiceAccount:
    "GKE, Protecting cluster metadata: \"Restrict the permissions ... by using service account permissions, not access scopes\"; an instance with no service account has no token for the metadata server to hand out",
  defaultComputeSa:
    "Compute Engine, Service accounts (paraphrase): the default service account PROJECT_NUMBER-compute@developer.gserviceaccount.com is granted the Editor role on the project unless automatic grants are turned off by organisation policy",
  scopes:
    "Compute Engine, Service accounts (paraphrase): the recommended practice is the cloud-platform scope with access limited by IAM roles on a dedicated account; GKE, protecting-cluster-metadata: \"Restrict the permissions ... by using service account permissions, not access scopes\"",
  hostFirewall:
    "EC2 UG instance-metadata-limiting-access gives the iptables owner-match pattern; on GCE port 53 (and NTP on 123) of 169.254.169.254 must stay open because it is the VM's DNS (third-party GCE hardening script [secondary])",
  startupScript:
    "Compute Engine, About startup scripts: (paraphrase) the guest environment runs the startup-script metadata value on every boot, after the network is up: later than a cloud-init boothook",
  legacyEndpoints:
    "Compute Engine, Migrating to the v1 metadata server endpoint: disable-legacy-endpoints=TRUE turns off the v0.1/v1beta1 endpoints, which need no Metadata-Flavor header",
  metadataFlavor:
    "cloud.google.com/compute/docs/metadata/querying-metadata: requests must carry the header \"Metadata-Flavor: Google\"; it stops simple SSRF, not code running on the host",
  osLogin:
    "Compute Engine, Manage OS Login / project-wide SSH keys: enable-oslogin=TRUE ties SSH to IAM; block-project-ssh-keys=TRUE refuses project-wide keys on the instance",
  shieldedVm:
    "Compute Engine, Shielded VM: secure boot, vTPM and integrity monitoring verify the boot chain; they do not restrict the metadata server",
  noExternalIp:
    "VPC docs: an instance with no access config has no external IP address and can reach the internet only through Cloud NAT",
  deleteDefaultRoute:
    "VPC docs, Routes: deleteDefaultRoutesOnCreate removes the 0.0.0.0/0 route to default-internet-gateway; without a route a packet has nowhere to go",
  privateGoogleAccess:
    "VPC, Private Google Access: restricted.googleapis.com is 199.36.153.4/30, private.googleapis.com 199.36.153.8/30; route the range to default-internet-gateway and point the domains at it with a private zone",
  vpcServiceControls:
    'VPC Service Controls overview: "Clients within a perimeter that have private access to resources do not have access to unauthorized (potentially public) resources outside the perimeter"; "Data cannot be copied to unauthorized resources outside the perimeter using service operations such as gsutil cp or bq mk"; Access Context Manager API VpcAccessibleServices: "include the \'RESTRICTED-SERVICES\' value, which automatically includes all of the services protected by the perimeter"; VPC-SC, private connectivity: "we recommend that you send all requests to Google APIs and services to the virtual IP (VIP) address ranges for restricted.googleapis.com"',
  flowLogs:
    "VPC Flow Logs: records a sample of flows to and from VM interfaces; flows to the metadata server are not firewall-controlled and are not a control",
  firewallEgress:
    "VPC firewall rules: egress rules with destination ranges, protocols and ports; lower priority numbers win; the implied allow-egress rule has priority 65535",
  cloudNat:
    "Cloud NAT: translates traffic from instances without external IPs that a route sends to the default internet gateway",
  responsePolicy:
    "Cloud DNS ResponsePolicyRule: \"Each DNS query subject to a Response Policy matches at most one ResponsePolicyRule, as identified by the dnsName field with the longest matching suffix\"; bypassResponsePolicy \"lets you exempt specific subdomains from a broader Response Policy Rule ... This functionality also facilitates allowlisting\"; local data \"override[s] private zones, the public internet, and GCP internal DNS\"",
  fqdnObjects:
    "Cloud NGFW, FQDN objects: \"Cloud NGFW periodically resolves FQDN objects to IP addresses ... Each FQDN object can be mapped to a maximum of 32 IPv4 addresses and 32 IPv6 addresses ... If Cloud NGFW cannot resolve an FQDN object ... it ignores the FQDN object\"; the compute API limits destFqdns to 100 per rule",
  workloadIdentity:
    "Container API WorkloadMetadataConfig.Mode: \"GKE_METADATA: Run the GKE Metadata Server on this node ... only ... if Workload Identity is enabled\"; GKE: \"Workload Identity Federation for GKE replaces the need to use Metadata concealment\"",
  hostNetworkBypass:
    "GKE Cloud Storage FUSE CSI doc: hostNetwork pods \"default to routing requests ... to the Compute Engine metadata server using the broader permissions of the node's default Service Account\"",
  gkeSandbox:
    "GKE Sandbox: gVisor gives each pod its own user-space kernel; the concept page lists \"an untrusted workload could potentially access other Google Cloud services or cluster metadata\" among the threats it addresses; pods opt in with runtimeClassName: gvisor",
  privateNodes:
    "GKE private clusters: nodes with enablePrivateNodes have internal IP addresses only",
  nodeSaNoInstancesGet:
    "GKE, Protecting cluster metadata: \"Do not use a service account that has compute.instances.get permission ... they allow potential attackers to obtain instance metadata using the Compute Engine API\"",
  maxRunDuration:
    "Compute Engine, Limit the run time of VMs in a MIG: \"When a VM reaches its time limit, the MIG automatically terminates (deletes) it\"; time limits are 30 seconds to 120 days; the MIG then recreates instances to its target size [inference]",
  gkeMaxRunDuration:
    "Container API NodeConfig.maxRunDuration: \"The runtime of each node in the node pool\" [unverified: whether GKE applies it to standard, non-Spot nodes]",
} as const;
