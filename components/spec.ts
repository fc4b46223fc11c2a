/**
 * The common hardening contract: the same words on every cloud. Every field is optional and defaults to the
 * strictest setting; a weaker setting is always an explicit choice in the caller's program.
 *
 * Enumerations use the `const` object + type alias pattern because it is the one the Pulumi schema analyzer
 * (`@pulumi/pulumi/provider/experimental`) turns into schema enums, so Python, Go, C# and YAML users get the same
 * names; TypeScript users can write the string literals directly.
 */

/** How workloads may reach the cloud's instance metadata service. */
export const MetadataEndpointMode = {
  /** The metadata endpoint is unreachable from workloads (disabled, or denied on the host and the pod network). */
  Blocked: "blocked",
  /** Reachable only with a session token (IMDSv2 on AWS) and never across a container hop. Weaker than blocked. */
  TokenRequired: "tokenRequired",
} as const;
/** How workloads may reach the cloud's instance metadata service. */
export type MetadataEndpointMode = (typeof MetadataEndpointMode)[keyof typeof MetadataEndpointMode];

/** Where the workload subnet may send traffic. */
export const WorkloadSubnetMode = {
  /** No route outside the network at all; cloud APIs only through private endpoints. */
  Isolated: "isolated",
  /** Out to the internet only through the egress filter (NAT plus allow-list, DNS firewall or L7 firewall). */
  Private: "private",
} as const;
/** Where the workload subnet may send traffic. */
export type WorkloadSubnetMode = (typeof WorkloadSubnetMode)[keyof typeof WorkloadSubnetMode];

/** Whether outbound traffic is denied outright or allowed to a list. */
export const EgressMode = {
  /** Nothing leaves the network. */
  DenyAll: "denyAll",
  /** Only the destinations in `egress.allow` are reachable. */
  AllowList: "allowList",
} as const;
/** Whether outbound traffic is denied outright or allowed to a list. */
export type EgressMode = (typeof EgressMode)[keyof typeof EgressMode];

/** How the allow-list is enforced: a cost/strength trade-off. */
export const EgressTier = {
  /** Network rules by CIDR, protocol and port (security groups, VPC firewall, NSG). Cannot express domains. */
  Basic: "basic",
  /** Basic plus a DNS allow-list (Route 53 DNS Firewall, Cloud DNS policy). Direct-IP connections bypass DNS. */
  Dns: "dns",
  /** An L7 firewall or proxy that checks the TLS SNI / HTTP Host of every connection. The strongest, the costliest. */
  Firewall: "firewall",
} as const;
/** How the allow-list is enforced. */
export type EgressTier = (typeof EgressTier)[keyof typeof EgressTier];

/** Transport protocol of an egress rule. */
export const EgressProtocol = {
  /** TCP. */
  Tcp: "tcp",
  /** UDP. */
  Udp: "udp",
} as const;
/** Transport protocol of an egress rule. */
export type EgressProtocol = (typeof EgressProtocol)[keyof typeof EgressProtocol];

/** How each run of untrusted code is isolated from the host kernel. */
export const SandboxMode = {
  /** Ordinary containers sharing the host kernel, still with the minimal-privilege pod/task settings. */
  None: "none",
  /** A sandbox runtime with its own kernel: gVisor, Kata or Fargate, whichever the cloud offers. */
  Runtime: "runtime",
} as const;
/** How each run of untrusted code is isolated from the host kernel. */
export type SandboxMode = (typeof SandboxMode)[keyof typeof SandboxMode];

/** What identity the worker hosts carry. */
export const HostIdentityMode = {
  /** No instance profile, service account or managed identity: the metadata token endpoint has nothing to give. */
  None: "none",
  /** The caller's own narrowly scoped identity; the component never creates a broader one. */
  Minimal: "minimal",
} as const;
/** What identity the worker hosts carry. */
export type HostIdentityMode = (typeof HostIdentityMode)[keyof typeof HostIdentityMode];

/** One destination workloads may reach. Give exactly one of `cidr` or `domain`. */
export interface EgressRule {
  /**
   * An IPv4 or IPv6 network, e.g. `203.0.113.0/24` or `2001:db8::/32`. A network that contains a metadata
   * endpoint is accepted, and every planner carves the endpoints out of it.
   */
  cidr?: string;
  /**
   * A domain name, e.g. `pypi.org`, or a wildcard for its subdomains, `*.pythonhosted.org`. Needs egress tier
   * `dns` or `firewall`: network rules cannot match names.
   */
  domain?: string;
  /**
   * Transport protocol.
   * @default "tcp"
   */
  protocol?: EgressProtocol;
  /**
   * Destination ports, each 1-65535.
   * @default [443]
   */
  ports?: number[];
  /**
   * Why this destination is needed; shown in rule descriptions and reports.
   * @default ""
   */
  description?: string;
}

/** Outbound traffic policy for workloads. */
export interface EgressSpec {
  /**
   * Deny everything, or allow only `allow`.
   * @default "denyAll"
   */
  mode?: EgressMode;
  /**
   * How the allow-list is enforced. Only meaningful with `mode: "allowList"`.
   * @default "firewall"
   */
  tier?: EgressTier;
  /**
   * The allowed destinations. Required (non-empty) with `mode: "allowList"`, refused with `mode: "denyAll"`.
   * @default []
   */
  allow?: EgressRule[];
}

/** How long a worker host may live before it is replaced. */
export interface EphemeralSpec {
  /**
   * Maximum lifetime of a worker host, in hours (1 to 8760). Clouds with a larger minimum (AWS Auto Scaling: 24 h)
   * round up and say so in the controls report.
   * @default 24
   */
  maxLifetimeHours?: number;
}

/**
 * The hardening every component applies: the same fields on AWS, GCP, Azure and Kubernetes. Every field is
 * optional; an omitted field takes the strictest setting.
 */
export interface HardeningSpec {
  /**
   * Workload access to the instance metadata service.
   * @default "blocked"
   */
  metadataEndpoint?: MetadataEndpointMode;
  /**
   * Routing of the workload subnet.
   * @default "isolated"
   */
  workloadSubnet?: WorkloadSubnetMode;
  /**
   * Outbound traffic policy.
   * @default { mode: "denyAll" }
   */
  egress?: EgressSpec;
  /**
   * Kernel isolation of each run.
   * @default "runtime"
   */
  sandbox?: SandboxMode;
  /**
   * Identity of the worker hosts.
   * @default "none"
   */
  hostIdentity?: HostIdentityMode;
  /**
   * Replacement of worker hosts.
   * @default { maxLifetimeHours: 24 }
   */
  ephemeral?: EphemeralSpec;
}

/** A normalised egress rule: one destination, canonical spelling, with the metadata ranges to carve out of it. */
export interface ResolvedEgressRule {
  /** `cidr` or `domain`. */
  readonly kind: "cidr" | "domain";
  /** Canonical network (`10.0.0.0/8`, `2001:db8::/32`) when kind is `cidr`. */
  readonly cidr?: string;
  /** IP version of `cidr`. */
  readonly ipVersion?: 4 | 6;
  /** Lower-case domain without a trailing dot (`pypi.org`, `*.pythonhosted.org`) when kind is `domain`. */
  readonly domain?: string;
  /** Transport protocol. */
  readonly protocol: EgressProtocol;
  /** Sorted, unique destination ports. */
  readonly ports: readonly number[];
  /** Why the destination is allowed. */
  readonly description: string;
  /**
   * Metadata networks inside `cidr` that every planner must exclude (NetworkPolicy `except`, firewall deny
   * rules above the allow). Empty when the rule covers none.
   */
  readonly except: readonly string[];
}

/** The spec with every default filled in and every rule normalised; what components and reports use. */
export interface ResolvedHardening {
  readonly metadataEndpoint: MetadataEndpointMode;
  readonly workloadSubnet: WorkloadSubnetMode;
  readonly egress: {
    readonly mode: EgressMode;
    readonly tier: EgressTier;
    readonly allow: readonly ResolvedEgressRule[];
  };
  readonly sandbox: SandboxMode;
  readonly hostIdentity: HostIdentityMode;
  readonly ephemeral: { readonly maxLifetimeHours: number };
}

/** The strictest settings: what an empty spec resolves to. */
export const DEFAULT_HARDENING: ResolvedHardening = Object.freeze({
  metadataEndpoint: MetadataEndpointMode.Blocked,
  workloadSubnet: WorkloadSubnetMode.Isolated,
  egress: Object.freeze({ mode: EgressMode.DenyAll, tier: EgressTier.Firewall, allow: Object.freeze([]) }),
  sandbox: SandboxMode.Runtime,
  hostIdentity: HostIdentityMode.None,
  ephemeral: Object.freeze({ maxLifetimeHours: 24 }),
});
