/**
 * Pure planning of the GCP worker network: from the hardening spec to plain-data firewall rules, routes, DNS
 * zones, response-policy rules and FQDN firewall-policy rules. No Pulumi types, so every decision is testable
 * without mocks; providers/gcp/network.ts only turns this plan into resources.
 *
 * What GCP does and does not enforce (docs/design/cloud-controls.md section 3): "Google Cloud always allows
 * communication between a VM instance and its corresponding metadata server at 169.254.169.254", so nothing here
 * protects the metadata server; that is the worker pool's job (no service account, host firewall). The network
 * decides where everything else may go.
 *
 * The tiers on GCP:
 * - denyAll: no route out but the Google APIs VIP; the DNS sink below stops name lookups (and DNS tunnelling
 *   through the metadata server's resolver).
 * - basic: Cloud NAT, a default route for the workers' tag only, and VPC firewall allows by CIDR, protocol, port.
 * - dns: basic, plus a Cloud DNS response policy that answers only the allowed names. Verified against the Cloud
 *   DNS reference: a `*.` rule with local data catches every name, and `bypassResponsePolicy` on a longer name
 *   exempts it ("This functionality also facilitates allowlisting"; the longest matching suffix wins).
 * - firewall: dns, plus Cloud NGFW FQDN egress rules (a network firewall policy with `match.destFqdns`) instead
 *   of open ports. Chosen over Secure Web Proxy because it is enforced in the VPC fabric for any TCP/UDP port
 *   with no client change (SWP's default explicit mode needs every task to honour HTTPS_PROXY; its next-hop mode
 *   needs a proxy-only subnet, a certificate and routes), has no per-gateway-hour charge, and stays a handful of
 *   resources. Its weakness, said in the report: it matches resolved addresses, not the TLS SNI or Host, so an
 *   address shared by many sites (a CDN) lets all of them through. SWP is the upgrade path for L7 matching.
 */
import { checkWorkerNetworkCidr } from "../../components/workerNetworkRange";
import {
  EgressMode,
  EgressTier,
  InvalidArgsError,
  ResolvedEgressRule,
  ResolvedHardening,
  WorkloadSubnetMode,
  metadataCidrs,
  planSubnets,
  resolveHardeningInto,
  show,
  type HardeningSpec,
} from "../../components";
import { GOOGLE_PRIVATE_DOMAINS, GoogleApisVip, googleApisVipInfo, GoogleApisVipInfo } from "./googleApis";
import { GcpPerimeterPlan, GcpVpcServiceControlsArgs, planPerimeter } from "./vpcServiceControls";

/** Arguments of the hardened worker network: plain data, resolved and validated before anything is created. */
export interface GcpWorkerNetworkArgs {
  /** Region of the worker subnetwork, Cloud Router and Cloud NAT, e.g. `europe-west1`. */
  readonly region: string;
  /**
   * The IPv4 range the worker network is planned in, /16 to /24. GCP subnets are regional, so one subnetwork
   * serves every zone: it takes the subnet planner's first workload slot (a /19 of a /16), leaving the rest free
   * for GKE secondary ranges and later subnets.
   * @default "10.42.0.0/16"
   */
  readonly networkCidr?: string;
  /**
   * The Google APIs VIP the workers reach Google services through.
   * @default "restricted"
   */
  readonly googleApisVip?: GoogleApisVip;
  /**
   * Private Google Access on the worker subnet (with the VIP route, its HTTPS allow and the private zones). Off, the
   * workers reach no Google API (no Artifact Registry pulls, no Cloud Logging agent), and code that brings its own
   * credentials has no way to another project's bucket or registry either. On without `vpcServiceControls`, that
   * way is open (reported as `gcp-google-apis-other-project`, not effective).
   * @default false with `egress.mode` "denyAll" unless `vpcServiceControls` is set; true with an allow-list
   */
  readonly privateGoogleAccess?: boolean;
  /**
   * A VPC Service Controls perimeter around the workers' project, in an access policy the organisation already has:
   * calls through Google's APIs to another project's resources of the restricted services are refused. Needs
   * `googleApisVip` "restricted". It changes the whole project (every workload in it; deployers outside the perimeter
   * need an access level or ingress rule to call the restricted services).
   * @default undefined (no perimeter)
   */
  readonly vpcServiceControls?: GcpVpcServiceControlsArgs;
  /**
   * Fraction of flows VPC Flow Logs record, 0 (exclusive) to 1.
   * @default 1
   */
  readonly flowLogSampling?: number;
  /** The hardening spec; every omitted field takes the strictest setting. */
  readonly hardening?: HardeningSpec;
}

/** One VPC firewall rule (classic `gcp.compute.Firewall`), egress only. */
export interface GcpFirewallRulePlan {
  /** Stable key: the child's name is `${name}-${key}`. */
  readonly key: string;
  /** `allow` or `deny`. */
  readonly action: "allow" | "deny";
  /** Lower wins. Denies of metadata ranges sit above the allows; the catch-all deny sits below them. */
  readonly priority: number;
  /** `tcp`, `udp` or `all`. */
  readonly protocol: "tcp" | "udp" | "all";
  /** Destination ports as GCP wants them (strings); empty means every port. */
  readonly ports: readonly string[];
  /** Destination ranges, one IP family per rule (GCP refuses mixed families). */
  readonly destinationRanges: readonly string[];
  /** Network tags the rule applies to; empty means every instance in the network. */
  readonly targetTags: readonly string[];
  /** Shown in the console and in reports. */
  readonly description: string;
}

/** One custom static route, next hop the default internet gateway, scoped to the workers' network tag. */
export interface GcpRoutePlan {
  readonly key: string;
  readonly destRange: string;
  readonly tags: readonly string[];
  readonly priority: number;
  readonly description: string;
}

/** One Cloud DNS record set in a private zone. */
export interface GcpRecordPlan {
  /** Fully qualified, with the trailing dot. */
  readonly name: string;
  readonly type: "A" | "AAAA" | "CNAME";
  readonly ttl: number;
  readonly rrdatas: readonly string[];
}

/** One private Cloud DNS zone visible only to the worker network. */
export interface GcpPrivateZonePlan {
  readonly key: string;
  /** With the trailing dot, e.g. `googleapis.com.`. */
  readonly dnsName: string;
  readonly records: readonly GcpRecordPlan[];
  readonly description: string;
}

/** One Cloud DNS response-policy rule: either a bypass (the name resolves normally) or a local-data sink. */
export interface GcpDnsRulePlan {
  readonly key: string;
  /** The rule's id inside the policy. */
  readonly ruleName: string;
  /** With the trailing dot; `*.` matches every name no longer rule matches. */
  readonly dnsName: string;
  /** `bypassResponsePolicy` for allowed names; undefined for the sink. */
  readonly behavior?: "bypassResponsePolicy";
  /** The sink's answers (A {@link DNS_SINK_V4}, AAAA {@link DNS_SINK_V6}); undefined for bypass rules. */
  readonly localData?: readonly GcpRecordPlan[];
}

/**
 * Where the DNS allow-list sends every other name, IPv4: an address of TEST-NET-1 (RFC 5737), which no network
 * routes and no host holds, so a connection goes nowhere (the egress deny-all drops it) instead of reaching the
 * worker's own listeners as 0.0.0.0 would.
 */
export const DNS_SINK_V4 = "192.0.2.1";
/** The IPv6 sink: in the discard-only prefix `100::/64` (RFC 6666), never `::`, which reaches local listeners. */
export const DNS_SINK_V6 = "100::1";

/** One rule of the network firewall policy (Cloud NGFW) allowing egress to fully qualified domain names. */
export interface GcpFqdnRulePlan {
  readonly key: string;
  readonly priority: number;
  /** At most 100 names, the compute API's limit per rule. */
  readonly fqdns: readonly string[];
  readonly protocol: "tcp" | "udp";
  readonly ports: readonly string[];
  readonly description: string;
}

/**
 * One deny rule of the FQDN firewall policy. The policy is evaluated before the classic rules, so an FQDN allow
 * would otherwise win over the classic metadata denies for a name that resolves into a metadata range.
 */
export interface GcpPolicyDenyPlan {
  readonly key: string;
  readonly priority: number;
  /** One IP family per rule. */
  readonly destIpRanges: readonly string[];
  readonly description: string;
}

/** Everything the worker network creates, as plain data. */
export interface GcpNetworkPlan {
  /** The component's name, the prefix of every child's. */
  readonly name: string;
  /** The resolved spec the plan was made from. */
  readonly hardening: ResolvedHardening;
  readonly region: string;
  /** The worker subnetwork's range. */
  readonly subnetCidr: string;
  /** Network tag every worker must carry: the routes out and the allow rules apply only to it. */
  readonly workerTag: string;
  readonly googleApis: GoogleApisVipInfo & { readonly vip: GoogleApisVip };
  /** Private Google Access, the VIP route, its allow and the private zones are planned. */
  readonly privateGoogleAccess: boolean;
  /** The VPC Service Controls perimeter around the workers' project, if asked for. */
  readonly perimeter: GcpPerimeterPlan | undefined;
  readonly flowLogSampling: number;
  /** Cloud Router + Cloud NAT, and a tag-scoped default route for them. */
  readonly nat: boolean;
  readonly routes: readonly GcpRoutePlan[];
  readonly firewallRules: readonly GcpFirewallRulePlan[];
  readonly privateZones: readonly GcpPrivateZonePlan[];
  /** The response policy's rules; empty when the tier has no DNS allow-list. */
  readonly dnsRules: readonly GcpDnsRulePlan[];
  /** The FQDN firewall policy's rules; empty unless the tier is `firewall` with domain rules. */
  readonly fqdnRules: readonly GcpFqdnRulePlan[];
  /** The FQDN firewall policy's metadata denies, above its allows; empty when there is no policy. */
  readonly fqdnPolicyDenies: readonly GcpPolicyDenyPlan[];
}

/** Priorities of the VPC firewall rules (0 highest, 65535 the implied rules). */
export const FIREWALL_PRIORITY = {
  /** Metadata and link-local ranges: above every allow, so an allow of 0.0.0.0/0 never covers them. */
  denyMetadata: 900,
  /** The Google APIs VIP and the allow-list. */
  allow: 1000,
  /** Everything else: just above the implied allow-egress rule (65535). */
  denyAll: 65534,
} as const;

/** Priority of the FQDN firewall-policy rules (any value works: the policy holds nothing else). */
const FQDN_PRIORITY_BASE = 1000;
/** The compute API accepts at most 100 FQDNs in one rule's `match.destFqdns`. */
export const MAX_FQDNS_PER_RULE = 100;
const DNS_TTL = 300;
const NAME = /^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$/;

function domainRules(h: ResolvedHardening): ResolvedEgressRule[] {
  return h.egress.allow.filter((r) => r.kind === "domain");
}

/** Groups rules by protocol and port set, in first-seen order, so one cloud rule carries many destinations. */
function groupByPorts<T extends ResolvedEgressRule>(rules: readonly T[]): { protocol: "tcp" | "udp"; ports: readonly number[]; rules: T[] }[] {
  const groups = new Map<string, { protocol: "tcp" | "udp"; ports: readonly number[]; rules: T[] }>();
  for (const rule of rules) {
    const id = `${rule.protocol}|${rule.ports.join(",")}`;
    const group = groups.get(id) ?? { protocol: rule.protocol, ports: rule.ports, rules: [] };
    group.rules.push(rule);
    groups.set(id, group);
  }
  return [...groups.values()];
}

function checkArgs(name: string, args: GcpWorkerNetworkArgs): string[] {
  const issues: string[] = [];
  if (!NAME.test(name)) {
    issues.push(
      `name ${show(name)} must be 1-32 lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen (GCE resource names, with Pulumi's suffix, must fit 63 characters).`,
    );
  }
  if (typeof args.region !== "string" || !/^[a-z]+-[a-z]+\d+$/.test(args.region)) {
    issues.push(`region ${show(args.region)} is not a GCP region; expected a name such as "europe-west1".`);
  }
  const vips = Object.values(GoogleApisVip) as string[];
  if (args.googleApisVip !== undefined && !vips.includes(args.googleApisVip)) {
    issues.push(`googleApisVip ${show(args.googleApisVip)} is not one of ${vips.map((v) => `"${v}"`).join(", ")}.`);
  }
  if (args.privateGoogleAccess !== undefined && typeof args.privateGoogleAccess !== "boolean") {
    issues.push(`privateGoogleAccess ${show(args.privateGoogleAccess)} must be true or false.`);
  }
  const s = args.flowLogSampling;
  if (s !== undefined && (typeof s !== "number" || !(s > 0 && s <= 1))) {
    issues.push(`flowLogSampling ${show(s)} must be a number greater than 0 and at most 1.`);
  }
  return issues;
}

function checkSpecForGcp(h: ResolvedHardening): string[] {
  const issues: string[] = [];
  for (const rule of h.egress.allow) {
    if (rule.kind === "cidr" && rule.ipVersion === 6) {
      issues.push(
        `hardening.egress.allow cidr ${show(rule.cidr)} is IPv6, but the GCP worker subnetwork is IPv4-only (no route carries IPv6 out); remove the rule or use its IPv4 range.`,
      );
    }
    if (rule.kind === "domain" && h.egress.tier === EgressTier.Firewall && rule.domain!.startsWith("*.")) {
      // Cloud NGFW FQDN objects take exact names [unverified: Google's "FQDN objects" page lists wildcard names
      // among the unsupported formats]; a wildcard would be rejected at deploy time, so it is refused here.
      issues.push(
        `hardening.egress.allow domain ${show(rule.domain)} is a wildcard, which Cloud NGFW FQDN rules (egress tier "firewall" on GCP) cannot match; list the exact host names, or set hardening.egress.tier to "dns".`,
      );
    }
  }
  return issues;
}

function firewallRulesFor(h: ResolvedHardening, tag: string, vip: GoogleApisVipInfo): GcpFirewallRulePlan[] {
  const workers = [tag];
  const rules: GcpFirewallRulePlan[] = [
    // No target: the catch-all applies to every instance in the network, not only to tagged workers, so a VM
    // someone adds later without the tag gets no egress at all.
    {
      key: "deny-all",
      action: "deny",
      priority: FIREWALL_PRIORITY.denyAll,
      protocol: "all",
      ports: [],
      destinationRanges: ["0.0.0.0/0"],
      targetTags: [],
      description: "Deny all IPv4 egress not allowed above (the allow-list). Does not apply to the metadata server, which GCP always allows.",
    },
    {
      key: "deny-all-v6",
      action: "deny",
      priority: FIREWALL_PRIORITY.denyAll,
      protocol: "all",
      ports: [],
      destinationRanges: ["::/0"],
      targetTags: [],
      description: "Deny all IPv6 egress.",
    },
    // Hygiene, not metadata protection: GCP always allows VM<->metadata-server traffic whatever these say. They
    // keep a broad allow (0.0.0.0/0) from covering the rest of link-local and other clouds' metadata addresses.
    {
      key: "deny-metadata",
      action: "deny",
      priority: FIREWALL_PRIORITY.denyMetadata,
      protocol: "all",
      ports: [],
      destinationRanges: metadataCidrs(4),
      targetTags: [],
      description: "Deny link-local and metadata ranges above every allow. GCP still always allows its own metadata server.",
    },
    {
      key: "deny-metadata-v6",
      action: "deny",
      priority: FIREWALL_PRIORITY.denyMetadata,
      protocol: "all",
      ports: [],
      destinationRanges: metadataCidrs(6),
      targetTags: [],
      description: "Deny IPv6 link-local and metadata ranges above every allow.",
    },
    {
      key: "allow-google-apis",
      action: "allow",
      priority: FIREWALL_PRIORITY.allow,
      protocol: "tcp",
      ports: ["443"],
      destinationRanges: [vip.cidr],
      targetTags: workers,
      description: `Allow HTTPS to Google APIs through ${vip.host} (Private Google Access).`,
    },
  ];
  if (h.egress.mode !== EgressMode.AllowList) return rules;
  h.egress.allow
    .filter((r) => r.kind === "cidr")
    .forEach((r, i) => {
      rules.push({
        key: `allow-${i + 1}`,
        action: "allow",
        priority: FIREWALL_PRIORITY.allow,
        protocol: r.protocol,
        ports: r.ports.map(String),
        destinationRanges: [r.cidr!],
        targetTags: workers,
        description: r.description || `Allow ${r.protocol}/${r.ports.join(",")} to ${r.cidr}`,
      });
    });
  // Tier dns: the network cannot match names, so the allowed names' ports are open to any address and the DNS
  // response policy decides which names resolve. A connection straight to an IP address bypasses it; the
  // controls report says so.
  if (h.egress.tier === EgressTier.Dns) {
    groupByPorts(domainRules(h)).forEach((g, i) => {
      rules.push({
        key: `allow-named-${i + 1}`,
        action: "allow",
        priority: FIREWALL_PRIORITY.allow,
        protocol: g.protocol,
        ports: g.ports.map(String),
        destinationRanges: ["0.0.0.0/0"],
        targetTags: workers,
        description: `Allow ${g.protocol}/${g.ports.join(",")} for names the DNS allow-list resolves: ${g.rules.map((r) => r.domain).join(", ")}`.slice(0, 2048),
      });
    });
  }
  return rules;
}

function routesFor(nat: boolean, tag: string, vip: GoogleApisVipInfo): GcpRoutePlan[] {
  const routes: GcpRoutePlan[] = [
    {
      key: "route-google-apis",
      destRange: vip.cidr,
      tags: [tag],
      priority: 1000,
      description: `Google APIs through ${vip.host}; the default route was deleted at network creation.`,
    },
  ];
  if (nat) {
    // deleteDefaultRoutesOnCreate removed 0.0.0.0/0; Cloud NAT only translates traffic that a route sends to the
    // default internet gateway, so the route comes back, for the workers' tag only. The firewall's deny-all and
    // allow-list do the filtering; instances without external IPs can only leave through NAT.
    routes.push({
      key: "route-nat",
      destRange: "0.0.0.0/0",
      tags: [tag],
      priority: 1000,
      description: "Default route for Cloud NAT, workers only; egress is filtered by the firewall allow-list.",
    });
  }
  return routes;
}

function privateZonesFor(vip: GoogleApisVipInfo): GcpPrivateZonePlan[] {
  return GOOGLE_PRIVATE_DOMAINS.map((domain) => {
    const apex = `${domain}.`;
    const records: GcpRecordPlan[] =
      domain === "googleapis.com"
        ? [
            { name: `${vip.host}.`, type: "A", ttl: DNS_TTL, rrdatas: vip.addresses },
            { name: `*.${apex}`, type: "CNAME", ttl: DNS_TTL, rrdatas: [`${vip.host}.`] },
          ]
        : [
            { name: apex, type: "A", ttl: DNS_TTL, rrdatas: vip.addresses },
            { name: `*.${apex}`, type: "CNAME", ttl: DNS_TTL, rrdatas: [apex] },
          ];
    return {
      key: `zone-${domain.replace(/\./g, "-")}`,
      dnsName: apex,
      records,
      description: `${domain} through ${vip.host}, visible to the worker network only`,
    };
  });
}

function ruleNameFor(prefix: string, domain: string): string {
  const clean = domain.replace(/^\*\./, "wildcard-").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  return `${prefix}-${clean}`.slice(0, 63).replace(/-+$/, "");
}

function dnsRulesFor(h: ResolvedHardening): GcpDnsRulePlan[] {
  const bypass = (key: string, dnsName: string): GcpDnsRulePlan => ({
    key,
    ruleName: key.replace(/^dns-/, ""),
    dnsName,
    behavior: "bypassResponsePolicy",
  });
  const rules: GcpDnsRulePlan[] = [];
  // Local data overrides private zones and GCE internal DNS too ("These ResourceRecordSets override any other DNS
  // behavior for the matched name; in particular they override private zones, the public internet, and GCP
  // internal DNS"), so the Google zones and `.internal` (VM names, metadata.google.internal for the host's agents)
  // are bypassed explicitly.
  for (const domain of [...GOOGLE_PRIVATE_DOMAINS, "internal"]) {
    rules.push(bypass(`dns-${ruleNameFor("google", domain)}`, `${domain}.`));
    rules.push(bypass(`dns-${ruleNameFor("google", `*.${domain}`)}`, `*.${domain}.`));
  }
  domainRules(h).forEach((r) => {
    rules.push(bypass(`dns-${ruleNameFor("allow", r.domain!)}`, `${r.domain}.`));
  });
  // The sink: every other name answers DNS_SINK_V4 / DNS_SINK_V6 from the policy itself, so the query never reaches
  // an outside resolver (no DNS tunnelling through the metadata server's resolver) and the name has nowhere to
  // connect to. Not 0.0.0.0 / ::: Linux delivers a connection to either to the host's own listeners.
  // "Each DNS query ... matches at most one ResponsePolicyRule, as identified by the dnsName field with the longest
  // matching suffix", so the bypasses above win for their names.
  rules.push({
    key: "dns-sink-all",
    ruleName: "sink-all",
    dnsName: "*.",
    localData: [
      { name: "*.", type: "A", ttl: DNS_TTL, rrdatas: [DNS_SINK_V4] },
      { name: "*.", type: "AAAA", ttl: DNS_TTL, rrdatas: [DNS_SINK_V6] },
    ],
  });
  return dedupeDnsRules(rules);
}

function dedupeDnsRules(rules: GcpDnsRulePlan[]): GcpDnsRulePlan[] {
  const seen = new Set<string>();
  return rules.filter((r) => {
    if (seen.has(r.dnsName)) return false;
    seen.add(r.dnsName);
    return true;
  });
}

function fqdnRulesFor(h: ResolvedHardening): GcpFqdnRulePlan[] {
  const rules: GcpFqdnRulePlan[] = [];
  for (const group of groupByPorts(domainRules(h))) {
    const names = group.rules.map((r) => r.domain!);
    for (let start = 0; start < names.length; start += MAX_FQDNS_PER_RULE) {
      const n = rules.length + 1;
      rules.push({
        key: `fqdn-allow-${n}`,
        priority: FQDN_PRIORITY_BASE + n,
        fqdns: names.slice(start, start + MAX_FQDNS_PER_RULE),
        protocol: group.protocol,
        ports: group.ports.map(String),
        description: `Allow ${group.protocol}/${group.ports.join(",")} to the allow-listed names`,
      });
    }
  }
  return rules;
}

/**
 * Plans the worker network: validates the name, the arguments and the spec (all problems at once), then decides
 * every firewall rule, route, zone and policy rule. Creates nothing.
 *
 * @throws InvalidArgsError listing every problem.
 */
export function planGcpWorkerNetwork(name: string, args: GcpWorkerNetworkArgs): GcpNetworkPlan {
  const issues = checkArgs(name, args);
  const hardening = resolveHardeningInto(args.hardening, issues);
  let subnetCidr: string | undefined;
  issues.push(...checkWorkerNetworkCidr("networkCidr", String(args.networkCidr ?? "10.42.0.0/16")).problems);
  try {
    subnetCidr = planSubnets({ networkCidr: args.networkCidr ?? "10.42.0.0/16", zoneCount: 1 }).subnets[0].cidr;
  } catch (e) {
    if (!(e instanceof InvalidArgsError)) throw e;
    issues.push(...e.issues);
  }
  if (hardening) issues.push(...checkSpecForGcp(hardening));
  const perimeter = planPerimeter(name, args.vpcServiceControls, issues);
  if (args.vpcServiceControls !== undefined && args.googleApisVip === GoogleApisVip.Private) {
    issues.push(
      'vpcServiceControls is set but googleApisVip is "private": private.googleapis.com also serves APIs a perimeter cannot restrict; set googleApisVip to "restricted" (the default) or remove vpcServiceControls.',
    );
  }
  if (issues.length > 0 || !hardening || !subnetCidr) throw new InvalidArgsError(issues);

  const vip = args.googleApisVip ?? GoogleApisVip.Restricted;
  const vipInfo = googleApisVipInfo(vip);
  // denyAll: no Google API unless asked for or fenced by a perimeter, since restricted.googleapis.com without one
  // carries data to any project whose credentials the code brings. Allow-list tiers keep it on for image pulls.
  const pga = args.privateGoogleAccess ?? (hardening.egress.mode === EgressMode.AllowList || perimeter !== undefined);
  const workerTag = `${name}-worker`;
  const allowList = hardening.egress.mode === EgressMode.AllowList;
  // NAT only when something outside the network is allowed and the subnet may route out; an isolated subnet's
  // allow-list holds private ranges only (resolveHardening refuses the rest).
  const nat = allowList && hardening.workloadSubnet === WorkloadSubnetMode.Private;
  // denyAll also gets the DNS sink: without it the metadata server's resolver answers any name, a channel out
  // (DNS tunnelling) even with no route. With an allow-list, tier basic is network rules only.
  const dnsAllowList = !allowList || hardening.egress.tier !== EgressTier.Basic;
  const fqdnRules = allowList && hardening.egress.tier === EgressTier.Firewall ? fqdnRulesFor(hardening) : [];

  return {
    name,
    hardening,
    region: args.region,
    subnetCidr,
    workerTag,
    googleApis: { vip, ...vipInfo },
    privateGoogleAccess: pga,
    perimeter,
    flowLogSampling: args.flowLogSampling ?? 1,
    nat,
    routes: routesFor(nat, workerTag, vipInfo).filter((r) => pga || r.key !== "route-google-apis"),
    firewallRules: firewallRulesFor(hardening, workerTag, vipInfo).filter((r) => pga || r.key !== "allow-google-apis"),
    privateZones: pga ? privateZonesFor(vipInfo) : [],
    dnsRules: dnsAllowList ? dnsRulesFor(hardening) : [],
    fqdnRules,
    fqdnPolicyDenies:
      fqdnRules.length === 0
        ? []
        : [4, 6].map((v) => ({
            key: v === 4 ? "fqdn-deny-metadata" : "fqdn-deny-metadata-v6",
            priority: FIREWALL_PRIORITY.denyMetadata,
            destIpRanges: metadataCidrs(v as 4 | 6),
            description: "Deny link-local and metadata ranges above the FQDN allows (a name may resolve into them).",
          })),
  };
}
