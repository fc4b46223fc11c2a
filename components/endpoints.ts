/**
 * The catalogue of cloud metadata and credential endpoints, and of the platform services beside them that must
 * never be blocked. Planners, the host-firewall renderer, the NetworkPolicy mappings, the policy rules and the
 * endpoint-reference detector all read this one list, so adding an endpoint here protects every layer at once.
 *
 * Sources are in docs/design/cloud-controls.md section 1; `confidence: "secondary"` marks an entry known only
 * from a third-party quote of a vendor page. Secondary entries are still denied: blocking an address that turns out
 * not to serve metadata costs nothing, missing one that does is the failure this package exists to prevent.
 */

/** Where an endpoint lives. `"any"` is for link-local hygiene entries that no single cloud owns. */
export const EndpointCloud = {
  Aws: "aws",
  Gcp: "gcp",
  Azure: "azure",
  Alibaba: "alibaba",
  Oci: "oci",
  DigitalOcean: "digitalocean",
  Tencent: "tencent",
  Scaleway: "scaleway",
  OracleClassic: "oracle-classic",
  Equinix: "equinix",
  Rancher: "rancher",
  OpenStack: "openstack",
  Hetzner: "hetzner",
} as const;
/** Where an endpoint lives. */
export type EndpointCloud = (typeof EndpointCloud)[keyof typeof EndpointCloud];

/** How sure the catalogue is of an entry. */
export type Confidence = "vendor" | "secondary";

/** One metadata or credential endpoint that untrusted code must never reach. */
export interface MetadataEndpoint {
  /** Stable kebab-case key, used in findings and reports (e.g. `aws-imds`). */
  readonly id: string;
  /** The cloud that serves it. */
  readonly cloud: EndpointCloud;
  /** IP addresses that serve it (IPv4 dotted, IPv6 canonical compressed form), possibly none. */
  readonly addresses: readonly string[];
  /** Host names that resolve to it, lower case, without a trailing dot, possibly none. */
  readonly hostnames: readonly string[];
  /**
   * Environment variables that hold its address (or a path or token for it) and that the cloud's SDKs read: code
   * that names one asks for the endpoint without writing its address. Only variables that point at this endpoint;
   * switches such as `AWS_EC2_METADATA_DISABLED` are not listed (naming those is how code turns the endpoint off).
   * @default []
   */
  readonly variables?: readonly string[];
  /** TCP ports it answers on for metadata or credentials. */
  readonly ports: readonly number[];
  /** What an attacker gets from it. */
  readonly serves: string;
  /** The document that says so. */
  readonly source: string;
  /** `vendor` when a vendor page states it, `secondary` when only a third party quotes one. */
  readonly confidence: Confidence;
}

/**
 * A platform service on or beside a metadata address that a host needs to keep working (DNS, NTP, the guest
 * agent). Host firewalls and carve-outs must leave these open; blocking them "takes DNS out on the host".
 */
export interface ProtectedService {
  /** Stable kebab-case key. */
  readonly id: string;
  /** The cloud whose hosts need it. */
  readonly cloud: EndpointCloud;
  /** The address it listens on. */
  readonly address: string;
  /** Its ports. */
  readonly ports: readonly number[];
  /** Transport protocols it uses on those ports. */
  readonly protocols: readonly ("tcp" | "udp")[];
  /** What breaks without it. */
  readonly serves: string;
  /**
   * Who may use it: `all` (every process, e.g. DNS) or `root` (only the host's agents, e.g. Azure's WireServer,
   * which also hands out extension settings and so stays closed to workloads).
   */
  readonly allowedFor: "all" | "root";
  /** The document that says so. */
  readonly source: string;
}

const AWS_IMDS = "EC2 UG, Configure IMDS options: the IMDS has two endpoints, IPv4 (169.254.169.254) and IPv6 ([fd00:ec2::254])";

/** Every metadata and credential endpoint this package denies. */
export const METADATA_ENDPOINTS: readonly MetadataEndpoint[] = [
  {
    id: "aws-imds",
    cloud: "aws",
    addresses: ["169.254.169.254", "fd00:ec2::254"],
    hostnames: ["instance-data", "instance-data.ec2.internal"],
    variables: ["AWS_EC2_METADATA_SERVICE_ENDPOINT"],
    ports: [80],
    serves: "EC2 instance metadata, user data and the instance role's credentials",
    source:
      `${AWS_IMDS}; instance-data alias: serverfault.com/questions/436086 [secondary]; AWS SDKs and Tools ` +
      'Reference Guide, IMDS credential provider: "AWS_EC2_METADATA_SERVICE_ENDPOINT - environment variable ... The endpoint of IMDS"',
    confidence: "vendor",
  },
  {
    id: "aws-ecs-task-metadata",
    cloud: "aws",
    addresses: ["169.254.170.2"],
    hostnames: [],
    variables: ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "ECS_CONTAINER_METADATA_URI", "ECS_CONTAINER_METADATA_URI_V4"],
    ports: [80],
    serves: "ECS task metadata v2-v4 and the task role's credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)",
    source:
      'docs.rs aws_config::ecs: "construct a URI rooted at http://169.254.170.2"; AWS SDKs and Tools Reference Guide, ' +
      'container credential provider: "Amazon ECS sets the AWS_CONTAINER_CREDENTIALS_RELATIVE_URI environment variable"; ' +
      'ECS Developer Guide, task metadata endpoint v4: "an environment variable named ECS_CONTAINER_METADATA_URI_V4 is injected into each container"',
    confidence: "vendor",
  },
  {
    id: "aws-eks-pod-identity",
    cloud: "aws",
    addresses: ["169.254.170.23", "fd00:ec2::23"],
    hostnames: [],
    variables: ["AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"],
    ports: [80, 2703],
    serves: "EKS Pod Identity Agent: credentials for pods' service accounts",
    source:
      'docs.rs aws_config::ecs: "EKS Pod Identity addresses ie 169.254.170.23 or fd00:ec2::23"; EKS UG pod-id-agent-setup; ' +
      'AWS SDKs and Tools Reference Guide, container credential provider: "Amazon EKS sets the AWS_CONTAINER_CREDENTIALS_FULL_URI ' +
      'and AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE environment variables"',
    confidence: "vendor",
  },
  {
    id: "aws-windows-activation",
    cloud: "aws",
    addresses: ["169.254.169.250", "169.254.169.251"],
    hostnames: [],
    ports: [1688],
    serves: "Windows license activation (KMS): reveals the host's platform; no credentials",
    source: "DevelopersIO list of addresses security groups do not filter [secondary]",
    confidence: "secondary",
  },
  {
    id: "gcp-metadata",
    cloud: "gcp",
    addresses: ["169.254.169.254"],
    hostnames: ["metadata.google.internal", "metadata", "metadata.goog"],
    variables: ["GCE_METADATA_HOST", "GCE_METADATA_ROOT", "GCE_METADATA_IP"],
    ports: [80, 8080],
    serves: "GCE/GKE metadata server: instance metadata, startup scripts and the service account's OAuth tokens",
    source:
      'cloud.google.com/compute/docs/metadata: "Full URL: http://metadata.google.internal/... Shorthand URL: http://metadata/... ' +
      'IP address: http://169.254.169.254/"; google-auth google.auth.environment_vars: "GCE_METADATA_HOST ... an alternate ' +
      'hostname or host:port to be used for GCE metadata requests", GCE_METADATA_ROOT (its old name), GCE_METADATA_IP',
    confidence: "vendor",
  },
  {
    id: "gcp-metadata-ipv6",
    cloud: "gcp",
    addresses: ["fd20:ce::254"],
    hostnames: [],
    ports: [80],
    serves: "GCE metadata server over IPv6",
    source: "third-party code quoting Google's querying-metadata page [secondary, verify]",
    confidence: "secondary",
  },
  {
    id: "gke-metadata-server",
    cloud: "gcp",
    addresses: ["169.254.169.252"],
    hostnames: [],
    ports: [987, 988],
    serves: "gke-metadata-server (Workload Identity tokens) on the Calico/iptables data path",
    source: "GKE network-policy page as quoted in NetworkPolicy configs [secondary]",
    confidence: "secondary",
  },
  {
    id: "azure-imds",
    cloud: "azure",
    addresses: ["169.254.169.254"],
    hostnames: [],
    ports: [80],
    serves: "Azure IMDS, including /metadata/identity/oauth2/token for managed identities",
    source: "learn.microsoft.com/azure/virtual-machines/instance-metadata-service: \"well-known, non-routable IP address (169.254.169.254)\"",
    confidence: "vendor",
  },
  {
    id: "azure-wireserver",
    cloud: "azure",
    addresses: ["168.63.129.16"],
    hostnames: [],
    ports: [80, 32526],
    serves: "Azure WireServer: guest agent goal state and extension settings (may include protected settings)",
    source: "learn.microsoft.com, What is IP address 168.63.129.16: \"The VM Agent requires outbound communication over ports 80/tcp and 32526/tcp\"",
    confidence: "vendor",
  },
  {
    id: "alibaba-metadata",
    cloud: "alibaba",
    addresses: ["100.100.100.200"],
    hostnames: [],
    ports: [80],
    serves: "Alibaba Cloud ECS instance metadata and RAM role credentials",
    source: "alibabacloud.com ECS, Instance metadata",
    confidence: "vendor",
  },
  {
    id: "oci-imds",
    cloud: "oci",
    addresses: ["169.254.169.254"],
    hostnames: [],
    ports: [80],
    serves: "OCI instance metadata (/opc/v1, /opc/v2, /openstack) and instance-principal certificates",
    source: "docs.oracle.com, Getting Instance Metadata",
    confidence: "vendor",
  },
  {
    id: "digitalocean-metadata",
    cloud: "digitalocean",
    addresses: ["169.254.169.254"],
    hostnames: [],
    ports: [80],
    serves: "Droplet metadata and user data (/metadata/v1/)",
    source: "docs.digitalocean.com, retrieve-droplet-metadata",
    confidence: "vendor",
  },
  {
    id: "tencent-metadata",
    cloud: "tencent",
    addresses: ["169.254.0.23"],
    hostnames: ["metadata.tencentyun.com"],
    ports: [80],
    serves: "Tencent Cloud CVM metadata and role credentials",
    source: "SSRF deny-lists [secondary, verify]",
    confidence: "secondary",
  },
  {
    id: "scaleway-metadata",
    cloud: "scaleway",
    addresses: ["169.254.42.42", "fd00:42::42"],
    hostnames: [],
    ports: [80],
    serves: "Scaleway instance metadata and user data",
    source: "SSRF deny-lists [secondary, verify]",
    confidence: "secondary",
  },
  {
    id: "oracle-classic-metadata",
    cloud: "oracle-classic",
    addresses: ["192.0.0.192"],
    hostnames: [],
    ports: [80],
    serves: "Oracle Cloud Classic instance metadata",
    source: "SSRF deny-lists [secondary, verify]",
    confidence: "secondary",
  },
  {
    id: "openstack-metadata",
    cloud: "openstack",
    addresses: ["169.254.169.254", "fe80::a9fe:a9fe"],
    hostnames: [],
    ports: [80],
    serves: "OpenStack Nova metadata (OpenStack and EC2-compatible APIs, user data, vendordata)",
    source:
      'docs.openstack.org/nova/latest/admin/metadata-service.html: "Guests access the service at 169.254.169.254 or at ' +
      'fe80::a9fe:a9fe"',
    confidence: "vendor",
  },
  {
    id: "hetzner-metadata",
    cloud: "hetzner",
    addresses: ["169.254.169.254"],
    hostnames: [],
    ports: [80],
    serves: "Hetzner Cloud server metadata and user data (/hetzner/v1/metadata)",
    source: "PayloadsAllTheThings, SSRF-Cloud-Instances.md, SSRF URL for Hetzner Cloud [secondary]",
    confidence: "secondary",
  },
  {
    id: "equinix-metal-metadata",
    cloud: "equinix",
    addresses: [],
    hostnames: ["metadata.platformequinix.com", "metadata.packet.net"],
    ports: [80, 443],
    serves: "Equinix Metal (formerly Packet) server metadata and user data; answers by source address, no token",
    source:
      'deploy.equinix.com/developers/docs/metal/server-metadata/metadata: "curl https://metadata.platformequinix.com/metadata"; ' +
      "metadata.packet.net, the Packet-era name: PayloadsAllTheThings SSRF-Cloud-Instances.md, cujanovic/SSRF-Testing cloud-metadata.txt [secondary]",
    confidence: "vendor",
  },
  {
    id: "rancher-metadata",
    cloud: "rancher",
    addresses: ["169.254.169.250"],
    hostnames: ["rancher-metadata"],
    ports: [80],
    serves: "Rancher 1.x metadata service: containers, services, stacks and hosts of the environment",
    source:
      'rancher.com/docs/rancher/v1.6/en/rancher-services/metadata-service: "curl http://rancher-metadata/<version>/<path>"; ' +
      "address: Rancher network-services default RANCHER_METADATA_ADDRESS=169.254.169.250 [secondary]",
    confidence: "vendor",
  },
  {
    id: "azure-app-service-identity",
    cloud: "azure",
    addresses: [],
    hostnames: [],
    variables: ["IDENTITY_ENDPOINT", "MSI_ENDPOINT"],
    ports: [],
    serves: "App Service, Functions and Container Apps managed-identity token endpoint (a local URL the platform injects)",
    source:
      'learn.microsoft.com, Managed identities for App Service and Azure Functions: "IDENTITY_ENDPOINT - The URL to the local ' +
      'token service"; MSI_ENDPOINT, its older name (api-version 2017-09-01)',
    confidence: "vendor",
  },
];

/**
 * Ranges denied wholesale to workloads, beyond the single addresses above: all of IPv4 and IPv6 link-local, where
 * every cloud puts its host-local services and where tomorrow's endpoint will most likely appear.
 */
export const DENIED_RANGES: readonly { readonly cidr: string; readonly why: string }[] = [
  { cidr: "169.254.0.0/16", why: "IPv4 link-local: AWS, GCP, Azure, OCI and DigitalOcean metadata and credential services" },
  { cidr: "fe80::/10", why: "IPv6 link-local" },
];

/** Platform services that must stay reachable; the host firewall and every carve-out keep these open. */
export const PROTECTED_SERVICES: readonly ProtectedService[] = [
  {
    id: "aws-dns",
    cloud: "aws",
    address: "169.254.169.253",
    ports: [53],
    protocols: ["udp", "tcp"],
    serves: "Route 53 Resolver (VPC DNS)",
    allowedFor: "all",
    source: "AWS IPv6 whitepaper, Supporting Amazon VPC services",
  },
  {
    id: "aws-dns-ipv6",
    cloud: "aws",
    address: "fd00:ec2::253",
    ports: [53],
    protocols: ["udp", "tcp"],
    serves: "Route 53 Resolver over IPv6",
    allowedFor: "all",
    source: "AWS IPv6 whitepaper, Supporting Amazon VPC services",
  },
  {
    id: "aws-ntp",
    cloud: "aws",
    address: "169.254.169.123",
    ports: [123],
    protocols: ["udp"],
    serves: "Amazon Time Sync Service",
    allowedFor: "all",
    source: "AWS IPv6 whitepaper, Supporting Amazon VPC services",
  },
  {
    id: "aws-ntp-ipv6",
    cloud: "aws",
    address: "fd00:ec2::123",
    ports: [123],
    protocols: ["udp"],
    serves: "Amazon Time Sync Service over IPv6",
    allowedFor: "all",
    source: "AWS IPv6 whitepaper, Supporting Amazon VPC services",
  },
  {
    id: "gcp-dns",
    cloud: "gcp",
    address: "169.254.169.254",
    ports: [53],
    protocols: ["udp", "tcp"],
    serves: "the VM's DNS resolver, served by the metadata server on the same address",
    allowedFor: "all",
    source: "GCP VPC firewall docs: the metadata server provides \"DHCP, DNS resolution, NTP, Instance metadata\" [secondary quote]",
  },
  {
    id: "gcp-ntp",
    cloud: "gcp",
    address: "169.254.169.254",
    ports: [123],
    protocols: ["udp"],
    serves: "the VM's NTP server, served by the metadata server on the same address",
    allowedFor: "all",
    source: "GCP VPC firewall docs (as above) [secondary quote]",
  },
  {
    id: "oci-dns",
    cloud: "oci",
    address: "169.254.169.254",
    ports: [53],
    protocols: ["udp", "tcp"],
    serves: "the OCI instance's DNS resolver on the metadata address",
    allowedFor: "all",
    source: "docs.oracle.com, OCI link-local addresses",
  },
  {
    id: "oci-ntp",
    cloud: "oci",
    address: "169.254.169.254",
    ports: [123],
    protocols: ["udp"],
    serves: "the OCI instance's NTP server on the metadata address",
    allowedFor: "all",
    source: "docs.oracle.com, OCI link-local addresses",
  },
  {
    id: "azure-dns",
    cloud: "azure",
    address: "168.63.129.16",
    ports: [53],
    protocols: ["udp", "tcp"],
    serves: "Azure-provided DNS",
    allowedFor: "all",
    source: "learn.microsoft.com, What is IP address 168.63.129.16",
  },
  {
    id: "azure-guest-agent",
    cloud: "azure",
    address: "168.63.129.16",
    ports: [80, 32526],
    protocols: ["tcp"],
    serves: "the VM guest agent's WireServer channel (extensions, health); root only",
    allowedFor: "root",
    source: "learn.microsoft.com, What is IP address 168.63.129.16: \"We recommend that you allow this IP address in any local (in the VM) firewall policies\"",
  },
];

/** The endpoints a given cloud serves. Deny lists should still use every endpoint: a workload may be moved. */
export function endpointsFor(cloud: EndpointCloud): MetadataEndpoint[] {
  return METADATA_ENDPOINTS.filter((e) => e.cloud === cloud);
}

/** Every catalogued metadata address, IPv4 and IPv6, without duplicates, in catalogue order. */
export function metadataAddresses(): string[] {
  return [...new Set(METADATA_ENDPOINTS.flatMap((e) => e.addresses))];
}

/** Every catalogued metadata host name, lower case, without duplicates. */
export function metadataHostnames(): string[] {
  return [...new Set(METADATA_ENDPOINTS.flatMap((e) => e.hostnames))];
}

/**
 * Public wildcard-DNS and DNS-rebinding services: a name under them resolves to an address spelled inside the
 * name (`169.254.169.254.nip.io`, `a9fea9fe.nip.io`), to loopback, or to one the attacker switches at will, so an allow-list entry under them
 * is an allow-list entry for the metadata endpoint. The detector reports names under them; the contract refuses
 * them as egress domains.
 */
export const WILDCARD_DNS_SERVICES: readonly string[] = [
  "nip.io",
  "sslip.io",
  "xip.io",
  "traefik.me",
  "nip.direct",
  "localtest.me",
  "lvh.me",
  "rbndr.us",
  "1u.ms",
];

/**
 * Every catalogued endpoint served at an address or host name (canonical spelling, as the detector reports it):
 * 169.254.169.254 is AWS's, GCP's, Azure's, OCI's and DigitalOcean's metadata service at once, so a finding names
 * them all rather than whichever the catalogue lists first.
 */
export function endpointsServing(endpoint: string): MetadataEndpoint[] {
  const key = endpoint.toLowerCase();
  return METADATA_ENDPOINTS.filter((e) => e.addresses.includes(key) || e.hostnames.includes(key));
}
