/**
 * Validation and defaulting of the hardening contract. `resolveHardening` is the only way from a caller's
 * `HardeningSpec` to the `ResolvedHardening` that components plan with; it reports every problem at once.
 */
import { domainToASCII } from "node:url";
import { Cidr, cidrContains, formatCidr, isIpAddress, mustParseCidr, parseCidr } from "./cidr";
import { METADATA_ENDPOINTS, WILDCARD_DNS_SERVICES } from "./endpoints";
import { checkEnum, checkFields, checkPort, checkWholeNumber, InvalidArgsError, isRecord, Issues, show } from "./validation";
import { carveOutFor } from "./metadataNetworks";
import {
  DEFAULT_HARDENING,
  EgressMode,
  EgressProtocol,
  EgressTier,
  HardeningSpec,
  HostIdentityMode,
  MetadataEndpointMode,
  ResolvedEgressRule,
  ResolvedHardening,
  SandboxMode,
  WorkloadSubnetMode,
} from "./spec";

/** Networks reachable from an isolated subnet without a route out: private, shared and unique-local space. */
const NON_INTERNET = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"].map(mustParseCidr);

/** Hard limit of the host lifetime: a year. Anything longer is not ephemeral. */
const MAX_LIFETIME_HOURS = 8760;

const SPEC_FIELDS = ["metadataEndpoint", "workloadSubnet", "egress", "sandbox", "hostIdentity", "ephemeral"];
const EGRESS_FIELDS = ["mode", "tier", "allow"];
const RULE_FIELDS = ["cidr", "domain", "protocol", "ports", "description"];
const EPHEMERAL_FIELDS = ["maxLifetimeHours"];

function pickEnum<T extends string>(
  issues: Issues,
  path: string,
  value: unknown,
  allowed: Record<string, T>,
  fallback: T,
): T {
  if (value === undefined) return fallback;
  return checkEnum(issues, path, value, Object.values(allowed)) ? value : fallback;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Is `host` (lower case, no trailing dot) a catalogued metadata host name or a name under a wildcard-DNS service? */
function metadataHostReason(host: string): string | undefined {
  for (const endpoint of METADATA_ENDPOINTS) {
    if (endpoint.hostnames.includes(host)) return `is the ${endpoint.id} metadata host`;
  }
  for (const service of WILDCARD_DNS_SERVICES) {
    if (host === service || host.endsWith(`.${service}`)) {
      return `is under ${service}, a wildcard-DNS service whose names resolve to any address, metadata included`;
    }
  }
  return undefined;
}

/**
 * The metadata host names and wildcard-DNS services a wildcard `*.<body>` would match: `*.google.internal` covers
 * metadata.google.internal, `*.internal` covers it and instance-data.ec2.internal, `*.io` covers nip.io's names.
 */
function wildcardCovers(body: string): string[] {
  const under = (name: string) => name.endsWith(`.${body}`);
  const hosts = METADATA_ENDPOINTS.flatMap((e) => e.hostnames).filter(under);
  const services = WILDCARD_DNS_SERVICES.filter((s) => s === body || under(s)).map((s) => `*.${s}`);
  return [...new Set([...hosts, ...services])];
}

function resolveDomain(issues: Issues, path: string, raw: string): string | undefined {
  let text = raw.trim().toLowerCase();
  if (text.endsWith(".")) text = text.slice(0, -1);
  const wildcard = text.startsWith("*.");
  const body = wildcard ? text.slice(2) : text;
  if (isIpAddress(body) || isIpAddress(body.replace(/^\[|\]$/g, ""))) {
    issues.add(path, `${show(raw)} is an IP address; put it in "cidr" as ${body}/${body.includes(":") ? 128 : 32}.`);
    return undefined;
  }
  // IDNA: an internationalised name becomes its punycode form, the form firewalls and SNI carry.
  const ascii = body === "" ? "" : domainToASCII(body);
  const labels = ascii.split(".");
  // Before the shape checks: `*.internal` is refused for what it would reach, which says more than its one label.
  const covered = wildcard && ascii !== "" && labels.every((l) => LABEL.test(l)) ? wildcardCovers(ascii) : [];
  if (covered.length > 0) {
    issues.add(
      path,
      `${show(raw)} covers ${covered.map((c) => show(c)).join(", ")}, which workloads must never reach; list the exact names under ${ascii} the workloads need instead of the wildcard.`,
    );
    return undefined;
  }
  if (ascii === "" || ascii.length > 253 || labels.length < 2 || !labels.every((l) => LABEL.test(l))) {
    issues.add(
      path,
      `${show(raw)} is not a domain name; expected labels of letters, digits and hyphens such as "pypi.org" or "*.pythonhosted.org".`,
    );
    return undefined;
  }
  if (/^\d+$/.test(labels[labels.length - 1])) {
    issues.add(path, `${show(raw)} ends in a numeric label, which no public domain does; use "cidr" for addresses.`);
    return undefined;
  }
  const reason = metadataHostReason(ascii);
  if (reason) {
    issues.add(path, `${show(raw)} ${reason}; it can never be allowed. Remove the rule.`);
    return undefined;
  }
  return wildcard ? `*.${ascii}` : ascii;
}

function resolveCidr(
  issues: Issues,
  path: string,
  raw: string,
): { cidr: Cidr; text: string; except: string[] } | undefined {
  const text = raw.trim().toLowerCase();
  const parsed = parseCidr(text);
  if (!parsed.ok) {
    issues.add(path, `${show(raw)} ${parsed.reason}`);
    return undefined;
  }
  const carve = carveOutFor(parsed.cidr);
  if (carve.inside.length > 0) {
    const within = carve.inside.map((n) => `${n.cidr} (${n.why})`).join(", ");
    issues.add(path, `${show(raw)} lies inside ${within}, which workloads must never reach; remove the rule.`);
    return undefined;
  }
  // One spelling per network (IPv6 compressed, lower case), so duplicates compare equal.
  return { cidr: parsed.cidr, text: formatCidr(parsed.cidr), except: carve.except };
}

function resolvePorts(issues: Issues, path: string, raw: unknown): number[] {
  if (raw === undefined) return [443];
  if (!Array.isArray(raw) || raw.length === 0) {
    issues.add(path, `${show(raw)} must be a non-empty list of ports, e.g. [443].`);
    return [];
  }
  const ports = new Set<number>();
  raw.forEach((p, i) => {
    if (checkPort(issues, `${path}[${i}]`, p)) ports.add(p);
  });
  return [...ports].sort((a, b) => a - b);
}

interface RuleContext {
  readonly tier: EgressTier;
  readonly subnet: WorkloadSubnetMode;
}

function resolveRule(issues: Issues, path: string, raw: unknown, ctx: RuleContext): ResolvedEgressRule | undefined {
  if (!isRecord(raw)) {
    issues.add(path, `${show(raw)} must be an object such as { domain: "pypi.org", ports: [443] }.`);
    return undefined;
  }
  checkFields(issues, path, raw, RULE_FIELDS);
  const protocol = pickEnum(issues, `${path}.protocol`, raw.protocol, EgressProtocol, EgressProtocol.Tcp);
  const ports = resolvePorts(issues, `${path}.ports`, raw.ports);
  let description = "";
  if (raw.description !== undefined) {
    if (typeof raw.description !== "string") issues.add(`${path}.description`, `${show(raw.description)} must be a string.`);
    else description = raw.description.trim();
  }
  const hasCidr = raw.cidr !== undefined;
  const hasDomain = raw.domain !== undefined;
  if (hasCidr === hasDomain) {
    issues.add(path, `gives ${hasCidr ? "both" : "neither"} "cidr" and "domain"; give exactly one.`);
    return undefined;
  }
  if (hasDomain) {
    if (typeof raw.domain !== "string") {
      issues.add(`${path}.domain`, `${show(raw.domain)} must be a string such as "pypi.org".`);
      return undefined;
    }
    const domain = resolveDomain(issues, `${path}.domain`, raw.domain);
    if (domain === undefined) return undefined;
    if (ctx.tier === EgressTier.Basic) {
      issues.add(
        `${path}.domain`,
        `${show(raw.domain)} needs a name-aware egress tier, but tier is "basic" (network rules match addresses only); set hardening.egress.tier to "dns" or "firewall", or use "cidr".`,
      );
    }
    if (protocol !== EgressProtocol.Tcp) {
      issues.add(`${path}.protocol`, `"${protocol}" cannot be matched by name (domain rules match TLS SNI and HTTP Host); use "tcp".`);
    }
    if (ctx.subnet === WorkloadSubnetMode.Isolated) {
      issues.add(
        `${path}.domain`,
        `${show(raw.domain)} is unreachable from an isolated subnet; set hardening.workloadSubnet to "private" or remove the rule.`,
      );
    }
    return { kind: "domain", domain, protocol, ports, description, except: [] };
  }
  if (typeof raw.cidr !== "string") {
    issues.add(`${path}.cidr`, `${show(raw.cidr)} must be a string such as "203.0.113.0/24".`);
    return undefined;
  }
  const cidr = resolveCidr(issues, `${path}.cidr`, raw.cidr);
  if (cidr === undefined) return undefined;
  if (ctx.subnet === WorkloadSubnetMode.Isolated && !NON_INTERNET.some((n) => cidrContains(n, cidr.cidr))) {
    issues.add(
      `${path}.cidr`,
      `${show(raw.cidr)} is unreachable from an isolated subnet; set hardening.workloadSubnet to "private" or remove the rule.`,
    );
  }
  return { kind: "cidr", cidr: cidr.text, ipVersion: cidr.cidr.version, protocol, ports, description, except: cidr.except };
}

function ruleKey(r: ResolvedEgressRule): string {
  return `${r.kind}|${r.cidr ?? r.domain}|${r.protocol}|${r.ports.join(",")}`;
}

function resolveEgress(issues: Issues, raw: unknown, subnet: WorkloadSubnetMode): ResolvedHardening["egress"] {
  const defaults = DEFAULT_HARDENING.egress;
  if (raw === undefined) return defaults;
  if (!isRecord(raw)) {
    issues.add("hardening.egress", `${show(raw)} must be an object such as { mode: "denyAll" }.`);
    return defaults;
  }
  checkFields(issues, "hardening.egress", raw, EGRESS_FIELDS);
  const mode = pickEnum(issues, "hardening.egress.mode", raw.mode, EgressMode, defaults.mode);
  const tier = pickEnum(issues, "hardening.egress.tier", raw.tier, EgressTier, defaults.tier);
  if (raw.allow !== undefined && !Array.isArray(raw.allow)) {
    issues.add("hardening.egress.allow", `${show(raw.allow)} must be a list of rules.`);
    return { mode, tier, allow: [] };
  }
  const rawRules = (raw.allow as unknown[] | undefined) ?? [];
  if (mode === EgressMode.DenyAll && rawRules.length > 0) {
    issues.add(
      "hardening.egress.allow",
      `lists ${rawRules.length} rule(s) but hardening.egress.mode is "denyAll", which would ignore them; set mode to "allowList" or remove the rules.`,
    );
    return { mode, tier, allow: [] };
  }
  if (mode === EgressMode.AllowList && rawRules.length === 0) {
    issues.add("hardening.egress.allow", `is empty but hardening.egress.mode is "allowList"; add rules or set mode to "denyAll".`);
  }
  const ctx: RuleContext = { tier, subnet };
  const seen = new Map<string, ResolvedEgressRule>();
  rawRules.forEach((r, i) => {
    const rule = resolveRule(issues, `hardening.egress.allow[${i}]`, r, ctx);
    if (!rule) return;
    const key = ruleKey(rule);
    const earlier = seen.get(key);
    // Duplicates collapse into one rule; their descriptions are kept so no author's reason is lost.
    if (!earlier) seen.set(key, rule);
    else if (rule.description && !earlier.description.split("; ").includes(rule.description)) {
      seen.set(key, { ...earlier, description: earlier.description ? `${earlier.description}; ${rule.description}` : rule.description });
    }
  });
  return { mode, tier, allow: Object.freeze([...seen.values()]) };
}

/**
 * Lists every problem in a spec; empty when it is valid. Each entry names the field path, the value seen and the fix.
 */
export function checkHardening(spec: HardeningSpec | undefined): string[] {
  return resolveInternal(spec).issues;
}

function resolveInternal(spec: unknown): { resolved: ResolvedHardening; issues: string[] } {
  const issues = new Issues();
  if (spec === undefined || spec === null) return { resolved: DEFAULT_HARDENING, issues: [] };
  if (!isRecord(spec)) {
    issues.add("hardening", `${show(spec)} must be an object such as { metadataEndpoint: "blocked" }.`);
    return { resolved: DEFAULT_HARDENING, issues: issues.list };
  }
  checkFields(issues, "hardening", spec, SPEC_FIELDS);
  const d = DEFAULT_HARDENING;
  const metadataEndpoint = pickEnum(issues, "hardening.metadataEndpoint", spec.metadataEndpoint, MetadataEndpointMode, d.metadataEndpoint);
  const workloadSubnet = pickEnum(issues, "hardening.workloadSubnet", spec.workloadSubnet, WorkloadSubnetMode, d.workloadSubnet);
  const sandbox = pickEnum(issues, "hardening.sandbox", spec.sandbox, SandboxMode, d.sandbox);
  const hostIdentity = pickEnum(issues, "hardening.hostIdentity", spec.hostIdentity, HostIdentityMode, d.hostIdentity);
  const egress = resolveEgress(issues, spec.egress, workloadSubnet);

  let maxLifetimeHours = d.ephemeral.maxLifetimeHours;
  if (spec.ephemeral !== undefined) {
    if (!isRecord(spec.ephemeral)) {
      issues.add("hardening.ephemeral", `${show(spec.ephemeral)} must be an object such as { maxLifetimeHours: 24 }.`);
    } else {
      checkFields(issues, "hardening.ephemeral", spec.ephemeral, EPHEMERAL_FIELDS);
      const hours = spec.ephemeral.maxLifetimeHours;
      if (hours !== undefined) {
        if (checkWholeNumber(issues, "hardening.ephemeral.maxLifetimeHours", hours, 1, MAX_LIFETIME_HOURS, { unit: "hours" })) maxLifetimeHours = hours;
      }
    }
  }

  const resolved: ResolvedHardening = Object.freeze({
    metadataEndpoint,
    workloadSubnet,
    egress: Object.freeze(egress),
    sandbox,
    hostIdentity,
    ephemeral: Object.freeze({ maxLifetimeHours }),
  });
  return { resolved, issues: issues.list };
}

/**
 * Fills in the strictest default for every omitted field and normalises the egress rules (lower case, canonical
 * CIDRs, sorted ports, duplicates merged, metadata networks listed in `except`).
 *
 * @throws InvalidArgsError listing every problem when the spec is invalid; nothing is returned then.
 */
export function resolveHardening(spec?: HardeningSpec): ResolvedHardening {
  const { resolved, issues } = resolveInternal(spec);
  if (issues.length > 0) throw new InvalidArgsError(issues);
  return resolved;
}

/**
 * Resolves a spec as one part of a larger validation: appends its problems to `issues` and returns undefined when
 * it is invalid, so that a planner reports the spec's problems and its own arguments' problems in one error.
 */
export function resolveHardeningInto(spec: HardeningSpec | undefined, issues: string[]): ResolvedHardening | undefined {
  const { resolved, issues: found } = resolveInternal(spec);
  issues.push(...found);
  return found.length > 0 ? undefined : resolved;
}
