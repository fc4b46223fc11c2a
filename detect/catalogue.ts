/**
 * The endpoint catalogue (../endpoints.ts) turned into the lookups the detector needs: integer addresses, ranges
 * and name sets. Everything here is derived from METADATA_ENDPOINTS, PROTECTED_SERVICES, DENIED_RANGES and
 * WILDCARD_DNS_SERVICES at load time, so the detector never keeps an address list of its own.
 */
import { parseCidr } from "../components/cidr";
import { DENIED_RANGES, METADATA_ENDPOINTS, PROTECTED_SERVICES, WILDCARD_DNS_SERVICES } from "../components/endpoints";
import { ReferenceSeverity } from "./types";
import { parseIpv6Groups, ipv6Key } from "./ipv6Parse";

/** What an address or name refers to, before it is placed in the text. */
export interface Verdict {
  readonly severity: ReferenceSeverity;
  readonly endpointId: string | undefined;
  /** Canonical spelling of what is reached. */
  readonly endpoint: string;
}

function ipv4ToNumber(dotted: string): number {
  const parts = dotted.split(".").map(Number);
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

/** Canonical dotted-decimal spelling of a 32-bit address. */
export function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}

const v4Endpoints = new Map<number, Verdict>();
const v6Endpoints = new Map<string, Verdict>();
const hostnameEndpoints = new Map<string, Verdict>();
const variableEndpoints = new Map<string, Verdict>();
for (const e of METADATA_ENDPOINTS) {
  for (const address of e.addresses) {
    const verdict: Verdict = { severity: "error", endpointId: e.id, endpoint: address };
    if (address.includes(":")) {
      const key = ipv6Key(parseIpv6Groups(address)!);
      // The first endpoint in catalogue order names a shared address (169.254.169.254 is aws-imds, gcp-metadata, ...).
      if (!v6Endpoints.has(key)) v6Endpoints.set(key, verdict);
    } else if (!v4Endpoints.has(ipv4ToNumber(address))) {
      v4Endpoints.set(ipv4ToNumber(address), verdict);
    }
  }
  for (const name of e.hostnames) {
    if (!hostnameEndpoints.has(name)) hostnameEndpoints.set(name, { severity: "error", endpointId: e.id, endpoint: name });
  }
  for (const variable of e.variables ?? []) {
    variableEndpoints.set(variable, { severity: "error", endpointId: e.id, endpoint: e.addresses[0] ?? e.hostnames[0] ?? e.id });
  }
}

// A protected service that shares its address with an endpoint (GCP's DNS on 169.254.169.254) does not make the
// endpoint harmless: only addresses that serve nothing but a protected service are exempt.
const v4Protected = new Set<number>();
const v6Protected = new Set<string>();
for (const s of PROTECTED_SERVICES) {
  if (s.address.includes(":")) {
    const key = ipv6Key(parseIpv6Groups(s.address)!);
    if (!v6Endpoints.has(key)) v6Protected.add(key);
  } else if (!v4Endpoints.has(ipv4ToNumber(s.address))) {
    v4Protected.add(ipv4ToNumber(s.address));
  }
}

interface Range { readonly first: bigint; readonly last: bigint; readonly cidr: string }
const v4Ranges: Range[] = [];
const v6Ranges: Range[] = [];
for (const r of DENIED_RANGES) {
  const parsed = parseCidr(r.cidr);
  if (!parsed.ok) throw new Error(`internal: DENIED_RANGES entry ${r.cidr} ${parsed.reason}`);
  const bits = parsed.cidr.version === 4 ? 32 : 128;
  const range = { first: parsed.cidr.first, last: parsed.cidr.first + (1n << BigInt(bits - parsed.cidr.prefix)) - 1n, cidr: r.cidr };
  (parsed.cidr.version === 4 ? v4Ranges : v6Ranges).push(range);
}

/**
 * The first bytes an interesting IPv4 address can start with (catalogued endpoints and denied ranges), indexed by
 * byte: the candidate pass drops `1.0`, `3.11` and every other dotted number that cannot be one.
 */
export const IPV4_FIRST_OCTETS: Uint8Array = (() => {
  const octets = new Uint8Array(256);
  for (const value of v4Endpoints.keys()) octets[value >>> 24] = 1;
  for (const r of v4Ranges) for (let b = Number(r.first >> 24n); b <= Number(r.last >> 24n); b++) octets[b] = 1;
  return octets;
})();

/**
 * Every byte of every catalogued IPv4 endpoint, the most frequent first (254 before 250): the values a shell glob's
 * range is tried with, in an order that names the most-served endpoint when a range spans several.
 */
export const IPV4_ENDPOINT_BYTES: readonly number[] = (() => {
  const count = new Map<number, number>();
  for (const v of v4Endpoints.keys()) for (const b of [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]) count.set(b, (count.get(b) ?? 0) + 1);
  return [...count.keys()].sort((a, b) => count.get(b)! - count.get(a)! || a - b);
})();

/**
 * Classifies a 32-bit IPv4 address: `error` for a catalogued endpoint, nothing for a protected service (AWS DNS,
 * NTP), `warning` for any other address in a denied range (link-local), nothing otherwise.
 */
export function classifyIpv4(value: number): Verdict | undefined {
  const endpoint = v4Endpoints.get(value);
  if (endpoint) return endpoint;
  if (v4Protected.has(value)) return undefined;
  const big = BigInt(value);
  if (v4Ranges.some((r) => big >= r.first && big <= r.last)) {
    return { severity: "warning", endpointId: undefined, endpoint: formatIpv4(value) };
  }
  return undefined;
}

/** True when the address is a catalogued endpoint (used for readings only some parsers make, such as wrapping). */
export function isIpv4Endpoint(value: number): boolean {
  return v4Endpoints.has(value);
}

/** Classifies an IPv6 address given as eight 16-bit groups, like {@link classifyIpv4}. Embedded IPv4 is not looked at here. */
export function classifyIpv6(groups: readonly number[]): Verdict | undefined {
  const key = ipv6Key(groups);
  const endpoint = v6Endpoints.get(key);
  if (endpoint) return endpoint;
  if (v6Protected.has(key)) return undefined;
  let big = 0n;
  for (const g of groups) big = (big << 16n) | BigInt(g);
  if (v6Ranges.some((r) => big >= r.first && big <= r.last)) {
    return { severity: "warning", endpointId: undefined, endpoint: formatIpv6(groups) };
  }
  return undefined;
}

/** RFC 5952 text form of eight 16-bit groups: lower case, longest run of two or more zero groups compressed. */
export function formatIpv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

/** The catalogued host name (lower case, no trailing dot), or undefined. */
export function classifyHostname(name: string): Verdict | undefined {
  return hostnameEndpoints.get(name);
}

/** Every catalogued host name, lower case. */
export const CATALOGUED_HOSTNAMES: readonly string[] = [...hostnameEndpoints.keys()];

/** The wildcard-DNS services, lower case, longest first so a suffix test finds the most specific one. */
export const WILDCARD_SERVICES: readonly string[] = [...WILDCARD_DNS_SERVICES]
  .map((s) => s.toLowerCase())
  .sort((a, b) => b.length - a.length);

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Words whose presence makes a name worth a closer look: the first label of every catalogued host name and every
 * wildcard-DNS service, as one case-insensitive alternation source.
 */
export const NAME_TRIGGER_SOURCE: string = withoutContaining([...CATALOGUED_HOSTNAMES.map((h) => h.split(".")[0]), ...WILDCARD_SERVICES])
  .sort((a, b) => b.length - a.length)
  .map(escapeRegExp)
  .join("|");

/**
 * The first label of every catalogued host name (`metadata`, `instance-data`), as an alternation source. A label
 * holding another (`rancher-metadata` holds `metadata`) is left out: the shorter one already marks the spot, and
 * every branch whose first letter differs slows the regex on every line.
 */
export const HOSTNAME_TRIGGER_SOURCE: string = withoutContaining(CATALOGUED_HOSTNAMES.map((h) => h.split(".")[0]))
  .sort((a, b) => b.length - a.length)
  .map(escapeRegExp)
  .join("|");

/** The words of {@link HOSTNAME_TRIGGER_SOURCE}, lower case (`instance-data`, `metadata`). */
export const HOSTNAME_TRIGGER_WORDS: readonly string[] = withoutContaining(CATALOGUED_HOSTNAMES.map((h) => h.split(".")[0]));

/** The distinct words, less those that contain another of them. */
function withoutContaining(words: readonly string[]): string[] {
  const unique = [...new Set(words)];
  return unique.filter((w) => !unique.some((o) => o !== w && w.includes(o)));
}

/** The endpoint an environment variable of the catalogue points at (exact, upper-case name), or undefined. */
export function classifyVariable(name: string): Verdict | undefined {
  return variableEndpoints.get(name);
}

/** Every catalogued environment-variable name, longest first (so `..._URI_V4` is tried before `..._URI`). */
export const CATALOGUED_VARIABLES: readonly string[] = [...variableEndpoints.keys()].sort((a, b) => b.length - a.length);

/**
 * Substrings the candidate pass looks for with one `indexOf` pass each: every catalogued variable contains one of them
 * (checked at load), and they are rare in ordinary text, unlike the words `METADATA` or `CONTAINER` alone.
 */
export const VARIABLE_TRIGGERS: readonly string[] = ["METADATA_", "S_CONTAINER_", "_ENDPOINT"];
for (const v of CATALOGUED_VARIABLES) {
  if (!VARIABLE_TRIGGERS.some((t) => v.includes(t))) throw new Error(`catalogued variable ${v} contains no VARIABLE_TRIGGERS substring`);
}
