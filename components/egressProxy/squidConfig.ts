/**
 * The egress proxy's configuration, rendered from the hardening spec: a Squid 5 `squid.conf` (Debian bookworm's
 * squid 5.7, also the Ubuntu images') that lets workloads reach only the listed domains and networks on the listed
 * ports, over plain HTTP or CONNECT, and refuses every destination that resolves to a metadata, link-local,
 * loopback, private or reserved address.
 *
 * Why Squid: it is in Debian and every major distribution, it resolves the destination itself and checks the
 * resolved addresses with its `dst` ACL, which is what stops `169.254.169.254.nip.io` and rebinding names (a
 * network rule by IP cannot tell names apart; a DNS allow-list cannot see where an allowed-looking name points).
 *
 * How Squid evaluates what this file relies on (checked against the real squid 5.7 by
 * tests/components/egressProxy/squid.real.test.ts):
 * - `dst` resolves a host name and matches when ANY of its addresses is in the list, for CONNECT and for plain
 *   HTTP alike; so "deny when the name resolves into a refused range" is one `dst` line; a name whose lookup fails
 *   matches no `dst` list, so the allow lines also require that the name resolved (`resolved`);
 * - Squid normalises numeric hosts before any ACL: `2852039166`, `0xa9fea9fe`, `0251.0376.0251.0376`, `169.254.43518`
 *   and `[::ffff:169.254.169.254]` all reach the ACLs as `169.254.169.254`; an IPv6 literal keeps its brackets;
 * - `dstdomain` and `dstdom_regex` without `-n` fall back to a reverse lookup of an IP literal, so an address whose
 *   PTR record names an allowed domain would match; every domain ACL here sets `-n`;
 * - `http_access` lines are evaluated in order, the ACLs of a line left to right, stopping at the first that does
 *   not match; an `annotate_transaction` ACL at the end of a line runs only when the line matches, which is how each
 *   refusal records its reason for the access log.
 *
 * Listed networks (cidr rules) apply only to requests that name an IP literal: a host name is allowed only by a
 * domain rule. Otherwise a name answering with one listed address and one unlisted public address would pass the
 * `dst` check and Squid might connect to the unlisted one. The other way round too: a listed network never
 * reopens an internal range to a domain rule. Names are checked against their own list (`forbidden_dst`: every
 * internal, loopback and metadata range, whatever the cidr rules say), IP literals against the list the cidr rules
 * carve (`forbidden_literal_dst`), so `0.0.0.0/0` on 5432 opens IP literals on 5432 and nothing else, and an allowed
 * name that resolves to 10.1.2.3 or 127.0.0.1 stays refused. The proxy's own addresses (loopback, "this host",
 * `ownAddresses`, the listen address) are in both lists: no rule reopens them.
 */
import { Cidr, isIpAddress, parseCidr } from "../cidr";
import { checkFields, checkPort, InvalidArgsError, show } from "../validation";
import { resolveHardeningInto } from "../resolve";
import { EgressMode, EgressProtocol, HardeningSpec, ResolvedEgressRule, ResolvedHardening } from "../spec";
import { EGRESS_LOG_FORMAT, EGRESS_LOG_FORMAT_BODY, EgressDenyReason } from "./accessLog";
import { INTERNAL_RANGES, forbiddenCidrs, forbiddenForNames } from "./ranges";

/** Where the proxy listens, logs and keeps its runtime files; who may use it. */
export interface SquidConfigOptions {
  /**
   * The port the proxy listens on.
   * @default 3128
   */
  port?: number;
  /**
   * The address the proxy listens on.
   * @default undefined (every address of the host or pod)
   */
  listenAddress?: string;
  /**
   * Networks of the clients allowed to use the proxy (Squid `src`). Everything else is refused before the
   * allow-list, so a proxy exposed by mistake is not an open proxy.
   * @default ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"]
   */
  clients?: string[];
  /**
   * Absolute path of the access log (one line per request, see accessLog.ts).
   * @default "/dev/stdout"
   */
  accessLog?: string;
  /**
   * Absolute path of Squid's own diagnostic log.
   * @default "/dev/stderr"
   */
  cacheLog?: string;
  /**
   * A directory Squid may write to for core dumps and, by default, its pid file; with the logs, the only places it
   * writes (there is no cache directory).
   * @default "/var/run/squid"
   */
  runDirectory?: string;
  /**
   * Absolute path of the pid file (Debian's squid.service expects /run/squid.pid).
   * @default "<runDirectory>/squid.pid"
   */
  pidFile?: string;
  /**
   * A hosts file Squid reads before DNS.
   * @default undefined (Squid's default, /etc/hosts)
   */
  hostsFile?: string;
  /**
   * Resolvers Squid queries instead of those in /etc/resolv.conf.
   * @default undefined (/etc/resolv.conf)
   */
  dnsNameservers?: string[];
  /**
   * The proxy's own addresses or networks besides loopback (the host's or pod's address): refused for every
   * request, whatever the allow-list lists, so a broad cidr rule cannot turn the proxy on itself. The listen
   * address, when one is given, is added.
   * @default []
   */
  ownAddresses?: string[];
  /**
   * The name Squid uses for itself in its error pages (it never sends it upstream: `via off`).
   * @default "egress-proxy"
   */
  visibleHostname?: string;
}

/** The rendered configuration and what it decided. */
export interface SquidConfigPlan {
  /** The complete `squid.conf`. */
  readonly config: string;
  /** The listening port. */
  readonly port: number;
  /**
   * Networks refused to IP-literal requests, canonical, IPv4 first: the internal ranges minus the listed networks,
   * plus the metadata networks and the proxy's own addresses. Every address outside it that the proxy may reach.
   */
  readonly forbidden: readonly string[];
  /**
   * Networks refused to every request that names a host (domain rules), canonical, IPv4 first: every internal
   * range, the metadata networks and the proxy's own addresses, whatever the cidr rules list.
   */
  readonly forbiddenForNames: readonly string[];
  /** Domain rules the proxy enforces. */
  readonly domainRules: readonly ResolvedEgressRule[];
  /** CIDR rules the proxy enforces for IP-literal requests. */
  readonly cidrRules: readonly ResolvedEgressRule[];
  /** Rules a proxy cannot carry (UDP), with why; enforce them with network rules. */
  readonly skipped: readonly { readonly rule: ResolvedEgressRule; readonly why: string }[];
  /** Every TCP port some rule lists, sorted: what the proxy itself must be able to reach. */
  readonly upstreamPorts: readonly number[];
}

/** The clients allowed by default: the private networks workers live in. */
export const DEFAULT_PROXY_CLIENTS: readonly string[] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"];
/** The proxy's default port (Squid's own). */
export const DEFAULT_PROXY_PORT = 3128;

const OPTION_FIELDS = ["port", "listenAddress", "ownAddresses", "clients", "accessLog", "cacheLog", "runDirectory", "pidFile", "hostsFile", "dnsNameservers", "visibleHostname"];
// A path is written into squid.conf verbatim: no whitespace, quotes or control characters, so it cannot end the
// directive and start another.
const SAFE_PATH = /^\/[A-Za-z0-9._\-/]*$/;
const HOST_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
// Defence in depth: resolveHardening already refuses anything else, but a hand-built ResolvedHardening must not be
// able to inject a directive either.
const DOMAIN = /^(\*\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

interface Options {
  port: number;
  listenAddress?: string;
  clients: string[];
  accessLog: string;
  cacheLog: string;
  runDirectory: string;
  pidFile: string;
  hostsFile?: string;
  dnsNameservers?: string[];
  visibleHostname: string;
  own: Cidr[];
}

function checkPath(issues: string[], field: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || !SAFE_PATH.test(value) || value.includes("..")) {
    issues.push(`${field} ${show(value)} must be an absolute path of letters, digits, ".", "_", "-" and "/" (no "..").`);
    return fallback;
  }
  return value;
}

function checkOptions(issues: string[], raw: SquidConfigOptions): Options {
  const o = raw as Record<string, unknown>;
  checkFields(issues, "", o, OPTION_FIELDS, { noun: "option" });
  const port = raw.port ?? DEFAULT_PROXY_PORT;
  checkPort(issues, "port", port);
  if (raw.listenAddress !== undefined && (typeof raw.listenAddress !== "string" || !isIpAddress(raw.listenAddress))) {
    issues.push(`listenAddress ${show(raw.listenAddress)} must be one IPv4 or IPv6 address such as "0.0.0.0" or "127.0.0.1".`);
  }
  const clients = raw.clients ?? [...DEFAULT_PROXY_CLIENTS];
  if (!Array.isArray(clients) || clients.length === 0) {
    issues.push(`clients ${show(raw.clients)} must be a non-empty list of networks such as ["10.0.0.0/8"].`);
  } else {
    clients.forEach((c, i) => {
      const parsed = typeof c === "string" ? parseCidr(c) : undefined;
      if (parsed === undefined) issues.push(`clients[${i}] ${show(c)} must be a network such as "10.0.0.0/8".`);
      else if (!parsed.ok) issues.push(`clients[${i}] ${show(c)} ${parsed.reason}`);
    });
  }
  const accessLog = checkPath(issues, "accessLog", raw.accessLog, "/dev/stdout");
  const cacheLog = checkPath(issues, "cacheLog", raw.cacheLog, "/dev/stderr");
  const runDirectory = checkPath(issues, "runDirectory", raw.runDirectory, "/var/run/squid");
  const pidFile = checkPath(issues, "pidFile", raw.pidFile, `${runDirectory}/squid.pid`);
  const hostsFile = raw.hostsFile !== undefined ? checkPath(issues, "hostsFile", raw.hostsFile, "/etc/hosts") : undefined;
  const nameservers = raw.dnsNameservers;
  if (nameservers !== undefined) {
    if (!Array.isArray(nameservers) || nameservers.length === 0) issues.push(`dnsNameservers ${show(nameservers)} must be a non-empty list of IP addresses.`);
    else nameservers.forEach((n, i) => {
      if (typeof n !== "string" || !isIpAddress(n)) issues.push(`dnsNameservers[${i}] ${show(n)} must be an IP address.`);
    });
  }
  const own: Cidr[] = [];
  if (raw.ownAddresses !== undefined && !Array.isArray(raw.ownAddresses)) {
    issues.push(`ownAddresses ${show(raw.ownAddresses)} must be a list of addresses or networks such as ["10.0.1.5"].`);
  } else {
    (raw.ownAddresses ?? []).forEach((a, i) => {
      const parsed = typeof a === "string" ? parseCidr(a.includes("/") ? a : `${a}/${a.includes(":") ? 128 : 32}`) : undefined;
      if (parsed === undefined || !parsed.ok) issues.push(`ownAddresses[${i}] ${show(a)} must be an address or network such as "10.0.1.5" or "10.0.1.0/28".`);
      else own.push(parsed.cidr);
    });
  }
  if (raw.listenAddress !== undefined && typeof raw.listenAddress === "string" && isIpAddress(raw.listenAddress)) {
    const parsed = parseCidr(`${raw.listenAddress}/${raw.listenAddress.includes(":") ? 128 : 32}`);
    // 0.0.0.0 and :: mean every address: loopback and "this host" already cover what can be said at render time.
    if (parsed.ok && parsed.cidr.first !== 0n) own.push(parsed.cidr);
  }
  const visibleHostname = raw.visibleHostname ?? "egress-proxy";
  if (typeof visibleHostname !== "string" || !HOST_LABEL.test(visibleHostname)) {
    issues.push(`visibleHostname ${show(visibleHostname)} must be one lower-case DNS label such as "egress-proxy".`);
  }
  return {
    port,
    ...(raw.listenAddress !== undefined ? { listenAddress: raw.listenAddress } : {}),
    clients: Array.isArray(clients) ? clients : [],
    accessLog,
    cacheLog,
    runDirectory,
    pidFile,
    ...(hostsFile !== undefined ? { hostsFile } : {}),
    ...(nameservers !== undefined ? { dnsNameservers: nameservers } : {}),
    visibleHostname,
    own,
  };
}

/** `*.pythonhosted.org` as a dstdom_regex: any name ending in `.pythonhosted.org` (not the apex itself). */
export function wildcardRegex(domain: string): string {
  return `\\.${domain.slice(2).replace(/\./g, "\\.")}\\.?$`;
}

function listenLine(o: Options): string {
  if (o.listenAddress === undefined) return `http_port ${o.port}`;
  return o.listenAddress.includes(":") ? `http_port [${o.listenAddress}]:${o.port}` : `http_port ${o.listenAddress}:${o.port}`;
}

/** The process, cache, identity, timeout, DNS and logging settings; the same for the allow-list and the baseline. */
function preamble(o: Options): string[] {
  return [
    "# --- Listener and process: one worker, no ICP/HTCP/SNMP ports, no setuid pinger.",
    listenLine(o),
    `visible_hostname ${o.visibleHostname}`,
    `pid_filename ${o.pidFile}`,
    `coredump_dir ${o.runDirectory}`,
    `cache_log ${o.cacheLog}`,
    "icp_port 0",
    "htcp_port 0",
    "snmp_port 0",
    "pinger_enable off",
    "shutdown_lifetime 5 seconds",
    "",
    "# --- No caching: a response fetched for one workload is never served to another.",
    "cache deny all",
    "cache_mem 0 MB",
    "refresh_pattern . 0 0% 0",
    "",
    "# --- Nothing upstream learns that a proxy is in the path: no Via, no X-Forwarded-For, no version string, no",
    "# X-Cache headers, and no Cache-Control max-age that Squid would otherwise add to requests that carry none.",
    "# Squid warns that HTTP requires Via: it is left out on purpose. Via is also Squid's loop detector; a request",
    "# looping back to the proxy's own (private) address is refused unless a listed network covers that address.",
    "via off",
    "forwarded_for delete",
    "httpd_suppress_version_string on",
    "reply_header_access X-Cache deny all",
    "reply_header_access X-Cache-Lookup deny all",
    "acl client_cache_control req_header Cache-Control .",
    "request_header_access Cache-Control deny !client_cache_control",
    "",
    "# --- Timeouts: fail fast on dead upstreams, let long downloads finish while data flows.",
    "connect_timeout 15 seconds",
    "forward_timeout 30 seconds",
    "dns_timeout 10 seconds",
    "request_timeout 30 seconds",
    "read_timeout 2 minutes",
    "client_idle_pconn_timeout 1 minute",
    "server_idle_pconn_timeout 1 minute",
    "client_lifetime 4 hours",
    "",
    `# --- DNS: ${o.hostsFile ?? "/etc/hosts"}, then ${o.dnsNameservers !== undefined ? "the resolvers below" : "the resolvers in /etc/resolv.conf"} (no search domains).`,
    ...(o.hostsFile !== undefined ? [`hosts_file ${o.hostsFile}`] : []),
    ...(o.dnsNameservers !== undefined ? [`dns_nameservers ${o.dnsNameservers.join(" ")}`] : []),
    "",
    "# --- One parseable line per request; refusals carry verdict=deny and the refusing rule in reason.",
    "# Connections that never send a request (TCP health probes, port scans) are not logged.",
    `logformat ${EGRESS_LOG_FORMAT} ${EGRESS_LOG_FORMAT_BODY}`,
    "acl has_request has request",
    `access_log stdio:${o.accessLog} ${EGRESS_LOG_FORMAT} has_request`,
    "# Rotation is logrotate's (the squid package's rule) or the container runtime's: `squid -k rotate` only reopens.",
    "logfile_rotate 0",
    "",
  ];
}

function portsKey(rule: ResolvedEgressRule): string {
  return rule.ports.join(" ");
}

/** Rules grouped by their port list, in first-seen order, so each group is one ACL pair. */
function groupByPorts(rules: readonly ResolvedEgressRule[]): ResolvedEgressRule[][] {
  const groups = new Map<string, ResolvedEgressRule[]>();
  for (const r of rules) groups.set(portsKey(r), [...(groups.get(portsKey(r)) ?? []), r]);
  return [...groups.values()];
}

function accessSection(o: Options, forbidden: readonly string[], forbiddenForNames: readonly string[], domainRules: readonly ResolvedEgressRule[], cidrRules: readonly ResolvedEgressRule[]): string[] {
  const deny = (reason: EgressDenyReason) => `mark_deny mark_${reason.replace(/-/g, "_")}`;
  const lines = [
    "# --- Access. Each refusal is annotated with its reason for the access log.",
    "acl mark_allow annotate_transaction verdict=allow",
    "acl mark_deny annotate_transaction verdict=deny",
    ...Object.values(EgressDenyReason).map((r) => `acl mark_${r.replace(/-/g, "_")} annotate_transaction reason=${r}`),
    `acl clients src ${o.clients.join(" ")}`,
    "acl tunnel method CONNECT",
    "acl http_scheme proto HTTP",
    "# Hosts that are IP literals once Squid has normalised them (decimal, hex and octal IPv4 become dotted quads).",
    "acl ip_literal dstdom_regex -n ^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$ ^\\[[0-9a-fA-F:.]+\\]$",
    "# Matches only a host that resolved (to any address; Squid spells 0.0.0.0/0 and ::/0 `all`): `dst` does not match",
    "# a name whose lookup failed, so a deny by address alone would let it through, to be resolved again to connect.",
    "acl resolved dst all",
    "# Refused after resolution to every named host: the catalogued metadata networks, every range that is not",
    "# globally reachable and the proxy's own addresses, whatever the cidr rules list; the NAT64 (64:ff9b::/96)",
    "# spellings of the IPv4 ones too. A cidr rule opens IP literals only, never a name resolving inside it.",
    ...forbiddenForNames.map((c) => `acl forbidden_dst dst ${c}`),
    "# Refused to IP literals: the same, minus the networks the cidr rules list (never metadata, never the proxy).",
    ...forbidden.map((c) => `acl forbidden_literal_dst dst ${c}`),
    "",
    `http_access deny manager ${deny(EgressDenyReason.Manager)}`,
    `http_access deny !clients ${deny(EgressDenyReason.Client)}`,
    `http_access deny !tunnel !http_scheme ${deny(EgressDenyReason.Scheme)}`,
  ];
  const portDenials: string[] = [];
  groupByPorts(domainRules).forEach((group, i) => {
    const n = i + 1;
    const exact = [...new Set(group.filter((r) => !r.domain?.startsWith("*.")).map((r) => r.domain as string))];
    const wild = [...new Set(group.filter((r) => r.domain?.startsWith("*.")).map((r) => r.domain as string))];
    lines.push("", `# Domains on port(s) ${group[0].ports.join(", ")}: ${[...exact, ...wild].join(", ")}`, `acl domain_ports_${n} port ${portsKey(group[0])}`);
    const acls: string[] = [];
    if (exact.length > 0) {
      lines.push(`acl domains_${n} dstdomain -n ${exact.join(" ")}`);
      acls.push(`domains_${n}`);
    }
    if (wild.length > 0) {
      lines.push(`acl wildcards_${n} dstdom_regex -n -i ${wild.map(wildcardRegex).join(" ")}`);
      acls.push(`wildcards_${n}`);
    }
    for (const acl of acls) {
      lines.push(`http_access deny ${acl} forbidden_dst ${deny(EgressDenyReason.ForbiddenAddress)}`);
      lines.push(`http_access deny ${acl} !resolved ${deny(EgressDenyReason.Unresolved)}`);
      lines.push(`http_access allow ${acl} domain_ports_${n} mark_allow`);
      portDenials.push(`http_access deny ${acl} ${deny(EgressDenyReason.PortNotListed)}`);
    }
  });
  lines.push("", "# Every IP literal that resolves into a refused range, whatever the allow-list says.");
  lines.push(`http_access deny ip_literal forbidden_literal_dst ${deny(EgressDenyReason.ForbiddenAddress)}`);
  groupByPorts(cidrRules).forEach((group, i) => {
    const n = i + 1;
    lines.push(
      `# Networks on port(s) ${group[0].ports.join(", ")}, for IP-literal requests only`,
      `acl network_ports_${n} port ${portsKey(group[0])}`,
      `acl networks_${n} dst ${group.map((r) => r.cidr).join(" ")}`,
      `http_access allow ip_literal networks_${n} network_ports_${n} mark_allow`,
    );
    portDenials.push(`http_access deny ip_literal networks_${n} ${deny(EgressDenyReason.PortNotListed)}`);
  });
  lines.push("", "# Listed destinations on other ports, then everything else.", ...portDenials);
  lines.push(`http_access deny all ${deny(EgressDenyReason.NotListed)}`, "");
  return lines;
}

function header(hardening: ResolvedHardening): string[] {
  return [
    "# pulumi-hardening egress proxy, Squid 5. Rendered from the hardening spec: edit the spec, not this file.",
    `# egress.mode: ${hardening.egress.mode}; ${hardening.egress.allow.length} rule(s).`,
    "# Refused to every name, and to IP literals unless listed as a cidr rule (IANA special-purpose registries): " + INTERNAL_RANGES.map((r) => r.cidr).join(" "),
    "",
  ];
}

function splitRules(hardening: ResolvedHardening): Pick<SquidConfigPlan, "domainRules" | "cidrRules" | "skipped"> {
  const rules = hardening.egress.mode === EgressMode.AllowList ? hardening.egress.allow : [];
  const skipped = rules
    .filter((r) => r.protocol !== EgressProtocol.Tcp)
    .map((rule) => ({ rule, why: `an HTTP proxy carries TCP only; ${rule.cidr ?? rule.domain} over ${rule.protocol} needs a network rule.` }));
  const tcp = rules.filter((r) => r.protocol === EgressProtocol.Tcp);
  return { domainRules: tcp.filter((r) => r.kind === "domain"), cidrRules: tcp.filter((r) => r.kind === "cidr"), skipped };
}

function resolveAll(spec: HardeningSpec | undefined, options: SquidConfigOptions): { hardening: ResolvedHardening; o: Options } {
  const issues: string[] = [];
  const hardening = resolveHardeningInto(spec, issues);
  const o = checkOptions(issues, options ?? {});
  for (const r of hardening?.egress.allow ?? []) {
    if (r.kind === "domain" && !DOMAIN.test(r.domain ?? "")) issues.push(`hardening.egress.allow domain ${show(r.domain)} is not a plain domain name.`);
  }
  if (issues.length > 0 || hardening === undefined) throw new InvalidArgsError(issues);
  return { hardening, o };
}

/**
 * Renders the proxy's `squid.conf` from the spec's egress allow-list. The configuration allows HTTP and CONNECT
 * only to the listed domains (exact, or `*.x` for names under x) and to IP literals inside listed networks, each on
 * its rule's ports; refuses any named destination whose resolved address is in a metadata network, in a range
 * that is not globally reachable or on the proxy itself, whatever networks are listed, and any IP literal there
 * unless a listed network covers it (never metadata, never the proxy's own addresses); logs every request, with the reason for each
 * refusal; caches nothing; and sends nothing upstream that reveals the proxy. `egress.mode: "denyAll"` renders a
 * proxy that refuses everything.
 *
 * @throws InvalidArgsError listing every problem in the spec (paths prefixed `hardening.`) and the options.
 */
export function planSquidConfig(spec: HardeningSpec | undefined, options: SquidConfigOptions = {}): SquidConfigPlan {
  const { hardening, o } = resolveAll(spec, options);
  const split = splitRules(hardening);
  const listed: Cidr[] = [];
  for (const r of split.cidrRules) {
    const parsed = parseCidr(r.cidr as string);
    if (parsed.ok) listed.push(parsed.cidr);
  }
  const forbidden = forbiddenCidrs(listed, o.own);
  const names = forbiddenForNames(o.own);
  const config = [...header(hardening), ...preamble(o), ...accessSection(o, forbidden, names, split.domainRules, split.cidrRules)].join("\n");
  const upstreamPorts = [...new Set([...split.domainRules, ...split.cidrRules].flatMap((r) => r.ports))].sort((a, b) => a - b);
  return { config, port: o.port, forbidden, forbiddenForNames: names, ...split, upstreamPorts };
}

/** The `squid.conf` text of {@link planSquidConfig}. */
export function squidConfigFor(spec: HardeningSpec | undefined, options: SquidConfigOptions = {}): string {
  return planSquidConfig(spec, options).config;
}

/**
 * The same Squid settings with `http_access allow all` in place of the allow-list: the baseline the benchmark
 * measures filtering against. Never deploy it.
 * @internal
 */
export function allowAllSquidConfigFor(options: SquidConfigOptions = {}): string {
  const { o } = resolveAll(undefined, options);
  return [...preamble(o), "http_access allow all", ""].join("\n");
}
